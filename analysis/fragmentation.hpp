#pragma once

// Fragmentation: free resources stranded on agents too small for every pending task. Internal to
// analysis/; the definition users read is in analysis/README.md ("Fragmentation").

#include <cstdint>
#include <vector>

#include "analysis/collector_state.hpp"
#include "analysis/run_result.hpp"

namespace mesosim::analysis {

struct FragmentationInput {
  const FreeLog* changes = nullptr;  // in time order
  size_t agents = 0;
  const std::vector<JobOutcome>* jobs = nullptr;
  std::vector<size_t> resources;  // resource ids to report, in output order
  Time start;
  Time end;
};

// An exact sweep over every change of an agent's free resources and of the pending set.
Fragmentation measure_fragmentation(const FragmentationInput& in);

}  // namespace mesosim::analysis
