#pragma once

// Helpers for framework model tests: jobs built in a line, a cluster laid out by a Topology,
// and questions about the master's event stream.

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "tests/sim/sim_test_util.hpp"
#include "workloads/framework_model.hpp"
#include "workloads/job_feeder.hpp"
#include "workloads/topology.hpp"
#include "workloads/vector_job_source.hpp"

namespace mesosim::testing {

inline mesosim::TaskSpec task_spec(std::string_view resources, Duration duration,
                                   TaskOutcome outcome = TaskOutcome::kFinished) {
  mesosim::TaskSpec t;
  t.resources = Res(resources);
  t.duration = duration;
  t.outcome = outcome;
  return t;
}

// A job of `n` identical tasks.
inline Job make_job(std::string id, double submit_seconds, size_t n, std::string_view resources,
                    Duration duration, std::string framework = "") {
  Job j;
  j.id = std::move(id);
  j.user = "u";
  j.framework = std::move(framework);
  j.submit = secs(submit_seconds);
  for (size_t i = 0; i < n; ++i) j.tasks.push_back(task_spec(resources, duration));
  return j;
}

// Adds one agent per topology agent, all with `resources`.
inline void add_agents(SimCluster& cluster, const Topology& topology, std::string_view resources) {
  for (auto& o : topology.agent_options(Res(resources))) cluster.add_agent(std::move(o));
}

inline SimClusterOptions fixed_latency(uint64_t seed = 1) {
  SimClusterOptions o;
  o.seed = seed;
  o.latency = LatencyModel{Duration::millis(1), Duration::zero()};
  return o;
}

// Task state changes of one framework, as seen by the master, in order.
class TaskLog : public MasterObserver {
 public:
  struct Change {
    Time at;
    std::string task;
    v1::AgentID agent;
    v1::TaskState state;
  };
  std::vector<Change> changes;
  std::vector<std::string> lines;
  std::vector<MasterEvent> events;
  void on_event(const MasterEvent& e) override {
    lines.push_back(to_string(e));
    events.push_back(e);
    if (auto* t = std::get_if<master_event::TaskStateChanged>(&e.body)) {
      changes.push_back({e.time, t->task.value, t->agent, t->state});
    }
  }
  // Offers made to `framework` in [from, to).
  size_t offers_to(const v1::FrameworkID& framework, Time from, Time to) const {
    size_t n = 0;
    for (const auto& e : events) {
      auto* o = std::get_if<master_event::OfferMade>(&e.body);
      n += o && o->framework == framework && e.time >= from && e.time < to;
    }
    return n;
  }
  // The largest number of tasks whose id starts with `prefix` that were RUNNING at once.
  size_t max_running(const std::string& prefix) const { return running_counts(prefix).second; }
  // (smallest non-zero, largest) number running at once over time.
  std::pair<size_t, size_t> running_counts(const std::string& prefix) const {
    return running_counts_if([&](const std::string& id) { return id.rfind(prefix, 0) == 0; });
  }
  std::pair<size_t, size_t> running_counts_if(
      const std::function<bool(const std::string&)>& match) const {
    std::map<std::string, bool> running;
    size_t lo = SIZE_MAX, hi = 0;
    for (size_t i = 0; i < changes.size(); ++i) {
      const auto& c = changes[i];
      if (match(c.task)) running[c.task] = c.state == v1::TaskState::TASK_RUNNING;
      // Count once all changes at this instant are applied.
      if (i + 1 < changes.size() && changes[i + 1].at == c.at) continue;
      size_t n = 0;
      for (const auto& [id, r] : running) n += r;
      if (n > 0) lo = std::min(lo, n);
      hi = std::max(hi, n);
    }
    return {lo == SIZE_MAX ? 0 : lo, hi};
  }
};

}  // namespace mesosim::testing
