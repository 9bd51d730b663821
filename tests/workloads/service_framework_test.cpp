// The Marathon-like service framework end to end: N instances kept running through failures,
// the time from "instance needed" to TASK_RUNNING, launch backoff, stopping an app.

#include "workloads/service_framework.hpp"

#include <gtest/gtest.h>

#include "tests/workloads/workload_test_util.hpp"

namespace mesosim {
namespace {

using namespace mesosim::testing;
using v1::TaskState;

class ServiceTest : public ::testing::Test {
 protected:
  ServiceTest() : cluster(fixed_latency()), topology(Topology::uniform(1, 1, 4)) {
    cluster.add_observer(&log);
    add_agents(cluster, topology, "cpus:2;mem:2048");
  }
  void start(std::vector<Job> apps, ServiceFrameworkOptions o = {}) {
    model = std::make_unique<ServiceFramework>(cluster.queue(), o);
    cluster.add_framework(model->framework_info(), model.get());
    source = std::make_unique<VectorJobSource>(std::move(apps));
    feeder = std::make_unique<JobFeeder>(cluster.queue(), *source);
    feeder->set_default(model.get());
    cluster.start();
    feeder->start();
  }
  SimCluster cluster;
  Topology topology;
  TaskLog log;
  std::unique_ptr<ServiceFramework> model;
  std::unique_ptr<VectorJobSource> source;
  std::unique_ptr<JobFeeder> feeder;
};

TEST_F(ServiceTest, KeepsNInstancesRunningThroughAnAgentFailure) {
  ServiceFrameworkOptions o;
  o.max_instances_per_agent = 1;
  start({make_job("web", 0, 3, "cpus:1;mem:256", Duration::zero())}, o);
  cluster.run_until(secs(5));
  EXPECT_EQ(model->running_instances(0), 3u);
  const std::string victim = model->job("web")->tasks[2].agent;
  cluster.schedule(secs(10), fault::AgentCrash{victim, true, std::nullopt});
  cluster.run_until(secs(120));
  EXPECT_EQ(model->running_instances(0), 3u);
  const AppRecord& app = model->app(0);
  EXPECT_EQ(app.replacements, 1u);
  ASSERT_EQ(app.time_to_running.size(), 4u) << "3 first starts and 1 replacement";
  for (Duration d : app.time_to_running) EXPECT_LT(d, Duration::seconds(3));
  EXPECT_NE(model->job("web")->tasks[2].agent, victim);
  EXPECT_EQ(model->job("web")->tasks[2].attempts, 2);
  EXPECT_FALSE(model->job("web")->finished()) << "a service runs until stopped";
  EXPECT_EQ(cluster.check_invariants(), std::nullopt);
}

TEST_F(ServiceTest, StoppingAnAppKillsItsInstancesAndFinishesIt) {
  start({make_job("web", 0, 2, "cpus:1;mem:256", Duration::zero())});
  cluster.run_until(secs(5));
  ASSERT_EQ(model->running_instances(0), 2u);
  EXPECT_TRUE(model->stop_app("web"));
  EXPECT_FALSE(model->stop_app("nope"));
  cluster.run_until(secs(20));
  ASSERT_TRUE(model->job("web")->finished());
  for (const auto& t : model->job("web")->tasks) EXPECT_EQ(t.final_state, TaskState::TASK_KILLED);
  EXPECT_EQ(model->app(0).replacements, 0u) << "killed on purpose: not replaced";
  EXPECT_TRUE(model->suppressed());
}

TEST_F(ServiceTest, ACrashLoopingInstanceIsRelaunchedWithGrowingBackoff) {
  ServiceFrameworkOptions o;
  o.backoff = Duration::seconds(2);
  o.backoff_factor = 2;
  o.max_launch_delay = Duration::seconds(10);
  Job app = make_job("flaky", 0, 1, "cpus:1;mem:256", Duration::seconds(1), "");
  app.tasks[0].outcome = TaskOutcome::kFailed;
  start({app}, o);
  cluster.run_until(secs(80));
  // Gaps between an instance failing and its replacement being staged: 2, 4, 8, 10, 10 s.
  std::vector<Time> failed, staged;
  for (const auto& c : log.changes) {
    if (c.state == TaskState::TASK_FAILED) failed.push_back(c.at);
    if (c.state == TaskState::TASK_STAGING) staged.push_back(c.at);
  }
  ASSERT_GE(failed.size(), 5u);
  const Duration slack = Duration::millis(1100);  // next offer (1 s interval) + network
  const int64_t expected[] = {2, 4, 8, 10, 10};
  for (size_t k = 0; k < 5; ++k) {
    const Duration gap = staged[k + 1] - failed[k];
    EXPECT_GE(gap, Duration::seconds(expected[k])) << k;
    EXPECT_LE(gap, Duration::seconds(expected[k]) + slack) << k;
  }
  EXPECT_GE(model->app(0).replacements, 5u);
}

}  // namespace
}  // namespace mesosim
