#include "allocator/offer_filters.hpp"

#include <bit>

namespace mesosim {

void OfferFilters::insert(OfferFilter filter) {
  if (2 * (group_count_ + 1) > groups_.size()) grow();
  uint32_t n;
  if (free_.empty()) {
    n = static_cast<uint32_t>(nodes_.size());
    nodes_.emplace_back();
  } else {
    n = free_.back();
    free_.pop_back();
  }
  const uint64_t k = key(filter.agent, filter.role);
  Node& node = nodes_[n];
  node.filter = std::move(filter);
  node.next = kNone;
  node.live = true;
  ++size_;
  Group& g = groups_[find_slot(k)];
  if (g.head == kNone) {
    g = Group{k, n, n};
    ++group_count_;
  } else {
    nodes_[g.tail].next = n;
    g.tail = n;
  }
}

size_t OfferFilters::find_slot(uint64_t k) const {
  const size_t mask = groups_.size() - 1;
  size_t i = home(k);
  while (groups_[i].head != kNone && groups_[i].key != k) i = (i + 1) & mask;
  return i;
}

void OfferFilters::remove_group(size_t i) {
  const size_t mask = groups_.size() - 1;
  // Every later group of the probe run that may move into the hole does, so that no lookup
  // stops early.
  for (size_t j = (i + 1) & mask; groups_[j].head != kNone; j = (j + 1) & mask) {
    const size_t h = home(groups_[j].key);
    // The group at j may move to the hole at i unless its home lies cyclically in (i, j].
    const bool stays = i <= j ? (i < h && h <= j) : (i < h || h <= j);
    if (stays) continue;
    groups_[i] = groups_[j];
    i = j;
  }
  groups_[i] = Group{};
  --group_count_;
}

void OfferFilters::grow() {
  std::vector<Group> old = std::move(groups_);
  const size_t capacity = old.empty() ? 16 : old.size() * 2;
  groups_.assign(capacity, Group{});
  shift_ = 64 - static_cast<unsigned>(std::countr_zero(capacity));
  for (const Group& g : old) {
    if (g.head != kNone) groups_[find_slot(g.key)] = g;
  }
}

void OfferFilters::release(uint32_t n) {
  Node& node = nodes_[n];
  node.filter.refused = Resources{};  // hold no memory for a filter that is gone
  node.next = kNone;
  node.live = false;
  free_.push_back(n);
  --size_;
}

void OfferFilters::clear() {
  nodes_.clear();
  free_.clear();
  groups_.clear();
  shift_ = 64;
  group_count_ = 0;
  size_ = 0;
}

}  // namespace mesosim
