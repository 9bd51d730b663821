// The simulated agent's tasks: launching them under executors, their timed state transitions,
// kills, shutdowns, and the status updates every transition produces. The connection to the
// master lives in sim_agent.cpp.

#include "sim/sim_agent.hpp"

#include <algorithm>
#include <cstdint>
#include <set>
#include <tuple>
#include <utility>

#include "allocator/check.hpp"

namespace mesosim {

using v1::TaskState;
using v1::TaskStatusReason;
using v1::TaskStatusSource;

void SimAgent::run_task(v1::RunTaskMessage& run) {
  // A master launches only on a registered agent and names the framework; anything else cannot
  // be answered with a well-formed status update.
  if (!agent_id_ || !run.framework.id) return;
  // Nor while (re-)registering, as a Mesos agent does: the master settles which tasks this agent
  // has when it handles the re-registration, and a launch it sent before then, arriving now,
  // would run a task the master already reported gone.
  if (connection_ != Connection::kRegistered) return;
  const v1::FrameworkID framework_id = *run.framework.id;
  const v1::TaskID task_id = run.task.task_id;
  const Time now = clock_.now();

  // One search of frameworks_: where the framework is, or where it goes if the task is taken.
  auto known = frameworks_.lower_bound(framework_id);
  const bool framework_known = known != frameworks_.end() && known->first == framework_id;
  if (framework_known) {
    auto existing = known->second.tasks.find(task_id);
    if (existing != known->second.tasks.end()) {
      // Sent once and without a uuid: it must not join the existing task's stream, whose state
      // it does not change (latest_state tells the master so).
      v1::StatusUpdate update =
          make_update(framework_id, task_id, std::nullopt, TaskState::TASK_DROPPED, now,
                      TaskStatusSource::SOURCE_AGENT, TaskStatusReason::REASON_TASK_INVALID,
                      "Task ID '" + task_id.value + "' is already in use on this agent (state " +
                          std::string(v1::to_string(existing->second.state)) + ")");
      update.latest_state = existing->second.state;
      ++unreliable_updates_sent_;
      send_to_leader(v1::StatusUpdateMessage{std::move(update)});
      return;
    }
  }
  std::string why;
  if (!fits(run.task.resources, &why)) {
    v1::StatusUpdate update = make_update(
        framework_id, task_id, std::nullopt, TaskState::TASK_DROPPED, now,
        TaskStatusSource::SOURCE_AGENT, TaskStatusReason::REASON_RESOURCES_UNKNOWN, why);
    update.status.uuid = next_uuid();
    updates_.add(std::move(update));
    return;
  }

  if (!framework_known) known = frameworks_.try_emplace(known, framework_id);
  Framework& framework = known->second;
  framework.info = std::move(run.framework);
  const v1::ExecutorID executor_id =
      run.task.executor ? run.task.executor->executor_id : v1::ExecutorID{task_id.value};
  auto [executor, launched] = framework.executors.try_emplace(executor_id);
  if (launched) executor->second.ready_at = now + options_.executor_launch;
  ++executor->second.live_tasks;
  ++live_tasks_;
  TaskRecord& task = framework.tasks[task_id];
  task.framework = &framework;
  task.framework_id = framework_id;
  task.name = std::move(run.task.name);
  task.task_id = std::move(run.task.task_id);
  task.resources = std::move(run.task.resources);
  task.labels = std::move(run.task.labels);
  task.work = std::move(run.task.work);
  task.custom_executor = run.task.executor.has_value();
  used_ += task.resources;
  task.role = std::move(run.role);
  task.executor_id = executor_id;
  // Tasks given to an executor that is still coming up wait for it, as Mesos queues them.
  schedule_transition(task, std::max(now, executor->second.ready_at));
}

// A kill of a task this agent does not hold. For a framework it knows, Mesos's agent answers
// "Cannot find executor": TASK_DROPPED (TASK_LOST to a framework that is not partition-aware),
// REASON_EXECUTOR_TERMINATED. For a framework it has never heard of, Mesos's agent ignores the
// kill; the simulated network can drop a RunTaskMessage without breaking the connection (a real
// TCP connection would not), so the task would stay STAGING forever: it is answered
// TASK_DROPPED / REASON_TASK_UNKNOWN instead (sim/README.md, departures).
void SimAgent::report_unknown_task_killed(const v1::KillTaskMessage& kill,
                                          const Framework* framework, Time now) {
  v1::StatusUpdate update =
      framework != nullptr
          ? make_update(kill.framework_id, kill.task_id, std::nullopt,
                        framework->info.has(v1::FrameworkCapability::PARTITION_AWARE)
                            ? TaskState::TASK_DROPPED
                            : TaskState::TASK_LOST,
                        now, TaskStatusSource::SOURCE_AGENT,
                        TaskStatusReason::REASON_EXECUTOR_TERMINATED, "Cannot find executor")
          : make_update(kill.framework_id, kill.task_id, std::nullopt, TaskState::TASK_DROPPED,
                        now, TaskStatusSource::SOURCE_AGENT, TaskStatusReason::REASON_TASK_UNKNOWN,
                        "Cannot kill task '" + kill.task_id.value + "': unknown to this agent");
  update.status.uuid = next_uuid();
  updates_.add(std::move(update));
}

void SimAgent::kill_task(const v1::KillTaskMessage& kill) {
  if (!agent_id_) return;
  const Time now = clock_.now();
  TaskRecord* task = nullptr;
  bool killing_state = false;
  const Framework* framework = nullptr;
  if (auto fw = frameworks_.find(kill.framework_id); fw != frameworks_.end()) {
    framework = &fw->second;
    auto it = fw->second.tasks.find(kill.task_id);
    if (it != fw->second.tasks.end()) task = &it->second;
    killing_state = fw->second.info.has(v1::FrameworkCapability::TASK_KILLING_STATE);
  }
  if (task == nullptr) {
    report_unknown_task_killed(kill, framework, now);
    return;
  }
  // A terminal task's last update is already on its way; a task in its grace period is
  // already being killed (executors ignore repeated kills).
  // An executor being shut down ends its tasks itself.
  if (v1::is_terminal(task->state) || task->killing || task->executor_terminated) return;
  if (task->state == TaskState::TASK_STAGING) {
    transition(*task, TaskState::TASK_KILLED, now, TaskStatusSource::SOURCE_AGENT,
               TaskStatusReason::REASON_TASK_KILLED_DURING_LAUNCH,
               "Killed before its executor started it");
    return;
  }
  task->killing = true;
  clock_.cancel(task->timer);
  task->timer = {};
  if (killing_state) {
    transition(*task, TaskState::TASK_KILLING, now, TaskStatusSource::SOURCE_EXECUTOR);
  }
  schedule_transition(*task, now + options_.kill_grace);
}

void SimAgent::acknowledge(const v1::StatusUpdateAcknowledgementMessage& ack) {
  const auto result = updates_.acknowledge(ack.framework_id, ack.task_id, ack.uuid);
  // A task's state changes only with an update added to its stream (transition()), and a
  // terminal task adds none after its terminal one: a stream emptied by the acknowledgement of a
  // terminal update is a terminal task's, or one of a task the agent does not hold (TASK_DROPPED
  // for a launch that did not fit). Any other leaves the task's record alone, unread.
  if (!result.stream_done || !result.terminal) return;
  auto fw = frameworks_.find(ack.framework_id);
  if (fw == frameworks_.end()) return;
  auto task = fw->second.tasks.find(ack.task_id);
  if (task == fw->second.tasks.end() || !v1::is_terminal(task->second.state)) return;
  fw->second.tasks.erase(task);
  if (fw->second.tasks.empty()) frameworks_.erase(fw);
}

void SimAgent::shutdown_framework(const v1::FrameworkID& framework_id) {
  updates_.remove_framework(framework_id);
  auto fw = frameworks_.find(framework_id);
  if (fw == frameworks_.end()) return;
  for (auto& [task_id, task] : fw->second.tasks) {
    clock_.cancel(task.timer);
    if (v1::is_terminal(task.state)) continue;
    --live_tasks_;
    used_ -= task.resources;
  }
  frameworks_.erase(fw);  // last: `framework_id` may be this entry's key
}

void SimAgent::framework_message(const v1::FrameworkToExecutorMessage& message) {
  auto fw = frameworks_.find(message.framework_id);
  if (fw == frameworks_.end() || !fw->second.executors.count(message.executor_id)) return;
  ++framework_messages_delivered_;
}

void SimAgent::shutdown_executor(const v1::ShutdownExecutorMessage& shutdown) {
  if (connection_ != Connection::kRegistered) return;
  auto fw = frameworks_.find(shutdown.framework_id);
  if (fw == frameworks_.end()) return;
  auto executor = fw->second.executors.find(shutdown.executor_id);
  if (executor == fw->second.executors.end() || executor->second.terminating) return;
  executor->second.terminating = true;
  const Time now = clock_.now();
  const bool killing_state = fw->second.info.has(v1::FrameworkCapability::TASK_KILLING_STATE);
  for (auto& [task_id, task] : fw->second.tasks) {
    if (task.executor_id != shutdown.executor_id || v1::is_terminal(task.state)) continue;
    const bool started = task.state != TaskState::TASK_STAGING;
    if (!task.custom_executor && started) {
      // The command executor kills its task; one already being killed carries on.
      if (task.killing) continue;
      task.killing = true;
      if (killing_state) {
        transition(task, TaskState::TASK_KILLING, now, TaskStatusSource::SOURCE_EXECUTOR);
      }
    } else {
      task.killing = false;
      task.executor_terminated = true;
    }
    clock_.cancel(task.timer);
    task.timer = {};
    schedule_transition(task, now + options_.kill_grace);
  }
}

void SimAgent::reconcile_tasks(const std::vector<v1::ReconcileTasksMessage>& reconciliations) {
  const Time now = clock_.now();
  for (const auto& reconcile : reconciliations) {
    if (!reconcile.framework.id) continue;
    const v1::FrameworkID& framework_id = *reconcile.framework.id;
    auto fw = frameworks_.find(framework_id);
    const TaskState state = reconcile.framework.has(v1::FrameworkCapability::PARTITION_AWARE)
                                ? TaskState::TASK_DROPPED
                                : TaskState::TASK_LOST;
    for (const v1::TaskID& task_id : reconcile.task_ids) {
      // A task the agent holds needs no answer: its own updates reach the master.
      if (fw != frameworks_.end() && fw->second.tasks.count(task_id)) continue;
      v1::StatusUpdate update =
          make_update(framework_id, task_id, std::nullopt, state, now,
                      TaskStatusSource::SOURCE_AGENT, TaskStatusReason::REASON_RECONCILIATION,
                      "Reconciliation: task unknown to the agent");
      update.status.uuid = next_uuid();
      updates_.add(std::move(update));
    }
  }
}

bool SimAgent::fits(const Resources& wanted, std::string* why) const {
  // Compared by quantity: the master tracks dynamic reservations, which change resources' keys
  // without telling the agent, and revocable resources come from oversubscription, which the
  // agent does not model.
  // Most agents have neither: then a set is its own flattening and is not rebuilt.
  const auto plain = [](const ResourceKey& k) {
    return !k.revocable && !k.reservation.is_reserved();
  };
  const auto flat = [&](const Resources& r, Resources& scratch) -> const Resources& {
    if (r.all_keys(plain)) return r;
    scratch = r.non_revocable().with_reservation(Reservation::unreserved());
    return scratch;
  };
  Resources scratch_total, scratch_used, scratch_wanted;
  const Resources& total = flat(options_.resources, scratch_total);
  const Resources& in_use = flat(used_, scratch_used);
  const Resources free = total.contains(in_use) ? total - in_use : Resources{};
  if (free.contains(flat(wanted, scratch_wanted))) return true;
  *why = "Task needs " + wanted.to_string() + " but the agent has only " +
         (free.empty() ? std::string("nothing") : free.to_string()) + " free";
  return false;
}

void SimAgent::schedule_transition(TaskRecord& task, Time at) {
  task.next_at = at;
  task.next_seq = ++transition_seq_;
  if (alive_) arm_transition_timer(task);
}

void SimAgent::arm_transition_timer(TaskRecord& task) {
  clock_.cancel(task.timer);
  task.timer = {};
  if (!task.next_at) return;
  const Duration delay = std::max(Duration::zero(), *task.next_at - clock_.now());
  task.timer = clock_.schedule(delay, [this, &task] {
    task.timer = {};
    on_transition(task);
  });
}

void SimAgent::arm_transition_timers() {
  // In due order, so that transitions due at the same time keep the order they were scheduled
  // in before the crash.
  std::vector<TaskRecord*> due;
  for (auto& [framework_id, framework] : frameworks_) {
    for (auto& [task_id, task] : framework.tasks) {
      if (task.next_at) due.push_back(&task);
    }
  }
  std::sort(due.begin(), due.end(), [](const TaskRecord* a, const TaskRecord* b) {
    return std::tie(*a->next_at, a->next_seq) < std::tie(*b->next_at, b->next_seq);
  });
  for (TaskRecord* task : due) arm_transition_timer(*task);
}

void SimAgent::on_transition(TaskRecord& task) {
  MESOSIM_CHECK(task.next_at.has_value(), "a task transition fired with nothing due");
  const Time at = *task.next_at;
  task.next_at.reset();
  if (task.executor_terminated) {
    transition(task, TaskState::TASK_FAILED, at, TaskStatusSource::SOURCE_AGENT,
               TaskStatusReason::REASON_EXECUTOR_TERMINATED, "Executor terminated");
    return;
  }
  if (task.killing) {
    transition(task, TaskState::TASK_KILLED, at, TaskStatusSource::SOURCE_EXECUTOR, std::nullopt,
               "Killed by its framework");
    return;
  }
  switch (task.state) {
    case TaskState::TASK_STAGING:
      transition(task, TaskState::TASK_STARTING, at, TaskStatusSource::SOURCE_EXECUTOR);
      schedule_transition(task, at + options_.task_start);
      return;
    case TaskState::TASK_STARTING:
      task.ran = true;
      transition(task, TaskState::TASK_RUNNING, at, TaskStatusSource::SOURCE_EXECUTOR);
      if (task.work) schedule_transition(task, at + task.work->duration);
      return;
    case TaskState::TASK_RUNNING: {
      const TaskState final_state = task.work->final_state;
      if (v1::is_terminal(final_state)) {
        transition(task, final_state, at, TaskStatusSource::SOURCE_EXECUTOR);
      } else {
        transition(task, TaskState::TASK_FAILED, at, TaskStatusSource::SOURCE_EXECUTOR,
                   std::nullopt,
                   "work.final_state " + std::string(v1::to_string(final_state)) +
                       " is not a terminal state");
      }
      return;
    }
    default:
      MESOSIM_CHECK(false, "a task transition fired in a state that has none");
  }
}

void SimAgent::transition(TaskRecord& task, TaskState state, Time at, TaskStatusSource source,
                          std::optional<TaskStatusReason> reason, std::string message) {
  task.state = state;
  v1::StatusUpdate update = make_update(task.framework_id, task.task_id, task.executor_id, state,
                                        at, source, reason, std::move(message));
  update.usage = task_usage(task, state);
  update.status.uuid = next_uuid();
  updates_.add(std::move(update));
  if (v1::is_terminal(state)) end_task(task);
}

void SimAgent::end_task(TaskRecord& task) {
  clock_.cancel(task.timer);
  task.timer = {};
  task.next_at.reset();
  task.killing = false;
  task.executor_terminated = false;
  --live_tasks_;
  used_ -= task.resources;
  Framework& framework = *task.framework;
  auto executor = framework.executors.find(task.executor_id);
  MESOSIM_CHECK(executor != framework.executors.end(), "a live task without its executor");
  if (--executor->second.live_tasks == 0) framework.executors.erase(executor);
}

void SimAgent::replay_missed_transitions() {
  const Time now = clock_.now();
  std::set<std::tuple<Time, uint64_t, TaskRecord*>> due;
  for (auto& [framework_id, framework] : frameworks_) {
    for (auto& [task_id, task] : framework.tasks) {
      if (task.next_at) due.emplace(*task.next_at, task.next_seq, &task);
    }
  }
  while (!due.empty() && std::get<0>(*due.begin()) <= now) {
    TaskRecord* task = std::get<2>(*due.begin());
    due.erase(due.begin());
    on_transition(*task);
    if (task->next_at) due.emplace(*task->next_at, task->next_seq, task);
  }
}

void SimAgent::cancel_transition_timers() {
  for (auto& [framework_id, framework] : frameworks_) {
    for (auto& [task_id, task] : framework.tasks) {
      clock_.cancel(task.timer);
      task.timer = {};
    }
  }
}

v1::StatusUpdate SimAgent::make_update(const v1::FrameworkID& framework_id,
                                       const v1::TaskID& task_id,
                                       std::optional<v1::ExecutorID> executor_id, TaskState state,
                                       Time at, TaskStatusSource source,
                                       std::optional<TaskStatusReason> reason,
                                       std::string message) const {
  v1::StatusUpdate update;
  update.framework_id = framework_id;
  update.status.task_id = task_id;
  update.status.state = state;
  update.status.agent_id = agent_id_.value_or(v1::AgentID{});
  update.status.executor_id = std::move(executor_id);
  update.status.timestamp = at;
  update.status.source = source;
  update.status.reason = reason;
  update.status.message = std::move(message);
  update.latest_state = state;
  return update;
}

// The same two draws the agent has always made, so seeded runs stay the same.
Uuid SimAgent::next_uuid() { return Uuid::random(rng_); }

}  // namespace mesosim
