#include "sim/live/limits.hpp"

#include <algorithm>

namespace mesosim::live {

ContainerLimits ContainerLimits::from_resources(const Resources& resources, bool enable_cfs) {
  ContainerLimits limits;
  limits.cpus = resources.get(ResourceName::cpus());
  // mem is in MB with three decimals: milli-MB * 2^20 / 1000 bytes, truncated as Mesos does.
  int64_t milli_mb = resources.get(ResourceName::mem()).milli();
  limits.mem_bytes = static_cast<uint64_t>(milli_mb) * (1ull << 20) / 1000;
  limits.enable_cfs = enable_cfs;
  return limits;
}

// Products are taken on milli-cpus so that 0.1 cpus gives exactly 102 shares, not 102.39...
uint64_t v1_cpu_shares(Scalar cpus) {
  return std::max<uint64_t>(static_cast<uint64_t>(cpus.milli()) * 1024 / 1000, kMinCpuShares);
}

uint64_t cfs_quota_us(Scalar cpus) {
  return std::max<uint64_t>(static_cast<uint64_t>(cpus.milli()) * kCfsPeriodUs / 1000,
                            kMinCfsQuotaUs);
}

uint64_t v2_cpu_weight(Scalar cpus) {
  return std::max<uint64_t>(static_cast<uint64_t>(cpus.milli()) * 100 / 1000, kMinCpuWeight);
}

std::string v2_cpu_max(const ContainerLimits& limits) {
  std::string period = std::to_string(kCfsPeriodUs);
  if (!limits.enable_cfs) return "max " + period;
  return std::to_string(cfs_quota_us(limits.cpus)) + " " + period;
}

uint64_t memory_soft_limit_bytes(uint64_t mem_bytes) {
  return std::max(mem_bytes, kMinMemoryBytes);
}

uint64_t memory_hard_limit_bytes(uint64_t mem_bytes) {
  return std::max(mem_bytes, kMinMemoryBytes);
}

std::string pids_max(const ContainerLimits& limits) {
  return limits.max_processes ? std::to_string(*limits.max_processes) : "max";
}

std::string format_bytes(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KB", "MB", "GB", "TB"};
  int unit = 0;
  while (unit < 4 && bytes != 0 && bytes % 1024 == 0) {
    bytes /= 1024;
    ++unit;
  }
  return std::to_string(bytes) + kUnits[unit];
}

}  // namespace mesosim::live
