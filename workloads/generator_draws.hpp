#pragma once

// The random draws the generators share, in terms of the project's Rng only (no standard
// library distributions, whose output differs between implementations). Durations are
// rounded to milliseconds so written traces stay short.

#include <string_view>
#include <vector>

#include "allocator/resources.hpp"
#include "allocator/rng.hpp"
#include "allocator/time.hpp"
#include "workloads/job.hpp"

namespace mesosim::gen {

// Uniform in [0.5, 1.5] x mean.
Duration around(Rng& rng, Duration mean);
// Exponential with the given mean.
Duration exponential(Rng& rng, Duration mean);
// Normal(mean, sd), drawn again while below `min` (Box-Muller on the Rng's uniform draws).
Duration normal_at_least(Rng& rng, Duration mean, Duration sd, Duration min);
// Log-uniform in [lo, hi].
Duration log_uniform(Rng& rng, Duration lo, Duration hi);
// `k` distinct agents out of `agents` (k <= agents), as names "agentN", with their racks
// "rackM" (agent N is in rack N mod racks), in draw order.
void preferred(Rng& rng, int agents, int racks, int k, TaskSpec& task);
// `value`, or the resources `text` when value is empty.
Resources or_default(const Resources& value, std::string_view text);

}  // namespace mesosim::gen
