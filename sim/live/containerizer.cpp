#include "sim/live/containerizer.hpp"

#include <signal.h>

#include <algorithm>
#include <set>

#include "sim/live/control_files.hpp"
#include "sim/live/proc_stat.hpp"

namespace mesosim::live {
namespace {

// IDs become directory names in the sandbox path.
Status check_path_component(std::string_view what, const std::string& id) {
  if (id.empty() || id == "." || id == ".." || id.find('/') != std::string::npos ||
      id.find('\0') != std::string::npos) {
    return Error{std::string(what) + " '" + id + "' cannot be used in a sandbox path"};
  }
  return Status::success();
}

}  // namespace

Containerizer::Containerizer(Isolator& isolator, ContainerizerOptions options)
    : isolator_(isolator), options_(std::move(options)), checkpoints_(options_.work_dir) {}

Containerizer::~Containerizer() { finish_ended(); }

std::string Containerizer::next_container_id(Time now) {
  // Appended piece by piece: GCC 12 at -O3 warns falsely (-Wrestrict) on "c" + std::string.
  std::string id = options_.container_prefix;
  id += 'c';
  id += std::to_string(now.micros());
  id += '-';
  id += std::to_string(++launches_);
  return id;
}

Result<std::string> Containerizer::make_sandbox(const CommandTask& task,
                                                const std::string& container) const {
  const std::pair<const char*, const std::string*> ids[] = {
      {"agent id", &task.agent_id.value},
      {"framework id", &task.framework_id.value},
      {"executor id", &task.executor_id.value}};
  for (const auto& [what, id] : ids) {
    if (Status s = check_path_component(what, *id); !s) return s.error();
  }
  std::string dir = options_.work_dir + "/slaves/" + task.agent_id.value + "/frameworks/" +
                    task.framework_id.value + "/executors/" + task.executor_id.value + "/runs/" +
                    container;
  if (Status s = make_directories(dir); !s) return s.error();
  return dir;
}

std::vector<std::pair<std::string, std::string>> Containerizer::environment(
    const CommandTask& task, const std::string& sandbox) const {
  std::vector<std::pair<std::string, std::string>> env = options_.base_environment;
  env.emplace_back("MESOS_SANDBOX", sandbox);
  env.emplace_back("MESOS_DIRECTORY", sandbox);
  env.emplace_back("MESOS_TASK_ID", task.task_id.value);
  env.emplace_back("MESOS_FRAMEWORK_ID", task.framework_id.value);
  env.emplace_back("MESOS_EXECUTOR_ID", task.executor_id.value);
  env.emplace_back("MESOS_AGENT_ID", task.agent_id.value);
  env.emplace_back("MESOS_SLAVE_ID", task.agent_id.value);
  if (!task.role.empty()) env.emplace_back("MESOS_ALLOCATION_ROLE", task.role);
  if (!options_.agent_endpoint.empty()) {
    env.emplace_back("MESOS_AGENT_ENDPOINT", options_.agent_endpoint);
  }
  for (const auto& variable : task.command.environment) env.push_back(variable);
  // Later entries win: keep the last of each name, in first-seen order.
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [name, value] : env) {
    auto same = [&](const auto& v) { return v.first == name; };
    auto it = std::find_if(out.begin(), out.end(), same);
    if (it == out.end()) {
      out.emplace_back(name, value);
    } else {
      it->second = value;
    }
  }
  return out;
}

Result<std::string> Containerizer::launch(const CommandTask& task, Time now) {
  if (!task.command.shell) {
    return Error{"task '" + task.task_id.value + "': only shell commands (shell=true) can run"};
  }
  const std::string container = next_container_id(now);
  Result<std::string> sandbox = make_sandbox(task, container);
  if (!sandbox) return Error{"task '" + task.task_id.value + "': " + sandbox.error().message};

  ContainerLimits limits = ContainerLimits::from_resources(task.resources, options_.enable_cfs);
  limits.max_processes = options_.max_processes;
  if (Status s = isolator_.prepare(container, limits); !s) {
    return Error{"task '" + task.task_id.value + "': " + s.error().message};
  }
  LaunchSpec spec;
  spec.command = task.command.value;
  spec.sandbox = sandbox.value();
  spec.environment = environment(task, sandbox.value());
  if (options_.switch_user && !task.user.empty()) spec.user = task.user;
  Result<TaskProcess> process = TaskProcess::launch(spec, isolator_, container);
  if (!process) {
    (void)isolator_.destroy(container);
    return Error{"task '" + task.task_id.value + "': " + process.error().message};
  }

  ContainerCheckpoint checkpoint{container,
                                 task.task_id.value,
                                 task.framework_id.value,
                                 task.executor_id.value,
                                 task.agent_id.value,
                                 process.value().pid(),
                                 process.value().start_ticks(),
                                 isolator_.cgroup_path(container),
                                 sandbox.value(),
                                 now,
                                 std::string(isolator_.name()),
                                 false};
  if (Status s = checkpoints_.write(checkpoint); !s) {
    // A task the agent could not recover must not run unrecorded.
    (void)isolator_.destroy(container);
    (void)process.value().poll();
    return Error{"task '" + task.task_id.value + "': " + s.error().message};
  }
  add_running(container, Running{std::move(checkpoint), std::move(process).value(), std::nullopt,
                                 false, std::nullopt, -1});
  return container;
}

Status Containerizer::kill(const std::string& container, Time now, std::optional<Duration> grace) {
  auto it = containers_.find(container);
  if (it == containers_.end()) return Error{"no running container '" + container + "'"};
  Running& c = it->second;
  Time deadline = now + grace.value_or(options_.kill_grace_period);
  if (!c.checkpoint.kill_requested) {
    c.checkpoint.kill_requested = true;
    // Remembered so that a task killed across an agent restart still ends TASK_KILLED.
    (void)checkpoints_.write(c.checkpoint);
    c.process.signal_group(SIGTERM);
  }
  if (!c.kill_deadline || deadline < *c.kill_deadline) set_deadline(c, deadline);
  return Status::success();
}

void Containerizer::set_deadline(Running& c, std::optional<Time> deadline) {
  if (c.kill_deadline) deadlines_.erase({*c.kill_deadline, c.checkpoint.container});
  c.kill_deadline = deadline;
  if (deadline && !c.sigkill_sent) deadlines_.emplace(*deadline, c.checkpoint.container);
}

void Containerizer::kill_everything(Running& c) {
  c.process.signal_group(SIGKILL);
  if (Result<std::vector<pid_t>> pids = isolator_.pids(c.checkpoint.container)) {
    for (pid_t pid : pids.value()) ::kill(pid, SIGKILL);
  }
  c.sigkill_sent = true;
  if (c.kill_deadline) deadlines_.erase({*c.kill_deadline, c.checkpoint.container});
}

std::optional<ContainerEnded> Containerizer::poll_one(Running& c, Time now) {
  const std::string& container = c.checkpoint.container;
  auto check_oom = [&] {
    if (c.memory_limitation || !isolator_.enforces_limits()) return;
    Result<bool> oom = isolator_.oom_killed(container);
    if (oom && oom.value()) c.memory_limitation = isolator_.oom_message(container);
  };
  check_oom();
  if (c.memory_limitation && !c.sigkill_sent) kill_everything(c);
  if (c.kill_deadline && now >= *c.kill_deadline && !c.sigkill_sent) kill_everything(c);

  std::optional<Termination> termination = c.process.poll();
  if (!termination) return std::nullopt;
  check_oom();  // the OOM killer may have killed the task itself a moment ago
  ContainerEnd end{*termination, c.checkpoint.kill_requested, c.memory_limitation};
  return ContainerEnded{container, v1::TaskID{c.checkpoint.task_id},
                        v1::FrameworkID{c.checkpoint.framework_id}, task_outcome(end),
                        c.checkpoint.sandbox};
}

Status Containerizer::finish(const ContainerCheckpoint& checkpoint) {
  Status destroyed = isolator_.destroy(checkpoint.container);
  Status removed = checkpoints_.remove(checkpoint.container);
  return destroyed ? removed : destroyed;
}

std::vector<ContainerEnded> Containerizer::poll(Time now) {
  std::vector<Running*> candidates;
  if (recording_fd_changes_) {
    for (const std::string& name : polled_) candidates.push_back(&containers_.at(name));
  } else {
    for (auto& [name, c] : containers_) candidates.push_back(&c);
  }
  return poll_each(candidates, now);
}

std::vector<ContainerEnded> Containerizer::poll_readable(const std::vector<int>& fds, Time now) {
  std::vector<Running*> candidates;
  for (int fd : fds) {
    if (auto it = by_pidfd_.find(fd); it != by_pidfd_.end()) candidates.push_back(it->second);
    if (auto it = by_oom_fd_.find(fd); it != by_oom_fd_.end()) {
      Running& c = *it->second;
      const std::string& name = c.checkpoint.container;
      if (isolator_.take_oom_notification(name) && !c.memory_limitation) {
        c.memory_limitation = isolator_.oom_message(name);
      }
      candidates.push_back(&c);
    }
  }
  return poll_each(candidates, now);
}

void Containerizer::unwatched(int fd) {
  if (auto it = by_pidfd_.find(fd); it != by_pidfd_.end()) {
    polled_.insert(it->second->checkpoint.container);
  }
  if (auto it = by_oom_fd_.find(fd); it != by_oom_fd_.end()) {
    polled_.insert(it->second->checkpoint.container);
  }
}

std::vector<ContainerEnded> Containerizer::poll_each(std::vector<Running*>& candidates, Time now) {
  for (auto it = deadlines_.begin(); it != deadlines_.end() && it->first <= now; ++it) {
    candidates.push_back(&containers_.at(it->second));
  }
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  std::vector<ContainerEnded> ended;
  std::vector<std::string> over;
  for (Running* c : candidates) {
    if (std::optional<ContainerEnded> e = poll_one(*c, now)) {
      ended.push_back(std::move(*e));
      over.push_back(c->checkpoint.container);
    }
  }
  for (const std::string& name : over) {
    forget(containers_.find(name));
    ended_.push_back(name);
  }
  if (!over.empty() && !finish_at_) {
    // The first end of a batch: it is destroyed with every end until finish_delay from now.
    finish_at_ = isolator_.destroys_in_batches() ? now + options_.finish_delay : now;
  }
  if (finish_at_ && now >= *finish_at_) finish_ended();
  return ended;
}

void Containerizer::finish_ended() {
  // All at once: the posix isolator then lists the machine's processes once for all of them.
  // A destroy that fails leaves the cgroup for recovery's orphan sweep; the task has ended.
  (void)isolator_.destroy_each(ended_);
  for (const std::string& name : ended_) (void)checkpoints_.remove(name);
  ended_.clear();
  finish_at_.reset();
}

std::optional<Time> Containerizer::next_deadline() const {
  std::optional<Time> next = finish_at_;
  if (!deadlines_.empty() && (!next || deadlines_.begin()->first < *next)) {
    next = deadlines_.begin()->first;
  }
  return next;
}

std::vector<Error> Containerizer::destroy_all() {
  finish_ended();
  std::vector<Error> errors;
  for (auto& [name, c] : containers_) {
    kill_everything(c);
    if (Status s = isolator_.destroy(name); !s) errors.push_back(s.error());
    // Reap the task so that no zombie is left.
    for (int i = 0; i < 5000 && !c.process.poll(); ++i) {
      struct timespec ts {
        0, 1'000'000
      };
      ::nanosleep(&ts, nullptr);
    }
    if (Status s = checkpoints_.remove(name); !s) errors.push_back(s.error());
    note_fds(c, false);
  }
  containers_.clear();
  deadlines_.clear();
  by_pidfd_.clear();
  by_oom_fd_.clear();
  polled_.clear();
  return errors;
}

Result<ResourceStatistics> Containerizer::usage(const std::string& container) const {
  return usage_of_each({container}).front();
}

std::vector<Result<ResourceStatistics>> Containerizer::usage_of_each(
    const std::vector<std::string>& containers) const {
  std::vector<std::string> known;
  for (const std::string& c : containers) {
    if (running(c)) known.push_back(c);
  }
  std::vector<Result<ResourceStatistics>> measured = isolator_.usage_of_each(known);
  std::vector<Result<ResourceStatistics>> out;
  out.reserve(containers.size());
  size_t next = 0;
  for (const std::string& c : containers) {
    if (running(c)) {
      out.push_back(std::move(measured[next++]));
    } else {
      out.emplace_back(Error{"no running container '" + c + "'"});
    }
  }
  return out;
}

std::vector<std::string> Containerizer::containers() const {
  std::vector<std::string> names;
  for (const auto& [name, c] : containers_) names.push_back(name);
  return names;
}

std::optional<pid_t> Containerizer::pid(const std::string& container) const {
  auto it = containers_.find(container);
  if (it == containers_.end()) return std::nullopt;
  return it->second.process.pid();
}

std::optional<std::string> Containerizer::sandbox(const std::string& container) const {
  auto it = containers_.find(container);
  if (it == containers_.end()) return std::nullopt;
  return it->second.checkpoint.sandbox;
}

std::vector<int> Containerizer::pidfds() const {
  std::vector<int> fds;
  for (const auto& [name, c] : containers_) {
    if (c.process.pidfd() >= 0) fds.push_back(c.process.pidfd());
  }
  return fds;
}

void Containerizer::take_watched_fd_changes(std::vector<WatchedFdChange>& changes) {
  changes.clear();
  if (!recording_fd_changes_) {
    recording_fd_changes_ = true;
    for (const auto& [name, c] : containers_) {
      if (c.process.pidfd() >= 0) changes.push_back({c.process.pidfd(), true});
      if (c.oom_fd >= 0) changes.push_back({c.oom_fd, true});
    }
    return;
  }
  std::swap(changes, watched_fd_changes_);
}

void Containerizer::add_running(const std::string& name, Running c) {
  auto [it, added] = containers_.emplace(name, std::move(c));
  if (!added) return;
  Running& r = it->second;
  bool polled = false;
  if (isolator_.enforces_limits()) {
    Result<int> oom_fd = isolator_.oom_notification(name);
    if (oom_fd) {
      r.oom_fd = oom_fd.value();
      by_oom_fd_[r.oom_fd] = &r;
    } else {
      polled = true;
      if (!oom_fallback_logged_ && options_.log) {
        oom_fallback_logged_ = true;
        options_.log("OOM notification unavailable (" + oom_fd.error().message +
                     "); the OOM counters of such containers are polled instead");
      }
    }
  }
  note_fds(r, true);
  if (const int fd = r.process.pidfd(); fd >= 0) {
    by_pidfd_[fd] = &r;
  } else {
    polled = true;
  }
  if (polled) polled_.insert(name);
}

void Containerizer::forget(std::map<std::string, Running>::iterator it) {
  Running& c = it->second;
  note_fds(c, false);
  set_deadline(c, std::nullopt);
  by_pidfd_.erase(c.process.pidfd());
  by_oom_fd_.erase(c.oom_fd);
  polled_.erase(it->first);
  containers_.erase(it);
}

void Containerizer::note_fds(const Running& c, bool opened) {
  if (!recording_fd_changes_) return;
  if (c.process.pidfd() >= 0) watched_fd_changes_.push_back({c.process.pidfd(), opened});
  if (c.oom_fd >= 0) watched_fd_changes_.push_back({c.oom_fd, opened});
}

void Containerizer::adopt(ContainerCheckpoint checkpoint, RecoveryReport& report) {
  if (Status s = isolator_.attach(checkpoint.container, checkpoint.pid); !s) {
    report.errors.push_back(s.error());
  }
  const std::string name = checkpoint.container;
  TaskProcess process = TaskProcess::adopt(checkpoint.pid, checkpoint.start_ticks);
  add_running(name, Running{std::move(checkpoint), std::move(process), std::nullopt, false,
                            std::nullopt, -1});
  // An OOM while the agent was down raised no notification the loop will see: look once.
  if (isolator_.enforces_limits()) {
    Result<bool> oom = isolator_.oom_killed(name);
    if (oom && oom.value()) {
      containers_.at(name).memory_limitation = isolator_.oom_message(name);
      polled_.insert(name);  // killed by the next poll()
    }
  }
  report.adopted.push_back(name);
}

RecoveryReport Containerizer::recover(Time now) {
  RecoveryReport report;
  CheckpointScan scan = read_checkpoints(options_.work_dir);
  report.errors = std::move(scan.unreadable);
  std::set<std::string> known;
  for (ContainerCheckpoint& checkpoint : scan.checkpoints) {
    known.insert(checkpoint.container);
    if (containers_.count(checkpoint.container) > 0) continue;
    if (is_same_live_process(checkpoint.pid, checkpoint.start_ticks)) {
      adopt(std::move(checkpoint), report);
      continue;
    }
    ContainerEnd end{Termination{}, checkpoint.kill_requested, std::nullopt};
    if (isolator_.enforces_limits()) {
      Result<bool> oom = isolator_.oom_killed(checkpoint.container);
      if (oom && oom.value()) end.memory_limitation = isolator_.oom_message(checkpoint.container);
    }
    report.ended.push_back({checkpoint.container, v1::TaskID{checkpoint.task_id},
                            v1::FrameworkID{checkpoint.framework_id}, task_outcome(end),
                            checkpoint.sandbox});
    if (Status s = finish(checkpoint); !s) report.errors.push_back(s.error());
  }
  // A kill that was pending when the agent stopped starts again with a fresh grace period.
  for (auto& [name, c] : containers_) {
    if (c.checkpoint.kill_requested && !c.kill_deadline) {
      c.process.signal_group(SIGTERM);
      set_deadline(c, now + options_.kill_grace_period);
    }
  }
  Result<std::vector<std::string>> existing = isolator_.containers();
  if (!existing) {
    report.errors.push_back(existing.error());
    return report;
  }
  for (const std::string& name : existing.value()) {
    if (known.count(name) > 0) continue;
    if (name.compare(0, options_.container_prefix.size(), options_.container_prefix) != 0) {
      continue;  // another agent's
    }
    if (Status s = isolator_.destroy(name); !s) {
      report.errors.push_back(s.error());
    } else {
      report.orphans_destroyed.push_back(name);
    }
  }
  return report;
}

}  // namespace mesosim::live
