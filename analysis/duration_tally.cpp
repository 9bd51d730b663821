#include "analysis/duration_tally.hpp"

#include <utility>
#include <vector>

namespace mesosim::analysis {

void DurationTally::merge(const DurationTally& other) {
  for (const auto& [us, n] : other.counts_) counts_[us] += n;
  size_ += other.size_;
}

Distribution DurationTally::describe() const {
  std::vector<std::pair<double, uint64_t>> counts;
  counts.reserve(counts_.size());
  for (const auto& [us, n] : counts_) counts.emplace_back(Duration::micros(us).seconds_f(), n);
  return describe_counts(std::move(counts));
}

}  // namespace mesosim::analysis
