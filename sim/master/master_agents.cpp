// Master: agent registration, re-registration (after a restart, a partition or a master
// failover), health checks and unreachable agents.

#include <algorithm>

#include <fmt/format.h>

#include "sim/master/master_state.hpp"

namespace mesosim {
namespace {

namespace sched = v1::scheduler;
using v1::TaskState;

}  // namespace

Master::State::Agent* Master::State::admit_agent(Endpoint from, const v1::AgentInfo& info,
                                                 bool reregistered,
                                                 const std::vector<UsedResources>& used) {
  uint32_t handle;
  if (!free_agent_handles.empty()) {
    handle = free_agent_handles.back();
    free_agent_handles.pop_back();
  } else {
    handle = static_cast<uint32_t>(agent_of_handle.size());
    agent_of_handle.emplace_back();
  }
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
  agent_of_handle[handle] = info.id->value;
  Agent& a = agents[info.id->value];
  a.info = info;
  a.handle = AgentId{handle};
  a.endpoint = from;
  agent_at[from] = info.id->value;
  m.transport_.link(m.self_, from);
  publish(master_event::AgentAdded{*info.id, info.hostname, info.resources, info.attributes,
                                   reregistered});
  if (observed()) {
    for (const UsedResources& u : used) {
      publish(master_event::ResourcesAdopted{v1::FrameworkID{framework_of_handle[u.framework.value]},
                                             *info.id, u.role, u.resources});
    }
  }
  const std::string id = info.id->value;
  a.ping_timer = m.clock_.schedule(Duration::zero(), [this, id] { ping(id); });
  return &a;
}

void Master::State::register_agent(Endpoint from, const v1::RegisterAgentMessage& msg) {
  if (auto it = agent_at.find(from); it != agent_at.end()) {
    // A retry whose answer was lost or is still in flight.
    send(from, v1::AgentRegisteredMessage{v1::AgentID{it->second}});
    return;
  }
  if (msg.agent.hostname.empty() || msg.agent.resources.empty()) {
    send(from, v1::ShutdownAgentMessage{"an agent needs a hostname and resources"});
    return;
  }
  v1::AgentInfo info = msg.agent;
  info.id = v1::AgentID{fmt::format("{}-S{}", m.options_.master_id, next_agent++)};
  m.registry_.agents[info.id->value] =
      Registry::Agent{info, Registry::AgentState::kAdmitted, m.clock_.now()};
  if (admit_agent(from, info, false, {})) send(from, v1::AgentRegisteredMessage{*info.id});
}

void Master::State::reregister_agent(Endpoint from, const v1::ReregisterAgentMessage& msg) {
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
  std::set<TaskKey> reported;
  for (const auto& t : msg.tasks) reported.insert({t.framework_id.value, t.task_id.value});

  if (Agent* known = agent_by_id(id)) {
    // Still registered here: the agent restarted or its connection came back.
    Agent& a = *known;
    if (a.endpoint != from) {
      agent_at.erase(a.endpoint);
      a.endpoint = from;
      agent_at[from] = id;
    }
    // Always: a restarted agent is a new incarnation at the same endpoint, and the network
    // forgot the link to the old one when it crashed.
    m.transport_.link(m.self_, from);
    a.connected = true;
    a.missed_pings = 0;
    a.pong_received = true;
    m.allocator_->activate_agent(a.handle);
    for (const TaskKey& key : std::set<TaskKey>(a.tasks)) {
      Task& t = tasks.at(key);
      if (reported.count(key) || t.released) continue;
      const Framework* f = framework_by_id(key.first);
      transition(t,
                 master_status(t, f ? visible_state(*f, TaskState::TASK_GONE) : TaskState::TASK_LOST,
                               v1::TaskStatusReason::REASON_AGENT_RESTARTED,
                               "the re-registering agent does not report this task"),
                 true);
      complete(key);
    }
    for (const auto& t : msg.tasks) {
      auto known_task = tasks.find({t.framework_id.value, t.task_id.value});
      const bool kill = known_task == tasks.end() ||
                        (known_task->second.kill_requested && !v1::is_terminal(t.state));
      if (kill) send(from, v1::KillTaskMessage{t.framework_id, t.task_id});
    }
    send(from, v1::AgentReregisteredMessage{*msg.agent.id});
    publish(master_event::AgentAdded{*msg.agent.id, a.info.hostname, a.info.resources,
                                     a.info.attributes, true});
    return;
  }

  // Not registered here: back from unreachable, or this master is new (failover).
  const bool was_unreachable =
      reg != m.registry_.agents.end() && reg->second.state == Registry::AgentState::kUnreachable;
  for (const auto& info : msg.frameworks) {
    if (!info.id || framework_by_id(info.id->value) || removed_frameworks.count(info.id->value)) {
      continue;
    }
    add_framework(info, false, {});  // known only through its tasks until it re-subscribes
  }
  std::vector<UsedResources> used;
  std::vector<const v1::Task*> adopted;
  std::set<std::string> shut_down;
  for (const auto& t : msg.tasks) {
    Framework* f = framework_by_id(t.framework_id.value);
    const bool dead = !f || (was_unreachable &&
                             !f->info.has(v1::FrameworkCapability::PARTITION_AWARE) &&
                             !unreachable_tasks[id].count({t.framework_id.value, t.task_id.value}));
    if (dead) {
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
  m.registry_.agents[id] = Registry::Agent{info, Registry::AgentState::kAdmitted, m.clock_.now()};
  auto& was = unreachable_tasks[id];
  for (const v1::Task* reported_task : adopted) {
    const TaskKey key{reported_task->framework_id.value, reported_task->task_id.value};
    Framework& f = *framework_by_id(key.first);
    Task& t = tasks[key];
    const bool returning = t.unreachable;
    t.task = *reported_task;
    t.unreachable = false;
    t.released = v1::is_terminal(t.task.state);
    f.tasks.insert(key.second);
    a.tasks.insert(key);
    publish_reported(t, v1::TaskStatusSource::SOURCE_AGENT, "reported by re-registering agent");
    if (returning) {
      // The framework saw TASK_UNREACHABLE; tell it the task is back.
      v1::TaskStatus status = master_status(t, t.task.state, std::nullopt, "agent re-registered");
      t.last_status = status;
      send_event(f, sched::Event{sched::Update{status}});
    }
    was.erase(key);
  }
  // Unreachable tasks the agent no longer has are gone.
  for (const TaskKey& key : std::set<TaskKey>(was)) {
    auto it = tasks.find(key);
    if (it == tasks.end()) continue;
    Framework* f = framework_by_id(key.first);
    v1::TaskStatus status = master_status(
        it->second.task.task_id, it->second.task.agent_id, std::nullopt,
        f ? visible_state(*f, TaskState::TASK_GONE) : TaskState::TASK_LOST,
        v1::TaskStatusReason::REASON_AGENT_RESTARTED, "");
    it->second.unreachable = false;
    transition(it->second, status, true);
    complete(key);
  }
  unreachable_tasks.erase(id);
  send(from, v1::AgentReregisteredMessage{*msg.agent.id});
}

void Master::State::ping(const std::string& agent_id) {
  Agent* a = agent_by_id(agent_id);
  if (!a) return;
  if (!a->pong_received && ++a->missed_pings >= m.options_.max_agent_ping_timeouts) {
    mark_unreachable(*a, fmt::format("health check timed out after {} missed pings",
                                     a->missed_pings));
    return;
  }
  a->pong_received = false;
  send(a->endpoint, v1::PingAgentMessage{a->connected});
  a->ping_timer =
      m.clock_.schedule(m.options_.agent_ping_timeout, [this, agent_id] { ping(agent_id); });
}

void Master::State::pong(Endpoint from) {
  auto it = agent_at.find(from);
  if (it == agent_at.end()) return;
  if (Agent* a = agent_by_id(it->second)) {
    a->pong_received = true;
    a->missed_pings = 0;
  }
}

void Master::State::agent_exited(Agent& a) {
  if (!a.connected) return;
  a.connected = false;
  m.allocator_->deactivate_agent(a.handle);
  for (const std::string& oid : std::set<std::string>(a.offers)) {
    rescind_offer(oid, OfferRescindedReason::kAgentDisconnected);
  }
  publish(master_event::AgentDisconnected{*a.info.id});
}

void Master::State::mark_unreachable(Agent& a, const std::string& reason) {
  const std::string id = a.info.id->value;
  m.clock_.cancel(a.ping_timer);
  for (const std::string& oid : std::set<std::string>(a.offers)) {
    rescind_offer(oid, OfferRescindedReason::kAgentUnreachable);
  }
  if (auto it = m.registry_.agents.find(id); it != m.registry_.agents.end()) {
    it->second.state = Registry::AgentState::kUnreachable;
    it->second.since = m.clock_.now();
  }
  for (const TaskKey& key : std::set<TaskKey>(a.tasks)) {
    Task& t = tasks.at(key);
    if (t.released) {
      complete(key);
      continue;
    }
    Framework* f = framework_by_id(key.first);
    const bool partition_aware = f && f->info.has(v1::FrameworkCapability::PARTITION_AWARE);
    transition(t,
               master_status(t,
                             partition_aware ? TaskState::TASK_UNREACHABLE : TaskState::TASK_LOST,
                             v1::TaskStatusReason::REASON_AGENT_REMOVED,
                             "agent unreachable: " + reason),
               true);
    if (partition_aware) {
      t.unreachable = true;
      unreachable_tasks[id].insert(key);
    } else {
      complete(key);
    }
  }
  m.allocator_->remove_agent(a.handle);
  free_agent_handles.push_back(a.handle.value);
  agent_at.erase(a.endpoint);
  const v1::AgentID agent_id = *a.info.id;
  agents.erase(id);
  publish(master_event::AgentRemoved{agent_id, true, AgentRemovedReason::kHealthCheckFailed,
                                     reason});
  for (auto& [fid, f] : frameworks) send_event(f, sched::Event{sched::Failure{agent_id, {}, {}}});
}

void Master::State::reregister_timeout() {
  reregister_timer = TimerId{};
  for (auto& [id, agent] : m.registry_.agents) {
    if (agent.state == Registry::AgentState::kAdmitted && !agents.count(id)) {
      agent.state = Registry::AgentState::kUnreachable;
      agent.since = m.clock_.now();
      publish(master_event::AgentRemoved{v1::AgentID{id}, true,
                                         AgentRemovedReason::kNotReregistered,
                                         "did not re-register after master failover"});
    }
  }
}

}  // namespace mesosim
