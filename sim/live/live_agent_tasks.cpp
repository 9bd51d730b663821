// The live agent's tasks: launching them in containers, kills, shutdowns, ends reported by the
// containerizer and the status updates every state change produces. The connection to the
// master lives in live_agent.cpp.

#include <algorithm>
#include <utility>

#include "sim/live/live_agent.hpp"
#include "sim/live/uuid.hpp"

namespace mesosim::live {

using v1::TaskState;
using v1::TaskStatusReason;
using v1::TaskStatusSource;

void LiveAgent::run_task(v1::RunTaskMessage& run) {
  // Only a registered agent launches (see SimAgent): the master settles which tasks this agent
  // has when it handles a re-registration, and an older launch arriving now must not run.
  if (!agent_id_ || !run.framework.id || connection_ != Connection::kRegistered) return;
  const v1::FrameworkID framework_id = *run.framework.id;
  const v1::TaskID task_id = run.task.task_id;
  if (const LiveTask* existing = find_task(framework_id, task_id)) {
    // Sent once and without a uuid: it must not join the existing task's stream.
    v1::StatusUpdate update =
        make_update(framework_id, task_id, std::nullopt, TaskState::TASK_DROPPED,
                    TaskStatusSource::SOURCE_AGENT, TaskStatusReason::REASON_TASK_INVALID,
                    "Task ID '" + task_id.value + "' is already in use on this agent (state " +
                        std::string(v1::to_string(existing->state)) + ")");
    update.latest_state = existing->state;
    send_to_leader(v1::StatusUpdateMessage{std::move(update)});
    return;
  }
  std::string why;
  if (!fits(run.task.resources, &why)) {
    add_reliable(make_update(framework_id, task_id, std::nullopt, TaskState::TASK_DROPPED,
                             TaskStatusSource::SOURCE_AGENT,
                             TaskStatusReason::REASON_RESOURCES_UNKNOWN, why),
                 nullptr);
    return;
  }
  LiveFramework& framework = frameworks_[framework_id];
  framework.info = std::move(run.framework);
  LiveTask& task = framework.tasks[task_id];
  task.framework_id = framework_id;
  task.info = std::move(run.task);
  task.role = std::move(run.role);
  task.executor_id = v1::ExecutorID{task_id.value};
  used_ += task.info.resources;  // STAGING: its resources are the agent's from now on
  if (task.info.executor || !task.info.command) {
    transition(task, TaskState::TASK_ERROR, TaskStatusSource::SOURCE_AGENT,
               TaskStatusReason::REASON_TASK_INVALID,
               "mesosim's live agent runs command tasks only; task '" + task_id.value +
                   "' names an executor of its own");
  } else {
    queue_launch(framework_id, task_id);
  }
  checkpoint(framework, task);
}

void LiveAgent::queue_launch(const v1::FrameworkID& framework_id, const v1::TaskID& task_id) {
  launch_queue_.emplace_back(framework_id, task_id);
  schedule_launch_step();
}

void LiveAgent::schedule_launch_step() {
  if (launch_timer_.value != 0 || launch_queue_.empty()) return;
  launch_timer_ = clock_.schedule(Duration::zero(), [this] {
    launch_timer_ = {};
    launch_step();
  });
}

// One turn of the launch queue: launch, or give the turn to the messages.
void LiveAgent::launch_step() {
  const Time now = clock_.now();
  if (pacer_.turn(now) == LaunchPacer::Next::kLaunch) {
    launch_next();
    pacer_.launched(now, clock_.now());
  }
  schedule_launch_step();
}

void LiveAgent::stop_launching() {
  clock_.cancel(launch_timer_);
  launch_timer_ = {};
  if (!launch_queue_.empty()) {
    say("Stopping with " + std::to_string(launch_queue_.size()) +
        " launch(es) queued; they are not run");
  }
  launch_queue_.clear();
}

void LiveAgent::launch_next() {
  while (!launch_queue_.empty()) {
    const auto [framework_id, task_id] = std::move(launch_queue_.front());
    launch_queue_.pop_front();
    LiveTask* task = find_task(framework_id, task_id);
    // Killed, shut down or forgotten while queued: nothing to launch, try the next one.
    if (task == nullptr || !task->launch_pending()) continue;
    LiveFramework& framework = frameworks_.at(framework_id);
    launch(framework, *task);
    checkpoint(framework, *task);
    if (launch_listener_) launch_listener_();
    return;
  }
}

void LiveAgent::launch(LiveFramework& framework, LiveTask& task) {
  const CommandTask command{task.info.task_id,  task.framework_id,  task.executor_id,
                            *agent_id_,         task.role,          framework.info.user,
                            *task.info.command, task.info.resources};
  Result<std::string> container = containerizer_.launch(command, clock_.now());
  if (!container) {
    say("Failed to launch task " + task.info.task_id.value + ": " + container.error().message);
    transition(task, TaskState::TASK_FAILED, TaskStatusSource::SOURCE_AGENT,
               TaskStatusReason::REASON_COMMAND_EXECUTOR_FAILED,
               "Failed to launch container: " + container.error().message);
    return;
  }
  task.container = container.value();
  task.sandbox = containerizer_.sandbox(task.container).value_or("");
  by_container_[task.container] = {task.framework_id, task.info.task_id};
  say("Launched task " + task.info.task_id.value + " of framework " + task.framework_id.value +
      " in container " + task.container);
  // Mesos's command executor says STARTING before it forks the command and RUNNING after.
  transition(task, TaskState::TASK_STARTING, TaskStatusSource::SOURCE_EXECUTOR);
  transition(task, TaskState::TASK_RUNNING, TaskStatusSource::SOURCE_EXECUTOR);
}

void LiveAgent::kill_task(const v1::KillTaskMessage& kill) {
  auto fw = frameworks_.find(kill.framework_id);
  if (fw == frameworks_.end()) {
    say("Ignoring kill of task " + kill.task_id.value + ": no such framework " +
        kill.framework_id.value + " is running");
    return;
  }
  auto it = fw->second.tasks.find(kill.task_id);
  if (it == fw->second.tasks.end()) {
    // Never launched here (Mesos: TASK_DROPPED, or TASK_LOST for frameworks that are not
    // partition-aware).
    const bool aware = fw->second.info.has(v1::FrameworkCapability::PARTITION_AWARE);
    add_reliable(make_update(kill.framework_id, kill.task_id, std::nullopt,
                             aware ? TaskState::TASK_DROPPED : TaskState::TASK_LOST,
                             TaskStatusSource::SOURCE_AGENT,
                             TaskStatusReason::REASON_EXECUTOR_TERMINATED, "Cannot find executor"),
                 nullptr);
    return;
  }
  LiveTask& task = it->second;
  if (v1::is_terminal(task.state) || task.killing) return;
  if (task.launch_pending()) {
    // Mesos's Slave::killTask of a task not yet delivered to its executor: killed, never run.
    say("Killing task " + kill.task_id.value + " of framework " + kill.framework_id.value +
        " before it was launched");
    transition(task, TaskState::TASK_KILLED, TaskStatusSource::SOURCE_AGENT,
               TaskStatusReason::REASON_TASK_KILLED_DURING_LAUNCH,
               "Killed before delivery to the executor");
    checkpoint(fw->second, task);
    return;
  }
  kill_container(fw->second, task, std::nullopt);
}

void LiveAgent::kill_container(LiveFramework& framework, LiveTask& task,
                               std::optional<Duration> grace) {
  task.killing = true;
  if (framework.info.has(v1::FrameworkCapability::TASK_KILLING_STATE)) {
    transition(task, TaskState::TASK_KILLING, TaskStatusSource::SOURCE_EXECUTOR);
  }
  if (Status killed = containerizer_.kill(task.container, clock_.now(), grace); !killed) {
    say("Killing task " + task.info.task_id.value + ": " + killed.error().message);
  }
  checkpoint(framework, task);
  arm_poll_timer();
}

void LiveAgent::shutdown_executor(const v1::ShutdownExecutorMessage& shutdown) {
  const std::string what =
      "executor '" + shutdown.executor_id.value + "' of framework " + shutdown.framework_id.value;
  if (connection_ != Connection::kRegistered) {
    say("Ignoring shutdown of " + what + " because the agent is not registered");
    return;
  }
  auto fw = frameworks_.find(shutdown.framework_id);
  if (fw == frameworks_.end()) {
    say("Cannot shut down " + what + ": unknown framework");
    return;
  }
  // A command executor's id is its task's id.
  auto it = fw->second.tasks.find(v1::TaskID{shutdown.executor_id.value});
  if (it == fw->second.tasks.end() || v1::is_terminal(it->second.state)) {
    say("Ignoring shutdown of unknown " + what);
    return;
  }
  if (it->second.killing) {
    say("Ignoring shutdown of " + what + " because the executor is terminating");
    return;
  }
  say("Shutting down " + what);
  if (it->second.launch_pending()) {
    // Mesos destroys a command executor that has not registered yet and fails its queued task.
    transition(it->second, TaskState::TASK_FAILED, TaskStatusSource::SOURCE_AGENT,
               TaskStatusReason::REASON_EXECUTOR_TERMINATED,
               "Executor shut down before the task was launched");
    checkpoint(fw->second, it->second);
    return;
  }
  kill_container(fw->second, it->second, config_.executor_shutdown_grace_period);
}

void LiveAgent::framework_message(const v1::FrameworkToExecutorMessage& message) {
  const std::string what =
      "executor '" + message.executor_id.value + "' of framework " + message.framework_id.value;
  auto fw = frameworks_.find(message.framework_id);
  const LiveTask* task = fw == frameworks_.end() ? nullptr
                                                 : find_task(message.framework_id,
                                                             v1::TaskID{message.executor_id.value});
  if (task == nullptr || v1::is_terminal(task->state)) {
    say("Dropping a framework message for unknown " + what);
    return;
  }
  say("Ignoring a framework message of " + std::to_string(message.data.size()) + " bytes for " +
      what + ": command executors ignore framework messages");
}

void LiveAgent::acknowledge(const v1::StatusUpdateAcknowledgementMessage& ack) {
  const auto result = updates_.acknowledge(ack.framework_id, ack.task_id, ack.uuid);
  if (!result.matched) return;
  LiveTask* task = find_task(ack.framework_id, ack.task_id);
  if (task == nullptr) return;
  if (!task->unacknowledged.empty()) {
    task->unacknowledged.pop_front();
    ++task->acknowledged;
  }
  LiveFramework& framework = frameworks_.at(ack.framework_id);
  // A terminal task adds nothing after its terminal update: an emptied stream means that one
  // was acknowledged.
  if (result.stream_done && v1::is_terminal(task->state)) {
    complete_task(framework, ack.task_id);
  } else {
    checkpoint(framework, *task);
  }
}

void LiveAgent::complete_task(LiveFramework& framework, const v1::TaskID& task_id) {
  auto it = framework.tasks.find(task_id);
  // The last task of a framework goes with its framework's directory.
  if (framework.tasks.size() > 1) forget_checkpointed(framework, task_id);
  it->second.unacknowledged.clear();
  framework.completed.push_back(std::move(it->second));
  if (framework.completed.size() > kMaxCompletedTasks) framework.completed.pop_front();
  framework.tasks.erase(it);
  if (!framework.tasks.empty()) return;
  // A framework with nothing left on the agent is moved to the completed ones, as Mesos does.
  forget_checkpointed(framework, std::nullopt);
  const v1::FrameworkID framework_id = *framework.info.id;
  completed_frameworks_.push_back(std::move(framework));
  if (completed_frameworks_.size() > kMaxCompletedFrameworks) completed_frameworks_.pop_front();
  frameworks_.erase(framework_id);
}

void LiveAgent::shutdown_framework(const v1::FrameworkID& framework_id) {
  updates_.remove_framework(framework_id);
  auto fw = frameworks_.find(framework_id);
  if (fw == frameworks_.end()) return;
  say("Shutting down framework " + framework_id.value);
  const Time now = clock_.now();
  for (auto& [task_id, task] : fw->second.tasks) {
    task.unacknowledged.clear();
    if (v1::is_terminal(task.state)) continue;
    // A queued launch is dropped (its queue entry finds no task); a container is killed. Neither
    // end is reported: nobody is left to acknowledge it.
    if (!task.launch_pending()) {
      by_container_.erase(task.container);
      if (Status killed =
              containerizer_.kill(task.container, now, config_.executor_shutdown_grace_period);
          !killed) {
        say("Killing task " + task_id.value + ": " + killed.error().message);
      }
    }
    set_state(task, TaskState::TASK_KILLED);
    task.statuses.emplace_back(TaskState::TASK_KILLED, now);
  }
  LiveFramework& framework = fw->second;
  forget_checkpointed(framework, std::nullopt);
  for (auto& [task_id, task] : framework.tasks) framework.completed.push_back(std::move(task));
  framework.tasks.clear();
  completed_frameworks_.push_back(std::move(framework));
  if (completed_frameworks_.size() > kMaxCompletedFrameworks) completed_frameworks_.pop_front();
  frameworks_.erase(fw);
  arm_poll_timer();
}

void LiveAgent::shutdown_agent() {
  disconnect();
  while (!frameworks_.empty()) shutdown_framework(frameworks_.begin()->first);
  updates_.clear();
  // Mesos deletes the agent's checkpointed identity when the master shuts it down: a restart
  // registers as a new agent.
  shut_down_ = true;
  agent_id_.reset();
  if (Status removed = remove_agent_checkpoint(config_.work_dir); !removed) {
    say("Failed to remove the agent checkpoint: " + removed.error().message);
  }
}

void LiveAgent::reconcile_tasks(const std::vector<v1::ReconcileTasksMessage>& reconciliations) {
  for (const auto& reconcile : reconciliations) {
    if (!reconcile.framework.id) continue;
    const TaskState state = reconcile.framework.has(v1::FrameworkCapability::PARTITION_AWARE)
                                ? TaskState::TASK_DROPPED
                                : TaskState::TASK_LOST;
    for (const v1::TaskID& task_id : reconcile.task_ids) {
      // A task the agent holds needs no answer: its own updates reach the master.
      if (find_task(*reconcile.framework.id, task_id) != nullptr) continue;
      add_reliable(
          make_update(*reconcile.framework.id, task_id, std::nullopt, state,
                      TaskStatusSource::SOURCE_AGENT, TaskStatusReason::REASON_RECONCILIATION,
                      "Reconciliation: task unknown to the agent"),
          nullptr);
    }
  }
}

bool LiveAgent::fits(const Resources& wanted, std::string* why) const {
  // Compared by quantity, as SimAgent does: dynamic reservations change keys without telling
  // the agent.
  const auto flat = [](const Resources& r) {
    return r.non_revocable().with_reservation(Reservation::unreserved());
  };
  const Resources total = flat(config_.resources);
  const Resources in_use = flat(used());
  const Resources free = total.contains(in_use) ? total - in_use : Resources{};
  if (free.contains(flat(wanted))) return true;
  *why = "Task needs " + wanted.to_string() + " but the agent has only " +
         (free.empty() ? std::string("nothing") : free.to_string()) + " free";
  return false;
}

void LiveAgent::poll_containers() {
  for (const ContainerEnded& end : containerizer_.poll(clock_.now())) on_container_ended(end);
  arm_poll_timer();
}

void LiveAgent::poll_pidfds(const std::vector<int>& readable) {
  for (const ContainerEnded& end : containerizer_.poll_readable(readable, clock_.now())) {
    on_container_ended(end);
  }
  arm_poll_timer();
}

void LiveAgent::on_container_ended(const ContainerEnded& end) {
  last_cpu_.erase(end.container);
  auto owner = by_container_.find(end.container);
  if (owner == by_container_.end()) return;  // its framework was shut down, or not recovered
  const auto [framework_id, task_id] = owner->second;
  by_container_.erase(owner);
  LiveTask* task = find_task(framework_id, task_id);
  if (task == nullptr || v1::is_terminal(task->state)) return;
  say("Task " + task_id.value + " of framework " + framework_id.value + " ended: " +
      std::string(v1::to_string(end.outcome.state)) + " (" + end.outcome.message + ")");
  transition(*task, end.outcome.state, TaskStatusSource::SOURCE_EXECUTOR, end.outcome.reason,
             end.outcome.message);
  task->killing = false;
  checkpoint(frameworks_.at(framework_id), *task);
}

void LiveAgent::arm_poll_timer() {
  const Time now = clock_.now();
  Time at = now + config_.container_poll_interval;
  if (std::optional<Time> deadline = containerizer_.next_deadline()) at = std::min(at, *deadline);
  if (poll_timer_.value != 0 && poll_at_ && *poll_at_ <= at) return;
  clock_.cancel(poll_timer_);
  poll_at_ = at;
  poll_timer_ = clock_.schedule(std::max(Duration::zero(), at - now), [this] {
    poll_timer_ = {};
    poll_at_.reset();
    poll_containers();
  });
}

void LiveAgent::set_state(LiveTask& task, TaskState state) {
  if (!v1::is_terminal(task.state) && v1::is_terminal(state)) {
    // Stops at zero: two tasks given the same port must not take it from the total twice.
    used_ -= used_.common(task.info.resources);
  }
  task.state = state;
}

void LiveAgent::transition(LiveTask& task, TaskState state, TaskStatusSource source,
                           std::optional<TaskStatusReason> reason, std::string message) {
  set_state(task, state);
  task.statuses.emplace_back(state, clock_.now());
  v1::StatusUpdate update = make_update(task.framework_id, task.info.task_id, task.executor_id,
                                        state, source, reason, std::move(message));
  // A task that ended uses nothing any more; running ones report usage in UsageReportMessages.
  if (v1::is_terminal(state)) update.usage = Resources{};
  add_reliable(std::move(update), &task);
}

void LiveAgent::add_reliable(v1::StatusUpdate update, LiveTask* task) {
  update.status.uuid = next_uuid();
  if (task != nullptr) task->unacknowledged.push_back(update);
  updates_.add(std::move(update));
}

v1::StatusUpdate LiveAgent::make_update(const v1::FrameworkID& framework_id,
                                        const v1::TaskID& task_id,
                                        std::optional<v1::ExecutorID> executor_id, TaskState state,
                                        TaskStatusSource source,
                                        std::optional<TaskStatusReason> reason,
                                        std::string message) const {
  v1::StatusUpdate update;
  update.framework_id = framework_id;
  update.status.task_id = task_id;
  update.status.state = state;
  update.status.agent_id = agent_id_.value_or(v1::AgentID{});
  update.status.executor_id = std::move(executor_id);
  update.status.timestamp = clock_.now();
  update.status.source = source;
  update.status.reason = reason;
  update.status.message = std::move(message);
  update.latest_state = state;
  return update;
}

Uuid LiveAgent::next_uuid() { return Uuid::random(rng_); }

LiveTask* LiveAgent::find_task(const v1::FrameworkID& framework_id, const v1::TaskID& task_id) {
  auto fw = frameworks_.find(framework_id);
  if (fw == frameworks_.end()) return nullptr;
  auto it = fw->second.tasks.find(task_id);
  return it == fw->second.tasks.end() ? nullptr : &it->second;
}

}  // namespace mesosim::live
