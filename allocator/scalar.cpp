#include "allocator/scalar.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

namespace mesosim {

Scalar Scalar::from_double(double value) { return Scalar(std::llround(value * 1000.0)); }

std::optional<Scalar> Scalar::parse(std::string_view text) {
  if (text.empty()) return std::nullopt;
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  if (!std::isfinite(value) || value < 0 || value > 9.2e15) return std::nullopt;
  return from_double(value);
}

std::string Scalar::to_string() const {
  const int64_t a = std::llabs(milli_);
  const char* sign = milli_ < 0 ? "-" : "";
  const int64_t whole = a / 1000;
  int64_t frac = a % 1000;
  if (frac == 0) return fmt::format("{}{}", sign, whole);
  int digits = 3;
  while (frac % 10 == 0) {
    frac /= 10;
    --digits;
  }
  return fmt::format("{}{}.{:0{}}", sign, whole, frac, digits);
}

}  // namespace mesosim
