// The live agent's connection to the master: detection, (re-)registration with backoff, health
// pings, usage reports and the dispatch of incoming messages. Tasks live in
// live_agent_tasks.cpp, the agent's checkpoint and recovery in live_agent_recovery.cpp.

#include "sim/live/live_agent.hpp"

#include <algorithm>
#include <utility>
#include <variant>

#include "allocator/check.hpp"

namespace mesosim::live {
namespace {

// Mesos caps the agent's registration backoff at one minute (REGISTER_RETRY_INTERVAL_MAX).
constexpr Duration kRegistrationIntervalMax = Duration::minutes(1);
constexpr double kBytesPerMegabyte = 1024.0 * 1024.0;
constexpr uint64_t kBytesPerMiB = uint64_t{1} << 20;

template <typename... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <typename... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

}  // namespace

LiveAgent::LiveAgent(Endpoint self, Clock& clock, Transport& transport,
                     Containerizer& containerizer, Rng rng, LiveAgentConfig config, AgentLog log)
    : self_(self),
      clock_(clock),
      transport_(transport),
      containerizer_(containerizer),
      rng_(rng),
      config_(std::move(config)),
      log_(std::move(log)),
      start_time_(clock.now()),
      master_ping_timeout_(config_.master_ping_timeout),
      updates_(clock, config_.status_update_retry, config_.status_update_retry_max,
               [this](v1::StatusUpdate&& update) {
                 send_to_leader(v1::StatusUpdateMessage{std::move(update)});
               }) {}

LiveAgent::~LiveAgent() {
  clock_.cancel(registration_timer_);
  clock_.cancel(ping_timer_);
  clock_.cancel(usage_timer_);
  clock_.cancel(poll_timer_);
  clock_.cancel(launch_timer_);
}

void LiveAgent::receive(Endpoint from, Message&& message) {
  MESOSIM_CHECK(started_, "LiveAgent::receive() before start()");
  if (auto* detected = std::get_if<MasterDetectedMessage>(&message)) {
    if (shut_down_) return;  // a shut-down agent stays silent
    on_master_detected(detected->leader);
    return;
  }
  if (shut_down_) return;
  if (auto* exited = std::get_if<ExitedMessage>(&message)) {
    // A message to the leader could not be delivered: its process is gone, or restarting at the
    // same address (live mode's master is fixed, with no detector to announce a new one). The
    // agent re-registers with it, with backoff, until it answers or a detector names another
    // leader. Mesos's agent only logs this and re-registers once its ping timeout expires
    // (MESOS-1963); a restarted master would wait that long to see its agents again.
    if (leader_ && exited->peer == *leader_ && connection_ == Connection::kRegistered) {
      say("Master " + std::to_string(exited->peer.value) + " exited; re-registering with it");
      disconnect();
      start_registration();
    }
    return;
  }
  if (!leader_ || from != *leader_) return;
  pacer_.message();  // the launch queue gives way to messages that arrive
  dispatch(message);
}

void LiveAgent::dispatch(Message& message) {
  std::visit(Overloaded{
                 [&](v1::AgentRegisteredMessage& m) {
                   on_registered(m.agent_id, false, m.total_ping_timeout);
                 },
                 [&](v1::AgentReregisteredMessage& m) {
                   if (on_registered(m.agent_id, true, m.total_ping_timeout)) {
                     reconcile_tasks(m.reconciliations);
                   }
                 },
                 [&](v1::RunTaskMessage& m) { run_task(m); },
                 [&](v1::KillTaskMessage& m) { kill_task(m); },
                 [&](v1::StatusUpdateAcknowledgementMessage& m) { acknowledge(m); },
                 [&](v1::PingAgentMessage& m) { on_ping(m); },
                 [&](v1::ShutdownFrameworkMessage& m) { shutdown_framework(m.framework_id); },
                 [&](v1::ShutdownExecutorMessage& m) { shutdown_executor(m); },
                 [&](v1::FrameworkToExecutorMessage& m) { framework_message(m); },
                 [&](v1::ShutdownAgentMessage& m) {
                   say("Shutting down at the master's request: " + m.message);
                   shutdown_agent();
                 },
                 [](auto&) {},
             },
             message);
}

void LiveAgent::on_master_detected(std::optional<Endpoint> leader) {
  // Like Mesos, any detection (even of the same leader) restarts registration from scratch.
  disconnect();
  leader_ = leader;
  if (!leader_) {
    say("Lost the leading master; waiting for the detector");
    return;
  }
  say("New master detected at endpoint " + std::to_string(leader_->value));
  transport_.link(self_, *leader_);
  start_registration();
}

bool LiveAgent::on_registered(const v1::AgentID& agent_id, bool reregistered,
                              std::optional<Duration> ping_timeout) {
  if (connection_ != Connection::kRegistering) return false;  // a late answer to an earlier try
  if (reregistered ? agent_id_ != agent_id : (agent_id_ && *agent_id_ != agent_id)) return false;
  const bool new_id = !agent_id_;
  agent_id_ = agent_id;
  clock_.cancel(registration_timer_);
  registration_timer_ = {};
  connection_ = Connection::kRegistered;
  // As Mesos's agent: the master says how long it may stay silent; without it, the flag's.
  master_ping_timeout_ = ping_timeout.value_or(config_.master_ping_timeout);
  say(std::string(reregistered ? "Re-registered" : "Registered") + " with the master as agent " +
      agent_id.value);
  if (new_id) checkpoint_agent_id();
  arm_ping_timer();
  arm_usage_timer();
  updates_.resume();
  return true;
}

void LiveAgent::on_ping(const v1::PingAgentMessage& ping) {
  send_to_leader(v1::PongAgentMessage{});
  if (connection_ != Connection::kRegistered) return;
  if (!ping.connected) {
    // The master has marked this agent disconnected while it believes itself registered
    // (Mesos forces a re-registration in this case).
    disconnect();
    start_registration();
    return;
  }
  arm_ping_timer();
}

void LiveAgent::disconnect() {
  connection_ = Connection::kDisconnected;
  for (TimerId* timer : {&registration_timer_, &ping_timer_, &usage_timer_}) {
    clock_.cancel(*timer);
    *timer = {};
  }
  updates_.pause();
}

void LiveAgent::start_registration() {
  connection_ = Connection::kRegistering;
  registration_interval_ = config_.registration_backoff;
  attempt_registration();
}

void LiveAgent::attempt_registration() {
  if (agent_id_) {
    send_to_leader(reregistration());
  } else {
    send_to_leader(v1::RegisterAgentMessage{
        v1::AgentInfo{config_.hostname, std::nullopt, config_.resources, config_.attributes}});
  }
  registration_timer_ = clock_.schedule(registration_interval_, [this] {
    registration_timer_ = {};
    attempt_registration();
  });
  registration_interval_ = std::min(
      registration_interval_ * 2, std::max(kRegistrationIntervalMax, config_.registration_backoff));
}

void LiveAgent::arm_ping_timer() {
  clock_.cancel(ping_timer_);
  ping_timer_ = clock_.schedule(master_ping_timeout_, [this] {
    ping_timer_ = {};
    // A silent master may be partitioned away rather than dead: re-register with the leader
    // known until it answers or the detector names another.
    say("No ping from the master for " + master_ping_timeout_.to_string() + "; re-registering");
    disconnect();
    start_registration();
  });
}

void LiveAgent::arm_usage_timer() {
  clock_.cancel(usage_timer_);
  usage_timer_ = clock_.schedule(config_.usage_report_interval, [this] {
    usage_timer_ = {};
    report_usage();
    arm_usage_timer();
  });
}

std::vector<LiveAgent::MeasuredTask> LiveAgent::measure_running_tasks() const {
  std::vector<MeasuredTask> running;
  std::vector<std::string> containers;
  for (const auto& [framework_id, framework] : frameworks_) {
    for (const auto& [task_id, task] : framework.tasks) {
      if (v1::is_terminal(task.state) || !containerizer_.running(task.container)) continue;
      running.push_back({&framework_id, &task_id, &task, Error{"not measured"}});
      containers.push_back(task.container);
    }
  }
  std::vector<Result<ResourceStatistics>> measured = containerizer_.usage_of_each(containers);
  for (size_t i = 0; i < running.size(); ++i) {
    running[i].stats = std::move(measured[i]);
    if (!running[i].stats) continue;
    // As Mesos's Slave::usage: the limits are the task's allocation, whatever the isolator
    // enforces (posix enforces none; a cgroup's memory limit has a 32 MB floor).
    const Resources& allocated = running[i].task->info.resources;
    ResourceStatistics& stats = running[i].stats.value();
    stats.cpus_limit = allocated.get(ResourceName::cpus()).to_double();
    stats.mem_limit_bytes =
        static_cast<uint64_t>(allocated.get(ResourceName::mem()).milli()) * kBytesPerMiB / 1000;
  }
  return running;
}

void LiveAgent::report_usage() {
  if (connection_ != Connection::kRegistered || !agent_id_) return;
  const Time now = clock_.now();
  v1::UsageReportMessage report{*agent_id_, now, {}};
  for (const MeasuredTask& measured : measure_running_tasks()) {
    const LiveTask& task = *measured.task;
    const Result<ResourceStatistics>& stats = measured.stats;
    if (!stats) continue;  // ended between polls; its end is reported by the next poll
    const double cpu_secs =
        stats.value().cpus_user_time_secs + stats.value().cpus_system_time_secs;
    double cpus = 0;
    if (auto last = last_cpu_.find(task.container); last != last_cpu_.end()) {
      const double elapsed = (now - last->second.second).seconds_f();
      if (elapsed > 0) cpus = std::max(0.0, (cpu_secs - last->second.first) / elapsed);
    }
    last_cpu_[task.container] = {cpu_secs, now};
    Resources used;
    if (cpus > 0) used += Resources::scalar(ResourceName::cpus(), Scalar::from_double(cpus));
    const double mem_mb = static_cast<double>(stats.value().mem_rss_bytes) / kBytesPerMegabyte;
    if (mem_mb > 0) used += Resources::scalar(ResourceName::mem(), Scalar::from_double(mem_mb));
    if (!used.empty()) {
      report.samples.push_back({*measured.framework_id, *measured.task_id, std::move(used)});
    }
  }
  if (!report.samples.empty()) send_to_leader(std::move(report));
}

v1::ReregisterAgentMessage LiveAgent::reregistration() const {
  v1::ReregisterAgentMessage m;
  m.agent = v1::AgentInfo{config_.hostname, agent_id_, config_.resources, config_.attributes};
  // Terminal tasks whose last update is still unacknowledged are listed too (Mesos's
  // terminatedTasks): otherwise the master would call them lost while their real end is on the
  // way.
  for (const v1::Task& task : tasks()) {
    if (m.frameworks.empty() || m.frameworks.back().id != task.framework_id) {
      m.frameworks.push_back(frameworks_.at(task.framework_id).info);
    }
    m.tasks.push_back(task);
  }
  return m;
}

void LiveAgent::send_to_leader(Message message) {
  if (!leader_) return;
  transport_.send(self_, *leader_, std::move(message));
}

void LiveAgent::say(const std::string& line) const {
  if (log_) log_(line);
}

std::vector<v1::Task> LiveAgent::tasks() const {
  std::vector<v1::Task> out;
  for (const auto& [framework_id, framework] : frameworks_) {
    for (const auto& [task_id, task] : framework.tasks) {
      out.push_back(v1::Task{task.info.name, task_id, framework_id,
                             agent_id_.value_or(v1::AgentID{}), task.executor_id,
                             task.info.resources, task.state, task.role, task.info.labels});
    }
  }
  return out;
}

}  // namespace mesosim::live
