// The posix back end: no cgroups. A container is the session its launcher created (the task
// runs as a session leader), so its processes are those whose session id is the leader's pid.
// A process that starts a new session of its own escapes it; nothing is limited. Usage is what
// /proc/<pid>/stat says of the session's processes, as Mesos's posix/cpu and posix/mem isolators
// sum it over the executor's process tree: user and system cpu time (with that of their children
// that ended and were waited for, so a task that runs short-lived commands keeps the time they
// used) and resident memory.

#include <signal.h>
#include <unistd.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/live/cgroup_common.hpp"
#include "sim/live/isolator.hpp"
#include "sim/live/proc_stat.hpp"

namespace mesosim::live {
namespace {

// Session id -> its processes, zombies included, from one listing of /proc.
using SessionMap = std::unordered_map<pid_t, std::vector<ProcStat>>;

// The processes of the sessions `leaders` lead: one listing of /proc, in which only their
// members' stat files are read (getsid(2) sorts out the rest of the machine's processes).
SessionMap sessions(const std::vector<pid_t>& leaders) {
  SessionMap out;
  for (const ProcStat& st : list_session_members(leaders)) out[st.session].push_back(st);
  return out;
}

const std::vector<ProcStat>& processes_of(const SessionMap& all, pid_t leader) {
  static const std::vector<ProcStat> kNone;
  auto it = all.find(leader);
  return it == all.end() ? kNone : it->second;
}

// The live (not zombie) members: what is counted and killed. A zombie is over, and cannot be
// killed.
std::vector<pid_t> members(const SessionMap& all, pid_t leader) {
  std::vector<pid_t> out;
  for (const ProcStat& st : processes_of(all, leader)) {
    if (st.state != 'Z') out.push_back(st.pid);
  }
  return out;
}

// A zombie's cpu time counts until its parent reaps it and it moves into the parent's cutime and
// cstime, so the sum does not dip in between.
ResourceStatistics session_usage(const std::vector<ProcStat>& processes) {
  static const double kTicksPerSecond = static_cast<double>(::sysconf(_SC_CLK_TCK));
  static const uint64_t kPageBytes = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  uint64_t user = 0;
  uint64_t system = 0;
  ResourceStatistics stats;
  for (const ProcStat& st : processes) {
    user += st.utime_ticks + st.cutime_ticks;
    system += st.stime_ticks + st.cstime_ticks;
    if (st.state == 'Z') continue;
    stats.mem_rss_bytes += st.rss_pages * kPageBytes;
    ++stats.processes;
  }
  stats.cpus_user_time_secs = static_cast<double>(user) / kTicksPerSecond;
  stats.cpus_system_time_secs = static_cast<double>(system) / kTicksPerSecond;
  return stats;
}

class PosixIsolator final : public Isolator {
 public:
  std::string_view name() const override { return "posix"; }
  bool enforces_limits() const override { return false; }

  Status prepare(const std::string& container, const ContainerLimits&) override {
    if (Status s = validate_container_name(container); !s) return s;
    if (!leaders_.emplace(container, 0).second) {
      return Error{"container '" + container + "' already exists"};
    }
    return Status::success();
  }

  Status attach(const std::string& container, pid_t pid) override {
    auto it = leaders_.find(container);
    if (it == leaders_.end()) {
      // Recovery attaches containers this (new) isolator has never prepared.
      if (Status s = validate_container_name(container); !s) return s;
      it = leaders_.emplace(container, 0).first;
    }
    it->second = pid;
    return Status::success();
  }

  // The session the child starts before exec is the container; attach() records its leader.
  Result<std::vector<int>> open_attach_files(const std::string&) override {
    return std::vector<int>{};
  }

  Result<std::vector<pid_t>> pids(const std::string& container) const override {
    auto it = leaders_.find(container);
    if (it == leaders_.end()) return Error{"unknown container '" + container + "'"};
    if (it->second == 0) return std::vector<pid_t>{};
    return members(sessions({it->second}), it->second);
  }

  Result<ResourceStatistics> usage(const std::string& container) const override {
    return usage_of_each({container}).front();
  }

  std::vector<Result<ResourceStatistics>> usage_of_each(
      const std::vector<std::string>& containers) const override {
    std::vector<pid_t> leaders;
    for (const std::string& container : containers) {
      auto it = leaders_.find(container);
      if (it != leaders_.end() && it->second != 0) leaders.push_back(it->second);
    }
    const SessionMap all = sessions(leaders);  // no listing if no container has a leader
    std::vector<Result<ResourceStatistics>> out;
    out.reserve(containers.size());
    for (const std::string& container : containers) {
      auto it = leaders_.find(container);
      if (it == leaders_.end()) {
        out.emplace_back(Error{"unknown container '" + container + "'"});
        continue;
      }
      ResourceStatistics stats;
      if (it->second != 0) stats = session_usage(processes_of(all, it->second));
      out.emplace_back(stats);
    }
    return out;
  }

  bool destroys_in_batches() const override { return true; }

  Result<bool> oom_killed(const std::string&) const override { return false; }
  std::string oom_message(const std::string&) const override { return ""; }

  Status destroy(const std::string& container) override {
    std::vector<Error> errors = destroy_each({container});
    if (!errors.empty()) return errors.front();
    return Status::success();
  }

  // Each round lists the machine's processes once for every container still being destroyed,
  // SIGKILLs their members, and forgets the containers whose sessions are empty.
  std::vector<Error> destroy_each(const std::vector<std::string>& containers) override {
    std::vector<std::string> left;
    for (const std::string& c : containers) {
      if (leaders_.count(c) > 0) left.push_back(c);
    }
    for (int round = 0; round < 5000 && !left.empty(); ++round) {
      if (round > 0) sleep_millis(1);
      std::vector<pid_t> leaders;
      for (const std::string& c : left) {
        if (const pid_t leader = leaders_.at(c); leader != 0) leaders.push_back(leader);
      }
      const SessionMap all = sessions(leaders);
      std::vector<std::string> still;
      for (const std::string& c : left) {
        auto it = leaders_.find(c);
        const std::vector<pid_t> procs =
            it->second == 0 ? std::vector<pid_t>{} : members(all, it->second);
        if (procs.empty()) {
          leaders_.erase(it);
          continue;
        }
        for (pid_t pid : procs) ::kill(pid, SIGKILL);
        still.push_back(c);
      }
      left = std::move(still);
    }
    std::vector<Error> errors;
    for (const std::string& c : left) {
      errors.push_back(
          Error{"processes of container '" + c + "' still running after SIGKILL for 5 s"});
    }
    return errors;
  }

  Result<std::vector<std::string>> containers() const override {
    std::vector<std::string> names;
    for (const auto& [name, leader] : leaders_) names.push_back(name);
    return names;
  }

  std::string cgroup_path(const std::string&) const override { return ""; }

 private:
  std::map<std::string, pid_t> leaders_;  // container -> session leader (0 until attached)
};

}  // namespace

std::unique_ptr<Isolator> make_posix_isolator() { return std::make_unique<PosixIsolator>(); }

}  // namespace mesosim::live
