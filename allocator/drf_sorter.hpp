#pragma once

// Dominant Resource Fairness ordering of clients, flat or hierarchical, as Mesos's DRFSorter.
//
// A client's dominant share = max over scalar resource names r of allocated[r] / total[r],
// divided by the weight of its path. Names in the excluded set and names whose total is zero
// do not count; ranges (ports) never count. "Allocated" is whatever the owner reports with
// allocated()/unallocated(): the hierarchical allocator reports everything offered or
// allocated, reserved and revocable included, and not reservations that nobody holds.
//
// Hierarchical mode: a client path "a/b/c" is a leaf below inner nodes "a", "a/b", "a/b/c"; an
// inner node's allocation is the sum over its subtree and its share uses its own path's weight.
// A client whose path also has children sits beside them as a virtual "." leaf with the same
// path, as in Mesos; the path's weight applies to the subtree, not to that leaf, which competes
// with its siblings unweighted (share() still reports the client's weighted share). Order is a
// pre-order walk in which siblings are sorted by (share, allocation count, path): lower share
// first, then fewer allocation events (each allocated() counts one on the client and on every
// ancestor), then the path in byte order.
//
// Cost: allocated()/unallocated() re-key the client and its ancestors in their parents' ordered
// sets in O(depth · log n) with no memory allocation (O(depth) where a node's new key keeps its
// place among its siblings, or moves it past the last of them); changing totals or weights marks
// every share stale, and the next walk recomputes them once. Inactive clients keep their
// allocations (they still count toward their ancestors) but are left out of the order.

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "allocator/quantities.hpp"

namespace mesosim {

class DrfSorter {
 public:
  using ClientId = uint32_t;
  static constexpr ClientId kNoClient = UINT32_MAX;

  explicit DrfSorter(bool hierarchical);
  DrfSorter(const DrfSorter&) = delete;
  DrfSorter& operator=(const DrfSorter&) = delete;

  // Adds an active client. Precondition: `path` is not a client already.
  ClientId add(std::string_view path);
  // Precondition: the client holds no allocation.
  void remove(ClientId client);
  void activate(ClientId client);
  void deactivate(ClientId client);
  bool active(ClientId client) const;
  ClientId find(std::string_view path) const;
  const std::string& path(ClientId client) const;

  // Weight of a path (default 1.0); applies to the inner node and the client at that path.
  void set_weight(std::string_view path, double weight);
  // A total equal to the current one changes nothing (no recomputation at the next walk).
  void set_total(const Quantities& total);
  void set_excluded(std::vector<ResourceName> names);

  void allocated(ClientId client, const Resources& resources);
  // Precondition: the client holds at least `resources`.
  void unallocated(ClientId client, const Resources& resources);
  const Quantities& allocation(ClientId client) const;
  double share(ClientId client);

  // Calls visit(ClientId) for each active client in DRF order as it stood when the walk began,
  // until visit returns false. visit may call allocated() on the client it was given (that moves
  // the client and its ancestors, which the walk has already passed) but must not add, remove,
  // activate or deactivate clients.
  template <typename Visit>
  void walk(Visit&& visit);

  // The order walk() would give, materialized (for tests and inspection).
  std::vector<ClientId> sort();

 private:
  static constexpr uint32_t kNone = UINT32_MAX;

  struct Key {
    // Mutable so that refresh_if_stale() can update keys in place when the new keys keep the
    // set's order (the comparator's invariant is checked before any is written).
    mutable double share;
    mutable uint64_t count;
    // The node's place in (path, node) order among all nodes (`Node::rank`): compares as the
    // paths would, without reading them. Mutable: renumbering keeps the order (renumber()).
    mutable uint64_t rank;
    uint32_t node;
  };
  struct KeyLess {
    bool operator()(const Key& a, const Key& b) const {
      if (a.share != b.share) return a.share < b.share;
      if (a.count != b.count) return a.count < b.count;
      return a.rank < b.rank;
    }
  };
  using Children = std::set<Key, KeyLess>;

  // What a re-key and a recomputation of shares read comes first, in the node's first cache
  // line: a sibling set is walked in share order, so its nodes are read at random.
  struct alignas(64) Node {
    Quantities allocation;
    double share = 0;
    uint64_t count = 0;
    uint64_t rank = 0;  // increases with (path, node id) over all nodes in use
    double weight = 1;  // of its path (cached: looked up on every re-key otherwise)
    uint32_t parent = kNone;
    bool is_leaf = false;
    bool leaf_active = false;
    bool in_parent_set = false;
    Children::const_iterator pos;  // its key in the parent's set, while in_parent_set
    uint32_t active_leaves = 0;    // in this subtree
    uint32_t child_count = 0;      // all children, active or not
    uint64_t stamp = 0;            // last walk that visited this node
    Children children;             // children with active_leaves > 0
    std::string path;
  };
  // nodes_ relies on it: a reallocation that copied the sets would leave every `pos` dangling.
  static_assert(std::is_nothrow_move_constructible_v<Node>);

  uint32_t new_node(std::string path, uint32_t parent, bool leaf);
  uint32_t inner_node(std::string_view path);
  double compute_share(const Node& n) const;
  void count_names();  // counted_ from total_ and excluded_
  double weight_of(std::string_view path) const;
  void rekey(uint32_t node);
  void prefetch_next_front(const Children& siblings) const;
  void insert_into_parent(uint32_t node);
  void erase_from_parent(uint32_t node);
  void add_active(uint32_t node, int delta);
  void refresh_if_stale();
  void rekey_children(Node& parent);
  void rebuild_children(Node& parent);
  Key key_of(uint32_t node) const;
  void rank_new_node(uint32_t node);
  void unrank(uint32_t node);
  void renumber();

  bool hierarchical_;
  // Nodes move when this grows (only add() grows it): nothing keeps a pointer to a node, and a
  // node's `pos` stays valid because moving a std::set moves its elements' tree as it stands.
  std::vector<Node> nodes_;
  std::unordered_map<std::string, uint32_t> inner_by_path_;  // lookups only, never iterated
  std::unordered_map<std::string, ClientId> client_by_path_;  // lookups only, never iterated
  std::vector<uint32_t> free_nodes_;
  std::vector<uint32_t> client_leaf_;  // ClientId -> leaf node (kNone when free)
  std::vector<ClientId> leaf_client_;  // node -> ClientId (for leaves)
  std::vector<ClientId> free_clients_;
  std::vector<uint32_t> by_path_;  // nodes in use (root excepted) by (path, node id): their ranks
  std::vector<std::pair<std::string, double>> weights_;  // sorted by path
  Quantities total_;
  std::vector<bool> excluded_;
  // The names a share counts (total above zero, not excluded), ascending, with their totals.
  std::vector<std::pair<uint32_t, double>> counted_;
  bool stale_ = false;
  bool weights_stale_ = false;  // set_weight() since the last recomputation
  uint64_t walk_stamp_ = 0;
  std::vector<std::pair<Children::const_iterator, Children::const_iterator>> stack_;
};

template <typename Visit>
void DrfSorter::walk(Visit&& visit) {
  refresh_if_stale();
  const uint64_t stamp = ++walk_stamp_;
  // Each level of the stack is the next unvisited position in one sibling set. Re-keying during
  // the walk only moves nodes on the current path (already stamped), so the remaining positions
  // stay valid and keep their order; a moved node that lands ahead is skipped by its stamp.
  stack_.clear();
  stack_.emplace_back(nodes_[0].children.cbegin(), nodes_[0].children.cend());
  while (!stack_.empty()) {
    auto& [it, end] = stack_.back();
    if (it == end) {
      stack_.pop_back();
      continue;
    }
    const uint32_t n = it->node;
    ++it;
    Node& node = nodes_[n];
    if (node.stamp == stamp) continue;
    node.stamp = stamp;
    if (node.is_leaf) {
      if (!visit(leaf_client_[n])) return;
    } else {
      stack_.emplace_back(node.children.cbegin(), node.children.cend());
    }
  }
}

}  // namespace mesosim
