#pragma once

// Helpers for simulation tests: a scheduler scripted with lambdas that records what it sees,
// an observer that keeps the master's event stream as lines, and small builders.

#include <gtest/gtest.h>

#include <functional>
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

  std::optional<v1::FrameworkID> id;
  std::vector<v1::Offer> offers_seen;
  std::vector<v1::OfferID> rescinded;
  std::vector<v1::TaskStatus> updates;
  std::vector<std::string> errors;
  std::vector<v1::scheduler::Failure> failures;
  int disconnections = 0;

  void subscribed(SchedulerDriver&, const v1::FrameworkID& fid) override { id = fid; }
  void offers(SchedulerDriver& d, const std::vector<v1::Offer>& offers) override {
    offers_seen.insert(offers_seen.end(), offers.begin(), offers.end());
    if (on_offers) on_offers(d, offers);
  }
  void rescind(SchedulerDriver&, const v1::OfferID& o) override { rescinded.push_back(o); }
  void update(SchedulerDriver& d, const v1::TaskStatus& s) override {
    updates.push_back(s);
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

}  // namespace mesosim::testing
