#pragma once

// Helpers for simulation tests: a scheduler scripted with lambdas that records what it sees,
// an observer that keeps the master's event stream as lines, and small builders.

#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "sim/sim_cluster.hpp"

namespace mesosim::testing {

inline Resources Res(std::string_view text) {
  auto r = Resources::parse(text);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? r.value() : Resources();
}

class ScriptedScheduler : public Scheduler {
 public:
  std::function<void(SchedulerDriver&, const std::vector<v1::Offer>&)> on_offers;
  std::function<void(SchedulerDriver&, const v1::TaskStatus&)> on_update;
  std::function<void(SchedulerDriver&, const v1::FrameworkID&)> on_subscribed;

  std::optional<v1::FrameworkID> id;
  std::vector<v1::Offer> offers_seen;
  std::vector<v1::OfferID> rescinded;
  std::vector<v1::TaskStatus> updates;
  std::vector<std::string> errors;
  std::vector<v1::scheduler::Failure> failures;
  int disconnections = 0;
  // When each of the above arrived (simulated time), index for index.
  std::vector<Time> offer_times;
  std::vector<Time> rescind_times;
  std::vector<Time> update_times;
  int subscriptions = 0;

  void subscribed(SchedulerDriver& d, const v1::FrameworkID& fid) override {
    id = fid;
    ++subscriptions;
    if (on_subscribed) on_subscribed(d, fid);
  }
  void offers(SchedulerDriver& d, const std::vector<v1::Offer>& offers) override {
    offers_seen.insert(offers_seen.end(), offers.begin(), offers.end());
    offer_times.insert(offer_times.end(), offers.size(), d.clock().now());
    if (on_offers) on_offers(d, offers);
  }
  void rescind(SchedulerDriver& d, const v1::OfferID& o) override {
    rescinded.push_back(o);
    rescind_times.push_back(d.clock().now());
  }
  void update(SchedulerDriver& d, const v1::TaskStatus& s) override {
    updates.push_back(s);
    update_times.push_back(d.clock().now());
    if (on_update) on_update(d, s);
  }
  void failure(SchedulerDriver&, const v1::scheduler::Failure& f) override {
    failures.push_back(f);
  }
  void error(SchedulerDriver&, const std::string& m) override { errors.push_back(m); }
  void disconnected(SchedulerDriver&) override { ++disconnections; }

  // States seen for one task, in order.
  std::vector<v1::TaskState> states_of(const std::string& task) const {
    std::vector<v1::TaskState> out;
    for (const auto& u : updates) {
      if (u.task_id.value == task) out.push_back(u.state);
    }
    return out;
  }

  // Updates seen for one task, in order.
  std::vector<v1::TaskStatus> updates_of(const std::string& task) const {
    std::vector<v1::TaskStatus> out;
    for (const auto& u : updates) {
      if (u.task_id.value == task) out.push_back(u);
    }
    return out;
  }
  // The terminal states each task was reported in (a resent update or a reconciliation
  // answer repeating the same end counts once).
  std::map<std::string, std::set<v1::TaskState>> terminal_states() const {
    std::map<std::string, std::set<v1::TaskState>> out;
    for (const auto& u : updates) {
      if (v1::is_terminal(u.state)) out[u.task_id.value].insert(u.state);
    }
    return out;
  }
  // Offers received for one agent, with the times they arrived.
  std::vector<std::pair<Time, v1::Offer>> offers_on(const v1::AgentID& agent) const {
    std::vector<std::pair<Time, v1::Offer>> out;
    for (size_t i = 0; i < offers_seen.size(); ++i) {
      if (offers_seen[i].agent_id == agent) out.emplace_back(offer_times[i], offers_seen[i]);
    }
    return out;
  }
};

class EventLines : public MasterObserver {
 public:
  std::vector<std::string> lines;
  std::vector<MasterEvent> events;
  void on_event(const MasterEvent& e) override {
    lines.push_back(to_string(e));
    events.push_back(e);
  }
  size_t count(std::string_view needle) const {
    size_t n = 0;
    for (const auto& l : lines) n += l.find(needle) != std::string::npos;
    return n;
  }
  // Lines that hold both (e.g. an event type and a word of its message).
  size_t count_both(std::string_view a, std::string_view b) const {
    size_t n = 0;
    for (const auto& l : lines) {
      n += l.find(a) != std::string::npos && l.find(b) != std::string::npos;
    }
    return n;
  }
};

// Allocations as the event stream alone accounts them (master_events.hpp), by (framework id,
// agent id, role): what analysis computes. Compare with Master::allocations().
class AllocationBooks : public MasterObserver {
 public:
  std::map<Master::AllocationKey, Resources> held;
  std::vector<std::string> errors;  // a recovery of more than the stream says is held

  void on_event(const MasterEvent& e) override {
    using namespace master_event;
    std::visit(
        [&](const auto& b) {
          using T = std::decay_t<decltype(b)>;
          if constexpr (std::is_same_v<T, LeaderElected> || std::is_same_v<T, MasterCrashed>) {
            held.clear();
          } else if constexpr (std::is_same_v<T, OfferMade>) {
            add({b.framework.value, b.agent.value, b.role}, b.resources);
          } else if constexpr (std::is_same_v<T, ResourcesAdopted>) {
            add({b.framework.value, b.agent.value, b.role}, b.resources);
          } else if constexpr (std::is_same_v<T, ResourcesRecovered>) {
            take({b.framework.value, b.agent.value, b.role}, b.resources, e);
          } else if constexpr (std::is_same_v<T, ReservationApplied>) {
            take({b.framework.value, b.agent.value, b.role}, b.from, e);
            add({b.framework.value, b.agent.value, b.role}, b.to);
          }
        },
        e.body);
  }

 private:
  void add(const Master::AllocationKey& key, const Resources& r) {
    if (!r.empty()) held[key] += r;
  }
  void take(const Master::AllocationKey& key, const Resources& r, const MasterEvent& e) {
    auto it = held.find(key);
    if (it == held.end() || !it->second.contains(r)) {
      if (errors.size() < 20) errors.push_back("recovers more than held: " + to_string(e));
      if (it != held.end()) held.erase(it);
      return;
    }
    it->second -= r;
    if (it->second.empty()) held.erase(it);
  }
};

inline v1::FrameworkInfo framework(std::string name, std::vector<std::string> roles = {"r"},
                                   double failover_timeout = 0,
                                   std::vector<v1::FrameworkCapability> caps = {}) {
  v1::FrameworkInfo info;
  info.user = "test";
  info.name = std::move(name);
  info.roles = std::move(roles);
  info.failover_timeout = failover_timeout;
  info.capabilities = std::move(caps);
  if (info.roles.size() > 1) info.capabilities.push_back(v1::FrameworkCapability::MULTI_ROLE);
  return info;
}

inline SimAgentOptions agent(std::string host, std::string_view resources) {
  SimAgentOptions o;
  o.hostname = std::move(host);
  o.resources = Res(resources);
  return o;
}

inline v1::TaskInfo task(const std::string& id, const v1::Offer& offer, std::string_view resources,
                         Duration duration) {
  v1::TaskInfo t;
  t.name = id;
  t.task_id = v1::TaskID{id};
  t.agent_id = offer.agent_id;
  t.resources = Res(resources);
  t.command = v1::CommandInfo{true, "sleep", {}, {}};
  t.work = v1::SimulatedWork{duration, v1::TaskState::TASK_FINISHED, {}};
  return t;
}

inline Time secs(double s) { return Time::epoch() + Duration::from_seconds(s); }

// A task with no SimulatedWork: it runs until it is killed.
inline v1::TaskInfo forever_task(const std::string& id, const v1::Offer& offer,
                                 std::string_view resources) {
  v1::TaskInfo t = task(id, offer, resources, Duration::zero());
  t.work.reset();
  return t;
}

// A framework whose tasks survive an agent restart (FrameworkInfo.checkpoint).
inline v1::FrameworkInfo checkpointing(v1::FrameworkInfo info) {
  info.checkpoint = true;
  return info;
}

inline v1::FrameworkInfo partition_aware(v1::FrameworkInfo info) {
  info.capabilities.push_back(v1::FrameworkCapability::PARTITION_AWARE);
  return info;
}

// What a QueueScheduler launches.
struct TaskSpec {
  std::string id;
  std::string resources;
  std::optional<Duration> duration;  // none: runs until killed
  std::string hostname;              // empty: any agent
};

// A framework that launches its queue of tasks, in order, on the first offers they fit in,
// declines (or holds) what it cannot use, and can reconcile the tasks it has not seen end.
class QueueScheduler : public ScriptedScheduler {
 public:
  std::deque<TaskSpec> pending;
  std::map<std::string, v1::AgentID> launched;  // task id -> agent it was sent to
  v1::Filters filters{1.0};                     // for launches and declines
  bool hold_unused = false;                     // keep offers it does not use

  QueueScheduler() {
    on_offers = [this](SchedulerDriver& d, const std::vector<v1::Offer>& offers) {
      for (const auto& o : offers) place(d, o);
    };
  }
  void add(TaskSpec spec) { pending.push_back(std::move(spec)); }

  // Explicit reconciliation of every launched task with no terminal update yet.
  void reconcile_unfinished(SchedulerDriver& d) const {
    const auto ended = terminal_states();
    std::vector<v1::scheduler::Reconcile::Task> ask;
    for (const auto& [id, agent_id] : launched) {
      if (!ended.count(id)) ask.push_back({v1::TaskID{id}, agent_id});
    }
    if (!ask.empty()) d.reconcile(std::move(ask));
  }
  std::vector<std::string> unfinished() const {
    const auto ended = terminal_states();
    std::vector<std::string> out;
    for (const auto& [id, agent_id] : launched) {
      if (!ended.count(id)) out.push_back(id);
    }
    return out;
  }

 private:
  void place(SchedulerDriver& d, const v1::Offer& o) {
    Resources left = o.resources;
    std::vector<v1::TaskInfo> tasks;
    for (auto it = pending.begin(); it != pending.end();) {
      const Resources need = Res(it->resources);
      if ((!it->hostname.empty() && it->hostname != o.hostname) || !left.contains(need)) {
        ++it;
        continue;
      }
      v1::TaskInfo t = it->duration ? task(it->id, o, it->resources, *it->duration)
                                    : forever_task(it->id, o, it->resources);
      left -= need;
      launched[it->id] = o.agent_id;
      tasks.push_back(std::move(t));
      it = pending.erase(it);
    }
    if (!tasks.empty()) {
      d.launch(o, std::move(tasks), filters);
    } else if (!hold_unused) {
      d.decline({o.id}, filters);
    }
  }
};

// A party on the network that is none of the cluster's: it sends whatever a test wants, from
// its own endpoint, and keeps what it receives.
class RawParty : public Process {
 public:
  RawParty(SimCluster& cluster, std::string name)
      : cluster_(cluster), self_(cluster.network().add(std::move(name), this)) {}
  Endpoint endpoint() const { return self_; }
  void send_to_leader(Message message) {
    auto leader = cluster_.detector().leader();
    ASSERT_TRUE(leader.has_value());
    cluster_.network().send(self_, *leader, std::move(message));
  }
  void receive(Endpoint, Message&& message) override { received.push_back(std::move(message)); }
  std::vector<Message> received;

 private:
  SimCluster& cluster_;
  Endpoint self_;
};

}  // namespace mesosim::testing

namespace mesosim::v1 {
// Readable gtest failure messages.
inline void PrintTo(TaskState state, std::ostream* os) { *os << to_string(state); }
inline void PrintTo(TaskStatusReason reason, std::ostream* os) { *os << to_string(reason); }
}  // namespace mesosim::v1
