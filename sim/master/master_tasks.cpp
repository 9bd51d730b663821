// Master: status updates and acknowledgements, KILL, reconciliation, task state bookkeeping.

#include <fmt/format.h>

#include "sim/master/master_state.hpp"

namespace mesosim {
namespace {

namespace sched = v1::scheduler;
using v1::TaskState;

// Where a state falls in a task's life. A task's states reach the stream in this order; an
// update ranked at or below what was published is old news (a resend, or older than a state a
// re-registering agent reported).
int lifecycle_rank(TaskState state) {
  switch (state) {
    case TaskState::TASK_STAGING: return 0;
    case TaskState::TASK_STARTING: return 1;
    case TaskState::TASK_RUNNING: return 2;
    case TaskState::TASK_KILLING: return 3;
    case TaskState::TASK_UNREACHABLE: return 4;
    default: return 5;  // terminal, or UNKNOWN (which the master never holds as a state)
  }
}

}  // namespace

bool Master::State::publish_state(Task& t, const v1::TaskStatus& status) {
  const int rank = lifecycle_rank(status.state);
  if (rank <= t.published_rank) return false;
  t.published_rank = rank;
  if (!observed()) return true;
  auto* e = &reuse<master_event::TaskStateChanged>(task_event);
  // Every one of its fields is assigned below: this binding stops compiling if it gains one.
  [[maybe_unused]] auto& [f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12] = *e;
  e->task = t.task.task_id;
  e->framework = t.task.framework_id;
  e->agent = t.task.agent_id;
  e->role = t.task.role;
  e->state = status.state;
  e->reason = status.reason;
  e->source = status.source;
  e->resources = t.task.resources;
  e->message = status.message;
  e->timestamp = status.timestamp;
  e->name = t.task.name;
  e->labels = t.task.labels;
  emit(task_event);
  return true;
}

void Master::State::publish_reported(Task& t, v1::TaskStatusSource source,
                                     std::string_view message) {
  t.published_rank = lifecycle_rank(t.task.state);
  if (!observed()) return;  // every launch passes here: build nothing for nobody
  t.published_rank = -1;
  v1::TaskStatus status;
  status.state = t.task.state;
  status.source = source;
  status.timestamp = m.clock_.now();
  status.message = std::string(message);
  publish_state(t, status);
}

void Master::State::usage_report(Endpoint from, const v1::UsageReportMessage& report) {
  if (!observed()) return;
  const Agent* a = agent_at_endpoint(from);
  if (a == nullptr) return;
  for (const auto& sample : report.samples) {
    const Task* t = find_task(IdPairView{sample.framework_id.value, sample.task_id.value});
    if (t == nullptr || t->agent != a->handle) continue;
    publish(master_event::TaskUsage{sample.task_id, sample.framework_id, t->task.agent_id,
                                    sample.usage, report.timestamp});
  }
}

v1::TaskState Master::State::visible_state(const Framework& f, TaskState state) const {
  if (f.info.has(v1::FrameworkCapability::PARTITION_AWARE)) return state;
  switch (state) {
    case TaskState::TASK_DROPPED:
    case TaskState::TASK_UNREACHABLE:
    case TaskState::TASK_GONE:
    case TaskState::TASK_GONE_BY_OPERATOR:
    case TaskState::TASK_UNKNOWN:
      return TaskState::TASK_LOST;
    default:
      return state;
  }
}

v1::TaskStatus Master::State::master_status(const v1::TaskID& task, const v1::AgentID& agent,
                                            std::optional<v1::ExecutorID> executor,
                                            TaskState state,
                                            std::optional<v1::TaskStatusReason> reason,
                                            std::string message) const {
  v1::TaskStatus status;
  status.task_id = task;
  status.state = state;
  status.agent_id = agent;
  status.executor_id = std::move(executor);
  status.timestamp = m.clock_.now();
  status.source = v1::TaskStatusSource::SOURCE_MASTER;
  status.reason = reason;
  status.message = std::move(message);
  return status;
}

void Master::State::release(Task& t) {
  if (t.released) return;
  t.released = true;
  Framework* f = framework_by_handle(t.framework);
  Agent* a = agent_by_handle(t.agent);
  if (!f || !a) return;
  recover(*f, *a, t.task.role, t.task.resources, std::nullopt, RecoveredReason::kTaskReleased);
  if (m.options_.allocate_on_task_end) {
    m.allocator_->request_allocation(a->handle);
    request_allocation_soon();  // also when a timer, not a message, ended the task
  }
}

bool Master::State::transition(Task& t, v1::TaskStatus status, bool forward,
                               std::optional<TaskState> latest_state) {
  const TaskState latest = latest_state.value_or(status.state);
  // An agent's TASK_DROPPED for a duplicate launch names a task that lives on: it is about the
  // refused launch, so it neither reaches the stream nor becomes what reconciliation answers.
  const bool about_task = !v1::is_terminal(status.state) || v1::is_terminal(latest);
  t.task.state = latest;
  const bool published = about_task && publish_state(t, status);
  if (v1::is_terminal(latest) || latest == TaskState::TASK_UNREACHABLE) release(t);
  Framework* f = framework_by_handle(t.framework);
  if (f) status.state = visible_state(*f, status.state);
  if (about_task) t.last_sent = SentStatus{status.state, status.timestamp};
  if (forward && f) send_event(*f, sched::Update{std::move(status)});
  return published;
}

void Master::State::complete(Task& record) {
  Task t = remove_task(record);
  // Its terminal update may never reach this master (the framework left before acknowledging
  // the one before): the stream still learns how the task ended.
  if (v1::is_terminal(t.task.state) && t.published_rank < lifecycle_rank(t.task.state)) {
    publish_reported(t, v1::TaskStatusSource::SOURCE_MASTER,
                     "the agent's latest state; its update did not reach the master");
  }
  // What became of it is the stream's to keep: an observer that serves completed tasks keeps
  // them (live mode's MasterBook, bounded by max_completed_tasks_per_framework).
}

void Master::State::status_update(Endpoint from, v1::StatusUpdate&& update) {
  Agent* at = agent_at_endpoint(from);
  if (at == nullptr) return;  // not registered (here): it resends after registering
  Agent& a = *at;
  const IdPairView key{update.framework_id.value, update.status.task_id.value};
  Framework* f = framework_by_id(update.framework_id.value);
  Task* found = find_task(key);
  if (found == nullptr) {
    // A task this master does not track (it completed it, or never learned of it: after a
    // failover an agent does not report tasks that already ended). The framework still gets
    // the update if it is here to acknowledge it. If it is disconnected or not yet
    // re-subscribed, the agent keeps retrying until it is (Mesos drops such updates too);
    // only for a framework that was removed does the master acknowledge, so that the agent
    // stops retrying.
    if (f && f->connected) {
      v1::TaskStatus status = update.status;
      status.state = visible_state(*f, status.state);
      send_event(*f, sched::Update{std::move(status)});
    } else if (!f && removed_frameworks.count(update.framework_id.value) && update.status.uuid) {
      send(from, v1::StatusUpdateAcknowledgementMessage{*a.info.id, update.framework_id,
                                                        update.status.task_id,
                                                        *update.status.uuid});
    }
    return;
  }
  Task& t = *found;
  const TaskState state = update.status.state;
  const TaskState latest = update.latest_state.value_or(state);
  const bool has_uuid = update.status.uuid.has_value();
  if (v1::is_terminal(state) && has_uuid) set_terminal_uuid(t, *update.status.uuid);
  const Time measured = update.status.timestamp;
  // With a framework to forward to, the status (its ids with it) moves on to it; without one,
  // it stays here for the acknowledgement below and transition() gets a copy.
  const bool forward = f != nullptr;
  if (transition(t, forward ? std::move(update.status) : update.status, forward, latest) &&
      update.usage && observed()) {
    publish(master_event::TaskUsage{t.task.task_id, t.task.framework_id, t.task.agent_id,
                                    *update.usage, measured});
  }
  if (!forward) {
    if (has_uuid) {
      send(from, v1::StatusUpdateAcknowledgementMessage{
                     *a.info.id, update.framework_id, update.status.task_id, *update.status.uuid});
    }
    if (v1::is_terminal(state)) complete(t);
    return;
  }
  // Without a uuid nobody acknowledges it, so a terminal update completes the task at once
  // (but not an agent's TASK_DROPPED for a duplicate launch: the task it names lives on).
  if (v1::is_terminal(state) && v1::is_terminal(latest) && !has_uuid) complete(t);
}

void Master::State::acknowledge(Framework& f, sched::Acknowledge& ack) {
  Agent* a = agent_by_id(ack.agent_id.value);
  if (!a) {
    reject(f.info.id, "ACKNOWLEDGE", CallRejectedReason::kUnknownAgent,
           fmt::format("agent {} is not registered", ack.agent_id.value));
    return;
  }
  // The task it completes, if any (the acknowledgement of its terminal update).
  Task* t = find_awaiting_ack(IdPairView{f.info.id->value, ack.task_id.value}, ack.uuid);
  send(a->endpoint, v1::StatusUpdateAcknowledgementMessage{std::move(ack.agent_id), *f.info.id,
                                                           std::move(ack.task_id), ack.uuid});
  if (t != nullptr) complete(*t);
}

void Master::State::kill(Framework& f, const sched::Kill& k) {
  Task* found = find_task(IdPairView{f.info.id->value, k.task_id.value});
  if (found == nullptr) {
    // Unknown here: answer as reconciliation would (Mesos does the same).
    reconcile(f, sched::Reconcile{{sched::Reconcile::Task{k.task_id, k.agent_id}}});
    return;
  }
  Task& t = *found;
  if (t.unreachable) {
    // Mesos keeps unreachable tasks apart and answers as reconciliation does.
    reconcile(f, sched::Reconcile{{sched::Reconcile::Task{k.task_id, t.task.agent_id}}});
    return;
  }
  if (t.released) return;
  // A disconnected agent may not get it: it is sent again when the agent re-registers
  // (Mesos's Slave::killedTasks).
  t.kill_requested = true;
  if (Agent* a = agent_by_handle(t.agent); a && a->connected) {
    send(a->endpoint, v1::KillTaskMessage{*f.info.id, t.task.task_id});
  }
}

void Master::State::reconcile(Framework& f, const sched::Reconcile& r) {
  auto answer = [&](const v1::TaskID& task_id, const std::optional<v1::AgentID>& agent_id,
                    TaskState state, const std::optional<v1::ExecutorID>& executor_id) {
    send_event(f,
               sched::Update{master_status(
                   task_id, agent_id.value_or(v1::AgentID{}), executor_id, visible_state(f, state),
                   v1::TaskStatusReason::REASON_RECONCILIATION, "reconciliation")});
  };
  // Like Mesos's status_update_state: the state of the newest update the framework was sent,
  // so that an answer never runs ahead of the reliable updates still on their way.
  auto sent_state = [](const Task& t) { return t.last_sent ? t.last_sent->state : t.task.state; };
  if (r.tasks.empty()) {
    // Unreachable tasks are left out, as Mesos does: only an explicit question about them is
    // answered.
    for (TaskRef ref : tasks_of(f)) {
      const Task& t = task_at(ref);
      if (t.unreachable) continue;
      answer(t.task.task_id, t.task.agent_id, sent_state(t), t.task.executor_id);
    }
    return;
  }
  bool agents_to_come = false;  // admitted agents yet to re-register with this master
  for (const auto& [id, agent] : m.registry_.agents) {
    if (agent.state == Registry::AgentState::kAdmitted && !agent_by_id(id)) {
      agents_to_come = true;
    }
  }
  for (const auto& q : r.tasks) {
    if (const Task* found = find_task(IdPairView{f.info.id->value, q.task_id.value})) {
      const Task& t = *found;
      answer(t.task.task_id, t.task.agent_id, sent_state(t), t.task.executor_id);
      continue;
    }
    if (!q.agent_id) {
      // It could be on any agent yet to re-register: no answer until then (Mesos does so).
      if (!agents_to_come) answer(q.task_id, std::nullopt, TaskState::TASK_UNKNOWN, std::nullopt);
      continue;
    }
    if (agent_by_id(q.agent_id->value)) {
      answer(q.task_id, q.agent_id, TaskState::TASK_GONE, std::nullopt);
      continue;
    }
    auto reg = m.registry_.agents.find(q.agent_id->value);
    if (reg == m.registry_.agents.end()) {
      answer(q.task_id, q.agent_id, TaskState::TASK_UNKNOWN, std::nullopt);
    } else if (reg->second.state == Registry::AgentState::kUnreachable) {
      answer(q.task_id, q.agent_id, TaskState::TASK_UNREACHABLE, std::nullopt);
    } else if (reg->second.state == Registry::AgentState::kGone) {
      answer(q.task_id, q.agent_id, TaskState::TASK_GONE_BY_OPERATOR, std::nullopt);
    }
    // Admitted but not yet re-registered with this master: no answer until it does.
  }
}

}  // namespace mesosim
