#pragma once

// The most recent latencies of one kind, for a Mesos-style timer metric in /metrics/snapshot
// (`<name>_ms`, `/count`, `/min`, `/max`, `/p50`, `/p90`, `/p99`, `/p999`). Mesos computes a
// timer's percentiles over a bounded time series; here the window is the last `capacity`
// samples (a ring), so memory is fixed and record() allocates nothing. `count` is every sample
// ever recorded, the statistics are over the window.
//
// Threading: one thread (the master's loop).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "allocator/time.hpp"

namespace mesosim::live {

class LatencyWindow {
 public:
  explicit LatencyWindow(size_t capacity = 65536);

  void record(Duration latency);

  struct Summary {
    uint64_t count = 0;  // every sample recorded
    size_t window = 0;   // samples the statistics below are over
    Duration last, min, max, p50, p90, p99, p999;
  };
  // nullopt before the first sample. Percentiles are nearest-rank over the window.
  std::optional<Summary> summary() const;

  size_t capacity() const { return samples_.size(); }

 private:
  std::vector<int64_t> samples_;  // microseconds; a ring once full
  size_t next_ = 0;
  uint64_t count_ = 0;
  int64_t last_ = 0;
};

}  // namespace mesosim::live
