// The collector's event dispatch and its allocation, usage and cluster-total books.

#include "analysis/collector.hpp"

#include <algorithm>
#include <string>

#include "analysis/collector_state.hpp"

namespace mesosim::analysis {

using namespace master_event;

void fill_deltas(const Resources& r, Deltas& out) {
  out.clear();
  for (const auto& e : r.scalar_entries()) {
    const uint16_t id = e.key.name.id();
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& p) { return p.first == id; });
    if (it != out.end()) {
      it->second += e.value.milli();
    } else {
      out.emplace_back(id, e.value.milli());
    }
  }
}

Deltas scalar_deltas(const Resources& r) {
  Deltas out;
  fill_deltas(r, out);
  return out;
}

Collector::State::State() { subjects.push_back(Subject{"total", "total", {}, {}, {}, {}, {}, 0}); }

void Collector::State::ensure_width(size_t n) {
  if (n <= width) return;
  width = n;
  cluster_total.resize(n, 0);
  total_series.resize(n);
  for (Subject& s : subjects) {
    s.allocated.resize(n, 0);
    s.used.resize(n, 0);
    s.allocated_series.resize(n);
    s.used_series.resize(n);
  }
  for (AgentBooks& a : agents) {
    a.total.resize(n, 0);
    a.allocated.resize(n, 0);
  }
  for (FrameworkBooks& f : frameworks) f.idle_milli_seconds.resize(n, 0.0);
}

uint32_t Collector::State::framework(const std::string& id) {
  if (last_framework != StringIndex::kNone && frameworks[last_framework].id == id) {
    return last_framework;
  }
  const auto [index, added] =
      framework_index.try_emplace(id, static_cast<uint32_t>(frameworks.size()));
  if (added) {
    FrameworkBooks f;
    f.id = id;
    f.name = id;  // until FRAMEWORK_ADDED names it
    f.subject = subjects.size();
    f.idle_milli_seconds.resize(width, 0.0);
    subjects.push_back(Subject{"framework",
                               id,
                               Amounts(width, 0),
                               Amounts(width, 0),
                               std::vector<StepSeriesBuilder>(width),
                               std::vector<StepSeriesBuilder>(width),
                               {},
                               0});
    frameworks.push_back(std::move(f));
  }
  last_framework = index;
  return index;
}

size_t Collector::State::role(const std::string& name) {
  if (last_role != StringIndex::kNone && subjects[last_role].name == name) return last_role;
  const auto [subject, added] =
      role_subject.try_emplace(name, static_cast<uint32_t>(subjects.size()));
  if (added) {
    subjects.push_back(Subject{"role",
                               name,
                               Amounts(width, 0),
                               Amounts(width, 0),
                               std::vector<StepSeriesBuilder>(width),
                               std::vector<StepSeriesBuilder>(width),
                               {},
                               0});
  }
  last_role = subject;
  return subject;
}

uint32_t Collector::State::agent(const std::string& id) {
  if (last_agent != StringIndex::kNone && agents[last_agent].id == id) return last_agent;
  const auto [index, added] = agent_index.try_emplace(id, static_cast<uint32_t>(agents.size()));
  if (added) agents.push_back(AgentBooks{id, id, Amounts(width, 0), Amounts(width, 0), false});
  last_agent = index;
  return index;
}

namespace {

// One key for a (framework id, name) pair, written into `out`: the framework id's length
// first, so it is unambiguous whatever characters the two hold.
void write_pair_key(std::string& out, std::string_view framework_id, std::string_view name) {
  out.assign(std::to_string(framework_id.size()));
  out.push_back(':');
  out.append(framework_id);
  out.append(name);
}

// A slot of `items` for a new record: one freed earlier, else a new one at the end.
template <class T>
uint32_t take_slot(std::vector<T>& items, std::vector<uint32_t>& free_slots) {
  if (free_slots.empty()) {
    items.emplace_back();
    return static_cast<uint32_t>(items.size() - 1);
  }
  const uint32_t slot = free_slots.back();
  free_slots.pop_back();
  return slot;
}

}  // namespace

const std::string& Collector::State::task_key(const std::string& framework_id,
                                              const std::string& task_id) {
  write_pair_key(task_key_scratch, framework_id, task_id);
  return task_key_scratch;
}

uint32_t Collector::State::task(const std::string& key) {
  const uint32_t known = task_index.find(key);
  if (known != StringIndex::kNone) return known;
  const uint32_t slot = take_slot(tasks, free_task_slots);
  task_index.try_emplace(key, slot);
  return slot;
}

void Collector::State::forget_task(const std::string& key, uint32_t slot) {
  task_index.erase(key);
  Deltas usage = std::move(tasks[slot].usage);  // its capacity serves the slot's next task
  usage.clear();
  tasks[slot] = TaskBooks{};
  tasks[slot].usage = std::move(usage);
  free_task_slots.push_back(slot);
}

void Collector::State::advance(Time t) {
  if (!started) {
    started = true;
    first = t;
    now = t;
    return;
  }
  if (t < now) {
    ++out_of_order;
    return;
  }
  if (t == now) return;
  if (fairness_dirty) recompute_fairness();
  const double dt = (t - now).seconds_f();
  if (jain_defined) {
    jain_integral += jain_now * dt;
    jain_seconds += dt;
  }
  envy_integral += envy_now * dt;
  envy_peak = std::max(envy_peak, envy_now);
  now = t;
}

void Collector::State::update_share(size_t subject) {
  Subject& s = subjects[subject];
  double share = 0;
  for (size_t id = 0; id < width; ++id) {
    if (cluster_total[id] <= 0) continue;
    share = std::max(share,
                     static_cast<double>(s.allocated[id]) / static_cast<double>(cluster_total[id]));
  }
  s.current_share = share;
  s.dominant_share.set(now, share);
}

void Collector::State::update_all_shares() {
  for (size_t i = 0; i < subjects.size(); ++i) update_share(i);
  fairness_dirty = true;
}

void Collector::State::allocate(uint32_t fw, uint32_t agent_idx, const std::string& role_name,
                                const Resources& r, int sign) {
  fill_deltas(r, scratch);  // no allocation per event once the buffer has grown
  const Deltas& deltas = scratch;
  if (deltas.empty()) return;
  size_t needed = 0;
  for (const auto& [id, milli] : deltas) needed = std::max<size_t>(needed, id + 1u);
  ensure_width(needed);
  const size_t targets[3] = {0, frameworks[fw].subject, role(role_name)};
  AgentBooks& a = agents[agent_idx];
  for (const auto& [id, milli] : deltas) {
    const int64_t d = sign * milli;
    for (size_t subject : targets) {
      Subject& s = subjects[subject];
      s.allocated[id] += d;
      s.allocated_series[id].set(now, static_cast<double>(s.allocated[id]) / 1000.0);
    }
    a.allocated[id] += d;
  }
  for (size_t subject : targets) update_share(subject);
  fairness_dirty = true;
  record_free(agent_idx);
}

void Collector::State::reset_allocations() {
  for (Subject& s : subjects) {
    for (size_t id = 0; id < width; ++id) {
      if (s.allocated[id] == 0) continue;
      s.allocated[id] = 0;
      s.allocated_series[id].set(now, 0.0);
    }
  }
  for (uint32_t i = 0; i < agents.size(); ++i) {
    AgentBooks& a = agents[i];
    if (std::any_of(a.allocated.begin(), a.allocated.end(), [](int64_t v) { return v != 0; })) {
      std::fill(a.allocated.begin(), a.allocated.end(), 0);
      record_free(i);
    }
  }
  update_all_shares();
}

void Collector::State::set_agent_total(uint32_t agent_idx, const Resources& total, bool present) {
  const Deltas deltas = scalar_deltas(total);
  size_t needed = 0;
  for (const auto& [id, milli] : deltas) needed = std::max<size_t>(needed, id + 1u);
  ensure_width(needed);
  AgentBooks& a = agents[agent_idx];
  Amounts next(width, 0);
  if (present) {
    for (const auto& [id, milli] : deltas) next[id] = milli;
  }
  for (size_t id = 0; id < width; ++id) {
    if (next[id] == a.total[id]) continue;
    cluster_total[id] += next[id] - a.total[id];
    total_series[id].set(now, static_cast<double>(cluster_total[id]) / 1000.0);
  }
  a.total = std::move(next);
  a.present = present;
  update_all_shares();
  record_free(agent_idx);
}

void Collector::State::set_usage(uint32_t task_idx, Deltas& usage) {
  TaskBooks& t = tasks[task_idx];
  size_t needed = 0;
  for (const auto& [id, milli] : usage) needed = std::max<size_t>(needed, id + 1u);
  ensure_width(needed);
  const size_t fw_subject = frameworks[t.framework].subject;
  auto apply = [&](const Deltas& deltas, int sign) {
    for (const auto& [id, milli] : deltas) {
      for (size_t subject : {size_t{0}, fw_subject, static_cast<size_t>(t.role_subject)}) {
        if (subject == static_cast<size_t>(-1)) continue;
        Subject& s = subjects[subject];
        s.used[id] += sign * milli;
        s.used_series[id].set(now, static_cast<double>(s.used[id]) / 1000.0);
      }
    }
  };
  apply(t.usage, -1);
  std::swap(t.usage, usage);  // the caller's buffer gets the old one's capacity
  apply(t.usage, +1);
}

void Collector::State::record_free(uint32_t agent_idx) {
  const AgentBooks& a = agents[agent_idx];
  free_scratch.resize(width);
  for (size_t id = 0; id < width; ++id) {
    free_scratch[id] = a.present ? std::max<int64_t>(0, a.total[id] - a.allocated[id]) : 0;
  }
  free_log.append(now.micros(), agent_idx, free_scratch.data(), static_cast<uint32_t>(width));
}

Collector::Collector() : state_(std::make_unique<State>()) {}
Collector::~Collector() = default;
uint64_t Collector::events() const { return state_->events; }
uint64_t Collector::out_of_order_events() const { return state_->out_of_order; }

void Collector::State::on(const OfferMade& e) {
  const uint32_t fw = framework(e.framework.value);
  const uint32_t a = agent(e.agent.value);
  allocate(fw, a, e.role, e.resources, +1);
  FrameworkBooks& f = frameworks[fw];
  ++f.made;
  ++f.run_offers;
  ++f.outstanding;
  uint32_t slot = take_slot(offers, free_offer_slots);
  const auto [index, added] = offer_index.try_emplace(e.offer.value, slot);
  if (!added) {  // an id seen twice: the later offer replaces the record
    free_offer_slots.push_back(slot);
    slot = index;
  }
  OfferBooks& o = offers[slot];
  o.made = now;
  o.framework = fw;
  o.agent = a;
  o.resources.assign(scratch.begin(), scratch.end());  // allocate() left the deltas there
  o.seq = offers_seen++;
  o.open = true;
}

void Collector::State::on(const ResourcesRecovered& e) {
  allocate(framework(e.framework.value), agent(e.agent.value), e.role, e.resources, -1);
}

void Collector::State::on(const ResourcesAdopted& e) {
  allocate(framework(e.framework.value), agent(e.agent.value), e.role, e.resources, +1);
}

void Collector::State::on(const ReservationApplied& e) {
  const uint32_t fw = framework(e.framework.value);
  const uint32_t a = agent(e.agent.value);
  allocate(fw, a, e.role, e.from, -1);
  allocate(fw, a, e.role, e.to, +1);
}

void Collector::State::on(const MasterCrashed&) {
  failover.leader_failed(now);
  leader_changed();
}

void Collector::State::on(const LeaderElected&) {
  failover.leader_elected(now);
  leader_changed();
}

// A new leader starts with no allocations, no offers and no subscribed frameworks.
void Collector::State::leader_changed() {
  drop_all_offers();
  reset_allocations();
  for (FrameworkBooks& f : frameworks) {
    f.active = false;
    f.skips_by_role.clear();  // a new leader's explanations start from none
    f.skips.fill(0);
    set_cause(f, WaitCause::kFrameworkInactive);
  }
  fairness_dirty = true;
}

void Collector::State::on(const AgentAdded& e) {
  const uint32_t a = agent(e.agent.value);
  agents[a].hostname = e.hostname;
  set_agent_total(a, e.total, true);
  failover.agent_connected(now, e.agent.value);
}

void Collector::State::on(const AgentDisconnected& e) {
  failover.agent_disconnected(e.agent.value);
}

void Collector::State::on(const AgentRemoved& e) {
  failover.agent_removed(now, e.agent.value);
  set_agent_total(agent(e.agent.value), Resources(), false);
}

void Collector::State::on(const AgentTotalChanged& e) {
  set_agent_total(agent(e.agent.value), e.total, true);
}

void Collector::State::on(const TaskUsage& e) {
  // Usage rides on published status updates, so its task's TASK_STATE came first; usage of a
  // task the stream never announced (or that has ended) is ignored.
  const uint32_t t = task_index.find(task_key(e.framework.value, e.task.value));
  if (t == StringIndex::kNone || tasks[t].released) return;
  fill_deltas(e.usage, usage_scratch);
  set_usage(t, usage_scratch);
}

namespace {

// Terminal states a task never comes back from. LOST and UNKNOWN may be followed by the task's
// return when its agent re-registers (sim/README.md, "Partition heal").
bool final_state(v1::TaskState s) {
  return v1::is_terminal(s) && s != v1::TaskState::TASK_LOST && s != v1::TaskState::TASK_UNKNOWN;
}

}  // namespace

void Collector::State::on(const TaskStateChanged& e) {
  const std::string& key = task_key(e.framework.value, e.task.value);
  const uint32_t t = task(key);
  const uint32_t fw = framework(e.framework.value);
  if (tasks[t].has_state) {
    --frameworks[tasks[t].framework].task_states[static_cast<size_t>(tasks[t].last_state)];
  }
  ++frameworks[fw].task_states[static_cast<size_t>(e.state)];
  tasks[t].framework = fw;
  if (!e.role.empty()) {
    const auto r = static_cast<int32_t>(role(e.role));
    if (r != tasks[t].role_subject) {
      // Usage reported before the role was known moves to the role with the task.
      Deltas usage;
      set_usage(t, usage);  // takes the usage out of the old role
      tasks[t].role_subject = r;
      set_usage(t, usage);
    }
  }
  if (!tasks[t].has_state) read_labels(e, t);
  if (tasks[t].executor_app >= 0) set_executor_up(t, e.state == v1::TaskState::TASK_RUNNING);
  TaskBooks& books = tasks[t];
  books.last_state = e.state;
  books.has_state = true;
  books.released = v1::is_terminal(e.state) || e.state == v1::TaskState::TASK_UNREACHABLE;
  if (books.released && !books.usage.empty()) {
    usage_scratch.clear();
    set_usage(t, usage_scratch);
  }
  if (final_state(e.state)) forget_task(key, t);
}

void Collector::State::read_labels(const TaskStateChanged& e, uint32_t t) {
  const std::string* app = nullptr;
  bool executor = false;
  for (const auto& [key, value] : e.labels) {
    if (key == kGangLabel) frameworks[tasks[t].framework].gang = true;
    if (key == kKindLabel && value == kExecutorKind) executor = true;
    if (key == kAppLabel) app = &value;
  }
  if (!executor || app == nullptr) return;
  // The app's key in its own buffer: `task_key_scratch` holds the caller's task key.
  std::string key;
  write_pair_key(key, e.framework.value, *app);
  const auto [index, added] =
      executor_app_index.try_emplace(key, static_cast<uint32_t>(executor_apps.size()));
  if (added) executor_apps.push_back(ExecutorApp{tasks[t].framework, *app, 0, {}});
  tasks[t].executor_app = static_cast<int32_t>(index);
}

void Collector::State::set_executor_up(uint32_t t, bool up) {
  TaskBooks& books = tasks[t];
  if (books.executor_up == up) return;
  books.executor_up = up;
  ExecutorApp& app = executor_apps[static_cast<size_t>(books.executor_app)];
  app.running = up ? app.running + 1 : app.running - 1;
  app.presence.set(now, app.running > 0);
}

void Collector::on_event(const MasterEvent& event) {
  State& s = *state_;
  ++s.events;
  s.advance(event.time);
  std::visit([&s](const auto& e) { s.on(e); }, event.body);
}

}  // namespace mesosim::analysis
