// The posix back end: no cgroups. A container is the session its launcher created (the task
// runs as a session leader), so its processes are those whose session id is the leader's pid.
// A process that starts a new session of its own escapes it; nothing is limited or measured
// except the process count. Mesos's posix isolation has the same blind spots.

#include <signal.h>

#include <map>
#include <memory>
#include <string>

#include "sim/live/cgroup_common.hpp"
#include "sim/live/isolator.hpp"
#include "sim/live/proc_stat.hpp"

namespace mesosim::live {
namespace {

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

  Result<std::vector<pid_t>> pids(const std::string& container) const override {
    auto it = leaders_.find(container);
    if (it == leaders_.end()) return Error{"unknown container '" + container + "'"};
    std::vector<pid_t> out;
    if (it->second == 0) return out;
    for (const ProcStat& st : list_processes()) {
      if (st.session == it->second && st.state != 'Z') out.push_back(st.pid);
    }
    return out;
  }

  Result<ResourceStatistics> usage(const std::string& container) const override {
    Result<std::vector<pid_t>> procs = pids(container);
    if (!procs) return procs.error();
    ResourceStatistics stats;
    stats.processes = procs.value().size();
    return stats;
  }

  Result<bool> oom_killed(const std::string&) const override { return false; }
  std::string oom_message(const std::string&) const override { return ""; }

  Status destroy(const std::string& container) override {
    auto it = leaders_.find(container);
    if (it == leaders_.end()) return Status::success();
    for (int round = 0; round < 5000; ++round) {
      Result<std::vector<pid_t>> procs = pids(container);
      if (!procs || procs.value().empty()) {
        leaders_.erase(it);
        return Status::success();
      }
      for (pid_t pid : procs.value()) ::kill(pid, SIGKILL);
      sleep_millis(1);
    }
    return Error{"processes of container '" + container + "' still running after SIGKILL for 5 s"};
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
