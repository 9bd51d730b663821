#include "allocator/time.hpp"

#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

namespace mesosim {

Duration Duration::from_seconds(double s) { return Duration(std::llround(s * 1e6)); }

std::string Duration::to_string() const {
  const int64_t a = std::llabs(us_);
  const char* sign = us_ < 0 ? "-" : "";
  if (a == 0) return "0s";
  if (a % 60'000'000 == 0 && a >= 60'000'000) return fmt::format("{}{}m", sign, a / 60'000'000);
  if (a % 1'000'000 == 0) return fmt::format("{}{}s", sign, a / 1'000'000);
  if (a % 1000 == 0) return fmt::format("{}{}ms", sign, a / 1000);
  return fmt::format("{}{}us", sign, a);
}

std::string Time::to_string() const {
  const int64_t a = std::llabs(us_);
  return fmt::format("{}{}.{:06}", us_ < 0 ? "-" : "", a / 1'000'000, a % 1'000'000);
}

}  // namespace mesosim
