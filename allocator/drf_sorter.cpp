#include "allocator/drf_sorter.hpp"

#include <algorithm>
#include <utility>

#include "allocator/check.hpp"

namespace mesosim {

DrfSorter::DrfSorter(bool hierarchical) : hierarchical_(hierarchical) {
  new_node("", kNone, false);  // the root
}

uint32_t DrfSorter::new_node(std::string path, uint32_t parent, bool leaf) {
  uint32_t id;
  if (!free_nodes_.empty()) {
    id = free_nodes_.back();
    free_nodes_.pop_back();
    nodes_[id] = Node{};
  } else {
    id = static_cast<uint32_t>(nodes_.size());
    nodes_.emplace_back();
    leaf_client_.push_back(kNoClient);
  }
  Node& n = nodes_[id];
  n.path = std::move(path);
  n.parent = parent;
  n.is_leaf = leaf;
  n.weight = weight_of(n.path);
  n.share = compute_share(n);
  if (parent != kNone) {
    ++nodes_[parent].child_count;
    rank_new_node(id);
  }
  return id;
}

// Ranks are spaced so that a new node usually takes the middle of the gap between its
// neighbours in path order; when there is none left, every node is renumbered (O(nodes), as
// rare as adding a client whose path falls in an exhausted gap).
constexpr uint64_t kRankSpacing = uint64_t{1} << 24;

void DrfSorter::rank_new_node(uint32_t node) {
  auto before = [this](uint32_t a, uint32_t b) {
    if (const int c = nodes_[a].path.compare(nodes_[b].path); c != 0) return c < 0;
    return a < b;
  };
  const auto pos = std::lower_bound(by_path_.begin(), by_path_.end(), node, before);
  const uint64_t lo = pos == by_path_.begin() ? 0 : nodes_[*(pos - 1)].rank;
  const bool last = pos == by_path_.end();
  const uint64_t hi = last ? lo + 2 * kRankSpacing : nodes_[*pos].rank;
  by_path_.insert(pos, node);
  if (hi - lo >= 2) {
    nodes_[node].rank = lo + (last ? kRankSpacing : (hi - lo) / 2);
  } else {
    renumber();
  }
}

void DrfSorter::unrank(uint32_t node) {
  auto it = std::find(by_path_.begin(), by_path_.end(), node);
  MESOSIM_CHECK(it != by_path_.end(), "sorter node missing from the path order");
  by_path_.erase(it);
}

void DrfSorter::renumber() {
  // Order-preserving: stored keys can be rewritten in place without re-sorting any set.
  for (size_t i = 0; i < by_path_.size(); ++i) nodes_[by_path_[i]].rank = (i + 1) * kRankSpacing;
  for (Node& n : nodes_) {
    for (const Key& k : n.children) k.rank = nodes_[k.node].rank;
  }
}

DrfSorter::Key DrfSorter::key_of(uint32_t node) const {
  const Node& n = nodes_[node];
  return Key{n.share, n.count, n.rank, node};
}

uint32_t DrfSorter::inner_node(std::string_view path) {
  // Walk down from the root, creating inner nodes for each missing prefix of `path`.
  uint32_t cur = 0;
  if (!hierarchical_) return cur;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    const std::string_view prefix = path.substr(0, slash);
    auto it = inner_by_path_.find(std::string(prefix));
    if (it == inner_by_path_.end()) {
      it = inner_by_path_.emplace(std::string(prefix), new_node(std::string(prefix), cur, false))
               .first;
    }
    cur = it->second;
    pos = slash + 1;
  }
  return cur;
}

DrfSorter::ClientId DrfSorter::add(std::string_view path) {
  MESOSIM_CHECK(find(path) == kNoClient, "sorter client added twice");
  const uint32_t parent = inner_node(path);
  const uint32_t leaf = new_node(std::string(path), parent, true);
  ClientId client;
  if (!free_clients_.empty()) {
    client = free_clients_.back();
    free_clients_.pop_back();
    client_leaf_[client] = leaf;
  } else {
    client = static_cast<ClientId>(client_leaf_.size());
    client_leaf_.push_back(leaf);
  }
  leaf_client_[leaf] = client;
  client_by_path_.emplace(std::string(path), client);
  nodes_[leaf].leaf_active = true;
  add_active(leaf, +1);
  return client;
}

void DrfSorter::remove(ClientId client) {
  const uint32_t leaf = client_leaf_.at(client);
  MESOSIM_CHECK(leaf != kNone, "removing an unknown sorter client");
  MESOSIM_CHECK(nodes_[leaf].allocation.empty(), "removing a sorter client that holds resources");
  if (nodes_[leaf].leaf_active) {
    nodes_[leaf].leaf_active = false;
    add_active(leaf, -1);
  }
  client_by_path_.erase(nodes_[leaf].path);
  // Remove the leaf and then every inner node left without children.
  uint32_t n = leaf;
  while (n != 0 && nodes_[n].child_count == 0) {
    const uint32_t parent = nodes_[n].parent;
    --nodes_[parent].child_count;
    if (!nodes_[n].is_leaf) inner_by_path_.erase(nodes_[n].path);
    unrank(n);
    leaf_client_[n] = kNoClient;
    nodes_[n] = Node{};
    free_nodes_.push_back(n);
    n = parent;
  }
  client_leaf_[client] = kNone;
  free_clients_.push_back(client);
}

void DrfSorter::activate(ClientId client) {
  Node& leaf = nodes_[client_leaf_.at(client)];
  if (leaf.leaf_active) return;
  leaf.leaf_active = true;
  add_active(client_leaf_[client], +1);
}

void DrfSorter::deactivate(ClientId client) {
  Node& leaf = nodes_[client_leaf_.at(client)];
  if (!leaf.leaf_active) return;
  leaf.leaf_active = false;
  add_active(client_leaf_[client], -1);
}

bool DrfSorter::active(ClientId client) const { return nodes_[client_leaf_.at(client)].leaf_active; }

DrfSorter::ClientId DrfSorter::find(std::string_view path) const {
  auto it = client_by_path_.find(std::string(path));
  return it == client_by_path_.end() ? kNoClient : it->second;
}

const std::string& DrfSorter::path(ClientId client) const {
  return nodes_[client_leaf_.at(client)].path;
}

void DrfSorter::add_active(uint32_t node, int delta) {
  // Walk up: a node enters its parent's set when its subtree gains its first active leaf and
  // leaves it when the subtree loses its last.
  for (uint32_t n = node; n != 0; n = nodes_[n].parent) {
    Node& x = nodes_[n];
    const uint32_t before = x.active_leaves;
    x.active_leaves = static_cast<uint32_t>(static_cast<int>(x.active_leaves) + delta);
    if (before == 0 && x.active_leaves > 0) insert_into_parent(n);
    if (before > 0 && x.active_leaves == 0) erase_from_parent(n);
  }
}

void DrfSorter::insert_into_parent(uint32_t node) {
  Node& n = nodes_[node];
  n.pos = nodes_[n.parent].children.insert(key_of(node)).first;
  n.in_parent_set = true;
}

void DrfSorter::erase_from_parent(uint32_t node) {
  Node& n = nodes_[node];
  if (!n.in_parent_set) return;
  nodes_[n.parent].children.erase(n.pos);
  n.in_parent_set = false;
}

void DrfSorter::rekey(uint32_t node) {
  Node& n = nodes_[node];
  n.share = compute_share(n);
  if (!n.in_parent_set || stale_) return;
  Children& siblings = nodes_[n.parent].children;
  const Key next = key_of(node);
  const KeyLess less;
  // Where the new key still falls between the node's neighbours, the set's order holds with the
  // key written in place (one client's share barely moving, or a set of one, as a role sorter's
  // often is). Otherwise the node moves; a growing share usually takes it past every sibling,
  // which the hint at the end makes O(1).
  const auto after = std::next(n.pos);
  if ((n.pos == siblings.begin() || less(*std::prev(n.pos), next)) &&
      (after == siblings.end() || less(next, *after))) {
    n.pos->share = next.share;
    n.pos->count = next.count;
    n.pos->rank = next.rank;
    return;
  }
  auto handle = siblings.extract(n.pos);
  handle.value() = next;
  if (siblings.empty() || less(*siblings.rbegin(), next)) {
    n.pos = siblings.insert(siblings.end(), std::move(handle));
    prefetch_next_front(siblings);
  } else {
    n.pos = siblings.insert(std::move(handle)).position;
  }
}

void DrfSorter::prefetch_next_front(const Children& siblings) const {
  // A client that was just served went to the back, so the next walk over these siblings (the
  // next agent's visit, in an allocation run) most likely serves the new front and re-keys it.
  // Its node was asked for at the previous move, when it was second; now its allocation's
  // block, and the node of the one after it. Hints only: they change nothing.
  const auto front = siblings.begin();
  __builtin_prefetch(nodes_[front->node].allocation.data());
  const auto second = std::next(front);
  if (second == siblings.end()) return;
  const Node* node = &nodes_[second->node];
  for (size_t line = 0; line < sizeof(Node); line += 64) {
    __builtin_prefetch(reinterpret_cast<const char*>(node) + line);
  }
}

double DrfSorter::weight_of(std::string_view path) const {
  auto it = std::lower_bound(weights_.begin(), weights_.end(), path,
                             [](const auto& w, std::string_view p) { return w.first < p; });
  return (it != weights_.end() && it->first == path) ? it->second : 1.0;
}

double DrfSorter::compute_share(const Node& n) const {
  double share = 0;
  const int64_t* alloc = n.allocation.data();
  const size_t size = n.allocation.size_hint();
  for (const auto& [i, total] : counted_) {
    if (i >= size) break;
    if (alloc[i] == 0) continue;
    share = std::max(share, static_cast<double>(alloc[i]) / total);
  }
  // Only the role sorter is hierarchical, and only it applies weights (Mesos: framework
  // sorters within a role are unweighted). A path's weight orders its subtree among its
  // siblings; the client leaf inside it competes with the path's children unweighted, as
  // Mesos's virtual leaf does (DRFSorterTest.AddChildToLeaf).
  return hierarchical_ && !n.is_leaf ? share / n.weight : share;
}

void DrfSorter::set_weight(std::string_view path, double weight) {
  MESOSIM_CHECK(weight > 0, "weights must be positive");
  auto it = std::lower_bound(weights_.begin(), weights_.end(), path,
                             [](const auto& w, std::string_view p) { return w.first < p; });
  if (it != weights_.end() && it->first == path) {
    it->second = weight;
  } else {
    weights_.emplace(it, std::string(path), weight);
  }
  stale_ = true;
  weights_stale_ = true;
}

void DrfSorter::set_total(const Quantities& total) {
  if (total == total_) return;  // every share and so the order stay as they are
  total_ = total;
  count_names();
  stale_ = true;
}

void DrfSorter::set_excluded(std::vector<ResourceName> names) {
  excluded_.assign(ResourceName::kMaxNames, false);
  for (ResourceName n : names) excluded_[n.id()] = true;
  count_names();
  stale_ = true;
}

void DrfSorter::count_names() {
  counted_.clear();
  const int64_t* total = total_.data();
  for (uint32_t i = 0; i < total_.size_hint(); ++i) {
    if (total[i] <= 0 || (i < excluded_.size() && excluded_[i])) continue;
    counted_.emplace_back(i, static_cast<double>(total[i]));
  }
}

void DrfSorter::allocated(ClientId client, const Resources& resources) {
  for (uint32_t n = client_leaf_.at(client); n != 0; n = nodes_[n].parent) {
    Node& x = nodes_[n];
    x.allocation.add(resources);
    ++x.count;
    rekey(n);
  }
}

void DrfSorter::unallocated(ClientId client, const Resources& resources) {
  for (uint32_t n = client_leaf_.at(client); n != 0; n = nodes_[n].parent) {
    nodes_[n].allocation.subtract(resources);
    rekey(n);
  }
}

const Quantities& DrfSorter::allocation(ClientId client) const {
  return nodes_[client_leaf_.at(client)].allocation;
}

double DrfSorter::share(ClientId client) {
  refresh_if_stale();
  const Node& leaf = nodes_[client_leaf_.at(client)];
  return hierarchical_ ? leaf.share / leaf.weight : leaf.share;
}

void DrfSorter::refresh_if_stale() {
  if (!stale_) return;
  stale_ = false;
  // Recompute every share once per change of totals or weights rather than once per
  // allocation: O(n), plus O(k log k) for each sibling set of k whose order the change altered.
  // (While stale, re-keys left the sets keyed as they were, so every set is still a valid one.)
  // In id order, asking a few nodes ahead for the allocation blocks (the nodes themselves come
  // in order).
  const bool weights = std::exchange(weights_stale_, false);
  constexpr uint32_t kAhead = 8;
  for (uint32_t i = 1; i < nodes_.size(); ++i) {
    if (i + kAhead < nodes_.size()) __builtin_prefetch(nodes_[i + kAhead].allocation.data());
    Node& n = nodes_[i];
    if (n.parent == kNone) continue;  // a free slot
    if (weights) n.weight = weight_of(n.path);
    n.share = compute_share(n);
  }
  for (Node& n : nodes_) {
    if (!n.children.empty()) rekey_children(n);
  }
}

void DrfSorter::rekey_children(Node& parent) {
  // Most changes of totals scale shares alike and keep siblings in order: then the keys are
  // updated in place, in the same pass that checks the order, without touching the tree. If the
  // order breaks, the set is rebuilt from its members (which iterating it finds whatever its
  // keys hold by then), so the keys already written do no harm.
  const Key* prev = nullptr;
  for (const Key& k : parent.children) {
    const Key next = key_of(k.node);
    if (prev != nullptr && !KeyLess{}(*prev, next)) {
      rebuild_children(parent);
      return;
    }
    k.share = next.share;
    k.count = next.count;
    k.rank = next.rank;
    prev = &k;
  }
}

void DrfSorter::rebuild_children(Node& parent) {
  std::vector<uint32_t> members;
  members.reserve(parent.children.size());
  for (const Key& k : parent.children) members.push_back(k.node);
  parent.children.clear();
  for (uint32_t m : members) insert_into_parent(m);
}

std::vector<DrfSorter::ClientId> DrfSorter::sort() {
  std::vector<ClientId> out;
  walk([&](ClientId c) {
    out.push_back(c);
    return true;
  });
  return out;
}

}  // namespace mesosim
