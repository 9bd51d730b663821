// The shipped scenarios/papers/mesos-scalability.yaml, shortened: 500 agents and 20 frameworks.
// The full experiment charges the allocator's measured CPU time, which no test may assert on;
// here the run is deterministic (charge_cycle_time off) and checks what the paper's figure
// rests on: the load keeps the cluster full, and the test framework's task is still launched at
// the next allocation run, within one allocation interval plus the messages' way.

#include <gtest/gtest.h>

#include "scenarios/scenario_load.hpp"
#include "scenarios/scenario_run.hpp"

namespace mesosim {
namespace {

Scenario shortened(bool charge) {
  LoadOptions options;
  options.overrides = {"cluster.groups.0.count=500", "frameworks.load.count=20",
                       "frameworks.load.workload.params.tasks=200",
                       std::string("allocator.charge_cycle_time=") + (charge ? "true" : "false")};
  auto r = load_scenario(
      std::string(MESOSIM_SOURCE_DIR) + "/scenarios/papers/mesos-scalability.yaml", options);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? r.value() : Scenario{};
}

struct RunCounter : MasterObserver {
  size_t all = 0, measured = 0;
  void on_event(const MasterEvent& e) override {
    if (const auto* r = std::get_if<master_event::AllocationRun>(&e.body)) {
      ++all;
      measured += r->duration.has_value();
    }
  }
};

const FrameworkModel* probe_of(ScenarioRun& run) {
  for (size_t i = 0; i < run.framework_count(); ++i) {
    if (run.framework_spec(i).name == "probe") return &run.model(i);
  }
  return nullptr;
}

TEST(PaperScalability, TheTestTaskStartsAtTheNextAllocationRunInAFullCluster) {
  auto built = ScenarioRun::create(shortened(false));
  ASSERT_TRUE(built.ok()) << built.error().message;
  ScenarioRun& run = *built.value();
  ASSERT_EQ(run.framework_count(), 21u) << "20 load frameworks and the probe";
  run.run();
  const FrameworkModel* probe = probe_of(run);
  ASSERT_NE(probe, nullptr);
  ASSERT_EQ(probe->jobs().size(), 10u);
  for (const auto& job : probe->jobs()) {
    ASSERT_TRUE(job.start.has_value()) << job.id;
    const Duration wait = *job.start - job.submit;
    // At least the agent's executor launch and task start (500 + 100 ms, SimAgent defaults);
    // at most that plus one allocation interval (the run its REVIVE triggers may find nothing
    // free; the next periodic one will) and the milliseconds of decisions and messages.
    EXPECT_GE(wait, Duration::millis(600)) << job.id;
    EXPECT_LT(wait, Duration::millis(1700)) << job.id;
  }
  // The load holds the cluster: when a probe arrives, every agent's cpus are taken or offered.
  Master* leader = run.cluster().leader();
  ASSERT_NE(leader, nullptr);
  size_t running = 0;
  for (const auto& t : leader->tasks()) running += t.task.state == v1::TaskState::TASK_RUNNING;
  EXPECT_GE(running, 900u) << "of 1,000 slots";
}

// With the allocator's cost charged, every run is measured and the run still completes.
TEST(PaperScalability, ChargedRunsAreMeasured) {
  auto built = ScenarioRun::create(shortened(true));
  ASSERT_TRUE(built.ok()) << built.error().message;
  ScenarioRun& run = *built.value();
  RunCounter runs;
  run.add_observer(&runs);
  run.run();
  const FrameworkModel* probe = probe_of(run);
  ASSERT_NE(probe, nullptr);
  ASSERT_EQ(probe->jobs().size(), 10u);
  for (const auto& job : probe->jobs()) EXPECT_TRUE(job.finish.has_value()) << job.id;
  EXPECT_GT(runs.measured, 80u);
  EXPECT_EQ(runs.measured, runs.all);
}

}  // namespace
}  // namespace mesosim
