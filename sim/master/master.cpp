// Master: construction, message dispatch, election, timers, the event stream, introspection.

#include "sim/master/master.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "allocator/check.hpp"
#include "sim/master/master_state.hpp"

namespace mesosim {

namespace {

// Takes `ref` out of an agent's or a framework's list of tasks or offers (`place`: the record's
// field holding its index there), where its record says it is; the list's last entry takes its
// place. `record_of` finds a ref's record.
template <class Ref, class Record, class RecordOf>
void unlist_from(std::vector<Ref>& list, uint32_t Record::*place, Ref ref, RecordOf record_of) {
  Record& r = record_of(ref);
  MESOSIM_CHECK(r.*place < list.size() && list[r.*place] == ref,
                "a task or offer is where its record says in its agent's or framework's list");
  const Ref last = list.back();
  list[r.*place] = last;
  record_of(last).*place = r.*place;
  list.pop_back();
  r.*place = UINT32_MAX;
}

}  // namespace

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

void Master::skipped(FrameworkId framework, std::string_view role, AgentId /*agent*/,
                     SkipReason reason) {
  state_->count_skip(framework, role, reason);
}

void Master::repeated_last_run() { state_->run_repeated = true; }

void Master::State::count_skip(FrameworkId framework, std::string_view role, SkipReason reason) {
  if (last_tally && last_tally_framework == framework && last_tally->role == role) {
    ++last_tally->run[static_cast<size_t>(reason)];
    return;
  }
  auto it = skip_tallies.find(SkipKey{framework, role});
  if (it == skip_tallies.end()) {
    auto tally = std::make_unique<SkipTally>();
    tally->role = std::string(role);
    const std::string_view stored = tally->role;
    it = skip_tallies.emplace(SkipKey{framework, stored}, std::move(tally)).first;
  }
  last_tally = it->second.get();
  last_tally_framework = framework;
  ++last_tally->run[static_cast<size_t>(reason)];
}

void Master::State::publish_skips() {
  if (std::exchange(run_repeated, false)) return;
  last_tally = nullptr;
  for (auto it = skip_tallies.begin(); it != skip_tallies.end();) {
    SkipTally& t = *it->second;
    const Framework* f = framework_by_handle(it->first.framework);
    bool any = false;
    for (size_t r = 0; r < kSkipReasons; ++r) {
      if (t.run[r] != t.published[r]) {
        t.published[r] = t.run[r];
        if (f) {
          publish(master_event::OfferSkipped{*f->info.id, t.role, static_cast<SkipReason>(r),
                                             t.run[r]});
        }
      }
      any = any || t.published[r] != 0;
      t.run[r] = 0;
    }
    it = any ? std::next(it) : skip_tallies.erase(it);
  }
}

void Master::State::forget_skips(FrameworkId framework) {
  last_tally = nullptr;
  std::erase_if(skip_tallies, [&](const auto& entry) { return entry.first.framework == framework; });
}

void Master::receive(Endpoint from, Message&& message) {
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
          s.reregister_agent(from, msg);  // moves the tasks out of the message
        } else if constexpr (std::is_same_v<T, v1::StatusUpdateMessage>) {
          s.status_update(from, std::move(msg.update));
        } else if constexpr (std::is_same_v<T, v1::UsageReportMessage>) {
          s.usage_report(from, msg);
        } else if constexpr (std::is_same_v<T, v1::PongAgentMessage>) {
          health_->pong(from);
        } else if constexpr (std::is_same_v<T, ExitedMessage>) {
          if (auto* f = s.framework_at_endpoint(msg.peer)) s.disconnect_framework(*f);
          if (auto* a = s.agent_at_endpoint(msg.peer)) s.agent_exited(*a);
        }
        // Everything else is addressed to agents or schedulers, not to a master.
      },
      message);
  // Events that warrant an allocation (a framework subscribed, an agent registered, a revive,
  // a task's end) are served by one run at this instant, after everything already due now.
  if (leading_ && allocator_->allocation_pending()) state_->request_allocation_soon();
}

// ---- State: shared helpers ----

void Master::State::emit(const MasterEvent& event) {
  for (MasterObserver* o : m.observers_) o->on_event(event);
}

void Master::State::send(Endpoint to, Message&& message) {
  m.transport_.send(m.self_, to, std::move(message));
}

void Master::State::reject(std::optional<v1::FrameworkID> framework, std::string_view call,
                           CallRejectedReason reason, std::string message) {
  publish(master_event::CallRejected{std::move(framework), std::string(call), reason,
                                     std::move(message)});
}

Master::State::Framework* Master::State::framework_by_id(std::string_view id) const {
  const uint32_t handle = framework_index.find(
      flat_hash(id), [&](uint32_t h) { return framework_slots[h]->info.id->value == id; });
  return handle == FlatIndex::kNone ? nullptr : framework_slots[handle].get();
}

Master::State::Framework* Master::State::framework_at_endpoint(Endpoint from) {
  auto it = framework_at.find(from);
  return it == framework_at.end() ? nullptr : framework_by_handle(it->second);
}

Master::State::Agent* Master::State::agent_by_id(std::string_view id) {
  const uint32_t handle = agent_index.find(
      flat_hash(id), [&](uint32_t h) { return agent_slots[h]->info.id->value == id; });
  return handle == FlatIndex::kNone ? nullptr : agent_slots[handle].get();
}

Master::State::Agent* Master::State::agent_at_endpoint(Endpoint from) {
  auto it = agent_at.find(from);
  return it == agent_at.end() ? nullptr : agent_by_handle(it->second);
}

Master::State::Task* Master::State::find_task(IdPairView key) {
  const uint32_t slot =
      task_index.find(flat_hash(key), [&](uint32_t s) { return key_of(task_slots[s]) == key; });
  return slot == FlatIndex::kNone ? nullptr : &task_slots[slot];
}

Master::State::Task* Master::State::find_awaiting_ack(IdPairView key, const Uuid& uuid) {
  const uint32_t slot = terminal_index.find(flat_hash(uuid.view()), [&](uint32_t s) {
    const Task& t = task_slots[s];
    return t.terminal_uuid == uuid && key_of(t) == key;
  });
  return slot == FlatIndex::kNone ? nullptr : &task_slots[slot];
}

void Master::State::set_terminal_uuid(Task& t, const Uuid& uuid) {
  if (t.terminal_uuid == uuid) return;  // a retry of the same update: indexed already
  if (t.terminal_uuid) terminal_index.erase(flat_hash(t.terminal_uuid->view()), t.ref.value);
  t.terminal_uuid = uuid;
  terminal_index.insert(flat_hash(uuid.view()), t.ref.value);
}

const Master::State::Offer* Master::State::find_offer(std::string_view id) const {
  // Only this master's ids name its offers: "<master id>-O<n>", n as std::to_chars writes it
  // (digits only, no leading zero), so any other spelling of a number names no offer.
  const std::string& master = m.options_.master_id;
  if (id.size() < master.size() + 3 || !id.starts_with(master) ||
      id.substr(master.size(), 2) != "-O") {
    return nullptr;
  }
  const std::string_view digits = id.substr(master.size() + 2);
  if (digits.size() > 1 && digits.front() == '0') return nullptr;
  uint64_t n = 0;
  const char* end = digits.data() + digits.size();
  const auto [stop, error] = std::from_chars(digits.data(), end, n);
  if (error != std::errc() || stop != end) return nullptr;
  const uint32_t slot = offer_index.find(static_cast<uint32_t>(n),
                                         [&](uint32_t s) { return offer_slots[s].number == n; });
  return slot == FlatIndex::kNone ? nullptr : &offer_slots[slot];
}

Master::State::Task& Master::State::add_task(Framework& f, Agent& a, v1::Task task) {
  const TaskRef ref{take_slot(task_slots, free_task_slots)};
  Task& t = task_slots[ref.value];
  t.task = std::move(task);
  t.framework = f.handle;
  t.agent = a.handle;
  t.ref = ref;
  t.live = true;
  task_index.insert(flat_hash(key_of(t)), ref.value);
  t.at_framework = static_cast<uint32_t>(f.tasks.size());
  f.tasks.push_back(ref);
  t.at_agent = static_cast<uint32_t>(a.tasks.size());
  a.tasks.push_back(ref);
  return t;
}

void Master::State::unlist(std::vector<TaskRef>& list, uint32_t Task::*place, Task& t) {
  unlist_from(list, place, t.ref, [this](TaskRef ref) -> Task& { return task_at(ref); });
}

void Master::State::unlist(std::vector<OfferRef>& list, uint32_t Offer::*place, OfferRef o) {
  unlist_from(list, place, o, [this](OfferRef ref) -> Offer& { return offer_at(ref); });
}

Master::State::Task Master::State::remove_task(Task& t) {
  const IdPairView key = key_of(t);
  const TaskRef ref = t.ref;
  MESOSIM_CHECK(t.live && &task_slots[ref.value] == &t, "a task in the books is at its slot");
  task_index.erase(flat_hash(key), ref.value);
  if (t.terminal_uuid) terminal_index.erase(flat_hash(t.terminal_uuid->view()), ref.value);
  if (Agent* a = agent_by_handle(t.agent)) unlist(a->tasks, &Task::at_agent, t);
  if (t.unreachable) {
    if (auto u = unreachable_tasks.find(t.task.agent_id.value); u != unreachable_tasks.end()) {
      u->second.erase(TaskEntry{key, ref});
      if (u->second.empty()) unreachable_tasks.erase(u);
    }
  }
  if (Framework* f = framework_by_handle(t.framework)) {
    unlist(f->tasks, &Task::at_framework, t);
    if (t.unreachable) std::erase(f->unreachable, ref);
  }
  Task out = std::move(t);
  t = Task{};
  free_task_slots.push_back(ref.value);
  return out;
}

std::vector<TaskRef> Master::State::tasks_of(const Agent& a) const {
  std::vector<TaskRef> out = a.tasks;
  std::sort(out.begin(), out.end(),
            [this](TaskRef x, TaskRef y) { return key_of(task_at(x)) < key_of(task_at(y)); });
  return out;
}

std::vector<TaskRef> Master::State::tasks_of(const Framework& f) const {
  std::vector<TaskRef> out = f.tasks;
  std::sort(out.begin(), out.end(), [this](TaskRef x, TaskRef y) {
    return task_at(x).task.task_id.value < task_at(y).task.task_id.value;
  });
  return out;
}

std::vector<OfferRef> Master::State::offers_of(const std::vector<OfferRef>& offers) const {
  std::vector<OfferRef> out = offers;
  // The order of the ids as strings: their numbers' decimal digits compared as text ("O10"
  // before "O9"), since they share the master's prefix.
  std::sort(out.begin(), out.end(), [this](OfferRef x, OfferRef y) {
    char a[20];
    char b[20];
    const std::string_view da(a, std::to_chars(a, a + sizeof a, offer_slots[x.value].number).ptr);
    const std::string_view db(b, std::to_chars(b, b + sizeof b, offer_slots[y.value].number).ptr);
    return da < db;
  });
  return out;
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
  for (const auto& a : agent_slots) {
    if (a) clock.cancel(a->reregister_timer);
  }
  for (const auto& f : framework_slots) {
    if (f) clock.cancel(f->failover_timer);
  }
  for (const Offer& o : offer_slots) {
    if (o.live) clock.cancel(o.timeout);
  }
}

// ---- introspection ----

std::vector<Master::AgentView> Master::agents() const {
  std::vector<AgentView> out;
  const State& s = *state_;
  for (const auto& [id, handle] : s.agent_ids) {
    const State::Agent& a = *s.agent_by_handle(handle);
    AgentView v{a.info, a.connected, {}, {}};
    for (TaskRef ref : s.tasks_of(a)) {
      const State::Task& t = s.task_at(ref);
      if (!t.released) v.used += t.task.resources;
    }
    for (OfferRef ref : a.offers) v.offered += s.offer_slots[ref.value].resources;
    out.push_back(std::move(v));
  }
  return out;
}

std::vector<Master::FrameworkView> Master::frameworks() const {
  std::vector<FrameworkView> out;
  const State& s = *state_;
  for (const auto& [id, handle] : s.framework_ids) {
    const State::Framework& f = *s.framework_by_handle(handle);
    FrameworkView v{f.info, f.connected, f.active, {}, f.offers.size()};
    for (TaskRef ref : s.tasks_of(f)) v.tasks.push_back(s.task_at(ref).task.task_id);
    out.push_back(std::move(v));
  }
  return out;
}

std::vector<Master::TaskView> Master::tasks() const {
  // By (framework id, task id), whatever order the hashed books hold them in.
  std::vector<const State::Task*> sorted;
  sorted.reserve(state_->task_index.size());
  for (size_t slot = 0; slot < state_->task_slots.size(); ++slot) {
    const State::Task& t = state_->task_slots[slot];
    if (t.live) sorted.push_back(&t);
  }
  std::sort(sorted.begin(), sorted.end(), [](const State::Task* a, const State::Task* b) {
    return State::key_of(*a) < State::key_of(*b);
  });
  std::vector<TaskView> out;
  out.reserve(sorted.size());
  for (const State::Task* t : sorted) out.push_back({t->task, t->last_sent, t->unreachable});
  return out;
}

std::optional<Master::TaskView> Master::task(const v1::FrameworkID& framework,
                                             const v1::TaskID& task) const {
  const State::Task* t = state_->find_task(IdPairView{framework.value, task.value});
  if (t == nullptr) return std::nullopt;
  return TaskView{t->task, t->last_sent, t->unreachable};
}

size_t Master::outstanding_offers() const { return state_->offer_index.size(); }

size_t Master::connected_agents() const { return state_->connected_agent_count; }

size_t Master::connected_frameworks() const {
  size_t n = 0;
  for (const auto& f : state_->framework_slots) n += f && f->connected ? 1 : 0;
  return n;
}

std::map<Master::AllocationKey, Resources> Master::allocations() const {
  const State& s = *state_;
  std::map<AllocationKey, Resources> out;
  for (const auto& [fid, fh] : s.framework_ids) {
    const State::Framework& f = *s.framework_by_handle(fh);
    std::set<std::string> roles(f.info.roles.begin(), f.info.roles.end());
    for (TaskRef ref : f.tasks) roles.insert(s.task_at(ref).task.role);
    for (OfferRef ref : f.offers) roles.insert(s.offer_slots[ref.value].role);
    for (const auto& [aid, ah] : s.agent_ids) {
      for (const auto& role : roles) {
        Resources held = allocator_->allocated(f.handle, ah, role);
        if (!held.empty()) out.emplace(AllocationKey{fid, aid, role}, std::move(held));
      }
    }
  }
  return out;
}

std::optional<std::string> Master::check_invariants() const {
  const State& s = *state_;
  size_t connected = 0;
  for (const auto& a : s.agent_slots) connected += a && a->connected ? 1 : 0;
  if (connected != s.connected_agent_count) {
    return fmt::format("{} agents connected but {} counted", connected, s.connected_agent_count);
  }
  // Every live task is in the index and at the places its records say in its lists; those with
  // a terminal uuid are in the terminal index under it.
  size_t live = 0;
  size_t awaiting = 0;
  for (uint32_t slot = 0; slot < s.task_slots.size(); ++slot) {
    const State::Task& t = s.task_slots[slot];
    if (!t.live) continue;
    ++live;
    const IdPairView key = State::key_of(t);
    const uint32_t found = s.task_index.find(
        flat_hash(key), [&](uint32_t x) { return State::key_of(s.task_slots[x]) == key; });
    const State::Framework* f = s.framework_by_handle(t.framework);
    const State::Agent* a = s.agent_by_handle(t.agent);
    if (t.terminal_uuid) {
      ++awaiting;
      const uint32_t terminal = s.terminal_index.find(flat_hash(t.terminal_uuid->view()),
                                                      [&](uint32_t x) { return x == slot; });
      if (terminal != slot) {
        return fmt::format("task {} of framework {} is not in the terminal index", key.second,
                           key.first);
      }
    }
    if (found != slot || t.ref.value != slot || !f || t.at_framework >= f->tasks.size() ||
        f->tasks[t.at_framework] != t.ref ||
        (a ? t.at_agent >= a->tasks.size() || a->tasks[t.at_agent] != t.ref
           : t.at_agent != UINT32_MAX)) {
      return fmt::format("task {} of framework {} is not where the books say", key.second,
                         key.first);
    }
  }
  if (live != s.task_index.size()) {
    return fmt::format("{} live tasks but {} indexed", live, s.task_index.size());
  }
  if (awaiting != s.terminal_index.size()) {
    return fmt::format("{} tasks with a terminal uuid but {} in the terminal index", awaiting,
                       s.terminal_index.size());
  }
  if (s.agent_index.size() != s.agent_ids.size()) {
    return fmt::format("{} agents by id but {} hashed", s.agent_ids.size(), s.agent_index.size());
  }
  if (s.framework_index.size() != s.framework_ids.size()) {
    return fmt::format("{} frameworks by id but {} hashed", s.framework_ids.size(),
                       s.framework_index.size());
  }
  for (const auto& [id, handle] : s.framework_ids) {
    const State::Framework* f = s.framework_by_id(id);
    if (f == nullptr || f->handle != handle) {
      return fmt::format("framework {} is not hashed to its handle", id);
    }
  }
  for (const auto& [id, handle] : s.agent_ids) {
    const State::Agent& a = *s.agent_by_handle(handle);
    const uint32_t hashed = s.agent_index.find(flat_hash(std::string_view(id)), [&](uint32_t h) {
      return s.agent_slots[h]->info.id->value == id;
    });
    if (hashed != handle.value) return fmt::format("agent {} is not hashed to its handle", id);
    Resources held;
    for (TaskRef ref : s.tasks_of(a)) {
      const State::Task& t = s.task_at(ref);
      if (!t.released) held += t.task.resources;
    }
    for (OfferRef ref : a.offers) held += s.offer_slots[ref.value].resources;
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
  size_t live_offers = 0;
  for (size_t i = 0; i < s.offer_slots.size(); ++i) {
    const State::Offer& o = s.offer_slots[i];
    if (!o.live) continue;
    ++live_offers;
    const State::Framework* f = s.framework_by_handle(o.framework);
    const State::Agent* a = s.agent_by_handle(o.agent);
    const auto listed = [&](const std::vector<OfferRef>& offers, uint32_t place) {
      return place < offers.size() && offers[place].value == i;
    };
    if (!f || !a) {
      return fmt::format("offer {} names a framework or agent that is gone", s.offer_id(o).value);
    }
    if (!listed(f->offers, o.at_framework) || !listed(a->offers, o.at_agent)) {
      return fmt::format("offer {} is not listed by its framework and agent", s.offer_id(o).value);
    }
    if (s.find_offer(s.offer_id(o).value) != &o) {
      return fmt::format("offer {} is not indexed", s.offer_id(o).value);
    }
  }
  if (live_offers != s.offer_index.size()) {
    return fmt::format("{} offers are live but {} indexed", live_offers, s.offer_index.size());
  }
  return std::nullopt;
}

}  // namespace mesosim
