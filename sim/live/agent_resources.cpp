#include "sim/live/agent_resources.hpp"

#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sim/live/control_files.hpp"

namespace mesosim::live {
namespace {

constexpr uint64_t kMB = 1ull << 20;
constexpr uint64_t kGB = 1ull << 30;

bool has(const Resources& r, ResourceName name) {
  for (const auto& e : r.scalar_entries()) {
    if (e.key.name == name) return true;
  }
  for (const auto& e : r.range_entries()) {
    if (e.key.name == name) return true;
  }
  return false;
}

}  // namespace

Resources agent_resources(const MachineFacts& facts, const Resources& given) {
  Resources out = given;
  if (!has(given, ResourceName::cpus())) {
    out += Resources::scalar(ResourceName::cpus(), Scalar::from_double(facts.cpus));
  }
  if (!has(given, ResourceName::mem())) {
    uint64_t total = facts.mem_total_bytes;
    uint64_t mem = total >= 2 * kGB ? total - kGB : total / 2;
    out +=
        Resources::scalar(ResourceName::mem(), Scalar::from_units(static_cast<int64_t>(mem / kMB)));
  }
  if (!has(given, ResourceName::disk())) {
    uint64_t total = facts.disk_total_bytes;
    uint64_t disk = total >= 10 * kGB ? total - 5 * kGB : total / 2;
    out += Resources::scalar(ResourceName::disk(),
                             Scalar::from_units(static_cast<int64_t>(disk / kMB)));
  }
  if (!has(given, ResourceName::ports())) {
    out += Resources::ranges(ResourceName::ports(), RangeSet({{31000, 32000}}));
  }
  return out;
}

Result<MachineFacts> probe_machine(const std::string& work_dir) {
  MachineFacts facts;
  long cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
  facts.cpus = cpus > 0 ? static_cast<double>(cpus) : 1.0;

  Result<std::string> meminfo = read_file("/proc/meminfo");
  if (!meminfo) return meminfo.error();
  Result<uint64_t> kb = parse_keyed(meminfo.value(), "MemTotal:", "/proc/meminfo");
  if (!kb) return kb.error();
  facts.mem_total_bytes = kb.value() * 1024;

  struct statvfs fs;
  if (::statvfs(work_dir.c_str(), &fs) != 0) {
    return Error{"cannot measure the file system of " + work_dir + ": " + std::strerror(errno)};
  }
  facts.disk_total_bytes = static_cast<uint64_t>(fs.f_blocks) * fs.f_frsize;
  return facts;
}

}  // namespace mesosim::live
