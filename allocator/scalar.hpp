#pragma once

// A scalar resource amount in fixed point with Mesos's precision of 0.001.
//
// Held as an integer count of milli-units so sums and differences never drift: 0.1 + 0.2 is
// exactly 0.3, and subtracting what was added gives back exactly zero.

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mesosim {

class Scalar {
 public:
  constexpr Scalar() = default;
  static constexpr Scalar from_milli(int64_t milli) { return Scalar(milli); }
  static constexpr Scalar from_units(int64_t units) { return Scalar(units * 1000); }
  // Rounds to the nearest thousandth, as Mesos does when it converts to fixed point.
  static Scalar from_double(double value);
  // A non-negative decimal number ("8", "0.5", "1e3"); nullopt if the text is not one.
  static std::optional<Scalar> parse(std::string_view text);

  constexpr int64_t milli() const { return milli_; }
  constexpr double to_double() const { return static_cast<double>(milli_) / 1000.0; }
  constexpr bool is_zero() const { return milli_ == 0; }

  constexpr Scalar operator+(Scalar o) const { return Scalar(milli_ + o.milli_); }
  constexpr Scalar operator-(Scalar o) const { return Scalar(milli_ - o.milli_); }
  constexpr Scalar& operator+=(Scalar o) { milli_ += o.milli_; return *this; }
  constexpr Scalar& operator-=(Scalar o) { milli_ -= o.milli_; return *this; }
  constexpr auto operator<=>(const Scalar&) const = default;

  // Shortest decimal form: "8", "0.5", "0.125".
  std::string to_string() const;

 private:
  constexpr explicit Scalar(int64_t milli) : milli_(milli) {}
  int64_t milli_ = 0;
};

}  // namespace mesosim
