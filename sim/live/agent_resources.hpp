#pragma once

// The resources an agent offers when it is not told (--resources unset), as Mesos's
// Containerizer::resources computes them:
//   cpus  = the online CPUs (sysconf(_SC_NPROCESSORS_ONLN)); 1 if that fails
//   mem   = total memory - 1 GB if total >= 2 GB, else total / 2; in MB, truncated
//   disk  = size of the work dir's file system - 5 GB if it is >= 10 GB, else half; in MB
//   ports = [31000-32000]
// Any of them given explicitly (`given`, e.g. parsed from --resources) is kept as given.

#include <cstdint>
#include <string>

#include "allocator/resources.hpp"
#include "allocator/result.hpp"

namespace mesosim::live {

struct MachineFacts {
  double cpus = 1;
  uint64_t mem_total_bytes = 0;
  uint64_t disk_total_bytes = 0;  // of the file system holding the work dir
};

// Pure: the defaults above for the given facts, added to what `given` lacks.
Resources agent_resources(const MachineFacts& facts, const Resources& given = {});

// Reads the facts from this machine: sysconf, /proc/meminfo's MemTotal, statvfs(work_dir).
Result<MachineFacts> probe_machine(const std::string& work_dir);

}  // namespace mesosim::live
