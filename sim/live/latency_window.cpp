#include "sim/live/latency_window.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace mesosim::live {

LatencyWindow::LatencyWindow(size_t capacity) : samples_(capacity) { assert(capacity > 0); }

void LatencyWindow::record(Duration latency) {
  last_ = latency.micros();
  samples_[next_] = last_;
  next_ = (next_ + 1) % samples_.size();
  ++count_;
}

std::optional<LatencyWindow::Summary> LatencyWindow::summary() const {
  if (count_ == 0) return std::nullopt;
  const size_t n = static_cast<size_t>(std::min<uint64_t>(count_, samples_.size()));
  std::vector<int64_t> sorted(samples_.begin(), samples_.begin() + static_cast<ptrdiff_t>(n));
  std::sort(sorted.begin(), sorted.end());
  // Nearest rank: the smallest sample with at least q of the window at or below it.
  const auto rank = [&](double q) {
    const auto k = static_cast<size_t>(std::ceil(q * static_cast<double>(n)));
    return Duration::micros(sorted[std::max<size_t>(k, 1) - 1]);
  };
  Summary s;
  s.count = count_;
  s.window = n;
  s.last = Duration::micros(last_);
  s.min = Duration::micros(sorted.front());
  s.max = Duration::micros(sorted.back());
  s.p50 = rank(0.5);
  s.p90 = rank(0.9);
  s.p99 = rank(0.99);
  s.p999 = rank(0.999);
  return s;
}

}  // namespace mesosim::live
