// The simulated agent's connection to the master: detection, (re-)registration with backoff,
// health pings, crash and restart, and the dispatch of incoming messages. Tasks live in
// sim_agent_tasks.cpp.

#include "sim/sim_agent.hpp"

#include <algorithm>
#include <utility>
#include <variant>

#include "allocator/check.hpp"

namespace mesosim {
namespace {

// Mesos caps the agent's registration backoff at one minute (REGISTER_RETRY_INTERVAL_MAX).
constexpr Duration kRegistrationIntervalMax = Duration::minutes(1);

template <typename... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <typename... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

}  // namespace

SimAgent::SimAgent(Endpoint self, Clock& clock, Transport& transport, Rng rng,
                   SimAgentOptions options)
    : self_(self),
      clock_(clock),
      transport_(transport),
      rng_(rng),
      options_(std::move(options)),
      updates_(clock, options_.status_update_retry, options_.status_update_retry_max,
               [this](v1::StatusUpdate&& update) {
                 // Built in place in the message: one move of the update less.
                 send_to_leader(
                     Message(std::in_place_type<v1::StatusUpdateMessage>, std::move(update)));
               }) {}

SimAgent::~SimAgent() {
  clock_.cancel(registration_timer_);
  clock_.cancel(ping_timer_);
  if (health_) health_->disarm(self_);
  clock_.cancel(usage_timer_);
  cancel_transition_timers();
}

void SimAgent::receive(Endpoint from, Message&& message) {
  if (!alive_) return;
  if (auto* detected = std::get_if<MasterDetectedMessage>(&message)) {
    if (shut_down_) {
      leader_ = detected->leader;  // remembered for restart(); a shut-down agent stays silent
    } else {
      on_master_detected(detected->leader);
    }
    return;
  }
  if (shut_down_) return;
  if (auto* exited = std::get_if<ExitedMessage>(&message)) {
    // The leader's process is gone: only the detector can name the next one.
    if (leader_ && exited->peer == *leader_) {
      disconnect();
      leader_.reset();
    }
    return;
  }
  if (!leader_ || from != *leader_) return;
  std::visit(Overloaded{
                 [&](v1::AgentRegisteredMessage& m) { on_registered(m.agent_id, false); },
                 [&](v1::AgentReregisteredMessage& m) {
                   if (on_registered(m.agent_id, true)) reconcile_tasks(m.reconciliations);
                 },
                 [&](v1::RunTaskMessage& m) { run_task(m); },
                 [&](v1::KillTaskMessage& m) { kill_task(m); },
                 [&](v1::StatusUpdateAcknowledgementMessage& m) { acknowledge(m); },
                 [&](v1::PingAgentMessage& m) { on_ping(m); },
                 [&](v1::ShutdownFrameworkMessage& m) { shutdown_framework(m.framework_id); },
                 [&](v1::ShutdownExecutorMessage& m) { shutdown_executor(m); },
                 [&](v1::FrameworkToExecutorMessage& m) { framework_message(m); },
                 [&](v1::ShutdownAgentMessage&) {
                   disconnect();
                   while (!frameworks_.empty()) shutdown_framework(frameworks_.begin()->first);
                   updates_.clear();
                   shut_down_ = true;
                 },
                 [](auto&) {},
             },
             message);
}

void SimAgent::crash(bool machine_lost) {
  if (alive_) {
    alive_ = false;
    disconnect();
    cancel_transition_timers();
    // The executors of frameworks that do not checkpoint exit with the agent, and their tasks
    // and pending updates are not recovered (Mesos's executor driver shuts itself down when the
    // agent exits unless the framework checkpoints).
    std::vector<v1::FrameworkID> forgotten;
    for (const auto& [framework_id, framework] : frameworks_) {
      if (!framework.info.checkpoint) forgotten.push_back(framework_id);
    }
    for (const auto& framework_id : forgotten) shutdown_framework(framework_id);
  }
  if (machine_lost) {
    frameworks_.clear();
    updates_.clear();
    live_tasks_ = 0;
    used_ = Resources{};
  }
}

void SimAgent::restart() {
  MESOSIM_CHECK(!alive_ || shut_down_, "restart() of an agent that is running");
  if (shut_down_) {
    shut_down_ = false;
    agent_id_.reset();
  }
  // The executors kept running while the agent was down, so whatever fell due meanwhile has
  // happened; Mesos's agent also hears it from its re-registering executors before it talks to
  // the master, so the re-registration below already lists the tasks' current states.
  replay_missed_transitions();
  alive_ = true;
  arm_transition_timers();
  if (leader_) {
    transport_.link(self_, *leader_);
    start_registration();
  }
}

void SimAgent::on_master_detected(std::optional<Endpoint> leader) {
  // Like Mesos, any detection (even of the same leader) restarts registration from scratch.
  disconnect();
  leader_ = leader;
  if (!leader_) return;
  transport_.link(self_, *leader_);
  start_registration();
}

bool SimAgent::on_registered(const v1::AgentID& agent_id, bool reregistered) {
  if (connection_ != Connection::kRegistering) return false;  // a late answer to an earlier try
  if (reregistered ? agent_id_ != agent_id : (agent_id_ && *agent_id_ != agent_id)) return false;
  agent_id_ = agent_id;
  clock_.cancel(registration_timer_);
  registration_timer_ = {};
  connection_ = Connection::kRegistered;
  arm_ping_timer();
  arm_usage_timer();
  updates_.resume();
  return true;
}

void SimAgent::use_health(SimHealth& health) {
  MESOSIM_CHECK(health_ == nullptr, "use_health() twice");
  health_ = &health;
  health.add_agent(self_, this);
}

void SimAgent::ping_arrived(Endpoint from, bool connected) {
  // Taken as any message from a master is: only from the leader, only while alive.
  receive(from, v1::PingAgentMessage{connected});
}

void SimAgent::on_ping(const v1::PingAgentMessage& ping) {
  if (health_) {
    health_->send_pong(self_, *leader_);
  } else {
    send_to_leader(v1::PongAgentMessage{});
  }
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

void SimAgent::on_ping_timeout() {
  ping_timer_ = {};
  // A silent master may be partitioned away rather than dead; the agent re-registers with the
  // leader it knows and retries until the partition heals or the detector names another.
  disconnect();
  start_registration();
}

void SimAgent::disconnect() {
  connection_ = Connection::kDisconnected;
  clock_.cancel(registration_timer_);
  registration_timer_ = {};
  clock_.cancel(ping_timer_);
  ping_timer_ = {};
  if (health_) health_->disarm(self_);
  clock_.cancel(usage_timer_);
  usage_timer_ = {};
  updates_.pause();
}

void SimAgent::start_registration() {
  connection_ = Connection::kRegistering;
  registration_interval_ = options_.registration_backoff;
  attempt_registration();
}

void SimAgent::attempt_registration() {
  if (agent_id_) {
    send_to_leader(reregistration());
  } else {
    send_to_leader(v1::RegisterAgentMessage{
        v1::AgentInfo{options_.hostname, std::nullopt, options_.resources, options_.attributes}});
  }
  registration_timer_ = clock_.schedule(registration_interval_, [this] {
    registration_timer_ = {};
    attempt_registration();
  });
  registration_interval_ =
      std::min(registration_interval_ * 2,
               std::max(kRegistrationIntervalMax, options_.registration_backoff));
}

void SimAgent::arm_ping_timer() {
  if (health_) {
    health_->arm(self_, *leader_, options_.master_ping_timeout);
    return;
  }
  clock_.cancel(ping_timer_);
  ping_timer_ = clock_.schedule(options_.master_ping_timeout, [this] { on_ping_timeout(); });
}

void SimAgent::arm_usage_timer() {
  clock_.cancel(usage_timer_);
  usage_timer_ = {};
  if (!options_.usage_sample_interval) return;
  usage_timer_ = clock_.schedule(*options_.usage_sample_interval, [this] {
    usage_timer_ = {};
    report_usage();
    arm_usage_timer();
  });
}

void SimAgent::report_usage() {
  if (connection_ != Connection::kRegistered || !agent_id_) return;
  v1::UsageReportMessage report{*agent_id_, clock_.now(), {}};
  for (const auto& [framework_id, framework] : frameworks_) {
    for (const auto& [task_id, task] : framework.tasks) {
      Resources used = task_usage(task, task.state);
      if (!used.empty()) report.samples.push_back({framework_id, task_id, std::move(used)});
    }
  }
  if (!report.samples.empty()) send_to_leader(std::move(report));
}

Resources SimAgent::task_usage(const TaskRecord& task, v1::TaskState state) {
  if (state != v1::TaskState::TASK_RUNNING && state != v1::TaskState::TASK_KILLING) return {};
  return running_usage(task);
}

const Resources& SimAgent::running_usage(const TaskRecord& task) {
  const bool has_usage = task.work && !task.work->usage.empty();
  return has_usage ? task.work->usage : task.resources;
}

v1::ReregisterAgentMessage SimAgent::reregistration() const {
  v1::ReregisterAgentMessage m;
  m.agent = v1::AgentInfo{options_.hostname, agent_id_, options_.resources, options_.attributes};
  // Terminal tasks whose last update is still unacknowledged are listed too (Mesos's
  // terminatedTasks): otherwise the master would call them lost while their real end is on the
  // way.
  m.tasks = tasks();
  for (const v1::Task& task : m.tasks) {
    if (m.frameworks.empty() || m.frameworks.back().id != task.framework_id) {
      m.frameworks.push_back(frameworks_.at(task.framework_id).info);
    }
  }
  return m;
}

void SimAgent::send_to_leader(Message&& message) {
  if (!leader_) return;
  transport_.send(self_, *leader_, std::move(message));
}

Resources SimAgent::usage() const {
  Resources sum;
  for (const auto& [framework_id, framework] : frameworks_) {
    for (const auto& [task_id, task] : framework.tasks) {
      if (!task.ran || v1::is_terminal(task.state)) continue;
      sum += running_usage(task);
    }
  }
  return sum;
}

std::vector<v1::Task> SimAgent::tasks() const {
  std::vector<v1::Task> out;
  size_t count = 0;
  for (const auto& [framework_id, framework] : frameworks_) count += framework.tasks.size();
  out.reserve(count);
  for (const auto& [framework_id, framework] : frameworks_) {
    for (const auto& [task_id, task] : framework.tasks) {
      out.push_back(v1::Task{task.name, task_id, framework_id, agent_id_.value_or(v1::AgentID{}),
                             task.executor_id, task.resources, task.state, task.role, task.labels});
    }
  }
  return out;
}

}  // namespace mesosim
