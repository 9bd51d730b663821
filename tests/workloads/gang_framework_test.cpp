// The gang framework end to end: all-or-nothing launches, hoarding held offers, releasing them
// on timeout, RESCIND of a held offer, and restarting a gang that lost a member.

#include "workloads/gang_framework.hpp"

#include <gtest/gtest.h>

#include "tests/workloads/workload_test_util.hpp"
#include "workloads/batch_framework.hpp"

namespace mesosim {
namespace {

using namespace mesosim::testing;
using v1::TaskState;

// Four agents of 2 cpus; a batch framework and a gang framework share them.
class GangTest : public ::testing::Test {
 protected:
  GangTest() : cluster(fixed_latency()), topology(Topology::uniform(1, 2, 2)) {
    cluster.add_observer(&log);
    add_agents(cluster, topology, "cpus:2;mem:2048");
  }
  void start(std::vector<Job> jobs, Duration hold_timeout) {
    FrameworkModelOptions bo;
    bo.name = "batch";
    batch = std::make_unique<BatchFramework>(cluster.queue(), BatchFrameworkOptions{bo, nullptr});
    GangFrameworkOptions go;
    go.model.name = "mpi";
    go.hold_timeout = hold_timeout;
    gang = std::make_unique<GangFramework>(cluster.queue(), go);
    cluster.add_framework(batch->framework_info(), batch.get());
    cluster.add_framework(gang->framework_info(), gang.get());
    source = std::make_unique<VectorJobSource>(std::move(jobs));
    feeder = std::make_unique<JobFeeder>(cluster.queue(), *source);
    feeder->route("batch", batch.get());
    feeder->route("mpi", gang.get());
    cluster.start();
    feeder->start();
  }
  Job gang_job(std::string id, double submit, size_t n, Duration d = Duration::seconds(30)) {
    Job j = make_job(std::move(id), submit, n, "cpus:1;mem:256", d, "mpi");
    j.gang = true;
    return j;
  }

  SimCluster cluster;
  Topology topology;
  TaskLog log;
  std::unique_ptr<BatchFramework> batch;
  std::unique_ptr<GangFramework> gang;
  std::unique_ptr<VectorJobSource> source;
  std::unique_ptr<JobFeeder> feeder;
};

TEST_F(GangTest, AGangWaitsHoldingOffersAndThenRunsAllItsTasksAtOnce) {
  // The batch job takes 4 of 8 cpus for 20 s; the gang of 6 arrives at 5 s.
  start({make_job("b1", 0, 4, "cpus:1;mem:256", Duration::seconds(20), "batch"),
         gang_job("g1", 5, 6)},
        Duration::seconds(60));
  cluster.run_until(secs(15));
  EXPECT_EQ(log.max_running("g1/"), 0u) << "4 free cpus are not enough for 6";
  EXPECT_GT(gang->held_offers(), 0u) << "it holds what it was offered";
  EXPECT_TRUE(gang->jobs()[0].tasks[0].attempts == 0);
  cluster.run_until(secs(120));
  const JobRecord* g = gang->job("g1");
  ASSERT_TRUE(g->finished());
  const Time b1_end = *batch->job("b1")->finish;
  for (const TaskRecord& t : g->tasks) {
    EXPECT_EQ(t.attempts, 1);
    EXPECT_EQ(t.launched, g->tasks[0].launched) << "one decision launches the whole gang";
    EXPECT_GE(*t.launched, b1_end);
    EXPECT_EQ(t.final_state, TaskState::TASK_FINISHED);
  }
  EXPECT_EQ(log.running_counts("g1/"), std::make_pair(size_t{6}, size_t{6}))
      << "never fewer than 6 running";
  EXPECT_EQ(gang->gang(0).holds_released, 0);
  EXPECT_EQ(gang->held_offers(), 0u);
  EXPECT_EQ(cluster.check_invariants(), std::nullopt);
}

TEST_F(GangTest, AnImpossibleGangReleasesItsHoldOnTimeoutAndOthersGetTheResources) {
  // 10 x 1 cpu can never fit in 8 cpus. The gang hoards every agent from t=0; the batch job
  // arriving at 2 s gets nothing until the hold times out at ~10 s.
  start({gang_job("g1", 0, 10),
         make_job("b1", 2, 2, "cpus:1;mem:256", Duration::seconds(5), "batch")},
        Duration::seconds(10));
  cluster.run_until(secs(9));
  EXPECT_EQ(gang->held_offers(), 4u) << "every agent is held";
  EXPECT_FALSE(batch->job("b1")->start.has_value()) << "starved by the hoarding gang";
  cluster.run_until(secs(40));
  EXPECT_EQ(log.max_running("g1/"), 0u) << "never runs with fewer than 10";
  EXPECT_GE(gang->gang(0).holds_released, 1);
  ASSERT_TRUE(batch->job("b1")->finished());
  EXPECT_GE(*batch->job("b1")->start, secs(10));
  EXPECT_LT(*batch->job("b1")->start, secs(12));
  EXPECT_GE(gang->offer_time_held(), Duration::seconds(4 * 9)) << "the cost of hoarding";
  EXPECT_FALSE(gang->job("g1")->finished());
  EXPECT_EQ(cluster.check_invariants(), std::nullopt);
}

TEST_F(GangTest, ARescindedHeldOfferLeavesTheHoldAndIsNeverUsed) {
  // The batch job takes two agents for 30 s; the gang of 6 holds the other two (4 cpus); one
  // of them crashes and its offer is rescinded; once both are back the gang runs.
  Job b = make_job("b1", 0, 2, "cpus:2;mem:2048", Duration::seconds(30), "batch");
  start({b, gang_job("g1", 5, 6)}, Duration::seconds(120));
  cluster.run_until(secs(8));
  ASSERT_EQ(gang->held_offers(), 2u);
  std::string held_agent;
  for (const auto& name : topology.agents()) {
    bool busy = false;
    for (const auto& t : batch->job("b1")->tasks) busy |= t.agent == name;
    if (!busy) held_agent = name;
  }
  cluster.schedule(secs(10), fault::AgentCrash{held_agent, false, Duration::seconds(15)});
  cluster.run_until(secs(12));
  EXPECT_EQ(gang->stats().offers_rescinded, 1u);
  EXPECT_EQ(gang->held_offers(), 1u);
  cluster.run_until(secs(150));
  const JobRecord* g = gang->job("g1");
  ASSERT_TRUE(g->finished());
  for (const TaskRecord& t : g->tasks) {
    EXPECT_EQ(t.attempts, 1) << "no launch on a rescinded offer (it would be dropped)";
    EXPECT_EQ(t.final_state, TaskState::TASK_FINISHED);
  }
  EXPECT_EQ(cluster.check_invariants(), std::nullopt);
}

TEST_F(GangTest, AGangThatLosesAMemberIsKilledAndRunAgainWhole) {
  start({gang_job("g1", 0, 4, Duration::seconds(200))}, Duration::seconds(30));
  cluster.run_until(secs(5));
  ASSERT_EQ(log.max_running("g1/"), 4u);
  const std::string victim = gang->job("g1")->tasks[0].agent;
  cluster.schedule(secs(10), fault::AgentCrash{victim, true, std::nullopt});
  cluster.run_until(secs(1000));
  const JobRecord* g = gang->job("g1");
  ASSERT_TRUE(g->finished());
  EXPECT_EQ(gang->gang(0).restarts, 1);
  for (const TaskRecord& t : g->tasks) {
    EXPECT_EQ(t.attempts, 2);
    EXPECT_EQ(t.final_state, TaskState::TASK_FINISHED);
    EXPECT_NE(t.agent, victim);
  }
  // The survivors of the first run were killed when the member was lost...
  size_t killed = 0;
  for (const auto& c : log.changes) {
    killed += c.task.ends_with(".1") && c.state == TaskState::TASK_KILLED;
  }
  EXPECT_GE(killed, 2u);
  // ... and the second run ran whole: 4 at once or none.
  EXPECT_EQ(log.running_counts_if([](const std::string& id) { return id.ends_with(".2"); }),
            std::make_pair(size_t{4}, size_t{4}));
  EXPECT_EQ(cluster.check_invariants(), std::nullopt);
}

}  // namespace
}  // namespace mesosim

namespace mesosim {
namespace {

using namespace mesosim::testing;

TEST(GangDeadlockTest, TwoGangsThatSplitTheClusterWaitUntilAHoldTimesOut) {
  // Two gang frameworks of 5 x 1 cpu on 8 cpus: offers split the agents between them, each
  // holds what it got and neither can complete. Only the first hold timeout (a's, 10 s)
  // breaks the deadlock: b then gets a's agents and runs; a runs after b.
  SimCluster cluster(fixed_latency());
  TaskLog log;
  cluster.add_observer(&log);
  const Topology topology = Topology::uniform(1, 1, 4);
  add_agents(cluster, topology, "cpus:2;mem:2048");
  GangFrameworkOptions ao, bo;
  ao.model.name = "a";
  ao.hold_timeout = Duration::seconds(10);
  bo.model.name = "b";
  bo.hold_timeout = Duration::seconds(25);
  GangFramework a(cluster.queue(), ao), b(cluster.queue(), bo);
  cluster.add_framework(a.framework_info(), &a);
  cluster.add_framework(b.framework_info(), &b);
  Job ga = make_job("ga", 0, 5, "cpus:1;mem:256", Duration::seconds(20), "a");
  Job gb = make_job("gb", 0, 5, "cpus:1;mem:256", Duration::seconds(20), "b");
  ga.gang = gb.gang = true;
  VectorJobSource source({ga, gb});
  JobFeeder feeder(cluster.queue(), source);
  feeder.route("a", &a);
  feeder.route("b", &b);
  cluster.start();
  feeder.start();
  cluster.run_until(secs(9));
  EXPECT_EQ(a.held_offers() + b.held_offers(), 4u);
  EXPECT_GT(a.held_offers(), 0u);
  EXPECT_GT(b.held_offers(), 0u);
  EXPECT_EQ(log.max_running("g"), 0u) << "deadlocked: each holds what the other needs";
  cluster.run_until(secs(200));
  ASSERT_TRUE(a.job("ga")->finished());
  ASSERT_TRUE(b.job("gb")->finished());
  EXPECT_GE(a.gang(0).holds_released, 1) << "again while b runs: what is left is not enough";
  EXPECT_EQ(b.gang(0).holds_released, 0);
  EXPECT_GE(*b.job("gb")->tasks[0].launched, secs(10));
  EXPECT_LT(*b.job("gb")->tasks[0].launched, secs(12));
  EXPECT_GE(*a.job("ga")->tasks[0].launched, *b.job("gb")->finish);
  EXPECT_EQ(log.running_counts("ga/").first, 5u);
  EXPECT_EQ(log.running_counts("gb/").first, 5u);
  EXPECT_EQ(cluster.check_invariants(), std::nullopt);
}

}  // namespace
}  // namespace mesosim
