#pragma once

// Everything one run's analysis found, as values: what the writers (summary.json, CSVs, plots,
// report.html) and the summary table print, and what `mesosim compare` aggregates over seeds.
// Every figure is documented in analysis/README.md with its unit. Names (resources, frameworks,
// roles, states) are in a fixed order so the same run prints the same bytes.

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "allocator/time.hpp"
#include "analysis/outcomes.hpp"
#include "analysis/time_series.hpp"
#include "analysis/wait_cause.hpp"

namespace mesosim::analysis {

// Mean, median and tail of a sample; all 0 (and count 0) for an empty sample.
struct Distribution {
  size_t count = 0;
  double mean = 0;
  double median = 0;
  double p95 = 0;
  double p99 = 0;
  double max = 0;
};
// Percentiles by linear interpolation between closest ranks (NumPy's default).
Distribution describe(std::vector<double> sample);
// describe() of a sample held as distinct values, each with how many times it occurs (any order):
// every figure, the mean's rounding included, is the one describe() gives the sample written out.
Distribution describe_counts(std::vector<std::pair<double, uint64_t>> counts);

// Allocation and usage of one subject (the whole cluster, a framework or a role), one series per
// resource (RunResult::resources order), in resource units (cpus, MB, ...).
struct SubjectSeries {
  std::string kind;  // "total", "framework", "role"
  std::string name;  // framework name, role name, or "total"
  std::vector<TimeSeries> allocated;
  std::vector<TimeSeries> used;
  TimeSeries dominant_share;  // of allocated, against cluster totals (not weighted)
  // Exact over the run: ∫allocated / ∫cluster total, per resource (0 when the total is 0).
  std::vector<double> allocated_share;
  std::vector<double> used_share;
  double mean_dominant_share = 0;    // time average of dominant_share
  double dominant_share_at_end = 0;  // dominant_share when the run ended
};

struct OfferStats {
  uint64_t made = 0;
  uint64_t accepted = 0;
  uint64_t declined = 0;
  std::map<std::string, uint64_t> declined_for;  // declines by the reason given (not all have one)
  uint64_t rescinded = 0;
  uint64_t voided = 0;                        // named in an invalid ACCEPT
  uint64_t lost_on_failover = 0;              // outstanding when the leader crashed
  uint64_t outstanding_at_end = 0;            // still held when the run ended
  Distribution accept_latency_s;              // OFFER_MADE -> OFFER_ACCEPTED, seconds
  Distribution decline_latency_s;             // OFFER_MADE -> OFFER_DECLINED, seconds
  std::vector<double> idle_resource_seconds;  // per resource: held in outstanding offers
};

struct Fairness {
  double jain_of_mean_shares = 0;    // Jain's index of each framework's mean dominant share
  double jain_time_average = 0;      // time average of the instantaneous index
  double max_envy_time_average = 0;  // time average of the instantaneous max envy
  double max_envy_peak = 0;
};

struct JobStats {  // over the jobs of one framework (or all)
  size_t jobs = 0;
  size_t finished = 0;
  Distribution completion_s;  // finish - submit, finished jobs
  // finish - ready (ready: every job it depends on finished), finished jobs; and their sum, the
  // "sum of job times" the Mesos paper compares (a job queued behind its parent does not count
  // the parent's time).
  Distribution run_time_s;
  double run_time_sum_s = 0;
  Distribution wait_s;       // start - submit, started jobs
  Distribution task_wait_s;  // TaskOutcome.wait, launched tasks
  // completion_s by job size (number of tasks), RunResult::kSizeBins order.
  std::vector<Distribution> completion_by_size_s;
  std::map<std::string, size_t> locality;  // launched tasks by TaskOutcome.locality ("" = unknown)
  // node_local, rack_local and remote as fractions of the launched tasks that named a preference
  // (the three counts' sum; `any` and unknown left out); all 0 when none did.
  std::map<std::string, double> locality_fraction;
  std::map<std::string, size_t> job_states;  // succeeded, failed, unfinished, abandoned
  WaitBreakdown wait_by_cause{};             // seconds per cause over the tasks' waits
};

struct FrameworkSummary {
  std::string name;
  std::string id;
  std::vector<std::string> roles;
  OfferStats offers;
  std::map<std::string, size_t> task_states;  // tasks by their last state on the stream
  JobStats jobs;
};

// Free resources on agents that cannot fit any pending task, while some task is pending.
struct Fragmentation {
  std::vector<double> stranded_resource_seconds;  // per resource
  std::vector<double> free_resource_seconds;      // per resource, while some task is pending
  std::vector<double> stranded_fraction;          // stranded / free (0 when free is 0)
  TimeSeries stranded_cpus;                       // cpus stranded over time
};

// One failure of the leading master and the recovery after it (analysis/README.md, "Failover").
// Times are in the stream's time base.
struct FailoverRecord {
  Time failed_at;                      // MASTER_CRASHED (or the election, if no crash was seen)
  bool failure_seen = true;            // false: a new leader appeared with no MASTER_CRASHED before
  std::optional<Time> elected_at;      // the next LEADER_ELECTED
  std::optional<Time> recovered_at;    // every awaited agent and framework back
  size_t agents = 0;                   // agents connected to the failed leader (awaited)
  size_t frameworks = 0;               // frameworks subscribed to it (awaited)
  std::optional<Time> agents_back_at;  // the last awaited agent re-registered
  std::optional<Time> frameworks_back_at;  // the last awaited framework re-subscribed
  size_t agents_lost = 0;                  // awaited agents removed instead of coming back
  size_t frameworks_lost = 0;              // awaited frameworks removed instead of coming back
};

struct FailoverStats {
  std::vector<FailoverRecord> failovers;  // in order of failure
  size_t recovered = 0;                   // failovers with every awaited party back
  Distribution recovery_s;                // recovered_at - failed_at, recovered failovers
  Distribution from_election_s;           // recovered_at - elected_at, recovered failovers
  Distribution election_s;                // elected_at - failed_at, failovers with an election
};

struct TaskRow {    // one task of the job outcomes, for tasks.csv
  size_t job = 0;   // index into RunResult::job_outcomes
  size_t task = 0;  // index into that job's tasks
  WaitBreakdown wait_by_cause{};
};

// ALLOCATION_RUN events: how many, and the measured durations of those that carry one (a
// master given a Stopwatch: live mode, or a scenario with allocator.charge_cycle_time).
struct AllocationStats {
  uint64_t runs = 0;
  Distribution cycle_ms;
};

struct RunResult {
  // Job size bins by number of tasks: [1], [2,10], [11,100], [101,1000], [1001,inf).
  static constexpr std::array<size_t, 5> kSizeBinLow = {1, 2, 11, 101, 1001};
  static std::string size_bin_name(size_t bin);

  Time start;
  Time end;
  bool explanations = false;  // the stream carried OFFER_SKIPPED
  uint64_t events = 0;
  std::vector<std::string> resources;     // scalar names, sorted
  std::vector<TimeSeries> cluster_total;  // per resource
  SubjectSeries total;
  std::vector<SubjectSeries> frameworks;  // same order as `framework_summaries`
  std::vector<SubjectSeries> roles;       // sorted by name
  Fairness fairness;
  OfferStats offers;
  AllocationStats allocation;
  std::map<std::string, size_t> task_states;
  std::vector<FrameworkSummary> framework_summaries;  // sorted by (name, id)
  JobStats jobs;
  Fragmentation fragmentation;
  FailoverStats failover;
  std::vector<JobOutcome> job_outcomes;  // as handed in, sorted by (framework, id)
  std::vector<TaskRow> tasks;            // in job_outcomes order
};

}  // namespace mesosim::analysis
