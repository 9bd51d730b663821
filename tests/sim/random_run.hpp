#pragma once

// One randomized run of a whole cluster under a random fault schedule, shared by the
// invariants test (a few seeds, in ctest) and the soak program sim_soak (thousands of seeds).
// A run checks after every event that the books balance (including the allocations the master's
// event stream accounts against the leader's allocator), and at the end that nothing was lost:
// every task a framework launched ended in a terminal state that its framework was told of by
// the agent's own reliable update, or still runs on a live agent (DESIGN.md, "Invariants").
// A run is a function of its seed.

#include <cstdint>
#include <string>
#include <vector>

namespace mesosim::testing {

// What one run found.
struct RunResult {
  std::vector<std::string> log;
  std::string json;  // the same stream in the event log format
  std::vector<std::string> violations;    // books out of balance, tasks lost or run twice
  std::vector<std::string> several_ends;  // tasks reported in more than one terminal state
  size_t events = 0;
  size_t tasks = 0;
  size_t faults = 0;
  size_t allocation_checks = 0;  // times the stream's allocations were checked against the leader
  uint64_t skipped_allocation_runs = 0;  // quiet runs the last leader's allocator skipped
  uint64_t lazy_pairs_rebuilt = 0;       // lazy health pairs a fault or call ended
};

// How the cluster does its periodic work: as it does by default (allocation runs that cannot
// offer anything are skipped, healthy agents' pings are modelled lazily), or eagerly (every run
// visits every agent, every ping and pong is an event). Both must give the same run.
enum class PeriodicWork { kDefault, kEager };

// Runs seed `seed`: a cluster of 5-10 agents and 2-4 frameworks, random faults during the
// first ten minutes, then a quiet period up to 40 minutes. With `explain`, the masters publish
// the allocator's explanations (OFFER_SKIPPED).
RunResult random_run(uint64_t seed, PeriodicWork periodic = PeriodicWork::kDefault,
                     bool explain = false);

}  // namespace mesosim::testing
