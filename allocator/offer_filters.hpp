#pragma once

// The refusal filters of one framework (a DECLINE with refuse_seconds sets one per agent and
// role), as HierarchicalAllocator keeps them.
//
// Filters are ordered by (agent, role) and, among equal keys, by when they were added. The keys
// are also held on their own, densely, so that finding an (agent, role)'s filters probes eight
// bytes per step of the binary search instead of a whole filter: an allocation run looks filters
// up for every framework it tries on every agent, and a framework that declined many agents has
// many filters, so the probes are mostly cache misses.
//
// The filters themselves sit in slots that do not move: keeping the order costs shifting the
// eight-byte keys and four-byte slot numbers, not whole filters (a framework that declines every
// agent of a large cluster, as a gang scheduler holding out for its gang does, sets and drops
// thousands of filters, and shifting ~80-byte filters was a sixth of such a replay's time).

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "allocator/ids.hpp"
#include "allocator/resources.hpp"
#include "allocator/time.hpp"

namespace mesosim {

struct OfferFilter {
  AgentId agent;
  uint32_t role = 0;  // the allocator's index of the role
  Resources refused;  // an offer is filtered if this contains all of it
  Time expires;
  uint64_t agent_runs = 0;  // the agent's allocation run count when it was set
};

class OfferFilters {
 public:
  bool empty() const { return keys_.empty(); }
  size_t size() const { return keys_.size(); }

  // Adds `filter` after the filters with the same (agent, role).
  void insert(OfferFilter filter);
  // The position of the first filter of (agent, role), or where one would go: the filters of
  // that key are the positions from there on for which matches() holds.
  size_t lower_bound(AgentId agent, uint32_t role) const;
  bool matches(size_t i, AgentId agent, uint32_t role) const {
    return i < keys_.size() && keys_[i] == key(agent, role);
  }
  const OfferFilter& operator[](size_t i) const { return pool_[slots_[i]]; }
  // Removes the filter at `i`; those after it move up one place.
  void erase(size_t i);
  // Removes every filter for which pred(filter) is true; the others keep their order.
  template <typename Pred>
  void erase_if(const Pred& pred);
  void clear();

 private:
  static constexpr uint64_t key(AgentId agent, uint32_t role) {
    return (uint64_t{agent.value} << 32) | role;
  }
  // Frees the slot of a filter no longer in the order.
  void release(uint32_t slot);

  std::vector<uint64_t> keys_;   // sorted; keys_[i] is the key of the filter at position i
  std::vector<uint32_t> slots_;  // slots_[i]: where in pool_ the filter at position i is
  std::vector<OfferFilter> pool_;
  std::vector<uint32_t> free_;  // slots of pool_ not in use
};

template <typename Pred>
void OfferFilters::erase_if(const Pred& pred) {
  size_t kept = 0;
  for (size_t i = 0; i < keys_.size(); ++i) {
    if (pred(static_cast<const OfferFilter&>(pool_[slots_[i]]))) {
      release(slots_[i]);
      continue;
    }
    keys_[kept] = keys_[i];
    slots_[kept] = slots_[i];
    ++kept;
  }
  keys_.resize(kept);
  slots_.resize(kept);
}

}  // namespace mesosim
