// Job figures from outcomes (completion-time percentiles, size bins, locality, states), the
// wait split by cause over a framework's timeline, and fragmentation.

#include "analysis/job_stats.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "analysis/duration_tally.hpp"
#include "tests/analysis/analysis_test_util.hpp"

namespace mesosim::analysis {
namespace {

using namespace testing;

JobOutcome job(const std::string& id, const std::string& framework, double submit,
               std::optional<double> finish, size_t tasks = 1) {
  JobOutcome j;
  j.id = id;
  j.framework = framework;
  j.submit = at(submit);
  if (finish) {
    j.start = at(submit);
    j.finish = at(*finish);
  }
  for (size_t i = 0; i < tasks; ++i) {
    TaskOutcome t;
    t.ready = at(submit);
    t.final_state = finish ? "TASK_FINISHED" : "";
    j.tasks.push_back(t);
  }
  return j;
}

TEST(DescribeTest, PercentilesInterpolateBetweenClosestRanks) {
  std::vector<double> x;
  for (int i = 100; i >= 1; --i) x.push_back(i);  // unsorted on purpose
  const Distribution d = describe(x);
  EXPECT_EQ(d.count, 100u);
  EXPECT_DOUBLE_EQ(d.mean, 50.5);
  EXPECT_DOUBLE_EQ(d.median, 50.5);
  EXPECT_NEAR(d.p95, 95.05, 1e-9);
  EXPECT_NEAR(d.p99, 99.01, 1e-9);
  EXPECT_DOUBLE_EQ(d.max, 100);
  EXPECT_EQ(describe({}).count, 0u);
  EXPECT_DOUBLE_EQ(describe({7}).p99, 7);
}

// The collector tallies offer latencies per framework as a count per distinct microsecond value
// and merges the tallies for the whole run: the figures must be those describe() gives the
// sample written out, to the last bit (the mean's rounding depends on the order of the sum).
TEST(DescribeTest, DurationTallyDescribesLikeTheSampleWrittenOut) {
  uint64_t state = 12345;
  auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 33;
  };
  for (int round = 0; round < 50; ++round) {
    const size_t k = 1 + static_cast<size_t>(round % 5);
    std::vector<DurationTally> tallies(k);
    std::vector<double> all;
    for (size_t r = 0; r < k; ++r) {
      std::vector<double> own;
      const size_t n = (round * 7 + r * 13) % 40;  // some tallies empty
      for (size_t i = 0; i < n; ++i) {
        // Many ties across tallies, or microseconds whose seconds round by order when summed.
        const int64_t us = round % 2 ? static_cast<int64_t>(next() % 8) * 250'000
                                     : static_cast<int64_t>(next() % 5'000'000) + 101;
        tallies[r].add(Duration::micros(us));
        own.push_back(Duration::micros(us).seconds_f());
        all.push_back(own.back());
      }
      const Distribution want = describe(own);
      const Distribution got = tallies[r].describe();
      EXPECT_EQ(got.count, want.count) << "round " << round;
      EXPECT_EQ(got.mean, want.mean) << "round " << round;
      EXPECT_EQ(got.median, want.median) << "round " << round;
      EXPECT_EQ(got.max, want.max) << "round " << round;
      EXPECT_EQ(tallies[r].size(), n);
    }
    DurationTally merged;
    for (const DurationTally& t : tallies) merged.merge(t);
    const Distribution want = describe(all);
    const Distribution got = merged.describe();
    EXPECT_EQ(got.count, want.count) << "round " << round;
    EXPECT_EQ(got.mean, want.mean) << "round " << round;
    EXPECT_EQ(got.median, want.median) << "round " << round;
    EXPECT_EQ(got.p95, want.p95) << "round " << round;
    EXPECT_EQ(got.p99, want.p99) << "round " << round;
    EXPECT_EQ(got.max, want.max) << "round " << round;
    if (round % 2) {
      EXPECT_LE(merged.distinct(), 8u);  // a count per distinct value, not per value added
    }
  }
}

// Percentiles fall between ranks inside one run of equal values and across the boundary of two.
TEST(DescribeTest, CountsInterpolateAcrossRunsOfEqualValues) {
  // 1 ×4, 2 ×1, 10 ×5: sorted 1 1 1 1 2 10 10 10 10 10.
  const Distribution d = describe_counts({{10.0, 5}, {1.0, 4}, {2.0, 1}});
  const Distribution want = describe({1, 1, 1, 1, 2, 10, 10, 10, 10, 10});
  EXPECT_EQ(d.count, 10u);
  EXPECT_DOUBLE_EQ(d.mean, 5.6);
  EXPECT_DOUBLE_EQ(d.median, 6.0);  // halfway between rank 4 (2) and rank 5 (10)
  EXPECT_EQ(d.median, want.median);
  EXPECT_EQ(d.p95, want.p95);
  EXPECT_DOUBLE_EQ(d.max, 10);
  EXPECT_EQ(describe_counts({}).count, 0u);
}

TEST(JobStatsTest, CompletionTimesBySizeBinAndJobStates) {
  std::vector<JobOutcome> jobs;
  for (int i = 1; i <= 100; ++i) jobs.push_back(job("j" + std::to_string(i), "f", 0, i, 1));
  jobs.push_back(job("big", "f", 0, 500, 20));
  jobs.push_back(job("open", "f", 0, std::nullopt, 3));
  JobOutcome failed = job("bad", "g", 0, 10, 2);
  failed.tasks[1].final_state = "TASK_FAILED";
  jobs.push_back(failed);
  Stream s;
  s.agent(0, "a1", "cpus:1");
  const RunResult r = s.run(1000, jobs);
  EXPECT_EQ(r.jobs.jobs, 103u);
  EXPECT_EQ(r.jobs.finished, 102u);
  EXPECT_EQ(r.jobs.job_states.at("succeeded"), 101u);
  EXPECT_EQ(r.jobs.job_states.at("failed"), 1u);
  EXPECT_EQ(r.jobs.job_states.at("unfinished"), 1u);
  // Bin "1": the 100 one-task jobs, completion 1..100 s.
  EXPECT_EQ(RunResult::size_bin_name(0), "1");
  EXPECT_EQ(RunResult::size_bin_name(1), "2-10");
  EXPECT_EQ(RunResult::size_bin_name(4), "1001+");
  EXPECT_NEAR(r.jobs.completion_by_size_s[0].p95, 95.05, 1e-9);
  EXPECT_EQ(r.jobs.completion_by_size_s[1].count, 1u);  // "bad", 2 tasks
  EXPECT_EQ(r.jobs.completion_by_size_s[2].count, 1u);  // "big", 20 tasks
  EXPECT_DOUBLE_EQ(r.jobs.completion_by_size_s[2].mean, 500);
  ASSERT_EQ(r.framework_summaries.size(), 2u);  // known only from outcomes
  EXPECT_EQ(r.framework_summaries[0].name, "f");
  EXPECT_EQ(r.framework_summaries[0].jobs.jobs, 102u);
  EXPECT_EQ(r.framework_summaries[1].jobs.job_states.at("failed"), 1u);
}

// A job its framework abandoned (Omega's retry limit) is counted as "abandoned", not as finished,
// and its completion is left out even though its launched tasks ended.
TEST(JobStatsTest, AbandonedJobsAreNeitherFinishedNorTimed) {
  JobOutcome gave_up = job("gave-up", "f", 0, 50, 2);
  gave_up.tasks[1].final_state = "";
  gave_up.abandoned = at(40);
  const std::vector<JobOutcome> jobs{job("done", "f", 0, 10, 1), gave_up};
  Stream s;
  s.agent(0, "a1", "cpus:1");
  const RunResult r = s.run(100, jobs);
  EXPECT_EQ(r.jobs.jobs, 2u);
  EXPECT_EQ(r.jobs.finished, 1u);
  EXPECT_EQ(r.jobs.job_states.at("abandoned"), 1u);
  EXPECT_EQ(r.jobs.job_states.at("failed"), 0u);
  EXPECT_EQ(r.jobs.completion_s.count, 1u);
  EXPECT_DOUBLE_EQ(r.jobs.completion_s.mean, 10);
  EXPECT_EQ(job_state(gave_up), "abandoned");
}

// A job queued behind its parent (ready later than submit) runs from ready to finish: the
// Mesos paper's "sum of job times" adds those, not the completion times.
TEST(JobStatsTest, RunTimeCountsFromWhenTheJobWasReady) {
  JobOutcome parent = job("p", "f", 0, 100);
  JobOutcome child = job("c", "f", 0, 250);
  child.ready = at(100);
  JobOutcome open = job("o", "f", 0, std::nullopt);
  Stream s;
  s.agent(0, "a1", "cpus:1");
  const RunResult r = s.run(1000, {parent, child, open});
  EXPECT_EQ(r.jobs.run_time_s.count, 2u);
  EXPECT_DOUBLE_EQ(r.jobs.run_time_sum_s, 100 + 150);
  EXPECT_DOUBLE_EQ(r.jobs.completion_s.mean, (100 + 250) / 2.0);
}

TEST(JobStatsTest, LocalityCountsLaunchedTasksOnly) {
  JobOutcome j = job("j", "f", 0, 10, 4);
  const char* kinds[] = {"node_local", "node_local", "rack_local"};
  for (size_t i = 0; i < 3; ++i) {
    j.tasks[i].launched = at(1);
    j.tasks[i].locality = kinds[i];
  }
  Stream s;
  const RunResult r = s.run(10, {j});
  EXPECT_EQ(r.jobs.locality.at("node_local"), 2u);
  EXPECT_EQ(r.jobs.locality.at("rack_local"), 1u);
  EXPECT_EQ(r.jobs.locality.count(""), 0u);
  EXPECT_EQ(r.jobs.task_wait_s.count, 3u);
}

// The Mesos paper's data locality: node-local over the tasks that named a preference; tasks that
// prefer nothing (`any`, reduces) and tasks never launched are left out.
TEST(JobStatsTest, LocalityFractionIsOverTasksThatNamedAPreference) {
  JobOutcome j = job("j", "f", 0, 10, 8);
  const char* kinds[] = {"node_local", "node_local", "node_local", "rack_local", "any", "any", ""};
  for (size_t i = 0; i < 7; ++i) {
    j.tasks[i].launched = at(1);
    j.tasks[i].locality = kinds[i];
  }
  j.tasks[7].locality = "remote";  // never launched: not counted
  Stream s;
  const RunResult r = s.run(10, {j});
  EXPECT_DOUBLE_EQ(r.jobs.locality_fraction.at("node_local"), 0.75);
  EXPECT_DOUBLE_EQ(r.jobs.locality_fraction.at("rack_local"), 0.25);
  EXPECT_DOUBLE_EQ(r.jobs.locality_fraction.at("remote"), 0.0);
  ASSERT_EQ(r.framework_summaries.size(), 1u);
  EXPECT_DOUBLE_EQ(r.framework_summaries[0].jobs.locality_fraction.at("node_local"), 0.75);
  // No task with a preference: every fraction is 0, not a division by zero.
  JobOutcome none = job("n", "f", 0, 10, 1);
  none.tasks[0].launched = at(1);
  none.tasks[0].locality = "any";
  const RunResult empty = Stream().run(10, {none});
  EXPECT_DOUBLE_EQ(empty.jobs.locality_fraction.at("node_local"), 0.0);
}

// The timeline the README's attribution rules give: unexplained until the first explanation,
// lower in DRF order, suppressed, then offered (framework_declined) until the launch.
TEST(WaitBreakdownTest, EachIntervalOfAWaitGoesToTheCauseInForce) {
  Stream s;
  s.agent(0, "a1", "cpus:4").framework(0, "f1", "spark");
  // Passed over on two agents as lower in DRF order, on one as filtered; numbers stand until
  // changed, so the run at 4 that offers it an agent sets them back to 0.
  s.add(1, OfferSkipped{fw("f1"), "*", SkipReason::kLowerInDrfOrder, 2});
  s.add(1, OfferSkipped{fw("f1"), "*", SkipReason::kFiltered, 1});
  s.add(1, AllocationRun{0, std::nullopt});
  s.add(3, OffersSuppressed{fw("f1"), {"*"}});
  s.add(4, OffersRevived{fw("f1"), {"*"}});
  s.add(4, OfferSkipped{fw("f1"), "*", SkipReason::kLowerInDrfOrder, 0});
  s.add(4, OfferSkipped{fw("f1"), "*", SkipReason::kFiltered, 0});
  s.offer(4, "o1", "f1", "a1", "cpus:4");
  s.add(4, AllocationRun{1, std::nullopt});
  s.add(6, OfferAccepted{of("o1"), fw("f1"), 1});
  s.add(7, AllocationRun{0, std::nullopt});  // holds the resources: nothing explained
  JobOutcome j = job("j", "spark", 0, 20, 2);
  j.tasks[0].launched = at(6);
  j.tasks[0].wait = Duration::seconds(8);  // 2 s more than [0, 6): an earlier attempt
  j.tasks[1].launched = at(9);
  j.tasks[1].wait = Duration::seconds(9);
  const RunResult r = s.run(20, {j});
  ASSERT_TRUE(r.explanations);
  ASSERT_EQ(r.tasks.size(), 2u);
  const WaitBreakdown& w = r.tasks[0].wait_by_cause;
  auto of_cause = [](const WaitBreakdown& b, WaitCause c) { return b[static_cast<size_t>(c)]; };
  EXPECT_DOUBLE_EQ(of_cause(w, WaitCause::kUnexplained), 1);
  EXPECT_DOUBLE_EQ(of_cause(w, WaitCause::kLowerInDrfOrder), 2);
  EXPECT_DOUBLE_EQ(of_cause(w, WaitCause::kSuppressed), 1);
  EXPECT_DOUBLE_EQ(of_cause(w, WaitCause::kFrameworkDeclined), 2);
  EXPECT_DOUBLE_EQ(of_cause(w, WaitCause::kEarlierAttempts), 2);
  // The second task also waits through [6, 7) offered and [7, 9) with nothing free.
  const WaitBreakdown& w2 = r.tasks[1].wait_by_cause;
  EXPECT_DOUBLE_EQ(of_cause(w2, WaitCause::kFrameworkDeclined), 3);
  EXPECT_DOUBLE_EQ(of_cause(w2, WaitCause::kNoFreeResources), 2);
  EXPECT_DOUBLE_EQ(of_cause(w2, WaitCause::kEarlierAttempts), 0);
  // The framework's breakdown is the sum over its tasks.
  ASSERT_EQ(r.framework_summaries.size(), 1u);
  EXPECT_DOUBLE_EQ(
      of_cause(r.framework_summaries[0].jobs.wait_by_cause, WaitCause::kFrameworkDeclined), 5);
}

// Delay scheduling: offered at 1, declined "locality" at 2 with a filter, filtered at the next
// run (3), offered and declined again (5, 6), offered again at 8 and launched at 9. Every
// second from the first decline to the launch is its locality wait; the first offer's decision
// [1, 2) is the framework's; a decline without a reason (gang release) is not counted.
TEST(WaitBreakdownTest, DeclinesForLocalityAndTheirFiltersAreTheLocalityWait) {
  Stream s;
  s.agent(0, "a1", "cpus:4").framework(0, "f1", "hadoop");
  s.add(0, AllocationRun{0, std::nullopt});
  s.offer(1, "o1", "f1", "a1", "cpus:4");
  s.add(1, AllocationRun{1, std::nullopt});
  s.add(2, OfferDeclined{of("o1"), fw("f1"), Duration::seconds(1), "locality"});
  s.add(3, OfferSkipped{fw("f1"), "*", SkipReason::kFiltered, 1});
  s.add(3, AllocationRun{0, std::nullopt});
  s.add(5, OfferSkipped{fw("f1"), "*", SkipReason::kFiltered, 0});
  s.offer(5, "o2", "f1", "a1", "cpus:4");
  s.add(5, AllocationRun{1, std::nullopt});
  s.add(6, OfferDeclined{of("o2"), fw("f1"), Duration::seconds(1), "locality"});
  s.offer(8, "o3", "f1", "a1", "cpus:4");
  s.add(8, AllocationRun{1, std::nullopt});
  s.add(9, OfferAccepted{of("o3"), fw("f1"), 1});
  s.offer(10, "o4", "f1", "a1", "cpus:3");
  s.add(10, AllocationRun{1, std::nullopt});
  s.add(11, OfferDeclined{of("o4"), fw("f1"), Duration::seconds(1), std::nullopt});
  JobOutcome j = job("j", "hadoop", 0, 20, 2);
  j.tasks[0].ready = at(1);
  j.tasks[0].launched = at(9);
  j.tasks[0].wait = Duration::seconds(8);
  j.tasks[1].ready = at(10);
  j.tasks[1].launched = at(12);
  j.tasks[1].wait = Duration::seconds(2);
  const RunResult r = s.run(20, {j});
  auto of_cause = [](const WaitBreakdown& b, WaitCause c) { return b[static_cast<size_t>(c)]; };
  const WaitBreakdown& w = r.tasks[0].wait_by_cause;
  EXPECT_DOUBLE_EQ(of_cause(w, WaitCause::kFrameworkDeclined), 1);  // [1, 2)
  EXPECT_DOUBLE_EQ(of_cause(w, WaitCause::kLocalityWait), 7);       // [2, 9)
  EXPECT_DOUBLE_EQ(of_cause(w, WaitCause::kFiltered), 0);
  // After a launch the framework is no longer waiting for locality.
  const WaitBreakdown& w2 = r.tasks[1].wait_by_cause;
  EXPECT_DOUBLE_EQ(of_cause(w2, WaitCause::kLocalityWait), 0);
  // [10, 12): a decline without a reason leaves the cause as it was until the next run.
  EXPECT_DOUBLE_EQ(of_cause(w2, WaitCause::kFrameworkDeclined), 2);
  EXPECT_EQ(r.offers.declined, 3u);
  EXPECT_EQ(r.offers.declined_for, (std::map<std::string, uint64_t>{{"locality", 2}}));
  ASSERT_EQ(r.framework_summaries.size(), 1u);
  EXPECT_EQ(r.framework_summaries[0].offers.declined_for.at("locality"), 2u);
}

TEST(WaitBreakdownTest, AFrameworkUnknownToTheStreamWaitsUnexplained) {
  JobOutcome j = job("j", "ghost", 0, 10, 1);
  j.tasks[0].launched = at(4);
  j.tasks[0].wait = Duration::seconds(4);
  Stream s;
  const RunResult r = s.run(10, {j});
  EXPECT_DOUBLE_EQ(r.tasks[0].wait_by_cause[static_cast<size_t>(WaitCause::kUnexplained)], 4);
}

double of_cause(const WaitBreakdown& b, WaitCause c) { return b[static_cast<size_t>(c)]; }

// Two frameworks go through the same offers: offered at 1, holding through the runs at 2 and 3,
// declining at 4, filtered at 5, launching at 6. Only "mpi" releases its hold with the gang
// reason, so only its holding [1, 5) is a gang hold; the other's is framework_declined. The
// release comes after the hold: the hold is known as a gang's only then, and still counted.
TEST(WaitBreakdownTest, AGangFrameworksHoldOnOffersIsItsGangsHold) {
  Stream s;
  s.agent(0, "a1", "cpus:8").framework(0, "f1", "mpi").framework(0, "f2", "other");
  for (const char* f : {"f1", "f2"}) {
    s.add(0, OfferSkipped{fw(f), "*", SkipReason::kLowerInDrfOrder, 1});
  }
  s.add(0, AllocationRun{0, std::nullopt});
  for (const char* f : {"f1", "f2"}) {
    s.add(1, OfferSkipped{fw(f), "*", SkipReason::kLowerInDrfOrder, 0});
  }
  s.offer(1, "o1", "f1", "a1", "cpus:4").offer(1, "o2", "f2", "a1", "cpus:4");
  s.add(1, AllocationRun{2, std::nullopt});
  s.add(2, AllocationRun{0, std::nullopt});
  s.add(3, AllocationRun{0, std::nullopt});
  s.add(4, OfferDeclined{of("o1"), fw("f1"), Duration::seconds(5), "gang_hold_released"});
  s.add(4, OfferDeclined{of("o2"), fw("f2"), Duration::seconds(5), std::nullopt});
  for (const char* f : {"f1", "f2"}) {
    s.add(5, OfferSkipped{fw(f), "*", SkipReason::kFiltered, 1});
  }
  s.add(5, AllocationRun{0, std::nullopt});
  JobOutcome gang = job("g", "mpi", 0, 20, 2);
  JobOutcome other = job("o", "other", 0, 20, 1);
  for (JobOutcome* j : {&gang, &other}) {
    for (TaskOutcome& t : j->tasks) {
      t.launched = at(6);
      t.wait = Duration::seconds(6);
    }
  }
  const RunResult r = s.run(20, {gang, other});
  ASSERT_EQ(r.tasks.size(), 3u);
  for (size_t i = 0; i < 2; ++i) {
    const WaitBreakdown& w = r.tasks[i].wait_by_cause;
    EXPECT_DOUBLE_EQ(of_cause(w, WaitCause::kLowerInDrfOrder), 1);  // [0, 1)
    EXPECT_DOUBLE_EQ(of_cause(w, WaitCause::kGangHold), 4);         // [1, 5)
    EXPECT_DOUBLE_EQ(of_cause(w, WaitCause::kFrameworkDeclined), 0);
    EXPECT_DOUBLE_EQ(of_cause(w, WaitCause::kFiltered), 1);  // [5, 6): the release's filter
  }
  const WaitBreakdown& w = r.tasks[2].wait_by_cause;
  EXPECT_DOUBLE_EQ(of_cause(w, WaitCause::kFrameworkDeclined), 4);
  EXPECT_DOUBLE_EQ(of_cause(w, WaitCause::kGangHold), 0);
  EXPECT_EQ(r.offers.declined_for.at("gang_hold_released"), 1u);
}

// A gang that completes within its timeout never releases: its framework is known as a gang
// framework by its tasks' `gang` label, seen after the hold it ends.
TEST(WaitBreakdownTest, AGangLaunchedFromItsHoldIsKnownByItsTasksLabel) {
  Stream s;
  s.agent(0, "a1", "cpus:8").framework(0, "f1", "mpi");
  s.add(0, AllocationRun{0, std::nullopt});
  s.offer(1, "o1", "f1", "a1", "cpus:2");
  s.add(1, AllocationRun{1, std::nullopt});
  s.add(2, AllocationRun{0, std::nullopt});
  s.add(3, OfferAccepted{of("o1"), fw("f1"), 2});
  for (const char* id : {"g/0.1", "g/1.1"}) {
    s.task(3, id, "f1", "a1", v1::TaskState::TASK_STAGING, "cpus:1", "*",
           {{"job_id", "g"}, {"gang", "2"}});
  }
  s.add(4, AllocationRun{0, std::nullopt});
  JobOutcome gang = job("g", "mpi", 0, 20, 2);
  for (TaskOutcome& t : gang.tasks) {
    t.launched = at(3);
    t.wait = Duration::seconds(3);
  }
  const RunResult r = s.run(20, {gang});
  const WaitBreakdown& w = r.tasks[0].wait_by_cause;
  EXPECT_DOUBLE_EQ(of_cause(w, WaitCause::kUnexplained), 1);  // [0, 1): nothing explained
  EXPECT_DOUBLE_EQ(of_cause(w, WaitCause::kGangHold), 2);     // [1, 3)
  EXPECT_DOUBLE_EQ(of_cause(w, WaitCause::kFrameworkDeclined), 0);
}

// Work units of an application wait for a slot inside its executors while at least one of them
// is TASK_RUNNING ([3, 8) here: the first runs 3..6, the second 4..8); the rest of the wait
// follows the framework's timeline. Another application of the framework, with no executor,
// and a job of another framework with the same group, are not affected.
TEST(WaitBreakdownTest, UnitsQueuedInsideTheirApplicationsExecutorsWaitForASlot) {
  Stream s;
  s.agent(0, "a1", "cpus:8").framework(0, "f1", "spark").framework(0, "f2", "batch");
  const std::vector<std::pair<std::string, std::string>> labels = {{"app", "als"},
                                                                   {"kind", "executor"}};
  using v1::TaskState;
  s.task(2, "als/executor-1", "f1", "a1", TaskState::TASK_STAGING, "cpus:2", "*", labels);
  s.task(3, "als/executor-1", "f1", "a1", TaskState::TASK_RUNNING, "cpus:2", "*", labels);
  s.task(4, "als/executor-2", "f1", "a1", TaskState::TASK_RUNNING, "cpus:2", "*", labels);
  s.task(6, "als/executor-1", "f1", "a1", TaskState::TASK_KILLED, "cpus:2", "*", labels);
  s.task(8, "als/executor-2", "f1", "a1", TaskState::TASK_LOST, "cpus:2", "*", labels);
  // A new executor later: the application's units wait for a slot again from then.
  s.task(12, "als/executor-3", "f1", "a1", TaskState::TASK_RUNNING, "cpus:2", "*", labels);
  JobOutcome stage = job("als-0", "spark", 0, 20, 1);
  stage.group = "als";
  stage.tasks[0].launched = at(10);
  stage.tasks[0].wait = Duration::seconds(10);
  JobOutcome lone = job("pi", "spark", 0, 20, 1);  // no group: its own application
  lone.tasks[0].launched = at(10);
  lone.tasks[0].wait = Duration::seconds(10);
  JobOutcome batch = job("b", "batch", 0, 20, 1);
  batch.group = "als";
  batch.tasks[0].launched = at(10);
  batch.tasks[0].wait = Duration::seconds(10);
  JobOutcome late = job("als-1", "spark", 11, std::nullopt, 1);
  late.group = "als";
  const RunResult r = s.run(20, {stage, lone, batch, late});
  ASSERT_EQ(r.tasks.size(), 4u);  // sorted by (framework, job id): b, als-0, als-1, pi
  const WaitBreakdown& b = r.tasks[0].wait_by_cause;
  EXPECT_DOUBLE_EQ(of_cause(b, WaitCause::kExecutorSlot), 0);
  const WaitBreakdown& w = r.tasks[1].wait_by_cause;
  EXPECT_DOUBLE_EQ(of_cause(w, WaitCause::kExecutorSlot), 5);      // [3, 8)
  EXPECT_DOUBLE_EQ(of_cause(w, WaitCause::kUnexplained), 5);       // [0, 3) and [8, 10)
  const WaitBreakdown& never = r.tasks[2].wait_by_cause;           // pending [11, 20)
  EXPECT_DOUBLE_EQ(of_cause(never, WaitCause::kExecutorSlot), 8);  // [12, 20)
  EXPECT_DOUBLE_EQ(of_cause(never, WaitCause::kUnexplained), 1);
  const WaitBreakdown& pi = r.tasks[3].wait_by_cause;
  EXPECT_DOUBLE_EQ(of_cause(pi, WaitCause::kExecutorSlot), 0);
  EXPECT_DOUBLE_EQ(of_cause(pi, WaitCause::kUnexplained), 10);
}

TEST(FragmentationTest, FreeResourcesTooSmallForEveryPendingTaskAreStranded) {
  Stream s;
  s.agent(0, "a1", "cpus:4;mem:100").agent(0, "a2", "cpus:4;mem:100").framework(0, "f1", "x");
  s.offer(0, "o1", "f1", "a1", "cpus:3");   // a1 keeps 1 cpu free: too small for 2 cpus
  s.offer(10, "o2", "f1", "a2", "cpus:4");  // a2 full from 10 on
  JobOutcome j = job("j", "x", 0, std::nullopt, 1);
  j.tasks[0].resources = res("cpus:2;mem:10");
  j.tasks[0].launched = at(20);
  const RunResult r = s.run(30, {j});
  const size_t cpus = resource_index(r, "cpus");
  // Pending over [0, 20): a1's 1 cpu is stranded all along; a2's 4 cpus fit the task until 10.
  EXPECT_DOUBLE_EQ(r.fragmentation.stranded_resource_seconds[cpus], 1.0 * 20);
  EXPECT_DOUBLE_EQ(r.fragmentation.free_resource_seconds[cpus], 5.0 * 10 + 1.0 * 10);
  EXPECT_DOUBLE_EQ(r.fragmentation.stranded_fraction[cpus], 20.0 / 60.0);
  EXPECT_DOUBLE_EQ(r.fragmentation.stranded_cpus.at(at(5)), 1.0);
  EXPECT_DOUBLE_EQ(r.fragmentation.stranded_cpus.at(at(25)), 0.0);  // nothing pending
}

}  // namespace
}  // namespace mesosim::analysis
