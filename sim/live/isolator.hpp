#pragma once

// Isolator: what confines a container's processes and measures them. One interface, three back
// ends:
//   - cgroups v2 (one unified hierarchy: cpu.weight, cpu.max, memory.low, memory.max, pids.max),
//   - cgroups v1 (one hierarchy per controller: cpu, cpuacct, memory, pids),
//   - posix (no cgroups: processes are tracked by their process group; no limits, no OOM).
// Each cgroup back end keeps one cgroup per container at <hierarchy>/<root>/<container>, where
// <root> ("mesosim" by default) holds nothing but mesosim's containers, so anything else there
// is an orphan. The values written are Mesos's (see sim/live/README.md and limits.hpp).
//
// Contract for the launcher: prepare() before the process exists; then the child joins the
// container before it execs, by writing its own pid to each of open_attach_files() (so neither
// it nor anything it forks runs outside the cgroup), or, where that list is empty (posix), the
// launcher calls attach() once the child has started; destroy() once the container is over. Every
// method returns an error value naming the file it failed on; none throws. An isolator is used from
// one thread.

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "allocator/result.hpp"
#include "sim/live/control_files.hpp"
#include "sim/live/limits.hpp"

namespace mesosim::live {

// Mesos's ResourceStatistics fields that an isolator can fill. Fields a back end cannot measure
// stay 0 (posix fills the cpu times, `mem_rss_bytes` and `processes`).
struct ResourceStatistics {
  double cpus_user_time_secs = 0;
  double cpus_system_time_secs = 0;
  double cpus_limit = 0;  // cpus the container was given (its share)
  uint64_t cpus_nr_periods = 0;
  uint64_t cpus_nr_throttled = 0;
  double cpus_throttled_time_secs = 0;
  uint64_t mem_total_bytes = 0;  // usage as the kernel charges it (rss + cache)
  uint64_t mem_rss_bytes = 0;    // anonymous memory
  uint64_t mem_cache_bytes = 0;  // page cache
  uint64_t mem_limit_bytes = 0;  // the hard limit
  uint64_t mem_soft_limit_bytes = 0;
  uint64_t processes = 0;
};

class Isolator {
 public:
  virtual ~Isolator() = default;

  // "cgroups/v2", "cgroups/v1" or "posix".
  virtual std::string_view name() const = 0;
  // Whether OOM kills are detected and limits enforced (false for posix).
  virtual bool enforces_limits() const = 0;

  // Creates the container's cgroup(s) and writes `limits`. Fails if the container exists; on
  // failure nothing is left behind.
  virtual Status prepare(const std::string& container, const ContainerLimits& limits) = 0;
  // Moves `pid` into the container. Idempotent (recovery attaches an adopted process again).
  virtual Status attach(const std::string& container, pid_t pid) = 0;
  // The files a new process joins the container through by writing its own pid (in decimal) to
  // each, in order: the container's cgroup.procs in every hierarchy, opened write-only and
  // close-on-exec. The caller owns the fds. The launcher's child writes them itself between
  // clone and exec (an async-signal-safe write(2) each), so the parent, which a vfork-style
  // clone suspends until the exec, needs no hold on the child. Empty: nothing confines the
  // process before exec, and attach() after the start records it (posix).
  virtual Result<std::vector<int>> open_attach_files(const std::string& container) = 0;
  // Every process in the container now.
  virtual Result<std::vector<pid_t>> pids(const std::string& container) const = 0;
  virtual Result<ResourceStatistics> usage(const std::string& container) const = 0;
  // Whether the kernel OOM killer has acted in the container since prepare(). When true,
  // `oom_message` says so in Mesos's words ("Memory limit exceeded: Requested: ...").
  virtual Result<bool> oom_killed(const std::string& container) const = 0;
  virtual std::string oom_message(const std::string& container) const = 0;
  // A non-blocking fd that becomes readable when the kernel reports a memory event in the
  // container (v1: an eventfd registered with memory.oom_control through cgroup.event_control;
  // v2: an inotify watch on memory.events, which changes on every event it counts), so that an
  // event loop can watch it and oom_killed() need not be polled. Once it is readable, call
  // take_oom_notification(), then oom_killed() unless that said OOM. Registered once per
  // container (prepare() registers it, so no OOM between the task's start and the loop's watch
  // is missed; adopted containers register on first call), owned by the isolator and closed by
  // destroy(). An error means the container cannot be watched so: poll oom_killed() instead.
  virtual Result<int> oom_notification(const std::string& container) {
    return Error{std::string(name()) + " has no OOM notification for container '" + container +
                 "'"};
  }
  // Reads the container's notification fd empty (so it is readable again only on a new event)
  // and says whether what it read proves an OOM by itself. v1 signals its eventfd as the OOM
  // begins, before the kill shows in memory.oom_control's counters, so the signal is the proof
  // (as for Mesos); v2 changes memory.events after its counters, which oom_killed() then reads.
  virtual bool take_oom_notification(const std::string& container) { return false; }
  // The usage of each of `containers`, in their order (an error for one that is unknown). A back
  // end that must list every process on the machine to find a container's (posix) lists them
  // once for all of them, so a round of reports costs per container, not per container times
  // processes on the machine.
  virtual std::vector<Result<ResourceStatistics>> usage_of_each(
      const std::vector<std::string>& containers) const {
    std::vector<Result<ResourceStatistics>> out;
    out.reserve(containers.size());
    for (const std::string& c : containers) out.push_back(usage(c));
    return out;
  }
  // Kills every process in the container with SIGKILL, waits (up to a few seconds) until none is
  // left, and removes the cgroup(s). Succeeds if the container does not exist.
  virtual Status destroy(const std::string& container) = 0;
  // destroy() for each of `containers`; the errors of those that failed. As with usage_of_each,
  // posix lists the machine's processes once per round for all of them, not once per container.
  virtual std::vector<Error> destroy_each(const std::vector<std::string>& containers) {
    std::vector<Error> errors;
    for (const std::string& c : containers) {
      if (Status s = destroy(c); !s) errors.push_back(s.error());
    }
    return errors;
  }
  // Whether destroy_each() of many containers costs about what destroy() of one does (posix:
  // one listing of the machine's processes per round), so that a caller gains by gathering the
  // containers it destroys (Containerizer: ContainerizerOptions::finish_delay).
  virtual bool destroys_in_batches() const { return false; }
  // The containers that exist under the root now (recovery destroys those it has no record of).
  virtual Result<std::vector<std::string>> containers() const = 0;
  // Where the container lives, for checkpoints and logs (the memory cgroup for v1, "" for posix).
  virtual std::string cgroup_path(const std::string& container) const = 0;
};

// The hierarchies a cgroup back end works on, and where under them its containers go.
struct CgroupsV1Layout {
  std::string mount_root = "/sys/fs/cgroup";  // holds cpu/, cpuacct/, memory/, pids/
  std::string root = "mesosim";               // relative to each controller's hierarchy
};
struct CgroupsV2Layout {
  std::string mount = "/sys/fs/cgroup";  // the unified hierarchy's mount point
  std::string root = "mesosim";
};

// `fs` is the real file system unless a test passes a fake tree.
std::unique_ptr<Isolator> make_cgroups_v1_isolator(
    CgroupsV1Layout layout, std::shared_ptr<CgroupFs> fs = std::make_shared<CgroupFs>());
std::unique_ptr<Isolator> make_cgroups_v2_isolator(
    CgroupsV2Layout layout, std::shared_ptr<CgroupFs> fs = std::make_shared<CgroupFs>());
std::unique_ptr<Isolator> make_posix_isolator();

// A container name must be usable as one path component: [A-Za-z0-9._-]+, not "." or "..".
Status validate_container_name(std::string_view container);

}  // namespace mesosim::live
