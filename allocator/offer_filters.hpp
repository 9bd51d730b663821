#pragma once

// The refusal filters of one framework (a DECLINE with refuse_seconds sets one per agent and
// role), as HierarchicalAllocator keeps them.
//
// Filters are ordered by (agent, role) and, among equal keys, by when they were added. The keys
// are also held on their own, densely, so that finding an (agent, role)'s filters probes eight
// bytes per step of the binary search instead of a whole filter: an allocation run looks filters
// up for every framework it tries on every agent, and a framework that declined many agents has
// many filters, so the probes are mostly cache misses.

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
  bool empty() const { return filters_.empty(); }
  size_t size() const { return filters_.size(); }

  // Adds `filter` after the filters with the same (agent, role).
  void insert(OfferFilter filter);
  // The position of the first filter of (agent, role), or where one would go: the filters of
  // that key are the positions from there on for which matches() holds.
  size_t lower_bound(AgentId agent, uint32_t role) const;
  bool matches(size_t i, AgentId agent, uint32_t role) const {
    return i < keys_.size() && keys_[i] == key(agent, role);
  }
  const OfferFilter& operator[](size_t i) const { return filters_[i]; }
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
  std::vector<uint64_t> keys_;  // keys_[i] is the key of filters_[i]
  std::vector<OfferFilter> filters_;
};

template <typename Pred>
void OfferFilters::erase_if(const Pred& pred) {
  size_t kept = 0;
  for (size_t i = 0; i < filters_.size(); ++i) {
    if (pred(static_cast<const OfferFilter&>(filters_[i]))) continue;
    if (kept != i) {
      filters_[kept] = std::move(filters_[i]);
      keys_[kept] = keys_[i];
    }
    ++kept;
  }
  filters_.resize(kept);
  keys_.resize(kept);
}

}  // namespace mesosim
