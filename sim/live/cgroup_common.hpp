#pragma once

// What the two cgroup back ends share (internal to sim/live/): container name checks and the
// kill-wait-remove sequence of destroy.

#include <string>
#include <vector>

#include "allocator/result.hpp"
#include "sim/live/control_files.hpp"

namespace mesosim::live {

// Sends SIGKILL to every process listed in the cgroup.procs of `dirs` until none lists any (a
// process forking while it is killed is caught on the next round), then removes `dirs` in
// order, retrying while the kernel still reports them busy. Gives up after about five seconds
// with an error naming what is left. A cgroup that does not exist is already destroyed.
Status kill_all_and_remove(CgroupFs& fs, const std::vector<std::string>& dirs);

// Sleeps `millis` milliseconds (a bounded wait inside destroy; never used for timing tasks).
void sleep_millis(int millis);

}  // namespace mesosim::live
