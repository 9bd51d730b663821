#include "workloads/generator_draws.hpp"

#include <cmath>

#include <fmt/format.h>

#include "workloads/generators.hpp"

namespace mesosim {

Result<std::optional<Job>> GeneratedJobs::next() {
  while (ready_.empty() && !done_) done_ = !make_more(ready_);
  if (ready_.empty()) return std::optional<Job>();
  std::optional<Job> job(std::move(ready_.front()));
  ready_.pop_front();
  return job;
}

namespace gen {
namespace {

Duration millis_of(double micros) { return Duration::millis(std::llround(micros / 1000.0)); }

}  // namespace

Duration around(Rng& rng, Duration mean) {
  return millis_of(static_cast<double>(mean.micros()) * (0.5 + rng.unit()));
}

Duration exponential(Rng& rng, Duration mean) {
  return millis_of(-std::log(1.0 - rng.unit()) * static_cast<double>(mean.micros()));
}

Duration normal_at_least(Rng& rng, Duration mean, Duration sd, Duration min) {
  constexpr double kTwoPi = 6.283185307179586;
  for (;;) {
    const double u1 = 1.0 - rng.unit();  // in (0, 1]: log is finite
    const double u2 = rng.unit();
    const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(kTwoPi * u2);
    const Duration d =
        millis_of(static_cast<double>(mean.micros()) + z * static_cast<double>(sd.micros()));
    if (d >= min) return d;
  }
}

Duration log_uniform(Rng& rng, Duration lo, Duration hi) {
  const double a = std::log(static_cast<double>(lo.micros()));
  const double b = std::log(static_cast<double>(hi.micros()));
  return millis_of(std::exp(a + (b - a) * rng.unit()));
}

void preferred(Rng& rng, int agents, int racks, int k, TaskSpec& task) {
  task.preferred_agents.clear();
  task.preferred_racks.clear();
  std::vector<int> chosen;
  while (static_cast<int>(chosen.size()) < k) {
    const int a = static_cast<int>(rng.below(static_cast<uint64_t>(agents)));
    bool seen = false;
    for (int c : chosen) seen = seen || c == a;
    if (seen) continue;
    chosen.push_back(a);
    task.preferred_agents.push_back(fmt::format("agent{}", a));
    std::string rack = fmt::format("rack{}", a % racks);
    bool rack_seen = false;
    for (const auto& r : task.preferred_racks) rack_seen = rack_seen || r == rack;
    if (!rack_seen) task.preferred_racks.push_back(std::move(rack));
  }
}

Resources or_default(const Resources& value, std::string_view text) {
  return value.empty() ? Resources::parse(text).value() : value;
}

}  // namespace gen
}  // namespace mesosim
