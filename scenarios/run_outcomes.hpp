#pragma once

// The framework models' records of a run as analysis's job outcomes (analysis/outcomes.hpp), so
// that the figures computed from the event stream can be joined with what each job waited for
// and how it ended.

#include <vector>

#include "analysis/outcomes.hpp"
#include "scenarios/scenario_run.hpp"

namespace mesosim {

// Every job of every model, models in the scenario's order, jobs in submission order.
std::vector<analysis::JobOutcome> job_outcomes(const ScenarioRun& run);

}  // namespace mesosim
