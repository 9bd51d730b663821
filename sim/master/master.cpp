// Master: construction, message dispatch, election, timers, the event stream, introspection.

#include "sim/master/master.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "allocator/check.hpp"
#include "sim/master/master_state.hpp"

namespace mesosim {

Master::Master(Endpoint self, Clock& clock, Transport& transport,
               std::unique_ptr<Allocator> allocator, Registry& registry, MasterOptions options,
               AgentHealth* health)
    : clock_(clock),
      transport_(transport),
      own_health_(health ? nullptr
                         : std::make_unique<PingPongHealth>(self, clock, transport,
                                                            options.agent_ping_timeout,
                                                            options.max_agent_ping_timeouts)),
      health_(health ? health : own_health_.get()),
      allocator_(std::move(allocator)),
      registry_(registry),
      options_(std::move(options)),
      self_(self),
      state_(std::make_unique<State>(*this)) {
  MESOSIM_CHECK(allocator_ != nullptr, "a master needs an allocator");
  health_->set_failure_handler(
      [this](Endpoint agent, int missed) { state_->health_check_failed(agent, missed); });
}

Master::~Master() {
  observers_.clear();  // they may be gone already; a master torn down is no crash to report
  crash();
}

void Master::add_observer(MasterObserver* observer) {
  observers_.push_back(observer);
  allocator_->set_explainer(options_.explain_allocation ? this : nullptr);
}

void Master::remove_observer(MasterObserver* observer) { std::erase(observers_, observer); }

void Master::elect() {
  MESOSIM_CHECK(!leading_ && !crashed_, "a master is elected at most once and never after a crash");
  leading_ = true;
  State& s = *state_;
  s.publish(master_event::LeaderElected{options_.master_id});
  for (const auto& [role, weight] : registry_.weights) {
    if (allocator_->set_weight(role, weight).ok()) {
      s.publish(master_event::WeightChanged{role, weight});
    }
  }
  for (const auto& [role, quota] : registry_.quotas) {
    if (allocator_->set_quota(role, quota).ok()) s.publish(master_event::QuotaChanged{role, quota});
  }
  s.start_timers();
}

Status Master::update_weight(const std::string& role, double weight) {
  if (!leading_) return Error{"update_weight: this master is not the leader"};
  if (Status st = allocator_->set_weight(role, weight); !st.ok()) return st;
  registry_.weights[role] = weight;
  registry_.changed();
  state_->publish(master_event::WeightChanged{role, weight});
  return Status::success();
}

Status Master::update_quota(const std::string& role, const Quota& quota) {
  if (!leading_) return Error{"update_quota: this master is not the leader"};
  if (Status st = allocator_->set_quota(role, quota); !st.ok()) return st;
  registry_.quotas[role] = quota;
  registry_.changed();
  state_->publish(master_event::QuotaChanged{role, quota});
  // New guarantees or limits change what the next run may offer.
  allocator_->request_allocation();
  state_->request_allocation_soon();
  return Status::success();
}

void Master::crash() {
  if (!state_) return;
  if (leading_) state_->publish(master_event::MasterCrashed{options_.master_id});
  state_->stop_timers();
  leading_ = false;
  crashed_ = true;
  state_ = std::make_unique<State>(*this);
}

void Master::skipped(FrameworkId framework, std::string_view role, AgentId agent,
                     SkipReason reason) {
  State& s = *state_;
  const State::Framework* f = s.framework_by_handle(framework);
  const State::Agent* a = s.agent_by_handle(agent);
  if (!f || !a) return;
  s.publish(master_event::OfferSkipped{*f->info.id, std::string(role), *a->info.id, reason});
}

void Master::receive(Endpoint from, Message message) {
  if (!leading_) return;
  State& s = *state_;
  std::visit(
      [&](auto& msg) {
        using T = std::decay_t<decltype(msg)>;
        if constexpr (std::is_same_v<T, v1::scheduler::Call>) {
          s.handle_call(from, msg);
        } else if constexpr (std::is_same_v<T, v1::RegisterAgentMessage>) {
          s.register_agent(from, msg);
        } else if constexpr (std::is_same_v<T, v1::ReregisterAgentMessage>) {
          s.reregister_agent(from, msg);
        } else if constexpr (std::is_same_v<T, v1::StatusUpdateMessage>) {
          s.status_update(from, std::move(msg.update));
        } else if constexpr (std::is_same_v<T, v1::UsageReportMessage>) {
          s.usage_report(from, msg);
        } else if constexpr (std::is_same_v<T, v1::PongAgentMessage>) {
          health_->pong(from);
        } else if constexpr (std::is_same_v<T, ExitedMessage>) {
          if (auto it = s.framework_at.find(msg.peer); it != s.framework_at.end()) {
            if (auto* f = s.framework_by_id(it->second)) s.disconnect_framework(*f);
          }
          if (auto it = s.agent_at.find(msg.peer); it != s.agent_at.end()) {
            if (auto* a = s.agent_by_id(it->second)) s.agent_exited(*a);
          }
        }
        // Everything else is addressed to agents or schedulers, not to a master.
      },
      message);
  // Events that warrant an allocation (a framework subscribed, an agent registered, a revive,
  // a task's end) are served by one run at this instant, after everything already due now.
  if (leading_ && allocator_->allocation_pending()) state_->request_allocation_soon();
}

// ---- State: shared helpers ----

void Master::State::publish(MasterEventBody body) {
  if (m.observers_.empty()) return;
  const MasterEvent event{m.clock_.now(), std::move(body)};
  for (MasterObserver* o : m.observers_) o->on_event(event);
}

void Master::State::send(Endpoint to, Message message) {
  m.transport_.send(m.self_, to, std::move(message));
}

void Master::State::send_event(Framework& f, v1::scheduler::Event event) {
  if (f.connected && f.endpoint) send(*f.endpoint, std::move(event));
}

void Master::State::reject(std::optional<v1::FrameworkID> framework, std::string_view call,
                           CallRejectedReason reason, std::string message) {
  publish(master_event::CallRejected{std::move(framework), std::string(call), reason,
                                     std::move(message)});
}

Master::State::Framework* Master::State::framework_by_id(const std::string& id) {
  auto it = framework_index.find(id);
  return it == framework_index.end() ? nullptr : it->second;
}

Master::State::Framework* Master::State::framework_at_endpoint(Endpoint from) {
  auto it = framework_at.find(from);
  return it == framework_at.end() ? nullptr : framework_by_id(it->second);
}

Master::State::Agent* Master::State::agent_by_id(const std::string& id) {
  auto it = agent_index.find(id);
  return it == agent_index.end() ? nullptr : it->second;
}

void Master::State::start_timers() {
  Clock& clock = m.clock_;
  // The periodic allocation (every interval, over every agent) and framework heartbeats.
  struct Periodic {
    static void allocation(State* s) {
      s->m.allocator_->request_allocation();
      s->run_allocation();
      s->allocation_timer =
          s->m.clock_.schedule(s->m.options_.allocation_interval, [s] { allocation(s); });
    }
    static void registry_gc(State* s) {
      s->registry_gc();
      s->registry_gc_timer =
          s->m.clock_.schedule(s->m.options_.registry_gc_interval, [s] { registry_gc(s); });
    }
    static void heartbeats(State* s) {
      s->heartbeat();
      s->heartbeat_timer =
          s->m.clock_.schedule(s->m.options_.heartbeat_interval, [s] { heartbeats(s); });
    }
  };
  allocation_timer =
      clock.schedule(m.options_.allocation_interval, [this] { Periodic::allocation(this); });
  heartbeat_timer =
      clock.schedule(m.options_.heartbeat_interval, [this] { Periodic::heartbeats(this); });
  registry_gc_timer =
      clock.schedule(m.options_.registry_gc_interval, [this] { Periodic::registry_gc(this); });
  // After a failover, agents the registry admitted have this long to re-register.
  bool expecting = false;
  for (const auto& [id, agent] : m.registry_.agents) {
    if (agent.state == Registry::AgentState::kAdmitted) expecting = true;
  }
  if (expecting) {
    reregister_timer =
        clock.schedule(m.options_.agent_reregister_timeout, [this] { reregister_timeout(); });
  }
}

void Master::State::stop_timers() {
  Clock& clock = m.clock_;
  for (TimerId t : {allocation_timer, batch_timer, offers_timer, heartbeat_timer, reregister_timer,
                    registry_gc_timer}) {
    clock.cancel(t);
  }
  // Only a leader watches agents; a standby's teardown must not touch the watches of the
  // master that took its place at the same endpoint.
  if (m.leading_) m.health_->unwatch_all();
  for (auto& [id, a] : agents) clock.cancel(a.reregister_timer);
  for (auto& [id, f] : frameworks) clock.cancel(f.failover_timer);
  for (auto& [id, o] : offers) clock.cancel(o.timeout);
}

// ---- introspection ----

std::vector<Master::AgentView> Master::agents() const {
  std::vector<AgentView> out;
  for (const auto& [id, a] : state_->agents) {
    AgentView v{a.info, a.connected, {}, {}};
    for (const auto& key : a.tasks) {
      const auto& t = state_->tasks.at(key);
      if (!t.released) v.used += t.task.resources;
    }
    for (const auto& oid : a.offers) v.offered += state_->offers.at(oid).offer.resources;
    out.push_back(std::move(v));
  }
  return out;
}

std::vector<Master::FrameworkView> Master::frameworks() const {
  std::vector<FrameworkView> out;
  for (const auto& [id, f] : state_->frameworks) {
    FrameworkView v{f.info, f.connected, f.active, {}, f.offers.size()};
    for (const auto& t : f.tasks) v.tasks.push_back(v1::TaskID{t});
    out.push_back(std::move(v));
  }
  return out;
}

std::vector<Master::TaskView> Master::tasks() const {
  // By (framework id, task id), whatever order the hashed books hold them in.
  std::vector<const std::pair<const TaskKey, State::Task>*> sorted;
  sorted.reserve(state_->tasks.size());
  for (const auto& entry : state_->tasks) sorted.push_back(&entry);
  std::sort(sorted.begin(), sorted.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  std::vector<TaskView> out;
  out.reserve(sorted.size());
  for (const auto* entry : sorted) {
    const State::Task& t = entry->second;
    out.push_back({t.task, t.last_status, t.unreachable});
  }
  return out;
}

std::optional<Master::TaskView> Master::task(const v1::FrameworkID& framework,
                                             const v1::TaskID& task) const {
  auto it = state_->tasks.find(IdPairView{framework.value, task.value});
  if (it == state_->tasks.end()) return std::nullopt;
  return TaskView{it->second.task, it->second.last_status, it->second.unreachable};
}

size_t Master::outstanding_offers() const { return state_->offers.size(); }

size_t Master::connected_agents() const {
  size_t n = 0;
  for (const auto& [id, a] : state_->agents) n += a.connected ? 1 : 0;
  return n;
}

size_t Master::connected_frameworks() const {
  size_t n = 0;
  for (const auto& [id, f] : state_->frameworks) n += f.connected ? 1 : 0;
  return n;
}

std::map<Master::AllocationKey, Resources> Master::allocations() const {
  const State& s = *state_;
  std::map<AllocationKey, Resources> out;
  for (const auto& [fid, f] : s.frameworks) {
    std::set<std::string> roles(f.info.roles.begin(), f.info.roles.end());
    for (const auto& tid : f.tasks) roles.insert(s.tasks.at({fid, tid}).task.role);
    for (const auto& oid : f.offers) roles.insert(s.offers.at(oid).offer.role);
    for (const auto& [aid, a] : s.agents) {
      for (const auto& role : roles) {
        Resources held = allocator_->allocated(f.handle, a.handle, role);
        if (!held.empty()) out.emplace(AllocationKey{fid, aid, role}, std::move(held));
      }
    }
  }
  return out;
}

std::optional<std::string> Master::check_invariants() const {
  const State& s = *state_;
  for (const auto& [id, a] : s.agents) {
    Resources held;
    for (const auto& key : a.tasks) {
      const auto& t = s.tasks.at(key);
      if (!t.released) held += t.task.resources;
    }
    for (const auto& oid : a.offers) held += s.offers.at(oid).offer.resources;
    const Resources total = allocator_->total(a.handle);
    const Resources free = allocator_->available(a.handle);
    if (!(total == a.info.resources)) {
      return fmt::format("agent {}: master total '{}' but allocator total '{}'", id,
                         a.info.resources.to_string(), total.to_string());
    }
    if (!(held + free == total)) {
      return fmt::format("agent {}: used+offered '{}' plus free '{}' is not total '{}'", id,
                         held.to_string(), free.to_string(), total.to_string());
    }
  }
  for (const auto& [oid, o] : s.offers) {
    if (!s.frameworks.count(o.offer.framework_id.value) ||
        !s.agents.count(o.offer.agent_id.value)) {
      return fmt::format("offer {} names a framework or agent that is gone", oid);
    }
  }
  return std::nullopt;
}

}  // namespace mesosim
