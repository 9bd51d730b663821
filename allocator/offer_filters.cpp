#include "allocator/offer_filters.hpp"

#include <algorithm>

namespace mesosim {

void OfferFilters::insert(OfferFilter filter) {
  const uint64_t k = key(filter.agent, filter.role);
  const auto pos = std::upper_bound(keys_.begin(), keys_.end(), k);
  const auto i = pos - keys_.begin();
  keys_.insert(pos, k);
  filters_.insert(filters_.begin() + i, std::move(filter));
}

size_t OfferFilters::lower_bound(AgentId agent, uint32_t role) const {
  return static_cast<size_t>(std::lower_bound(keys_.begin(), keys_.end(), key(agent, role)) -
                             keys_.begin());
}

void OfferFilters::erase(size_t i) {
  keys_.erase(keys_.begin() + static_cast<ptrdiff_t>(i));
  filters_.erase(filters_.begin() + static_cast<ptrdiff_t>(i));
}

void OfferFilters::clear() {
  keys_.clear();
  filters_.clear();
}

}  // namespace mesosim
