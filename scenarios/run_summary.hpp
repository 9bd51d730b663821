#pragma once

// The summary `mesosim run` prints at the end: one row per framework, computed from the
// models' own records (their job outcomes, scenarios/run_outcomes.hpp, and stats()), not from
// the event stream. Kept small and apart so that analysis/'s summary can take its place.

#include <optional>
#include <string>
#include <vector>

#include "scenarios/run_outcomes.hpp"
#include "scenarios/scenario_run.hpp"

namespace mesosim {

struct FrameworkSummary {
  std::string name, model, role;
  size_t jobs_submitted = 0;
  size_t jobs_finished = 0;
  uint64_t tasks_launched = 0;  // Mesos tasks launched, every attempt counted
  // Tasks by the final state of their last attempt (those still pending or running: none).
  size_t tasks_finished = 0, tasks_failed = 0, tasks_killed = 0, tasks_lost = 0;
  // Job completion time (submit -> finish) over finished jobs, seconds; nullopt if none.
  std::optional<double> jct_mean, jct_p50, jct_p95;
  // Mean of each launched task's wait (pending -> launched, over its attempts), seconds.
  std::optional<double> wait_mean;
};

// From `jobs` (every job of each framework, e.g. JobOutcomeStream::take()); the one-argument
// form takes what the models hold (outcomes_by_framework).
std::vector<FrameworkSummary> summarize(const ScenarioRun& run, const OutcomesByFramework& jobs);
std::vector<FrameworkSummary> summarize(const ScenarioRun& run);

// The percentile `p` (0..100) of `values` by the nearest-rank method; nullopt when empty.
std::optional<double> nearest_rank(std::vector<double> values, double p);

// A fixed-width table, one line per framework, preceded by a line saying how the run ended.
// Only simulated quantities: the same run gives the same text.
std::string format_summary(const ScenarioRun& run, const RunOutcome& outcome,
                           const OutcomesByFramework& jobs);
std::string format_summary(const ScenarioRun& run, const RunOutcome& outcome);

}  // namespace mesosim
