#pragma once

// Hand-built event streams for the analysis tests: each helper makes one MasterEvent at a time
// given in whole seconds, so a test reads as the timeline it describes.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "allocator/resources.hpp"
#include "analysis/collector.hpp"
#include "sim/master/master_events.hpp"

namespace mesosim::analysis::testing {

using namespace mesosim::master_event;

inline Time at(double seconds) { return Time::from_micros(static_cast<int64_t>(seconds * 1e6)); }
inline Resources res(const std::string& text) { return Resources::parse(text).value(); }
inline v1::FrameworkID fw(const std::string& id) { return v1::FrameworkID{id}; }
inline v1::AgentID ag(const std::string& id) { return v1::AgentID{id}; }
inline v1::OfferID of(const std::string& id) { return v1::OfferID{id}; }

struct Stream {
  std::vector<MasterEvent> events;

  Stream& add(double t, MasterEventBody body) {
    events.push_back(MasterEvent{at(t), std::move(body)});
    return *this;
  }
  Stream& agent(double t, const std::string& id, const std::string& total) {
    return add(t, AgentAdded{ag(id), "host-" + id, res(total), {}, false});
  }
  Stream& framework(double t, const std::string& id, const std::string& name,
                    const std::string& role = "*") {
    return add(t, FrameworkAdded{fw(id), name, {role}, false, {}});
  }
  Stream& offer(double t, const std::string& offer, const std::string& framework,
                const std::string& agent, const std::string& r, const std::string& role = "*") {
    return add(t, OfferMade{of(offer), fw(framework), ag(agent), role, res(r)});
  }
  Stream& recover(double t, const std::string& framework, const std::string& agent,
                  const std::string& r, RecoveredReason reason = RecoveredReason::kDeclined,
                  const std::string& role = "*") {
    return add(t, ResourcesRecovered{fw(framework), ag(agent), role, res(r), reason});
  }
  Stream& task(double t, const std::string& task, const std::string& framework,
               const std::string& agent, v1::TaskState state, const std::string& r,
               const std::string& role = "*",
               std::vector<std::pair<std::string, std::string>> labels = {}) {
    TaskStateChanged e;
    e.labels = std::move(labels);
    e.task = v1::TaskID{task};
    e.framework = fw(framework);
    e.agent = ag(agent);
    e.role = role;
    e.state = state;
    e.resources = res(r);
    e.timestamp = at(t);
    return add(t, e);
  }
  Stream& usage(double t, const std::string& task, const std::string& framework,
                const std::string& agent, const std::string& r) {
    return add(t, TaskUsage{v1::TaskID{task}, fw(framework), ag(agent), res(r), at(t)});
  }

  void feed(MasterObserver& observer) const {
    for (const MasterEvent& e : events) observer.on_event(e);
  }
  RunResult run(double end, std::vector<JobOutcome> jobs = {}) const {
    Collector collector;
    feed(collector);
    return collector.finish(at(end), std::move(jobs));
  }
};

// The index of `name` in result.resources (fails the test if absent).
inline size_t resource_index(const RunResult& r, const std::string& name) {
  for (size_t i = 0; i < r.resources.size(); ++i) {
    if (r.resources[i] == name) return i;
  }
  ADD_FAILURE() << "no resource " << name;
  return 0;
}

}  // namespace mesosim::analysis::testing
