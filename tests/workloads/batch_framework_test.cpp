// The batch framework end to end in a SimCluster: first-fit placement, records, suppress and
// revive, decision time, re-running lost tasks, determinism.

#include "workloads/batch_framework.hpp"

#include <gtest/gtest.h>

#include <set>

#include "tests/workloads/workload_test_util.hpp"

namespace mesosim {
namespace {

using namespace mesosim::testing;
using v1::TaskState;

class BatchTest : public ::testing::Test {
 protected:
  explicit BatchTest(int agents = 2, std::string_view resources = "cpus:2;mem:1024")
      : cluster(fixed_latency()), topology(Topology::uniform(1, 1, agents)) {
    cluster.add_observer(&log);
    add_agents(cluster, topology, resources);
  }
  void start(std::vector<Job> jobs, FrameworkModelOptions options = {}) {
    options.name = "batch";
    model = std::make_unique<BatchFramework>(cluster.queue(),
                                             BatchFrameworkOptions{options, &topology});
    cluster.add_framework(model->framework_info(), model.get());
    source = std::make_unique<VectorJobSource>(std::move(jobs));
    feeder = std::make_unique<JobFeeder>(cluster.queue(), *source);
    feeder->set_default(model.get());
    cluster.start();
    feeder->start();
  }
  v1::FrameworkID id() { return *cluster.framework(0).framework_id(); }

  SimCluster cluster;
  Topology topology;
  TaskLog log;
  std::unique_ptr<BatchFramework> model;
  std::unique_ptr<VectorJobSource> source;
  std::unique_ptr<JobFeeder> feeder;
};

TEST_F(BatchTest, RunsEveryTaskAndRecordsWaitsWhenTheClusterIsFull) {
  start({make_job("j1", 0, 6, "cpus:1;mem:128", Duration::seconds(10))});
  cluster.run_until(secs(60));
  const JobRecord* j = model->job("j1");
  ASSERT_NE(j, nullptr);
  ASSERT_TRUE(j->finished());
  ASSERT_TRUE(j->start.has_value());
  EXPECT_GE(*j->finish - *j->start, Duration::seconds(20)) << "two waves on 4 cpus";
  size_t waited = 0;
  for (const TaskRecord& t : j->tasks) {
    EXPECT_EQ(t.final_state, TaskState::TASK_FINISHED);
    EXPECT_EQ(t.attempts, 1);
    EXPECT_TRUE(t.done);
    waited += t.wait >= Duration::seconds(10);
  }
  EXPECT_EQ(waited, 2u) << "the tasks that did not fit waited for the first wave";
  EXPECT_EQ(log.max_running("j1/"), 4u);
  EXPECT_EQ(model->unfinished_jobs(), 0u);
  EXPECT_EQ(cluster.check_invariants(), std::nullopt);
}

TEST_F(BatchTest, TaskIdsCarryTheJobIdTaskIndexAndAttempt) {
  start({make_job("j1", 0, 2, "cpus:1;mem:128", Duration::seconds(1))});
  cluster.run_until(secs(5));
  std::set<std::string> ids;
  for (const auto& c : log.changes) ids.insert(c.task);
  EXPECT_EQ(ids, (std::set<std::string>{"j1/0.1", "j1/1.1"}));
  EXPECT_EQ(model->job("j1")->tasks[0].agent.rfind("z1-r1-a", 0), 0u);
}

TEST_F(BatchTest, SuppressesWhenIdleAndRevivesWhenWorkArrives) {
  start({make_job("j1", 0, 1, "cpus:1;mem:128", Duration::seconds(5)),
         make_job("j2", 60, 1, "cpus:1;mem:128", Duration::seconds(5))});
  cluster.run_until(secs(30));
  ASSERT_TRUE(model->job("j1")->finished());
  EXPECT_TRUE(model->suppressed());
  EXPECT_GE(model->stats().suppress_calls, 1u);
  // Free agents, and yet not one offer while the framework has nothing to run.
  EXPECT_EQ(log.offers_to(id(), secs(12), secs(60)), 0u);
  cluster.run_until(secs(80));
  ASSERT_TRUE(model->job("j2")->finished());
  EXPECT_GE(model->stats().revive_calls, 1u);
  EXPECT_LT(*model->job("j2")->start - secs(60), Duration::seconds(2))
      << "revive brings offers at once, not after a filter expires";
  EXPECT_TRUE(model->suppressed());
}

TEST_F(BatchTest, DecisionTimeDelaysTheLaunchByTJobPlusTTaskPerTask) {
  FrameworkModelOptions o;
  o.t_job = Duration::millis(100);
  o.t_task = Duration::millis(5);
  start({make_job("j1", 0, 4, "cpus:0.5;mem:64", Duration::seconds(5))}, o);
  cluster.run_until(secs(10));
  // Find the accepted offer and when it was made.
  std::optional<Time> made, accepted;
  v1::OfferID offer;
  for (const auto& e : log.events) {
    if (auto* a = std::get_if<master_event::OfferAccepted>(&e.body); a && a->tasks_launched) {
      offer = a->offer;
      accepted = e.time;
      ASSERT_EQ(a->tasks_launched, 4u);
    }
  }
  for (const auto& e : log.events) {
    if (auto* m = std::get_if<master_event::OfferMade>(&e.body); m && m->offer == offer) {
      made = e.time;
    }
  }
  ASSERT_TRUE(made && accepted);
  // 1 ms each way on the network, 100 ms + 4 x 5 ms of thought.
  EXPECT_EQ(*accepted - *made, Duration::millis(122));
  EXPECT_EQ(model->stats().decision_time, Duration::millis(120));
  const TaskRecord& t = model->job("j1")->tasks[0];
  EXPECT_EQ(*t.launched, *made + Duration::millis(1) + Duration::millis(120));
}

class BatchLossTest : public BatchTest {
 protected:
  BatchLossTest() : BatchTest(3, "cpus:1;mem:256") {}
};

TEST_F(BatchLossTest, TasksLostWithTheirAgentRunAgainElsewhere) {
  start({make_job("j1", 0, 2, "cpus:1;mem:128", Duration::seconds(300))});
  cluster.run_until(secs(5));
  const std::string victim = model->job("j1")->tasks[0].agent;
  cluster.schedule(secs(10), fault::AgentCrash{victim, true, std::nullopt});
  cluster.run_until(secs(700));
  const JobRecord* j = model->job("j1");
  ASSERT_TRUE(j->finished());
  EXPECT_EQ(j->tasks[0].attempts, 2);
  EXPECT_NE(j->tasks[0].agent, victim);
  EXPECT_EQ(j->tasks[0].final_state, TaskState::TASK_FINISHED);
  EXPECT_EQ(j->tasks[1].attempts, 1);
  EXPECT_EQ(model->stats().tasks_requeued, 1u);
  EXPECT_EQ(cluster.check_invariants(), std::nullopt);
}

// Omega's retry limit: a job whose task fits no agent is abandoned after max_attempts offer
// rounds (refuse_seconds 0, so one round per allocation interval); a job that fits runs; with
// the option off (0) the job waits on.
TEST_F(BatchTest, JobIsAbandonedAfterMaxAttemptsWithTasksStillPending) {
  FrameworkModelOptions o;
  o.refuse_seconds = 0;
  o.max_attempts = 3;
  start({make_job("huge", 0, 2, "cpus:4;mem:128", Duration::seconds(5)),
         make_job("small", 0, 1, "cpus:1;mem:128", Duration::seconds(5))},
        o);
  cluster.run_until(secs(60));
  const JobRecord* huge = model->job("huge");
  ASSERT_TRUE(huge->abandoned.has_value());
  EXPECT_EQ(huge->scheduling_attempts, 3);
  EXPECT_TRUE(huge->finished()) << "nothing of it runs, so it ends when abandoned";
  for (const TaskRecord& t : huge->tasks) {
    EXPECT_EQ(t.attempts, 0);
    EXPECT_FALSE(t.final_state.has_value());
  }
  const JobRecord* small = model->job("small");
  EXPECT_FALSE(small->abandoned.has_value());
  EXPECT_EQ(small->tasks[0].final_state, TaskState::TASK_FINISHED);
  EXPECT_EQ(model->stats().jobs_abandoned, 1u);
  EXPECT_EQ(model->unfinished_jobs(), 0u);
  EXPECT_TRUE(model->suppressed()) << "nothing left to want offers for";
  EXPECT_EQ(cluster.check_invariants(), std::nullopt);
}

TEST_F(BatchTest, WithoutMaxAttemptsAJobThatFitsNowhereWaitsOn) {
  FrameworkModelOptions o;
  o.refuse_seconds = 0;
  start({make_job("huge", 0, 1, "cpus:4;mem:128", Duration::seconds(5))}, o);
  cluster.run_until(secs(60));
  const JobRecord* huge = model->job("huge");
  EXPECT_FALSE(huge->abandoned.has_value());
  EXPECT_FALSE(huge->finished());
  EXPECT_EQ(model->stats().jobs_abandoned, 0u);
  EXPECT_EQ(model->pending_tasks(), 1u);
}

TEST_F(BatchTest, ScriptedFailuresAreReplayedNotRetried) {
  Job j = make_job("j1", 0, 1, "cpus:1;mem:128", Duration::seconds(3));
  j.tasks[0].outcome = TaskOutcome::kFailed;
  start({j});
  cluster.run_until(secs(20));
  ASSERT_TRUE(model->job("j1")->finished());
  EXPECT_EQ(model->job("j1")->tasks[0].final_state, TaskState::TASK_FAILED);
  EXPECT_EQ(model->job("j1")->tasks[0].attempts, 1);
}

TEST_F(BatchTest, DependentJobStartsOnlyAfterItsParentFinished) {
  Job child = make_job("child", 0, 1, "cpus:1;mem:128", Duration::seconds(2));
  child.depends_on = {"parent"};
  start({make_job("parent", 0, 1, "cpus:1;mem:128", Duration::seconds(10)), child});
  cluster.run_until(secs(30));
  ASSERT_TRUE(model->job("child")->finished());
  EXPECT_GE(*model->job("child")->start, *model->job("parent")->finish);
  EXPECT_EQ(*model->job("child")->ready, *model->job("parent")->finish);
}

std::vector<std::string> run_log(uint64_t seed) {
  SimClusterOptions options;
  options.seed = seed;
  SimCluster cluster(options);
  TaskLog log;
  cluster.add_observer(&log);
  const Topology topology = Topology::uniform(1, 2, 2);
  add_agents(cluster, topology, "cpus:2;mem:1024");
  FrameworkModelOptions o;
  o.name = "batch";
  BatchFramework model(cluster.queue(), BatchFrameworkOptions{o, &topology});
  cluster.add_framework(model.framework_info(), &model);
  VectorJobSource source({make_job("a", 0, 5, "cpus:1;mem:100", Duration::seconds(7)),
                          make_job("b", 3, 9, "cpus:0.5;mem:100", Duration::seconds(4)),
                          make_job("c", 20, 2, "cpus:2;mem:100", Duration::seconds(9))});
  JobFeeder feeder(cluster.queue(), source);
  feeder.set_default(&model);
  cluster.start();
  feeder.start();
  cluster.run_until(secs(120));
  EXPECT_EQ(model.unfinished_jobs(), 0u);
  return log.lines;
}

TEST(BatchDeterminismTest, SameSeedGivesTheSameEventStream) {
  const auto a = run_log(5);
  EXPECT_EQ(a, run_log(5));
  EXPECT_NE(a, run_log(6)) << "the seed matters (network jitter, agent order)";
}

}  // namespace
}  // namespace mesosim

namespace mesosim {
namespace {

using namespace mesosim::testing;

TEST(BatchFailoverTest, AMasterFailoverLosesNoTaskAndLaunchesNoneTwice) {
  SimClusterOptions options = fixed_latency();
  options.masters = 2;
  SimCluster cluster(options);
  TaskLog log;
  cluster.add_observer(&log);
  const Topology topology = Topology::uniform(1, 1, 2);
  add_agents(cluster, topology, "cpus:2;mem:1024");
  FrameworkModelOptions o;
  o.name = "batch";
  BatchFramework model(cluster.queue(), BatchFrameworkOptions{o, nullptr});
  cluster.add_framework(model.framework_info(), &model);
  VectorJobSource source({make_job("long", 0, 2, "cpus:1;mem:128", Duration::seconds(60)),
                          make_job("late", 30, 4, "cpus:1;mem:128", Duration::seconds(10))});
  JobFeeder feeder(cluster.queue(), source);
  feeder.set_default(&model);
  cluster.start();
  feeder.start();
  cluster.schedule(secs(20), fault::MasterFailover{});
  cluster.run_until(secs(300));
  ASSERT_EQ(model.unfinished_jobs(), 0u);
  for (const char* id : {"long", "late"}) {
    for (const TaskRecord& t : model.job(id)->tasks) {
      EXPECT_EQ(t.attempts, 1) << id;
      EXPECT_EQ(t.final_state, v1::TaskState::TASK_FINISHED) << id;
    }
  }
  EXPECT_TRUE(model.suppressed()) << "suppressed again after re-subscribing";
  EXPECT_EQ(cluster.check_invariants(), std::nullopt);
}

}  // namespace
}  // namespace mesosim
