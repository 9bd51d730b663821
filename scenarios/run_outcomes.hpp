#pragma once

// The framework models' records of a run as analysis's job outcomes (analysis/outcomes.hpp), so
// that the figures computed from the event stream can be joined with what each job waited for
// and how it ended.

#include <cstddef>
#include <map>
#include <vector>

#include "analysis/outcomes.hpp"
#include "scenarios/scenario_run.hpp"

namespace mesosim {

// Job outcomes by framework (the scenario's order), each framework's in submission order.
using OutcomesByFramework = std::vector<std::vector<analysis::JobOutcome>>;

// What the models hold: every job, unless a JobOutcomeStream made them forget finished ones.
OutcomesByFramework outcomes_by_framework(const ScenarioRun& run);
// The same, frameworks one after the other.
std::vector<analysis::JobOutcome> flatten(OutcomesByFramework outcomes);
// flatten(outcomes_by_framework(run)).
std::vector<analysis::JobOutcome> job_outcomes(const ScenarioRun& run);

// Takes each job's outcome from its model when the job finishes, and has the models forget
// finished jobs (FrameworkModelOptions::keep_finished_jobs), so that the models' memory follows
// the jobs not yet finished rather than the length of the run. The outcomes themselves are
// kept here, for analysis, which needs all of them at the end (Collector::finish).
// Create it after ScenarioRun::create() and before run(); it must outlive the run.
class JobOutcomeStream {
 public:
  explicit JobOutcomeStream(ScenarioRun& run);
  JobOutcomeStream(const JobOutcomeStream&) = delete;
  JobOutcomeStream& operator=(const JobOutcomeStream&) = delete;

  // Every job's outcome, as outcomes_by_framework() would give it had the models kept every
  // job: those taken as they finished and those the models still hold. Call once, after run().
  OutcomesByFramework take();

 private:
  const ScenarioRun& run_;
  std::vector<std::map<size_t, analysis::JobOutcome>> finished_;  // by framework, by job index
};

}  // namespace mesosim
