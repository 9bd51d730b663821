#pragma once

// Values of Mesos's command-line flags, parsed as Mesos parses them, for the live daemons.

#include <string_view>

#include "allocator/result.hpp"
#include "allocator/time.hpp"

namespace mesosim::live {

// A Mesos Duration flag: a non-negative decimal number and a unit, e.g. "1secs", "500ms",
// "0.5secs", "10mins". Units: ns, us, ms, secs, mins, hrs, days, weeks. Rounded to the
// microsecond. Errors quote the text and list the units.
Result<Duration> parse_mesos_duration(std::string_view text);

}  // namespace mesosim::live
