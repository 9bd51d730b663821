// Master: agent registration, re-registration (after a restart, a partition or a master
// failover), health checks and unreachable agents.

#include <algorithm>

#include <fmt/format.h>

#include "allocator/check.hpp"
#include "sim/master/master_state.hpp"

namespace mesosim {
namespace {

namespace sched = v1::scheduler;
using v1::TaskState;

}  // namespace

Master::State::Agent* Master::State::admit_agent(Endpoint from, const v1::AgentInfo& info,
                                                 bool reregistered,
                                                 const std::vector<UsedResources>& used) {
  const uint32_t handle = take_slot(agent_slots, free_agent_handles);
  // The allocator checks what the agent reports; an agent it refuses changes nothing here.
  if (Status s = m.allocator_->add_agent(AgentId{handle}, AgentInfo{info.hostname, info.resources},
                                         used);
      !s.ok()) {
    free_agent_handles.push_back(handle);
    send(from, v1::ShutdownAgentMessage{"agent refused: " + s.error().message});
    publish(master_event::AgentRemoved{*info.id, false, AgentRemovedReason::kRefused,
                                       s.error().message});
    return nullptr;
  }
  agent_slots[handle] = std::make_unique<Agent>();
  Agent& a = *agent_slots[handle];
  ++connected_agent_count;  // an agent comes in connected
  agent_ids[info.id->value] = AgentId{handle};
  agent_index.insert(flat_hash(info.id->value), handle);
  a.info = info;
  a.handle = AgentId{handle};
  a.endpoint = from;
  agent_at[from] = a.handle;
  m.transport_.link(m.self_, from);
  publish(master_event::AgentAdded{*info.id, info.hostname, info.resources, info.attributes,
                                   reregistered});
  if (observed()) {
    for (const UsedResources& u : used) {
      const Framework* f = framework_by_handle(u.framework);
      if (!f) continue;  // the allocator adopts only frameworks in the books
      publish(master_event::ResourcesAdopted{*f->info.id, *info.id, u.role, u.resources});
    }
  }
  m.health_->watch(from, a.connected);
  return &a;
}

// Mesos's MasterSlaveConnection.total_ping_timeout_seconds: how long an agent may hear no ping.
Duration Master::State::total_ping_timeout() const {
  return m.options_.agent_ping_timeout * m.options_.max_agent_ping_timeouts;
}

void Master::State::register_agent(Endpoint from, const v1::RegisterAgentMessage& msg) {
  if (const Agent* known = agent_at_endpoint(from)) {
    // A retry whose answer was lost or is still in flight.
    send(from, v1::AgentRegisteredMessage{*known->info.id, total_ping_timeout()});
    return;
  }
  if (msg.agent.hostname.empty() || msg.agent.resources.empty()) {
    send(from, v1::ShutdownAgentMessage{"an agent needs a hostname and resources"});
    return;
  }
  v1::AgentInfo info = msg.agent;
  info.id = v1::AgentID{fmt::format("{}-S{}", m.options_.master_id, next_agent++)};
  // The registry admits only an agent the allocator accepted: a refused one leaves no trace
  // that a later master would wait for.
  if (!admit_agent(from, info, false, {})) return;
  m.registry_.agents[info.id->value] =
      Registry::Agent{info, Registry::AgentState::kAdmitted, m.clock_.now()};
  m.registry_.changed();
  send(from, v1::AgentRegisteredMessage{*info.id, total_ping_timeout()});
}

void Master::State::reregister_agent(Endpoint from, v1::ReregisterAgentMessage& msg) {
  if (!msg.agent.id) {
    register_agent(from, v1::RegisterAgentMessage{msg.agent});
    return;
  }
  const std::string id = msg.agent.id->value;
  auto reg = m.registry_.agents.find(id);
  if (reg != m.registry_.agents.end() && reg->second.state == Registry::AgentState::kGone) {
    send(from, v1::ShutdownAgentMessage{"agent " + id + " was marked gone"});
    return;
  }
  if (Agent* known = agent_by_id(id)) {
    reregister_known_agent(*known, from, msg);
    return;
  }

  // Not registered here: back from unreachable, unknown to the registry, or this master is new
  // and the registry admitted it before the failover (Mesos's "recovered" agents).
  const bool recovered =
      reg != m.registry_.agents.end() && reg->second.state == Registry::AgentState::kAdmitted;
  const bool was_unreachable =
      reg != m.registry_.agents.end() && reg->second.state == Registry::AgentState::kUnreachable;
  for (const auto& info : msg.frameworks) {
    if (!info.id || framework_by_id(info.id->value) || removed_frameworks.count(info.id->value)) {
      continue;
    }
    add_framework(info, false, {});  // known only through its tasks until it re-subscribes
  }
  // Every task comes back, partition-aware or not (Mesos 1.5 and later), except those of
  // frameworks removed here: those frameworks are shut down on the agent.
  std::vector<UsedResources> used;
  std::vector<v1::Task*> adopted;
  used.reserve(msg.tasks.size());
  adopted.reserve(msg.tasks.size());
  std::set<std::string> shut_down;
  for (auto& t : msg.tasks) {
    Framework* f = framework_by_id(t.framework_id.value);
    if (!f) {
      if (shut_down.insert(t.framework_id.value).second) {
        send(from, v1::ShutdownFrameworkMessage{t.framework_id});
      }
      continue;
    }
    // A task that ended with its last update still unacknowledged holds nothing.
    if (!v1::is_terminal(t.state)) used.push_back(UsedResources{f->handle, t.role, t.resources});
    adopted.push_back(&t);
  }
  // The registry's resources win over the agent's configuration: they carry the dynamic
  // reservations made through this and earlier masters (Mesos checkpoints them on the agent).
  v1::AgentInfo info = msg.agent;
  if (reg != m.registry_.agents.end()) info.resources = reg->second.info.resources;
  Agent* admitted = admit_agent(from, info, true, used);
  if (!admitted) return;
  Agent& a = *admitted;
  Registry::Agent entry{std::move(info), Registry::AgentState::kAdmitted, m.clock_.now()};
  if (reg != m.registry_.agents.end()) {
    reg->second = std::move(entry);  // found above: no second search by id
  } else {
    m.registry_.agents.emplace(id, std::move(entry));
  }
  m.registry_.changed();
  // Unreachable tasks the agent does not report, in the order of their ids.
  std::vector<TaskRef> not_reported;
  if (auto u = unreachable_tasks.find(id); u != unreachable_tasks.end()) {
    std::set<IdPairView> reported;
    for (const v1::Task* t : adopted) reported.insert({t->framework_id.value, t->task_id.value});
    for (const TaskEntry& e : u->second) {
      if (!reported.count(e.id)) not_reported.push_back(e.ref);
    }
  }
  for (v1::Task* reported_task : adopted) {
    Task& t = adopt_task(a, std::move(*reported_task));
    if (recovered) continue;
    // The framework may have been told TASK_UNREACHABLE or TASK_LOST: tell it where the task
    // stands now (Mesos drops this update for a disconnected framework too).
    Framework& f = *framework_by_handle(t.framework);
    v1::TaskStatus status = master_status(
        t, visible_state(f, t.task.state), v1::TaskStatusReason::REASON_AGENT_REREGISTERED,
        was_unreachable ? "unreachable agent re-registered" : "unknown agent re-registered");
    t.last_sent = SentStatus{status.state, status.timestamp};
    send_event(f, sched::Update{std::move(status)});
  }
  // Unreachable tasks the agent no longer has are forgotten without an update; a framework that
  // asks (explicit reconciliation) is told TASK_GONE, as Mesos does.
  for (TaskRef ref : not_reported) forget_unreachable(task_at(ref));
  send(from, v1::AgentReregisteredMessage{*msg.agent.id, {}, total_ping_timeout()});
}

Master::State::Task& Master::State::adopt_task(Agent& a, v1::Task&& reported) {
  Framework& f = *framework_by_id(reported.framework_id.value);
  // A task the books still hold (kept while its agent was unreachable) starts afresh.
  if (Task* known = find_task(IdPairView{reported.framework_id.value, reported.task_id.value})) {
    remove_task(*known);
  }
  Task& t = add_task(f, a, std::move(reported));
  t.released = v1::is_terminal(t.task.state);  // ended, its last update unacknowledged
  publish_reported(t, v1::TaskStatusSource::SOURCE_AGENT, "reported by re-registering agent");
  return t;
}

void Master::State::reregister_known_agent(Agent& a, Endpoint from,
                                           const v1::ReregisterAgentMessage& msg) {
  // Still registered here: the agent restarted or its connection came back.
  const std::string id = a.info.id->value;
  if (a.endpoint != from) {
    agent_at.erase(a.endpoint);
    m.health_->unwatch(a.endpoint);
    a.endpoint = from;
    agent_at[from] = a.handle;
    m.health_->watch(from, true);
  }
  // Always: a restarted agent is a new incarnation at the same endpoint, and the network
  // forgot the link to the old one when it crashed.
  m.transport_.link(m.self_, from);
  if (!a.connected) ++connected_agent_count;
  a.connected = true;
  m.health_->set_connected(from, true);
  m.health_->heard_from(from);
  m.clock_.cancel(a.reregister_timer);
  a.reregister_timer = {};
  m.allocator_->activate_agent(a.handle);
  std::set<IdPairView> reported;
  for (const auto& t : msg.tasks) reported.insert({t.framework_id.value, t.task_id.value});
  // Tasks the master holds here that the agent did not report (a launch lost on the way, or
  // one racing with this re-registration): the agent reconciles them, answering each task it
  // does not have with a reliable TASK_LOST / TASK_DROPPED. The master invents no end itself.
  // A task whose end the master already forwarded waits for its acknowledgement instead.
  std::map<std::string_view, v1::ReconcileTasksMessage> reconcile;
  for (TaskRef ref : tasks_of(a)) {
    const Task& t = task_at(ref);
    if (reported.count(key_of(t)) || t.released) continue;
    const Framework* f = framework_by_handle(t.framework);
    if (!f) continue;
    v1::ReconcileTasksMessage& r = reconcile[key_of(t).first];
    r.framework = f->info;
    r.task_ids.push_back(t.task.task_id);
  }
  std::set<std::string> shut_down;
  for (const auto& t : msg.tasks) {
    const Task* known_task = find_task(IdPairView{t.framework_id.value, t.task_id.value});
    if (known_task == nullptr) {
      // Unknown here: left alone, unless its framework was removed (the agent missed the
      // shutdown while it was away).
      if (removed_frameworks.count(t.framework_id.value) &&
          shut_down.insert(t.framework_id.value).second) {
        send(from, v1::ShutdownFrameworkMessage{t.framework_id});
      }
      continue;
    }
    // A KILL the agent may have missed while it was away (Mesos's killedTasks).
    if (known_task->kill_requested && !v1::is_terminal(t.state)) {
      send(from, v1::KillTaskMessage{t.framework_id, t.task_id});
    }
  }
  v1::AgentReregisteredMessage answer{*msg.agent.id, {}, total_ping_timeout()};
  for (auto& [fid, r] : reconcile) answer.reconciliations.push_back(std::move(r));
  send(from, std::move(answer));
  publish(master_event::AgentAdded{*msg.agent.id, a.info.hostname, a.info.resources,
                                   a.info.attributes, true});
}

void Master::State::health_check_failed(Endpoint endpoint, int missed) {
  if (Agent* a = agent_at_endpoint(endpoint)) {
    mark_unreachable(*a, AgentRemovedReason::kHealthCheckFailed,
                     fmt::format("health check timed out after {} missed pings", missed));
  }
}

void Master::State::agent_exited(Agent& a) {
  if (!a.connected) return;
  a.connected = false;
  --connected_agent_count;
  m.health_->set_connected(a.endpoint, false);
  m.allocator_->deactivate_agent(a.handle);
  for (OfferRef ref : offers_of(a.offers)) {
    rescind_offer(offer_at(ref), OfferRescindedReason::kAgentDisconnected);
  }
  publish(master_event::AgentDisconnected{*a.info.id});
  // The tasks of frameworks that do not checkpoint died with the agent process: they are lost
  // now (Mesos's Master::exited, TASK_LOST with REASON_AGENT_DISCONNECTED whatever the
  // framework's capabilities). A task whose end was already forwarded is just dropped.
  for (TaskRef ref : tasks_of(a)) {
    Task& t = task_at(ref);
    const Framework* f = framework_by_handle(t.framework);
    if (!f || f->info.checkpoint) continue;
    if (!t.released) {
      transition(t,
                 master_status(t, TaskState::TASK_LOST,
                               v1::TaskStatusReason::REASON_AGENT_DISCONNECTED,
                               "agent " + a.info.hostname + " disconnected"),
                 true);
    }
    complete(t);
  }
  // An agent whose connection broke must re-register in time, even if it still answers pings
  // (it may hang in recovery, MESOS-6286).
  const std::string id = a.info.id->value;
  m.clock_.cancel(a.reregister_timer);
  a.reregister_timer = m.clock_.schedule(m.options_.agent_reregister_timeout, [this, id] {
    Agent* agent = agent_by_id(id);
    if (!agent || agent->connected) return;
    agent->reregister_timer = {};
    mark_unreachable(*agent, AgentRemovedReason::kNotReregistered,
                     "did not re-register within agent_reregister_timeout");
  });
}

void Master::State::mark_unreachable(Agent& a, AgentRemovedReason why,
                                     const std::string& reason) {
  const std::string id = a.info.id->value;
  m.health_->unwatch(a.endpoint);
  m.clock_.cancel(a.reregister_timer);
  for (OfferRef ref : offers_of(a.offers)) {
    rescind_offer(offer_at(ref), OfferRescindedReason::kAgentUnreachable);
  }
  if (auto it = m.registry_.agents.find(id); it != m.registry_.agents.end()) {
    it->second.state = Registry::AgentState::kUnreachable;
    it->second.since = m.clock_.now();
    m.registry_.changed();
  }
  // Every live task is kept as unreachable, so that it can come back with the agent; frameworks
  // that are not partition-aware are told TASK_LOST meanwhile.
  for (TaskRef ref : tasks_of(a)) {
    Task& t = task_at(ref);
    if (t.released) {
      complete(t);
      continue;
    }
    transition(t,
               master_status(t, TaskState::TASK_UNREACHABLE,
                             v1::TaskStatusReason::REASON_AGENT_REMOVED,
                             "agent unreachable: " + reason),
               true);
    add_unreachable(t);
  }
  m.allocator_->remove_agent(a.handle);
  free_agent_handles.push_back(a.handle.value);
  agent_at.erase(a.endpoint);
  const v1::AgentID agent_id = *a.info.id;
  agent_ids.erase(id);
  agent_index.erase(flat_hash(id), a.handle.value);
  if (a.connected) --connected_agent_count;
  agent_slots[a.handle.value].reset();  // `a` is gone
  publish(master_event::AgentRemoved{agent_id, true, why, reason});
  for (const auto& [fid, handle] : framework_ids) {
    send_event(*framework_by_handle(handle), sched::Failure{agent_id, {}, {}});
  }
}

void Master::State::add_unreachable(Task& t) {
  const TaskRef ref = ref_of(t);
  // Its agent leaves the books: the task is no longer among the agent's, but kept by agent id.
  if (Agent* a = agent_by_handle(t.agent)) unlist(a->tasks, &Task::at_agent, t);
  t.agent = kNoAgent;
  t.unreachable = true;
  unreachable_tasks[t.task.agent_id.value].insert(TaskEntry{key_of(t), ref});
  Framework* f = framework_by_handle(t.framework);
  if (!f) return;
  f->unreachable.push_back(ref);
  while (f->unreachable.size() > m.options_.max_unreachable_tasks_per_framework) {
    Task& oldest = task_at(f->unreachable.front());
    MESOSIM_CHECK(oldest.live && oldest.unreachable, "a framework's unreachable list holds them");
    forget_unreachable(oldest);
  }
}

void Master::State::forget_unreachable(Task& t) {
  if (!t.live || !t.unreachable) return;
  remove_task(t);
}

void Master::State::reregister_timeout() {
  reregister_timer = TimerId{};
  for (auto& [id, agent] : m.registry_.agents) {
    if (agent.state == Registry::AgentState::kAdmitted && !agent_by_id(id)) {
      agent.state = Registry::AgentState::kUnreachable;
      agent.since = m.clock_.now();
      m.registry_.changed();
      const v1::AgentID agent_id{id};
      publish(master_event::AgentRemoved{agent_id, true, AgentRemovedReason::kNotReregistered,
                                         "did not re-register after master failover"});
      // As for any agent marked unreachable, frameworks hear of it (Mesos's LostSlaveMessage).
      for (const auto& [fid, handle] : framework_ids) {
        send_event(*framework_by_handle(handle), sched::Failure{agent_id, {}, {}});
      }
    }
  }
}

void Master::State::registry_gc() {
  // Mesos's registry GC: unreachable and gone agents are dropped once older than the maximum
  // age, and the oldest beyond the maximum count; the tasks kept for them are forgotten.
  const Time now = m.clock_.now();
  std::vector<std::pair<Time, std::string>> removed;  // (since, id)
  for (const auto& [id, agent] : m.registry_.agents) {
    if (agent.state != Registry::AgentState::kAdmitted) removed.emplace_back(agent.since, id);
  }
  std::sort(removed.begin(), removed.end());
  size_t left = removed.size();
  for (const auto& [since, id] : removed) {
    if (now - since < m.options_.registry_max_agent_age &&
        left <= m.options_.registry_max_agent_count) {
      continue;
    }
    --left;
    m.registry_.agents.erase(id);
    m.registry_.changed();
    if (auto u = unreachable_tasks.find(id); u != unreachable_tasks.end()) {
      std::vector<TaskRef> kept;
      for (const TaskEntry& e : u->second) kept.push_back(e.ref);
      for (TaskRef ref : kept) forget_unreachable(task_at(ref));
    }
  }
}

}  // namespace mesosim
