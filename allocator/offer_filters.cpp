#include "allocator/offer_filters.hpp"

#include <algorithm>

namespace mesosim {

void OfferFilters::insert(OfferFilter filter) {
  const uint64_t k = key(filter.agent, filter.role);
  uint32_t slot;
  if (free_.empty()) {
    slot = static_cast<uint32_t>(pool_.size());
    pool_.push_back(std::move(filter));
  } else {
    slot = free_.back();
    free_.pop_back();
    pool_[slot] = std::move(filter);
  }
  const auto pos = std::upper_bound(keys_.begin(), keys_.end(), k);
  slots_.insert(slots_.begin() + (pos - keys_.begin()), slot);
  keys_.insert(pos, k);
}

void OfferFilters::release(uint32_t slot) {
  pool_[slot].refused = Resources{};  // hold no memory for a filter that is gone
  free_.push_back(slot);
}

size_t OfferFilters::lower_bound(AgentId agent, uint32_t role) const {
  return static_cast<size_t>(std::lower_bound(keys_.begin(), keys_.end(), key(agent, role)) -
                             keys_.begin());
}

void OfferFilters::erase(size_t i) {
  release(slots_[i]);
  keys_.erase(keys_.begin() + static_cast<ptrdiff_t>(i));
  slots_.erase(slots_.begin() + static_cast<ptrdiff_t>(i));
}

void OfferFilters::clear() {
  keys_.clear();
  slots_.clear();
  pool_.clear();
  free_.clear();
}

}  // namespace mesosim
