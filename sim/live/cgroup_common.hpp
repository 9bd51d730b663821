#pragma once

// What the two cgroup back ends share (internal to sim/live/): container name checks, the
// kill-wait-remove sequence of destroy, and the OOM notification fds they hand out.

#include <functional>
#include <map>
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

// The OOM notification fd of each container (Isolator::oom_notification), registered once and
// closed when the container is destroyed or the isolator goes away.
class OomNotifications {
 public:
  OomNotifications() = default;
  OomNotifications(const OomNotifications&) = delete;
  OomNotifications& operator=(const OomNotifications&) = delete;
  ~OomNotifications();

  // The container's fd; `open` makes one if it has none (an error is not remembered: the next
  // call tries again).
  Result<int> get(const std::string& container, const std::function<Result<int>()>& open);
  void close(const std::string& container);
  // Reads the container's fd (non-blocking) until it has nothing more; whether it had anything.
  bool read_empty(const std::string& container);

 private:
  std::map<std::string, int> fds_;
};

// cgroups v1: a non-blocking eventfd signalled on each OOM in the memory cgroup `memory_dir`,
// registered by writing "<eventfd> <fd of memory.oom_control>" to its cgroup.event_control.
Result<int> open_v1_oom_eventfd(CgroupFs& fs, const std::string& memory_dir);
// cgroups v2: a non-blocking inotify fd with one IN_MODIFY watch on `memory_events`.
Result<int> open_memory_events_watch(const std::string& memory_events);

}  // namespace mesosim::live
