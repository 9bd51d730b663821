#include "sim/live/mesos_flags.hpp"

#include <charconv>
#include <cmath>

#include <fmt/format.h>

namespace mesosim::live {

Result<Duration> parse_mesos_duration(std::string_view text) {
  const auto bad = [&](std::string_view why) {
    return Error{
        fmt::format("'{}' is not a duration ({}; expected a number and one of the units "
                    "ns, us, ms, secs, mins, hrs, days, weeks, e.g. '1secs')",
                    text, why)};
  };
  size_t split = 0;
  while (split < text.size() &&
         (std::isdigit(static_cast<unsigned char>(text[split])) || text[split] == '.')) {
    ++split;
  }
  if (split == 0) return bad("no number");
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + split, value);
  if (ec != std::errc() || end != text.data() + split) return bad("malformed number");
  const std::string_view unit = text.substr(split);
  double micros_per_unit = 0;
  if (unit == "ns")
    micros_per_unit = 1e-3;
  else if (unit == "us")
    micros_per_unit = 1;
  else if (unit == "ms")
    micros_per_unit = 1e3;
  else if (unit == "secs")
    micros_per_unit = 1e6;
  else if (unit == "mins")
    micros_per_unit = 60e6;
  else if (unit == "hrs")
    micros_per_unit = 3600e6;
  else if (unit == "days")
    micros_per_unit = 86400e6;
  else if (unit == "weeks")
    micros_per_unit = 7 * 86400e6;
  else
    return bad(unit.empty() ? "no unit" : "unknown unit");
  const double micros = value * micros_per_unit;
  if (!std::isfinite(micros) || micros > 1e17) return bad("too large");
  return Duration::micros(static_cast<int64_t>(std::llround(micros)));
}

}  // namespace mesosim::live
