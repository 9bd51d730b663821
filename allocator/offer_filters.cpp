#include "allocator/offer_filters.hpp"

namespace mesosim {

void OfferFilters::insert(OfferFilter filter) {
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
  const auto [g, fresh] = groups_.try_emplace(k, has_key(k), [&] { return Group{k, n, n}; });
  if (!fresh) {
    nodes_[g->tail].next = n;
    g->tail = n;
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
  groups_.reset();
  size_ = 0;
}

}  // namespace mesosim
