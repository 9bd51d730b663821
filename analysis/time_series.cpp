#include "analysis/time_series.hpp"

#include <algorithm>

#include "allocator/check.hpp"

namespace mesosim::analysis {

TimeSeries::TimeSeries(Times times, Eigen::ArrayXd values)
    : times_(std::move(times)), values_(std::move(values)) {
  MESOSIM_CHECK(times_.size() == values_.size(), "times and values differ in length");
}

double TimeSeries::at(Time t) const {
  const int64_t* begin = times_.data();
  const int64_t* end = begin + times_.size();
  const int64_t* it = std::upper_bound(begin, end, t.micros());
  if (it == begin) return 0.0;
  return values_[it - begin - 1];
}

double TimeSeries::integral(Time from, Time to) const {
  if (to <= from || times_.size() == 0) return 0.0;
  // Sum value × overlap of [times(i), times(i+1)) with [from, to), in integer microseconds per
  // piece so the result does not depend on where the pieces start.
  double sum = 0.0;
  const Eigen::Index n = times_.size();
  for (Eigen::Index i = 0; i < n; ++i) {
    const int64_t lo = std::max(times_[i], from.micros());
    const int64_t hi = std::min(i + 1 < n ? times_[i + 1] : to.micros(), to.micros());
    if (hi > lo) sum += values_[i] * static_cast<double>(hi - lo);
  }
  return sum / 1e6;
}

double TimeSeries::mean(Time from, Time to) const {
  if (to <= from) return 0.0;
  return integral(from, to) / (to - from).seconds_f();
}

double TimeSeries::max() const { return values_.size() == 0 ? 0.0 : values_.maxCoeff(); }

Eigen::ArrayXd TimeSeries::sample(Time start, Duration step, size_t n) const {
  Eigen::ArrayXd out(static_cast<Eigen::Index>(n));
  Eigen::Index i = 0;  // first change point after the sample time
  const Eigen::Index size = times_.size();
  for (size_t k = 0; k < n; ++k) {
    const int64_t t = start.micros() + step.micros() * static_cast<int64_t>(k);
    while (i < size && times_[i] <= t) ++i;
    out[static_cast<Eigen::Index>(k)] = i == 0 ? 0.0 : values_[i - 1];
  }
  return out;
}

TimeSeries StepSeriesBuilder::build() const {
  TimeSeries::Times t(static_cast<Eigen::Index>(times_.size()));
  Eigen::ArrayXd v(static_cast<Eigen::Index>(values_.size()));
  for (size_t i = 0; i < times_.size(); ++i) {
    t[static_cast<Eigen::Index>(i)] = times_[i];
    v[static_cast<Eigen::Index>(i)] = values_[i];
  }
  return TimeSeries(std::move(t), std::move(v));
}

TimeSeries StepSeriesBuilder::take() {
  TimeSeries out = build();
  std::vector<int64_t>().swap(times_);
  std::vector<double>().swap(values_);
  return out;
}

}  // namespace mesosim::analysis
