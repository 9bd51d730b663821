#pragma once

// Which isolation an agent can use on this machine, decided once at start:
//   1. cgroups v2, if a unified hierarchy (at <mount_root> itself, or at <mount_root>/unified on
//      a hybrid system) offers the cpu, memory and pids controllers in cgroup.controllers and is
//      writable;
//   2. else cgroups v1, if <mount_root>/{cpu,cpuacct,memory,pids} are all cgroup hierarchies
//      (they hold cgroup.procs) and writable;
//   3. else posix: no cgroups, no limits, no OOM detection.
// The result carries a sentence saying which and why, for the agent's log and /state.

#include <memory>
#include <string>

#include "allocator/result.hpp"
#include "sim/live/isolator.hpp"

namespace mesosim::live {

enum class IsolationKind { kCgroupsV2, kCgroupsV1, kPosix };

struct IsolationDetection {
  IsolationKind kind = IsolationKind::kPosix;
  std::string hierarchy;    // the v2 mount, or the v1 mount root; "" for posix
  std::string explanation;  // "cgroups v1 under /sys/fs/cgroup: ...", a full sentence
};

IsolationDetection detect_isolation(const std::string& mount_root = "/sys/fs/cgroup");

// "auto" (detect), "cgroups/v2", "cgroups/v1" or "posix" (Mesos's --isolation, reduced to what
// mesosim has). Asking for a kind the machine cannot give is an error that says why.
Result<IsolationDetection> choose_isolation(std::string_view requested,
                                            const std::string& mount_root = "/sys/fs/cgroup");

// The isolator for a detection, with containers under `root` in its hierarchy.
std::unique_ptr<Isolator> make_isolator(const IsolationDetection& detection,
                                        const std::string& root = "mesosim");

}  // namespace mesosim::live
