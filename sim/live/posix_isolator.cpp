// The posix back end: no cgroups. A container is the session its launcher created (the task
// runs as a session leader), so its processes are those whose session id is the leader's pid.
// A process that starts a new session of its own escapes it; nothing is limited or measured
// except the process count. Mesos's posix isolation has the same blind spots.

#include <signal.h>

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

// Session id -> its live (not zombie) processes, from one listing of /proc.
using SessionMap = std::unordered_map<pid_t, std::vector<pid_t>>;

SessionMap sessions() {
  SessionMap out;
  for (const ProcStat& st : list_processes()) {
    if (st.state != 'Z') out[st.session].push_back(st.pid);
  }
  return out;
}

std::vector<pid_t> members(const SessionMap& all, pid_t leader) {
  auto it = all.find(leader);
  return it == all.end() ? std::vector<pid_t>{} : it->second;
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

  Result<std::vector<pid_t>> pids(const std::string& container) const override {
    auto it = leaders_.find(container);
    if (it == leaders_.end()) return Error{"unknown container '" + container + "'"};
    if (it->second == 0) return std::vector<pid_t>{};
    return members(sessions(), it->second);
  }

  Result<ResourceStatistics> usage(const std::string& container) const override {
    return usage_of_each({container}).front();
  }

  std::vector<Result<ResourceStatistics>> usage_of_each(
      const std::vector<std::string>& containers) const override {
    std::optional<SessionMap> all;  // listed only if some container has a leader
    std::vector<Result<ResourceStatistics>> out;
    out.reserve(containers.size());
    for (const std::string& container : containers) {
      auto it = leaders_.find(container);
      if (it == leaders_.end()) {
        out.emplace_back(Error{"unknown container '" + container + "'"});
        continue;
      }
      ResourceStatistics stats;
      if (it->second != 0) {
        if (!all) all = sessions();
        stats.processes = members(*all, it->second).size();
      }
      out.emplace_back(stats);
    }
    return out;
  }

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
      const SessionMap all = sessions();
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
