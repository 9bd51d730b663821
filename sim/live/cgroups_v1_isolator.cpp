// The cgroups v1 back end: one hierarchy per controller (cpu, cpuacct, memory, pids), the
// container's cgroup created in each. The memory hierarchy is the reference one: its
// cgroup.procs is what destroy empties and what pids() reports.

#include <unistd.h>

#include <array>
#include <memory>
#include <set>
#include <string>

#include "sim/live/cgroup_common.hpp"
#include "sim/live/control_files.hpp"
#include "sim/live/isolator.hpp"
#include "sim/live/limits.hpp"

namespace mesosim::live {
namespace {

constexpr std::array<const char*, 4> kControllers = {"cpu", "cpuacct", "memory", "pids"};

class CgroupsV1Isolator final : public Isolator {
 public:
  CgroupsV1Isolator(CgroupsV1Layout layout, std::shared_ptr<CgroupFs> fs)
      : layout_(std::move(layout)), fs_(std::move(fs)) {}

  std::string_view name() const override { return "cgroups/v1"; }
  bool enforces_limits() const override { return true; }

  Status prepare(const std::string& container, const ContainerLimits& limits) override {
    if (Status s = validate_container_name(container); !s) return s;
    if (fs_->exists(dir("memory", container))) {
      return Error{"container '" + container + "' already exists at " + dir("memory", container)};
    }
    Status s = make_and_limit(container, limits);
    if (!s) {
      (void)destroy(container);
      return s;
    }
    // Before any process runs in it; a failure here is the caller's to see on its own call.
    (void)oom_notification(container);
    return s;
  }

  Status make_and_limit(const std::string& container, const ContainerLimits& limits) {
    for (const char* controller : kControllers) {
      if (Status s = fs_->mkdir(dir(controller, container)); !s) return s;
    }
    const std::string cpu = dir("cpu", container);
    const std::string mem = dir("memory", container);
    if (Status s = fs_->write(cpu + "/cpu.shares", std::to_string(v1_cpu_shares(limits.cpus)));
        !s) {
      return s;
    }
    if (limits.enable_cfs) {
      if (Status s = fs_->write(cpu + "/cpu.cfs_period_us", std::to_string(kCfsPeriodUs)); !s) {
        return s;
      }
      if (Status s =
              fs_->write(cpu + "/cpu.cfs_quota_us", std::to_string(cfs_quota_us(limits.cpus)));
          !s) {
        return s;
      }
    }
    if (Status s = fs_->write(mem + "/memory.soft_limit_in_bytes",
                              std::to_string(memory_soft_limit_bytes(limits.mem_bytes)));
        !s) {
      return s;
    }
    if (Status s = fs_->write(mem + "/memory.limit_in_bytes",
                              std::to_string(memory_hard_limit_bytes(limits.mem_bytes)));
        !s) {
      return s;
    }
    return fs_->write(dir("pids", container) + "/pids.max", pids_max(limits));
  }

  Status attach(const std::string& container, pid_t pid) override {
    if (Status s = validate_container_name(container); !s) return s;
    for (const char* controller : kControllers) {
      Status s = fs_->write(dir(controller, container) + "/cgroup.procs", std::to_string(pid));
      if (!s) return s;
    }
    return Status::success();
  }

  Result<std::vector<int>> open_attach_files(const std::string& container) override {
    if (Status s = validate_container_name(container); !s) return s.error();
    std::vector<int> fds;
    for (const char* controller : kControllers) {
      Result<int> fd = fs_->open_for_writing(dir(controller, container) + "/cgroup.procs");
      if (!fd) {
        for (int open : fds) ::close(open);
        return fd.error();
      }
      fds.push_back(fd.value());
    }
    return fds;
  }

  Result<std::vector<pid_t>> pids(const std::string& container) const override {
    Result<std::string> text = fs_->read(dir("memory", container) + "/cgroup.procs");
    if (!text) return text.error();
    std::vector<int> list = parse_pids(text.value());
    return std::vector<pid_t>(list.begin(), list.end());
  }

  Result<ResourceStatistics> usage(const std::string& container) const override;

  Result<bool> oom_killed(const std::string& container) const override {
    std::string path = dir("memory", container) + "/memory.oom_control";
    Result<std::string> text = fs_->read(path);
    if (!text) return text.error();
    // oom_kill (Linux 4.13+) counts kills; under_oom is set while the cgroup is out of memory
    // and the killer has yet to free it.
    Result<uint64_t> kills = parse_keyed(text.value(), "oom_kill", path);
    Result<uint64_t> under = parse_keyed(text.value(), "under_oom", path);
    if (!kills && !under) return kills.error();
    return (kills && kills.value() > 0) || (under && under.value() > 0);
  }

  std::string oom_message(const std::string& container) const override {
    const std::string mem = dir("memory", container);
    std::string message = "Memory limit exceeded: ";
    if (Result<std::string> t = fs_->read(mem + "/memory.limit_in_bytes")) {
      if (Result<uint64_t> v = parse_u64(t.value(), mem)) {
        message += "Requested: " + format_bytes(v.value()) + " ";
      }
    }
    if (Result<std::string> t = fs_->read(mem + "/memory.max_usage_in_bytes")) {
      if (Result<uint64_t> v = parse_u64(t.value(), mem)) {
        message += "Maximum Used: " + format_bytes(v.value());
      }
    }
    return message;
  }

  Result<int> oom_notification(const std::string& container) override {
    if (Status s = validate_container_name(container); !s) return s.error();
    return oom_fds_.get(container,
                        [&] { return open_v1_oom_eventfd(*fs_, dir("memory", container)); });
  }

  // The eventfd is signalled on an OOM in the cgroup (and as the cgroup is removed, by which
  // time the container is no longer asked about).
  bool take_oom_notification(const std::string& container) override {
    return oom_fds_.read_empty(container);
  }

  Status destroy(const std::string& container) override {
    if (Status s = validate_container_name(container); !s) return s;
    std::vector<std::string> dirs;
    for (const char* controller : kControllers) dirs.push_back(dir(controller, container));
    Status removed = kill_all_and_remove(*fs_, dirs);
    oom_fds_.close(container);
    return removed;
  }

  // The union over the controllers: an agent that died half-way through prepare() may have
  // left a container in some hierarchies only.
  Result<std::vector<std::string>> containers() const override {
    std::set<std::string> names;
    for (const char* controller : kControllers) {
      std::string root = layout_.mount_root + "/" + controller + "/" + layout_.root;
      if (!fs_->exists(root)) continue;
      Result<std::vector<std::string>> subdirs = fs_->subdirectories(root);
      if (!subdirs) return subdirs.error();
      names.insert(subdirs.value().begin(), subdirs.value().end());
    }
    return std::vector<std::string>(names.begin(), names.end());
  }

  std::string cgroup_path(const std::string& container) const override {
    return dir("memory", container);
  }

 private:
  std::string dir(const char* controller, const std::string& container) const {
    return layout_.mount_root + "/" + controller + "/" + layout_.root + "/" + container;
  }

  CgroupsV1Layout layout_;
  std::shared_ptr<CgroupFs> fs_;
  OomNotifications oom_fds_;
};

Result<ResourceStatistics> CgroupsV1Isolator::usage(const std::string& container) const {
  ResourceStatistics stats;
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  const std::string cpuacct = dir("cpuacct", container) + "/cpuacct.stat";
  const std::string cpu_stat = dir("cpu", container) + "/cpu.stat";
  const std::string shares = dir("cpu", container) + "/cpu.shares";
  const std::string mem = dir("memory", container);

  Result<std::string> acct = fs_->read(cpuacct);
  if (!acct) return acct.error();
  Result<uint64_t> user = parse_keyed(acct.value(), "user", cpuacct);
  Result<uint64_t> system = parse_keyed(acct.value(), "system", cpuacct);
  if (!user) return user.error();
  if (!system) return system.error();
  stats.cpus_user_time_secs = static_cast<double>(user.value()) / ticks;
  stats.cpus_system_time_secs = static_cast<double>(system.value()) / ticks;

  if (Result<std::string> t = fs_->read(shares)) {
    if (Result<uint64_t> v = parse_u64(t.value(), shares)) {
      stats.cpus_limit = static_cast<double>(v.value()) / 1024.0;
    }
  }
  Result<std::string> throttling = fs_->read(cpu_stat);
  if (!throttling) return throttling.error();
  if (Result<uint64_t> v = parse_keyed(throttling.value(), "nr_periods", cpu_stat)) {
    stats.cpus_nr_periods = v.value();
  }
  if (Result<uint64_t> v = parse_keyed(throttling.value(), "nr_throttled", cpu_stat)) {
    stats.cpus_nr_throttled = v.value();
  }
  if (Result<uint64_t> v = parse_keyed(throttling.value(), "throttled_time", cpu_stat)) {
    stats.cpus_throttled_time_secs = static_cast<double>(v.value()) / 1e9;
  }

  const std::pair<const char*, uint64_t*> files[] = {
      {"/memory.usage_in_bytes", &stats.mem_total_bytes},
      {"/memory.limit_in_bytes", &stats.mem_limit_bytes},
      {"/memory.soft_limit_in_bytes", &stats.mem_soft_limit_bytes},
  };
  for (const auto& [file, field] : files) {
    Result<std::string> t = fs_->read(mem + file);
    if (!t) return t.error();
    Result<uint64_t> v = parse_u64(t.value(), mem + file);
    if (!v) return v.error();
    *field = v.value();
  }
  const std::string stat = mem + "/memory.stat";
  Result<std::string> memory_stat = fs_->read(stat);
  if (!memory_stat) return memory_stat.error();
  if (Result<uint64_t> v = parse_keyed(memory_stat.value(), "total_rss", stat)) {
    stats.mem_rss_bytes = v.value();
  }
  if (Result<uint64_t> v = parse_keyed(memory_stat.value(), "total_cache", stat)) {
    stats.mem_cache_bytes = v.value();
  }
  Result<std::vector<pid_t>> procs = pids(container);
  if (!procs) return procs.error();
  stats.processes = procs.value().size();
  return stats;
}

}  // namespace

std::unique_ptr<Isolator> make_cgroups_v1_isolator(CgroupsV1Layout layout,
                                                   std::shared_ptr<CgroupFs> fs) {
  return std::make_unique<CgroupsV1Isolator>(std::move(layout), std::move(fs));
}

}  // namespace mesosim::live
