// ScenarioRun and the run summary (scenario_run.hpp, run_summary.hpp).

#include <gtest/gtest.h>

#include <atomic>

#include "allocator/quincy_allocator.hpp"
#include "allocator/static_partition_allocator.hpp"
#include "scenarios/run_summary.hpp"
#include "scenarios/scenario_load.hpp"
#include "scenarios/scenario_run.hpp"
#include "tests/scenarios/scenario_test_util.hpp"

namespace mesosim {
namespace {

using testing::fixture;
using testing::load_text;

Scenario load(const std::string& name, LoadOptions options = {}) {
  auto r = load_scenario(fixture(name), options);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? r.value() : Scenario{};
}

std::unique_ptr<ScenarioRun> build(const Scenario& s) {
  auto r = ScenarioRun::create(s);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? std::move(r).value() : nullptr;
}

// The summary text of a whole run of `s`.
std::string summary_of(const Scenario& s) {
  auto run = build(s);
  if (!run) return "";
  const RunOutcome out = run->run();
  return format_summary(*run, out);
}

TEST(ScenarioRun, RunToCompletionStopsWhenEveryJobFinished) {
  const Scenario s = load("tiny.yaml");
  auto run = build(s);
  ASSERT_TRUE(run);
  const RunOutcome out = run->run();
  EXPECT_EQ(out.ending, RunOutcome::Ending::kCompleted);
  EXPECT_LT(out.end, Time::epoch() + Duration::hours(2));
  EXPECT_TRUE(out.workload_errors.empty());
  ASSERT_EQ(run->framework_count(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const auto& jobs = run->model(i).jobs();
    EXPECT_GT(jobs.size(), 0u);
    for (const auto& j : jobs) EXPECT_TRUE(j.finished()) << j.id;
    EXPECT_TRUE(run->feeder(i).done());
  }
  EXPECT_EQ(run->model(1).options().name, "hadoop");
  EXPECT_EQ(run->model(1).options().role, "b");
  EXPECT_EQ(run->agents_added(), 4u);
}

TEST(ScenarioRun, TheSameSeedGivesTheSameSummaryAndAnotherSeedAnother) {
  Scenario s = load("tiny.yaml");
  const std::string a = summary_of(s);
  const std::string b = summary_of(s);
  EXPECT_EQ(a, b);
  s.seed = 8;
  const std::string c = summary_of(s);
  EXPECT_NE(a, c);
  EXPECT_NE(c.find("seed 8"), std::string::npos);
}

TEST(ScenarioRun, ADurationEndsTheRunThere) {
  auto r = load_scenario(fixture("tiny.yaml"), {{"run_to_completion=null", "duration=30s"}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  auto run = build(r.value());
  const RunOutcome out = run->run();
  EXPECT_EQ(out.ending, RunOutcome::Ending::kDuration);
  EXPECT_EQ(out.end, Time::epoch() + Duration::seconds(30));
}

TEST(ScenarioRun, TheCapEndsARunThatCannotComplete) {
  // A storm topology with no lifetime never finishes.
  auto r = load_text(
      "run_to_completion: true\nmax_duration: 2m\n"
      "cluster: {groups: [{count: 2, resources: \"cpus:4;mem:8192\"}]}\n"
      "frameworks:\n  - {name: s, model: storm, workload: {generator: storm, params: {count: 1, "
      "workers: 2}}}\n");
  ASSERT_TRUE(r.ok()) << r.error().message;
  auto run = build(r.value());
  const RunOutcome out = run->run();
  EXPECT_EQ(out.ending, RunOutcome::Ending::kCap);
  EXPECT_EQ(out.end, Time::epoch() + Duration::minutes(2));
}

TEST(ScenarioRun, TheStopFlagStopsAfterTheCurrentEventAndTheSummaryStillWorks) {
  auto run = build(load("tiny.yaml"));
  std::atomic<bool> stop{false};
  RunControl control;
  control.progress_every = 100;
  uint64_t calls = 0;
  control.progress = [&](const RunProgress& p) {
    ++calls;
    if (p.events >= 500) stop = true;
  };
  control.stop = &stop;
  const RunOutcome out = run->run(control);
  EXPECT_EQ(out.ending, RunOutcome::Ending::kStopped);
  EXPECT_EQ(out.events, 500u);
  EXPECT_EQ(calls, 6u);  // every 100 events, and once at the end
  EXPECT_NE(format_summary(*run, out).find("stopped"), std::string::npos);
}

TEST(ScenarioRun, TheStaticVariantRunsTheStaticPartitionAllocator) {
  auto run = build(load("tiny.yaml", {{}, "static"}));
  ASSERT_TRUE(run);
  run->run();
  Master* leader = run->cluster().leader();
  ASSERT_NE(leader, nullptr);
  const auto* st = dynamic_cast<const StaticPartitionAllocator*>(&leader->allocator());
  ASSERT_NE(st, nullptr);
  // By default the frameworks' roles share the cluster equally.
  ASSERT_EQ(st->partitions().size(), 2u);
  EXPECT_EQ(st->partitions()[0].role, "a");
  EXPECT_DOUBLE_EQ(st->partitions()[1].share, 0.5);
}

TEST(ScenarioRun, TheQuincyPolicyPlacesWhatTheFrameworksDeclare) {
  // Three jobs each: the placer solves a min-cost flow over every pending task at every run,
  // which the sanitizer build makes slow with the tiny scenario's hundreds of maps.
  auto run = build(load(
      "tiny.yaml",
      {{"allocator.policy=quincy", "allocator.roles.b.weight=1", "allocator.quincy.remote_cost=40",
        "frameworks.batch.workload.params.jobs=3", "frameworks.hadoop.workload.params.jobs=3"},
       "base"}));
  ASSERT_TRUE(run);
  const RunOutcome out = run->run();
  EXPECT_EQ(out.ending, RunOutcome::Ending::kCompleted);
  Master* leader = run->cluster().leader();
  ASSERT_NE(leader, nullptr);
  EXPECT_NE(dynamic_cast<const QuincyAllocator*>(&leader->allocator()), nullptr);
  for (size_t i = 0; i < run->framework_count(); ++i) {
    EXPECT_TRUE(run->model(i).options().declare_demands);
    EXPECT_GT(run->model(i).stats().tasks_launched, 0u);
    for (const auto& j : run->model(i).jobs()) EXPECT_TRUE(j.finished()) << j.id;
  }
}

TEST(ScenarioRun, TheQuincyPolicyRefusesAWeightOtherThanOne) {
  auto r = ScenarioRun::create(load("tiny.yaml", {{"allocator.policy=quincy"}, "base"}));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("allocator.roles.b.weight"), std::string::npos)
      << r.error().message;
}

TEST(ScenarioRun, RoleWeightsAndQuotaReachTheMaster) {
  auto r =
      load_text(testing::minimal("allocator: {roles: {r1: {weight: 2.5}, r2: {quota: {guarantees: "
                                 "\"cpus:1\", limits: \"cpus:3\"}}}}\n"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  auto run = build(r.value());
  EXPECT_EQ(run->cluster().registry().weights.at("r1"), 2.5);
  const Quota& q = run->cluster().registry().quotas.at("r2");
  EXPECT_EQ(q.guarantees.get(ResourceName::cpus()), Scalar::from_milli(1000));
  ASSERT_EQ(q.limits.size(), 1u);
  EXPECT_EQ(q.limits[0].second, Scalar::from_milli(3000));
}

TEST(ScenarioRun, AgentsCarryTheirRackZoneAndAttributes) {
  auto run = build(load("full.yaml"));
  ASSERT_TRUE(run);
  EXPECT_EQ(run->topology().rack_of("node1"), "r1");
  EXPECT_EQ(run->topology().zone_of("node1"), "east");
  const auto& attrs = run->cluster().agent(1).options().attributes;
  EXPECT_NE(std::find(attrs.begin(), attrs.end(), v1::Attribute{"rack", "r1"}), attrs.end());
  EXPECT_NE(std::find(attrs.begin(), attrs.end(), v1::Attribute{"os", "linux"}), attrs.end());
}

TEST(ScenarioRun, MachinesFromATraceJoinAndLeaveAtTheirTimes) {
  // machines.csv adds machines 1 and 2 at 0 and 3 at 60 s (over the limit of 2: left out),
  // removes 2 at 120 s and adds it back at 180 s, and updates 1 (ignored).
  auto run = build(load("full.yaml"));
  ASSERT_TRUE(run);
  EXPECT_TRUE(run->topology().has_agent("m1"));
  EXPECT_TRUE(run->topology().has_agent("m2"));
  EXPECT_FALSE(run->topology().has_agent("m3"));
  EXPECT_EQ(run->topology().zone_of("m2"), "west");
  const RunOutcome out = run->run();
  EXPECT_EQ(run->agents_added(), 5u);
  const auto has = [&](const std::string& text) {
    return std::find(out.notes.begin(), out.notes.end(), text) != out.notes.end();
  };
  EXPECT_TRUE(has("cluster.machines: 1 UPDATE events ignored"));
  EXPECT_TRUE(has("cluster.machines: 1 machines beyond limit 2 left out"));
}

TEST(ScenarioRun, ATraceWorkloadIsLimitedScaledAndStarted) {
  // jobs.csv: j1 at 0 s, j2 at 10 s, j3 at 20 s; limit 2, time_scale 0.5, start 1m.
  auto run = build(load("full.yaml"));
  ASSERT_TRUE(run);
  run->run();
  const auto& jobs = run->model(0).jobs();
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0].id, "j1");
  EXPECT_EQ(jobs[0].submit, Time::epoch() + Duration::seconds(60));
  EXPECT_EQ(jobs[1].submit, Time::epoch() + Duration::seconds(65));
}

TEST(ScenarioRun, AMachineLostFaultLosesAndRequeuesTasks) {
  auto r = load_text(
      "duration: 10m\n"
      "cluster: {groups: [{count: 2, resources: \"cpus:4;mem:8192\"}]}\n"
      "frameworks:\n  - name: b\n    model: batch\n"
      "    workload: {generator: mpi, params: {small: 1, large: 0, tasks: 8, small_duration: 5m}}\n"
      "faults:\n  scheduled:\n    - {at: 2m, type: agent_crash, agent: agent0, machine_lost: true, "
      "restart_after: 10s}\n");
  ASSERT_TRUE(r.ok()) << r.error().message;
  auto run = build(r.value());
  run->run();
  EXPECT_GT(run->model(0).stats().tasks_requeued, 0u);
}

TEST(ScenarioRun, APolicyTheAllocatorRefusesIsAnError) {
  auto r = load_text(
      testing::minimal("allocator: {policy: static, static: {partitions: {a: 0.7, b: 0.6}}}\n"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  auto run = ScenarioRun::create(r.value());
  ASSERT_FALSE(run.ok());
  EXPECT_NE(run.error().message.find("allocator.static.partitions: "), std::string::npos)
      << run.error().message;
}

TEST(RunSummary, PercentilesUseTheNearestRank) {
  EXPECT_EQ(nearest_rank({}, 50), std::nullopt);
  EXPECT_EQ(nearest_rank({3, 1, 2, 4}, 50), 2);
  EXPECT_EQ(nearest_rank({3, 1, 2, 4}, 95), 4);
  EXPECT_EQ(nearest_rank({5}, 0), 5);
}

TEST(RunSummary, CountsComeFromTheModelsRecords) {
  auto run = build(load("tiny.yaml"));
  run->run();
  const auto rows = summarize(*run);
  ASSERT_EQ(rows.size(), 2u);
  size_t tasks = 0;
  for (const auto& j : run->model(0).jobs()) tasks += j.tasks.size();
  EXPECT_EQ(rows[0].jobs_submitted, run->model(0).jobs().size());
  EXPECT_EQ(rows[0].jobs_finished, rows[0].jobs_submitted);
  EXPECT_EQ(rows[0].tasks_finished, tasks);
  EXPECT_EQ(rows[0].tasks_launched, run->model(0).stats().tasks_launched);
  ASSERT_TRUE(rows[0].jct_mean && rows[0].jct_p50 && rows[0].jct_p95);
  EXPECT_LE(*rows[0].jct_p50, *rows[0].jct_p95);
}

}  // namespace
}  // namespace mesosim
