#pragma once

// Simulated and real time as integer microseconds.
//
// The allocator is the lowest layer and needs time only as a value (filter expiry), so the
// types live here; sim/ and everything above use them unchanged. Nothing in the core reads the
// wall clock: a Time is always passed in or read from an injected clock.

#include <compare>
#include <cstdint>
#include <limits>
#include <string>

namespace mesosim {

// A span of time in microseconds. Arithmetic saturates nowhere: overflow is a bug, and spans
// of up to ±292,000 years fit.
class Duration {
 public:
  constexpr Duration() = default;
  static constexpr Duration micros(int64_t us) { return Duration(us); }
  static constexpr Duration millis(int64_t ms) { return Duration(ms * 1000); }
  static constexpr Duration seconds(int64_t s) { return Duration(s * 1'000'000); }
  static constexpr Duration minutes(int64_t m) { return seconds(m * 60); }
  static constexpr Duration hours(int64_t h) { return minutes(h * 60); }
  static constexpr Duration days(int64_t d) { return hours(d * 24); }
  // Rounds to the nearest microsecond.
  static Duration from_seconds(double s);
  static constexpr Duration zero() { return Duration(0); }
  static constexpr Duration max() { return Duration(std::numeric_limits<int64_t>::max()); }

  constexpr int64_t micros() const { return us_; }
  constexpr double seconds_f() const { return static_cast<double>(us_) / 1e6; }

  constexpr Duration operator+(Duration o) const { return Duration(us_ + o.us_); }
  constexpr Duration operator-(Duration o) const { return Duration(us_ - o.us_); }
  constexpr Duration operator*(int64_t k) const { return Duration(us_ * k); }
  constexpr Duration& operator+=(Duration o) { us_ += o.us_; return *this; }
  constexpr auto operator<=>(const Duration&) const = default;

  // "2m", "90s", "250ms", "10us": the largest unit that is exact.
  std::string to_string() const;

 private:
  constexpr explicit Duration(int64_t us) : us_(us) {}
  int64_t us_ = 0;
};

// A point in time: microseconds since the start of a run (simulation) or the Unix epoch (live).
class Time {
 public:
  constexpr Time() = default;
  static constexpr Time from_micros(int64_t us) { return Time(us); }
  static constexpr Time epoch() { return Time(0); }
  static constexpr Time max() { return Time(std::numeric_limits<int64_t>::max()); }

  constexpr int64_t micros() const { return us_; }
  constexpr double seconds_f() const { return static_cast<double>(us_) / 1e6; }

  // Saturates at Time::max() so that "now + a very long filter" never wraps.
  constexpr Time operator+(Duration d) const {
    if (d.micros() > 0 && us_ > std::numeric_limits<int64_t>::max() - d.micros()) return max();
    return Time(us_ + d.micros());
  }
  constexpr Time operator-(Duration d) const { return Time(us_ - d.micros()); }
  constexpr Duration operator-(Time o) const { return Duration::micros(us_ - o.us_); }
  constexpr auto operator<=>(const Time&) const = default;

  // Seconds with microsecond precision, e.g. "12.000250".
  std::string to_string() const;

 private:
  constexpr explicit Time(int64_t us) : us_(us) {}
  int64_t us_ = 0;
};

}  // namespace mesosim
