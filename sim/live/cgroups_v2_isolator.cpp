// The cgroups v2 back end: one unified hierarchy. The root (<mount>/<root>) delegates the cpu,
// memory and pids controllers to its children through cgroup.subtree_control, which the mount
// point must delegate to it first; each container is a leaf under the root.

#include <unistd.h>

#include <memory>
#include <string>

#include "sim/live/cgroup_common.hpp"
#include "sim/live/control_files.hpp"
#include "sim/live/isolator.hpp"
#include "sim/live/limits.hpp"

namespace mesosim::live {
namespace {

constexpr const char* kSubtreeControllers = "+cpu +memory +pids";

class CgroupsV2Isolator final : public Isolator {
 public:
  CgroupsV2Isolator(CgroupsV2Layout layout, std::shared_ptr<CgroupFs> fs)
      : layout_(std::move(layout)), fs_(std::move(fs)) {}

  std::string_view name() const override { return "cgroups/v2"; }
  bool enforces_limits() const override { return true; }

  Status prepare(const std::string& container, const ContainerLimits& limits) override {
    if (Status s = validate_container_name(container); !s) return s;
    if (fs_->exists(dir(container))) {
      return Error{"container '" + container + "' already exists at " + dir(container)};
    }
    if (Status s = prepare_root(); !s) return s;
    if (Status s = fs_->mkdir(dir(container)); !s) return s;
    Status s = write_limits(dir(container), limits);
    if (!s) {
      (void)destroy(container);
      return s;
    }
    // Before any process runs in it; a failure here is the caller's to see on its own call.
    (void)oom_notification(container);
    return s;
  }

  Status attach(const std::string& container, pid_t pid) override {
    if (Status s = validate_container_name(container); !s) return s;
    return fs_->write(dir(container) + "/cgroup.procs", std::to_string(pid));
  }

  Result<std::vector<int>> open_attach_files(const std::string& container) override {
    if (Status s = validate_container_name(container); !s) return s.error();
    Result<int> fd = fs_->open_for_writing(dir(container) + "/cgroup.procs");
    if (!fd) return fd.error();
    return std::vector<int>{fd.value()};
  }

  Result<std::vector<pid_t>> pids(const std::string& container) const override {
    Result<std::string> text = fs_->read(dir(container) + "/cgroup.procs");
    if (!text) return text.error();
    std::vector<int> list = parse_pids(text.value());
    return std::vector<pid_t>(list.begin(), list.end());
  }

  Result<ResourceStatistics> usage(const std::string& container) const override;

  Result<bool> oom_killed(const std::string& container) const override {
    const std::string path = dir(container) + "/memory.events";
    Result<std::string> text = fs_->read(path);
    if (!text) return text.error();
    Result<uint64_t> oom = parse_keyed(text.value(), "oom", path);
    Result<uint64_t> kills = parse_keyed(text.value(), "oom_kill", path);
    if (!oom && !kills) return oom.error();
    return (oom && oom.value() > 0) || (kills && kills.value() > 0);
  }

  std::string oom_message(const std::string& container) const override {
    const std::string base = dir(container);
    std::string message = "Memory limit exceeded: ";
    if (Result<std::string> t = fs_->read(base + "/memory.max")) {
      if (Result<uint64_t> v = parse_u64(t.value(), base + "/memory.max")) {
        message += "Requested: " + format_bytes(v.value()) + " ";
      }
    }
    if (Result<std::string> t = fs_->read(base + "/memory.peak")) {
      if (Result<uint64_t> v = parse_u64(t.value(), base + "/memory.peak")) {
        message += "Maximum Used: " + format_bytes(v.value());
      }
    }
    return message;
  }

  Status destroy(const std::string& container) override {
    if (Status s = validate_container_name(container); !s) return s;
    const std::string base = dir(container);
    // cgroup.kill (Linux 5.14+) kills the whole subtree at once, forks included.
    if (fs_->exists(base + "/cgroup.kill")) (void)fs_->write(base + "/cgroup.kill", "1");
    Status removed = kill_all_and_remove(*fs_, {base});
    oom_fds_.close(container);
    return removed;
  }

  // Any memory event (high, max, oom, ...) modifies memory.events: the counters say which.
  bool take_oom_notification(const std::string& container) override {
    (void)oom_fds_.read_empty(container);
    return false;
  }

  Result<int> oom_notification(const std::string& container) override {
    if (Status s = validate_container_name(container); !s) return s.error();
    return oom_fds_.get(
        container, [&] { return open_memory_events_watch(dir(container) + "/memory.events"); });
  }

  Result<std::vector<std::string>> containers() const override {
    if (!fs_->exists(root())) return std::vector<std::string>{};
    return fs_->subdirectories(root());
  }

  std::string cgroup_path(const std::string& container) const override { return dir(container); }

 private:
  std::string root() const { return layout_.mount + "/" + layout_.root; }
  std::string dir(const std::string& container) const { return root() + "/" + container; }

  // Enables the controllers for the root's children: first in the mount's subtree_control (so
  // the root has them), then in the root's own. Writing a controller already enabled is a no-op.
  Status prepare_root() {
    if (Status s = fs_->mkdir(root()); !s) return s;
    if (Status s = fs_->write(layout_.mount + "/cgroup.subtree_control", kSubtreeControllers); !s) {
      return s;
    }
    return fs_->write(root() + "/cgroup.subtree_control", kSubtreeControllers);
  }

  Status write_limits(const std::string& base, const ContainerLimits& limits) {
    const std::pair<const char*, std::string> values[] = {
        {"/cpu.weight", std::to_string(v2_cpu_weight(limits.cpus))},
        {"/cpu.max", v2_cpu_max(limits)},
        {"/memory.low", std::to_string(memory_soft_limit_bytes(limits.mem_bytes))},
        {"/memory.max", std::to_string(memory_hard_limit_bytes(limits.mem_bytes))},
        {"/pids.max", pids_max(limits)},
    };
    for (const auto& [file, value] : values) {
      if (Status s = fs_->write(base + file, value); !s) return s;
    }
    return Status::success();
  }

  CgroupsV2Layout layout_;
  std::shared_ptr<CgroupFs> fs_;
  OomNotifications oom_fds_;
};

Result<ResourceStatistics> CgroupsV2Isolator::usage(const std::string& container) const {
  ResourceStatistics stats;
  const std::string base = dir(container);
  const std::string cpu_stat = base + "/cpu.stat";
  Result<std::string> cpu = fs_->read(cpu_stat);
  if (!cpu) return cpu.error();
  Result<uint64_t> user = parse_keyed(cpu.value(), "user_usec", cpu_stat);
  Result<uint64_t> system = parse_keyed(cpu.value(), "system_usec", cpu_stat);
  if (!user) return user.error();
  if (!system) return system.error();
  stats.cpus_user_time_secs = static_cast<double>(user.value()) / 1e6;
  stats.cpus_system_time_secs = static_cast<double>(system.value()) / 1e6;
  if (Result<uint64_t> v = parse_keyed(cpu.value(), "nr_periods", cpu_stat)) {
    stats.cpus_nr_periods = v.value();
  }
  if (Result<uint64_t> v = parse_keyed(cpu.value(), "nr_throttled", cpu_stat)) {
    stats.cpus_nr_throttled = v.value();
  }
  if (Result<uint64_t> v = parse_keyed(cpu.value(), "throttled_usec", cpu_stat)) {
    stats.cpus_throttled_time_secs = static_cast<double>(v.value()) / 1e6;
  }
  if (Result<std::string> t = fs_->read(base + "/cpu.weight")) {
    if (Result<uint64_t> v = parse_u64(t.value(), base + "/cpu.weight")) {
      stats.cpus_limit = static_cast<double>(v.value()) / 100.0;
    }
  }

  const std::string current = base + "/memory.current";
  Result<std::string> cur = fs_->read(current);
  if (!cur) return cur.error();
  Result<uint64_t> total = parse_u64(cur.value(), current);
  if (!total) return total.error();
  stats.mem_total_bytes = total.value();
  // memory.max and memory.low may read "max"; then there is no limit to report (0).
  if (Result<std::string> t = fs_->read(base + "/memory.max")) {
    if (Result<uint64_t> v = parse_u64(t.value(), base)) stats.mem_limit_bytes = v.value();
  }
  if (Result<std::string> t = fs_->read(base + "/memory.low")) {
    if (Result<uint64_t> v = parse_u64(t.value(), base)) stats.mem_soft_limit_bytes = v.value();
  }
  const std::string stat = base + "/memory.stat";
  if (Result<std::string> t = fs_->read(stat)) {
    if (Result<uint64_t> v = parse_keyed(t.value(), "anon", stat)) stats.mem_rss_bytes = v.value();
    if (Result<uint64_t> v = parse_keyed(t.value(), "file", stat)) {
      stats.mem_cache_bytes = v.value();
    }
  }
  Result<std::vector<pid_t>> procs = pids(container);
  if (!procs) return procs.error();
  stats.processes = procs.value().size();
  return stats;
}

}  // namespace

std::unique_ptr<Isolator> make_cgroups_v2_isolator(CgroupsV2Layout layout,
                                                   std::shared_ptr<CgroupFs> fs) {
  return std::make_unique<CgroupsV2Isolator>(std::move(layout), std::move(fs));
}

}  // namespace mesosim::live
