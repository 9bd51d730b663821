// The Storm-like framework end to end: workers hold resources for the topology's run, are
// relaunched elsewhere when their agent is lost, never run twice after a partition heals, and
// are killed at the topology's end.

#include "workloads/storm_framework.hpp"

#include <gtest/gtest.h>

#include <set>

#include "tests/workloads/workload_test_util.hpp"

namespace mesosim {
namespace {

using namespace mesosim::testing;
using v1::TaskState;

class StormTest : public ::testing::Test {
 protected:
  StormTest() : cluster(fixed_latency()), topology(Topology::uniform(1, 1, 4)) {
    cluster.add_observer(&log);
    add_agents(cluster, topology, "cpus:2;mem:2048");
  }
  void start(bool partition_aware) {
    StormFrameworkOptions o;
    o.model.partition_aware = partition_aware;
    model = std::make_unique<StormFramework>(cluster.queue(), o);
    cluster.add_framework(model->framework_info(), model.get());
    source = std::make_unique<VectorJobSource>(
        std::vector<Job>{make_job("topo", 0, 3, "cpus:1;mem:512", Duration::seconds(600))});
    feeder = std::make_unique<JobFeeder>(cluster.queue(), *source);
    feeder->set_default(model.get());
    cluster.start();
    feeder->start();
  }
  std::set<std::string> worker_agents() {
    std::set<std::string> out;
    for (const auto& t : model->job("topo")->tasks) out.insert(t.agent);
    return out;
  }
  SimCluster cluster;
  Topology topology;
  TaskLog log;
  std::unique_ptr<StormFramework> model;
  std::unique_ptr<VectorJobSource> source;
  std::unique_ptr<JobFeeder> feeder;
};

TEST_F(StormTest, WorkersAreSpreadAndHoldTheirResourcesUntilTheTopologyEnds) {
  start(false);
  cluster.run_until(secs(5));
  EXPECT_EQ(model->running_workers(0), 3u);
  EXPECT_EQ(worker_agents().size(), 3u) << "one worker per agent";
  ASSERT_TRUE(model->topology(0).deployed.has_value());
  cluster.run_until(secs(300));
  EXPECT_EQ(model->running_workers(0), 3u) << "long-running: no work ends them";
  cluster.run_until(secs(700));
  const JobRecord* j = model->job("topo");
  ASSERT_TRUE(j->finished());
  EXPECT_EQ(*model->topology(0).ended, *model->topology(0).deployed + Duration::seconds(600));
  for (const auto& t : j->tasks) EXPECT_EQ(t.final_state, TaskState::TASK_KILLED);
  EXPECT_TRUE(model->suppressed());
  EXPECT_EQ(cluster.check_invariants(), std::nullopt);
}

TEST_F(StormTest, AWorkerLostWithItsAgentIsRelaunchedElsewhere) {
  start(false);
  cluster.run_until(secs(5));
  const std::string victim = model->job("topo")->tasks[1].agent;
  cluster.schedule(secs(20), fault::AgentCrash{victim, true, std::nullopt});
  cluster.run_until(secs(19));
  EXPECT_EQ(model->topology(0).relaunches, 0u);
  // The framework does not checkpoint, so its worker is lost as soon as the agent's connection
  // breaks (Mesos's Master::exited), without waiting for the ping timeout.
  cluster.run_until(secs(30));
  EXPECT_EQ(model->topology(0).relaunches, 1u) << "the loss is known when the connection breaks";
  cluster.run_until(secs(120));
  EXPECT_EQ(model->running_workers(0), 3u);
  EXPECT_EQ(model->topology(0).relaunches, 1u);
  const TaskRecord& w = model->job("topo")->tasks[1];
  EXPECT_EQ(w.attempts, 2);
  EXPECT_NE(w.agent, victim);
  EXPECT_EQ(worker_agents().size(), 3u);
  cluster.run_until(secs(700));
  EXPECT_TRUE(model->job("topo")->finished());
  EXPECT_EQ(cluster.check_invariants(), std::nullopt);
}

TEST_F(StormTest, AWorkerBackFromAPartitionAfterItsReplacementStartedIsKilled) {
  start(true);
  cluster.run_until(secs(5));
  const std::string cut = model->job("topo")->tasks[0].agent;
  cluster.schedule(secs(10), fault::Partition{{cut}, {"master1"}});
  cluster.schedule(secs(150), fault::Heal{{cut}, {"master1"}});
  cluster.run_until(secs(140));
  EXPECT_EQ(model->running_workers(0), 3u) << "replaced while unreachable";
  EXPECT_EQ(model->job("topo")->tasks[0].attempts, 2);
  cluster.run_until(secs(300));
  EXPECT_GE(model->stats().stale_attempts_killed, 1u);
  EXPECT_EQ(log.changes.back().state, TaskState::TASK_KILLED);
  // The first attempt ended killed; exactly 3 workers run.
  EXPECT_EQ(model->running_workers(0), 3u);
  size_t live = 0;
  for (size_t i = 0; i < cluster.agent_count(); ++i) live += cluster.agent(i).live_tasks();
  EXPECT_EQ(live, 3u);
  EXPECT_EQ(cluster.check_invariants(), std::nullopt);
}

}  // namespace
}  // namespace mesosim
