#pragma once

// What a container is given, and the numbers Mesos writes to cgroups for it. Pure functions, so
// the values are tested without a kernel.
//
//   v1 cpu.shares          = max(1024 * cpus, 2)
//   v1 cpu.cfs_period_us   = 100000;  cpu.cfs_quota_us = max(100000 * cpus, 1000)
//   v1 memory.soft_limit_in_bytes = max(mem, 32 MiB);  memory.limit_in_bytes = the same
//   v2 cpu.weight          = max(100 * cpus, 1)
//   v2 cpu.max             = "<max(100000 * cpus, 1000)> 100000"   ("max 100000" without CFS)
//   v2 memory.low          = max(mem, 32 MiB);  memory.max = the same
//   pids.max               = the configured process limit, or "max"
// (Mesos truncates each product to an integer before taking the max; so does mesosim.)

#include <cstdint>
#include <optional>
#include <string>

#include "allocator/resources.hpp"
#include "allocator/scalar.hpp"

namespace mesosim::live {

struct ContainerLimits {
  Scalar cpus;             // the cpus resource of the task (its share and, with CFS, its cap)
  uint64_t mem_bytes = 0;  // the mem resource in bytes (MB * 2^20, as Mesos)
  bool enable_cfs = true;  // cap cpu time at `cpus` (Mesos --cgroups_enable_cfs)
  std::optional<uint64_t> max_processes;  // pids.max; none = "max"

  // cpus and mem of `resources` (all reservations summed).
  static ContainerLimits from_resources(const Resources& resources, bool enable_cfs = true);
};

inline constexpr uint64_t kCfsPeriodUs = 100000;
inline constexpr uint64_t kMinCfsQuotaUs = 1000;
inline constexpr uint64_t kMinCpuShares = 2;
inline constexpr uint64_t kMinCpuWeight = 1;
inline constexpr uint64_t kMinMemoryBytes = 32ull << 20;

uint64_t v1_cpu_shares(Scalar cpus);
uint64_t cfs_quota_us(Scalar cpus);
uint64_t v2_cpu_weight(Scalar cpus);
std::string v2_cpu_max(const ContainerLimits& limits);
uint64_t memory_soft_limit_bytes(uint64_t mem_bytes);
uint64_t memory_hard_limit_bytes(uint64_t mem_bytes);
std::string pids_max(const ContainerLimits& limits);

// Mesos's Bytes printing: the largest unit that divides exactly ("64MB", "1536KB", "100B").
std::string format_bytes(uint64_t bytes);

}  // namespace mesosim::live
