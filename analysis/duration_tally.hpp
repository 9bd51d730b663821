#pragma once

// An exact sample of durations held as a count per distinct value (internal to analysis/).
// A run's offer latencies are a value per offer, hundreds of millions in a simulated month,
// yet take few distinct values (network latency and decision time in whole microseconds):
// kept as a vector of seconds they were half of a long run's peak memory. The figures are
// those describe() gives the sample written out, to the last bit.

#include <cstddef>
#include <cstdint>
#include <unordered_map>

#include "allocator/time.hpp"
#include "analysis/run_result.hpp"

namespace mesosim::analysis {

class DurationTally {
 public:
  void add(Duration d) {
    ++counts_[d.micros()];
    ++size_;
  }
  // Adds every value of `other`.
  void merge(const DurationTally& other);
  uint64_t size() const { return size_; }
  size_t distinct() const { return counts_.size(); }
  // describe() of every value's Duration::seconds_f().
  Distribution describe() const;

 private:
  std::unordered_map<int64_t, uint64_t> counts_;  // microseconds -> how many
  uint64_t size_ = 0;
};

}  // namespace mesosim::analysis
