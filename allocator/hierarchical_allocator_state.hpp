#pragma once

// Private state of HierarchicalAllocator, shared by its implementation files
// (hierarchical_allocator.cpp: bookkeeping; hierarchical_agents.cpp: agents;
// hierarchical_operations.cpp: RESERVE/UNRESERVE; hierarchical_cycle.cpp: the allocation run).
// Not part of the allocator's contract.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "allocator/hierarchical_allocator.hpp"

namespace mesosim {

// Unreserved non-revocable scalars of `r`: what quota consumption and headroom count.
inline Quantities unreserved_nonrevocable(const Resources& r) {
  Quantities q;
  for (const auto& e : r.scalar_entries()) {
    if (!e.key.reservation.is_reserved() && !e.key.revocable) {
      q.set(e.key.name, q.get(e.key.name) + e.value);
    }
  }
  return q;
}

struct HierarchicalAllocator::Role {
  std::string name;
  RoleIdx idx = kNoRole;
  RoleIdx parent = kNoRole;
  RoleIdx top = kNoRole;  // top-level ancestor, itself if top-level
  std::unique_ptr<DrfSorter> frameworks = std::make_unique<DrfSorter>(false);
  std::vector<FrameworkId> framework_of_client;  // framework-sorter client -> framework
  DrfSorter::ClientId client = DrfSorter::kNoClient;  // in the role sorter while tracked > 0
  uint32_t tracked = 0;                               // framework entries in this role
  std::optional<Quota> quota;                         // top-level roles only
  Quantities consumed_unreserved;  // subtree: offered-or-allocated unreserved non-revocable
  Quantities reserved;             // subtree: every reservation on every agent
};

struct HierarchicalAllocator::Framework {
  FrameworkId id;
  FrameworkInfo info;
  bool active = false;
  std::vector<FrameworkRole> roles;
  std::vector<uint32_t> holdings;    // per roles[] slot: agents where it holds resources
  OfferFilters filters;
  // One entry per AgentAllocation it has, in no order (each record knows its slot, so dropping
  // one is a swap with the last): visited on removal instead of scanning every agent.
  std::vector<std::pair<AgentId, RoleIdx>> held;
};

struct HierarchicalAllocator::Agent {
  // What a visit reads comes first, so that it shares the record's first cache lines (agents are
  // visited in a random order: each visit starts with cache misses on its agent).
  AgentId id;
  bool active = true;
  bool has_gpus = false;
  uint64_t runs = 0;  // allocation runs that visited the agent; filters expire only after one
  Resources free;     // total minus everything offered or allocated, never below zero
  std::vector<AgentAllocation> allocations;
  // (framework, role) pairs (filtered_key, sorted, unique) that may have refusal filters on this
  // agent: every pair that has one is here, so a pair that is not needs no look-up in the
  // framework's filters. Entries left by filters removed elsewhere (revive, deactivation, a
  // framework removed) go at the next look-up that finds none.
  std::vector<uint64_t> filtered;
  Resources total;
  // Offered or allocated beyond the total after update_agent shrank it (Mesos lets a lowered
  // estimate leave an agent over-allocated): recovered resources pay this off before any of
  // them become free again. Empty unless the total shrank below what was held.
  Resources excess;
  std::string hostname;
};

struct HierarchicalAllocator::Run {
  Run(Time now, std::vector<Allocation>& out) : now(now), out(out) {}
  Time now;
  std::vector<Allocation>& out;  // the caller's, empty at the start of the run
  size_t stage_one_count = 0;  // out[0, stage_one_count) came from the quota stage
  // Roles at their quota limit that can take nothing more in this run, left out of the role
  // sorter's order until the run ends (hierarchical_cycle.cpp, "Parking").
  bool cluster_has_revocable = false;
  std::vector<DrfSorter::ClientId> parked;
  std::vector<RoleIdx> touched;  // quota roles allocated to during the current agent visit
};

}  // namespace mesosim
