#pragma once

// Task-to-agent assignment as min-cost max-flow, in the style of Quincy (Isard et al., "Quincy:
// Fair Scheduling for Distributed Computing Clusters", SOSP 2009): the solver behind
// QuincyAllocator, the centralized, omniscient baseline that two-level scheduling is compared
// with. Pure: no clock, no allocator state; the same problem always gives the same answer.
//
// The flow network, one unit of flow per task:
//
//   source ──1──► task ──cost(task, a)──► agent a ──slots(a)──► sink
//                  │ └──any_cost────► X ──0──┘        (X: "any agent", so a task with no
//                  └──wait_cost─────► U ──────────► sink  preference needs no edge per agent)
//
// Every task reaches the sink through U (left unplaced this time, at its wait cost), so the
// maximum flow places or defers every task and the minimum cost chooses between them: a task
// is placed remotely only when its wait has become dearer than the remote cost, which is how
// Quincy trades locality against waiting.
//
// Several resources. Quincy counted slots; tasks here have vectors of scalar resources. Each
// round solves the network with slots(a) = how many copies of the round's reference shape (the
// per-resource maximum over the tasks still to place that fit on some agent) fit in what a has
// free, so every assignment of the round fits. Placed tasks leave, free resources shrink, and
// the next round re-solves with the rest, until a round places nothing. Within a round the
// assignment is cost-optimal; across rounds of mixed shapes it is a heuristic (stated in
// allocator/README.md). A task that fits on no agent is left unplaced.
//
// Costs are non-negative integers. Ties go to the lower agent index and earlier task.

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "allocator/quantities.hpp"

namespace mesosim {

struct PlacementTask {
  Quantities demand;
  // Agents (indices into PlacementProblem::free) and the cost of running there; cheaper than
  // any_cost to matter. An agent listed twice keeps its cheapest cost.
  std::vector<std::pair<uint32_t, int64_t>> preferred;
  int64_t any_cost = 0;   // any other agent
  int64_t wait_cost = 0;  // not placed this time
};

struct PlacementProblem {
  std::vector<Quantities> free;  // by agent index
  std::vector<PlacementTask> tasks;
};

struct Placement {
  std::vector<std::optional<uint32_t>> agent_of;  // by task; nullopt: not placed
  int64_t cost = 0;  // sum over tasks of the cost paid (wait cost for unplaced ones)
  uint32_t rounds = 0;
};

Placement place_min_cost(const PlacementProblem& problem);

}  // namespace mesosim
