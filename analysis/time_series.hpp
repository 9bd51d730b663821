#pragma once

// Piecewise-constant time series: a value that holds from one change point to the next. The
// collector appends change points as events happen (StepSeriesBuilder, O(1) per change); the
// finished series (TimeSeries) lives in Eigen arrays and answers exact integrals and averages
// over any window, and samples itself on a grid for plots and CSV.

#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "allocator/check.hpp"
#include "allocator/time.hpp"

namespace mesosim::analysis {

// A finished series. times() is strictly increasing; value i holds on [times(i), times(i+1)),
// the last one until the end of the run. Before times(0) the value is 0.
class TimeSeries {
 public:
  using Times = Eigen::Array<int64_t, Eigen::Dynamic, 1>;

  TimeSeries() = default;
  TimeSeries(Times times, Eigen::ArrayXd values);

  const Times& times() const { return times_; }
  const Eigen::ArrayXd& values() const { return values_; }
  size_t size() const { return static_cast<size_t>(times_.size()); }

  double at(Time t) const;
  // Exact integral of the value over [from, to), in value × seconds.
  double integral(Time from, Time to) const;
  // integral / (to - from); 0 for an empty window.
  double mean(Time from, Time to) const;
  double max() const;
  // The value at `start + k·step` for k = 0..n-1.
  Eigen::ArrayXd sample(Time start, Duration step, size_t n) const;

 private:
  Times times_;
  Eigen::ArrayXd values_;
};

// Appends change points; a change at the time of the last one replaces it, and a change to the
// current value is dropped, so the series stays minimal.
class StepSeriesBuilder {
 public:
  void set(Time t, double value);  // inline: the collector calls it several times an event
  double current() const { return values_.empty() ? 0.0 : values_.back(); }
  bool empty() const { return times_.empty(); }
  TimeSeries build() const;
  // build(), then lets go of the change points: a long run's series are most of its memory at
  // the end, and a builder that has been built need not stay beside its series.
  TimeSeries take();

 private:
  std::vector<int64_t> times_;
  std::vector<double> values_;
};

inline void StepSeriesBuilder::set(Time t, double value) {
  if (!times_.empty() && times_.back() == t.micros()) {
    values_.back() = value;
    if (values_.size() >= 2 && values_[values_.size() - 2] == value) {
      times_.pop_back();
      values_.pop_back();
    }
    return;
  }
  if (current() == value) return;
  MESOSIM_CHECK(times_.empty() || t.micros() > times_.back(), "time went backwards");
  times_.push_back(t.micros());
  values_.push_back(value);
}

}  // namespace mesosim::analysis
