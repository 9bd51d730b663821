#pragma once

// The refusal filters of one framework (a DECLINE with refuse_seconds sets one per agent and
// role), as HierarchicalAllocator keeps them.
//
// Filters are grouped by (agent, role) and, within a group, kept in the order they were added.
// A hash table maps each (agent, role) that has filters to its group, a list threaded through
// slots that do not move: adding a filter, finding a group and dropping a filter take O(1)
// whatever the number of filters. (A framework that declines every agent of a large cluster, as a
// gang scheduler holding out for its gang or a batch framework with unplaceable work does, holds
// a filter per agent; a sorted array of them made each DECLINE and each expiry shift half of it,
// 5% of a 10,000-agent simulation's instructions.) The hash table's probing, growth and deletion
// are allocator/flat_table.hpp's.
//
// Nothing here walks the groups in an order that could reach behaviour: the allocator only looks
// up one (agent, role) at a time; for_each() and erase_if() visit filters in no specified order
// and are used only where the order does not matter.

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "allocator/flat_table.hpp"
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
  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }

  // Adds `filter` after the filters with the same (agent, role).
  void insert(OfferFilter filter);
  // Calls visit(filter) for each filter of (agent, role), in the order they were added; the
  // filter is dropped if it returns true. visit must not add or drop filters itself.
  template <typename Visit>
  void visit(AgentId agent, uint32_t role, Visit&& visit);
  // Calls f(filter) for every filter, in no specified order.
  template <typename F>
  void for_each(F&& f) const;
  // Removes every filter for which pred(filter) is true; within each (agent, role) the others
  // keep their order.
  template <typename Pred>
  void erase_if(const Pred& pred);
  void clear();

 private:
  static constexpr uint32_t kNone = UINT32_MAX;
  struct Node {
    OfferFilter filter;
    uint32_t next = kNone;  // the next filter of its (agent, role), or kNone
    bool live = false;      // false: a free slot
  };
  // A slot of the hash table: the (agent, role) and its list's ends; head == kNone: empty.
  struct Group {
    uint64_t key = 0;
    uint32_t head = kNone;
    uint32_t tail = kNone;
  };

  struct GroupTraits {
    static bool empty(const Group& g) { return g.head == kNone; }
    static uint64_t hash(const Group& g) { return g.key; }
    static size_t home(uint64_t k, size_t /*mask*/, unsigned shift) {
      // Fibonacci hashing: agent ids and roles are small and dense, so their low bits alone would
      // crowd the table.
      return static_cast<size_t>((k * 0x9E3779B97F4A7C15ull) >> shift);
    }
    static constexpr size_t kInitialCapacity = 16;
  };

  static constexpr uint64_t key(AgentId agent, uint32_t role) {
    return (uint64_t{agent.value} << 32) | role;
  }
  static constexpr auto has_key(uint64_t k) {
    return [k](const Group& g) { return g.key == k; };
  }
  // Frees the node of a filter that is gone.
  void release(uint32_t node);

  std::vector<Node> nodes_;
  std::vector<uint32_t> free_;  // nodes not in use
  FlatTable<Group, GroupTraits> groups_;
  size_t size_ = 0;
};

template <typename Visit>
void OfferFilters::visit(AgentId agent, uint32_t role, Visit&& visit) {
  if (size_ == 0) return;
  const uint64_t k = key(agent, role);
  Group* const found = groups_.find(k, has_key(k));
  if (found == nullptr) return;
  Group& g = *found;
  uint32_t prev = kNone;
  for (uint32_t n = g.head; n != kNone;) {
    const uint32_t next = nodes_[n].next;
    if (visit(static_cast<const OfferFilter&>(nodes_[n].filter))) {
      if (prev == kNone) {
        g.head = next;
      } else {
        nodes_[prev].next = next;
      }
      if (g.tail == n) g.tail = prev;
      release(n);
    } else {
      prev = n;
    }
    n = next;
  }
  if (g.head == kNone) groups_.erase(&g);
}

template <typename F>
void OfferFilters::for_each(F&& f) const {
  for (const Node& n : nodes_) {
    if (n.live) f(n.filter);
  }
}

template <typename Pred>
void OfferFilters::erase_if(const Pred& pred) {
  if (size_ == 0) return;
  // Rare (a role left, an agent removed, a revive): the table is rebuilt from what is kept.
  std::vector<Group> kept;
  kept.reserve(groups_.size());
  groups_.for_each([&](const Group& g) {
    Group out{g.key, kNone, kNone};
    for (uint32_t n = g.head; n != kNone;) {
      const uint32_t next = nodes_[n].next;
      if (pred(static_cast<const OfferFilter&>(nodes_[n].filter))) {
        release(n);
      } else {
        nodes_[n].next = kNone;
        if (out.tail == kNone) {
          out.head = n;
        } else {
          nodes_[out.tail].next = n;
        }
        out.tail = n;
      }
      n = next;
    }
    if (out.head != kNone) kept.push_back(out);
  });
  groups_.clear();
  for (const Group& g : kept) groups_.try_emplace(g.key, has_key(g.key), [&] { return g; });
}

}  // namespace mesosim
