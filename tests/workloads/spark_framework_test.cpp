// The Spark-like framework end to end: stage DAGs, long-lived executors holding resources
// across stages, locality to cached partitions after the first iteration, lost executors.

#include "workloads/spark_framework.hpp"

#include <gtest/gtest.h>

#include "tests/workloads/workload_test_util.hpp"

namespace mesosim {
namespace {

using namespace mesosim::testing;
using v1::TaskState;

Job stage(std::string id, double submit, size_t partitions, Duration d,
          std::vector<std::string> parents, std::string app = "als") {
  Job j = make_job(std::move(id), submit, partitions, "cpus:1;mem:256", d);
  j.depends_on = std::move(parents);
  j.group = std::move(app);
  return j;
}

class SparkTest : public ::testing::Test {
 protected:
  SparkTest() : cluster(fixed_latency()), topology(Topology::uniform(1, 1, 3)) {
    cluster.add_observer(&log);
    add_agents(cluster, topology, "cpus:2;mem:4096");
  }
  void start(std::vector<Job> stages, SparkFrameworkOptions o = {}) {
    o.executors_per_app = 2;
    model = std::make_unique<SparkFramework>(cluster.queue(), o);
    cluster.add_framework(model->framework_info(), model.get());
    source = std::make_unique<VectorJobSource>(std::move(stages));
    feeder = std::make_unique<JobFeeder>(cluster.queue(), *source);
    feeder->set_default(model.get());
    cluster.start();
    feeder->start();
  }
  SimCluster cluster;
  Topology topology;
  TaskLog log;
  std::unique_ptr<SparkFramework> model;
  std::unique_ptr<VectorJobSource> source;
  std::unique_ptr<JobFeeder> feeder;
};

TEST_F(SparkTest, AStageNeverStartsBeforeItsParentsFinish) {
  // s0 -> {s1, s2} -> s3, all submitted at once; s1 is much longer than s2.
  start({stage("s0", 0, 4, Duration::seconds(5), {}),
         stage("s1", 0, 2, Duration::seconds(20), {"s0"}),
         stage("s2", 0, 2, Duration::seconds(3), {"s0"}),
         stage("s3", 0, 4, Duration::seconds(5), {"s1", "s2"})});
  cluster.run_until(secs(200));
  for (const char* id : {"s0", "s1", "s2", "s3"}) ASSERT_TRUE(model->job(id)->finished()) << id;
  const auto parents_done = [&](std::vector<const char*> parents) {
    Time t;
    for (const char* p : parents) t = std::max(t, *model->job(p)->finish);
    return t;
  };
  const std::pair<const char*, std::vector<const char*>> dag[] = {
      {"s1", {"s0"}}, {"s2", {"s0"}}, {"s3", {"s1", "s2"}}};
  for (const auto& [child, parents] : dag) {
    const Time ready = parents_done(parents);
    EXPECT_GE(*model->job(child)->start, ready) << child;
    for (const TaskRecord& t : model->job(child)->tasks) EXPECT_GE(*t.launched, ready) << child;
  }
  EXPECT_GE(*model->job("s3")->start, *model->job("s1")->finish) << "waits for the longer parent";
  EXPECT_LT(*model->job("s2")->finish, *model->job("s1")->finish);
}

TEST_F(SparkTest, ExecutorsHoldTheirResourcesAcrossStages) {
  start({stage("i1", 0, 4, Duration::seconds(5), {}),
         stage("i2", 0, 4, Duration::seconds(5), {"i1"}),
         stage("i3", 0, 4, Duration::seconds(5), {"i2"})});
  cluster.run_until(secs(60));
  ASSERT_TRUE(model->job("i3")->finished());
  EXPECT_EQ(model->spark_stats().executors_launched, 2u) << "not one per stage";
  size_t staged = 0;
  for (const auto& c : log.changes) staged += c.state == TaskState::TASK_STAGING;
  EXPECT_EQ(staged, 2u) << "work units run inside executors, not as Mesos tasks";
  EXPECT_EQ(model->executor_agents("als").size(), 2u);
  size_t holding = 0;
  for (size_t i = 0; i < cluster.agent_count(); ++i) {
    holding += cluster.agent(i).used() == Res("cpus:2;mem:2048");
  }
  EXPECT_EQ(holding, 2u) << "idle executors still hold their resources";
  // After the idle timeout they are killed and the resources come back.
  cluster.run_until(secs(200));
  EXPECT_EQ(model->spark_stats().executors_killed_idle, 2u);
  for (size_t i = 0; i < cluster.agent_count(); ++i) EXPECT_TRUE(cluster.agent(i).used().empty());
  EXPECT_TRUE(model->suppressed());
  EXPECT_EQ(cluster.check_invariants(), std::nullopt);
}

TEST_F(SparkTest, IterationsAfterTheFirstRunNextToTheirCachedPartitions) {
  start({stage("i1", 0, 4, Duration::seconds(5), {}),
         stage("i2", 0, 4, Duration::seconds(5), {"i1"}),
         stage("i3", 0, 4, Duration::seconds(5), {"i2"})});
  cluster.run_until(secs(60));
  for (const TaskRecord& t : model->job("i1")->tasks) EXPECT_EQ(t.locality, Locality::kAny);
  for (const char* id : {"i2", "i3"}) {
    const JobRecord* j = model->job(id);
    for (size_t p = 0; p < j->tasks.size(); ++p) {
      EXPECT_EQ(j->tasks[p].locality, Locality::kNodeLocal) << id << " partition " << p;
      EXPECT_EQ(j->tasks[p].agent, model->job("i1")->tasks[p].agent) << id << " partition " << p;
    }
  }
}

TEST_F(SparkTest, ALostExecutorsUnitsRunAgainAndItsPartitionsAreCacheMisses) {
  SparkFrameworkOptions o;
  o.cache_miss_slowdown = 2;
  o.locality_wait = Duration::seconds(1);
  start({stage("i1", 0, 4, Duration::seconds(5), {}),
         stage("i2", 0, 4, Duration::seconds(100), {"i1"}),
         stage("i3", 0, 4, Duration::seconds(5), {"i2"})},
        o);
  cluster.run_until(secs(20));
  const std::string victim = model->job("i2")->tasks[0].agent;
  cluster.schedule(secs(30), fault::AgentCrash{victim, true, std::nullopt});
  cluster.run_until(secs(600));
  ASSERT_TRUE(model->job("i3")->finished());
  EXPECT_EQ(model->spark_stats().executors_lost, 1u);
  const JobRecord* i2 = model->job("i2");
  size_t rerun = 0, misses = 0;
  for (const TaskRecord& t : i2->tasks) {
    rerun += t.attempts == 2;
    misses += t.locality == Locality::kRemote;
    if (t.locality == Locality::kRemote) {
      EXPECT_EQ(*t.ended - *t.running, Duration::seconds(200)) << "recomputing takes longer";
    }
    EXPECT_NE(t.agent, victim);
    EXPECT_EQ(t.final_state, TaskState::TASK_FINISHED);
  }
  EXPECT_EQ(rerun, 2u) << "the two units running on the lost executor";
  EXPECT_EQ(misses, 2u) << "their cached input was lost with it";
  EXPECT_EQ(cluster.check_invariants(), std::nullopt);
}

}  // namespace
}  // namespace mesosim
