#pragma once

// The analysis of one run: a MasterObserver that consumes the master's event stream as it
// happens (simulated or live), or replayed from an event log, and at the end combines it with
// the framework models' job outcomes into a RunResult.
//
//   analysis::Collector collector;
//   master.add_observer(&collector);            // or replay_event_log(in, name, collector)
//   ... run ...
//   analysis::RunResult result = collector.finish(end_time, std::move(job_outcomes));
//   analysis::write_outputs(result, out_dir);   // analysis/writers.hpp
//
// Cost per event is a few hash lookups of the event's ids and O(resources) arithmetic; events
// that change the cluster's totals and allocation runs cost O(frameworks). Memory grows with the
// number of changes (the time series keep every change point) and of tasks, offers outstanding,
// agents and frameworks. Nothing reads the wall clock: time is the events' `time`.
//
// Events must arrive in time order; an event earlier than the previous one is counted as out of
// order and treated as happening at the previous one's time.

#include <memory>
#include <vector>

#include "analysis/outcomes.hpp"
#include "analysis/run_result.hpp"
#include "sim/master/master_events.hpp"

namespace mesosim::analysis {

class Collector final : public MasterObserver {
 public:
  Collector();
  ~Collector() override;
  Collector(const Collector&) = delete;
  Collector& operator=(const Collector&) = delete;

  void on_event(const MasterEvent& event) override;

  // Events seen so far, and of those, how many arrived out of time order.
  uint64_t events() const;
  uint64_t out_of_order_events() const;

  // Ends the run at `end` (at least the last event's time; an earlier `end` is raised to it) and
  // computes every figure. `jobs` are the framework models' outcomes (may be empty: the job,
  // wait and fragmentation figures are then empty). Call once; the collector is spent after.
  RunResult finish(Time end, std::vector<JobOutcome> jobs);

  struct State;  // defined in analysis/collector_state.hpp

 private:
  std::unique_ptr<State> state_;
};

}  // namespace mesosim::analysis
