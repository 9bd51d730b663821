#pragma once

// A scenario turned into a run: a SimCluster with the scenario's masters, allocator policy,
// roles, agents (laid out in a Topology), one framework model per framework fed by its workload
// (a JobFeeder over the trace or generator), and its faults scheduled. Then run() drives the
// event queue to the scenario's end.
//
// What it promises:
// - Determinism. Every random choice (network latency, allocator order, block placement,
//   generated jobs, random faults) derives from Scenario::seed, so the same scenario and seed
//   give the same run, event for event, and the same records.
// - Ends. With `duration` the run stops when simulated time reaches it. With
//   `run_to_completion` it stops as soon as every workload has handed over all its jobs and
//   every model has finished them, or at max_duration (the cap). A stop flag set from another
//   thread or a signal handler stops it after the event in progress. run() is called once.
// - Bad input never crashes it: what the loader could not check (a static partition the
//   allocator refuses, a trace whose rows turn out malformed, a fault naming a machine the trace
//   never added) is an Error from create(), a workload error in the outcome, or a note.
//
// Observers (analysis, event logs) are added before run(); they see every master, failovers
// included. The models' records (jobs(), stats()) are what summaries are computed from.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "allocator/result.hpp"
#include "scenarios/scenario.hpp"
#include "sim/sim_cluster.hpp"
#include "workloads/framework_model.hpp"
#include "workloads/job_feeder.hpp"
#include "workloads/machine_event.hpp"
#include "workloads/topology.hpp"

namespace mesosim {

struct RunProgress {
  Time now;             // simulated
  uint64_t events = 0;  // callbacks run by the event queue so far
  Duration horizon;     // where the run stops at the latest (duration or cap)
  bool to_completion = false;
};

struct RunControl {
  // Called every `progress_every` events and once at the end.
  std::function<void(const RunProgress&)> progress;
  uint64_t progress_every = 20'000;
  // Checked before each event; set it (e.g. from a SIGINT handler) to stop cleanly.
  const std::atomic<bool>* stop = nullptr;
};

struct RunOutcome {
  enum class Ending { kDuration, kCompleted, kCap, kStopped };
  Ending ending = Ending::kDuration;
  Time end;
  uint64_t events = 0;
  // A workload that stopped early: "framework <name>: <error naming file:line>".
  std::vector<std::string> workload_errors;
  // Things done differently from what the scenario says, and why (a fault skipped, ...).
  std::vector<std::string> notes;
};
std::string_view to_string(RunOutcome::Ending ending);

class ScenarioRun {
 public:
  static Result<std::unique_ptr<ScenarioRun>> create(const Scenario& scenario);
  ~ScenarioRun();
  ScenarioRun(const ScenarioRun&) = delete;
  ScenarioRun& operator=(const ScenarioRun&) = delete;

  void add_observer(MasterObserver* observer);
  RunOutcome run(const RunControl& control = {});

  const Scenario& scenario() const { return scenario_; }
  size_t framework_count() const { return models_.size(); }
  const FrameworkSpec& framework_spec(size_t i) const { return scenario_.frameworks.at(i); }
  const FrameworkModel& model(size_t i) const { return *models_.at(i); }
  FrameworkModel& model(size_t i) { return *models_.at(i); }
  const JobFeeder& feeder(size_t i) const { return *feeders_.at(i); }
  const Topology& topology() const { return topology_; }
  SimCluster& cluster() { return *cluster_; }
  size_t agents_added() const { return hostnames_.size(); }

 private:
  explicit ScenarioRun(const Scenario& scenario);
  // Adds `host` to the topology (its rack and zone too, if new); an error for a duplicate
  // hostname, a rack already in another zone, or a name taken by a master or framework.
  Status place(const std::string& host, const std::string& rack, const std::string& zone);
  Status build_cluster();
  Status build_machines();
  // Machine k (in order of first ADD) of the machine trace joins at ev.time as `host`.
  Status add_machine(const std::string& host, const MachineEvent& ev, int k);
  Status build_frameworks();
  Status build_policy();
  void schedule_faults();
  void schedule_random(std::optional<Duration> mean, std::function<void()> fire);
  void inject_checked(const Fault& fault);
  bool complete() const;

  Scenario scenario_;
  Rng rng_;
  Topology topology_;
  std::unique_ptr<Stopwatch> stopwatch_;  // allocator.charge_cycle_time; outlives the cluster
  std::unique_ptr<SimCluster> cluster_;
  std::vector<std::unique_ptr<FrameworkModel>> models_;
  std::vector<std::unique_ptr<JobSource>> sources_;
  std::vector<std::unique_ptr<JobFeeder>> feeders_;
  std::vector<std::string> hostnames_;  // agents in the cluster, in the order added
  std::vector<std::string> notes_;
  std::map<std::string, std::string> zone_of_rack_;
  std::set<std::string> zones_;
  std::set<std::string> added_;  // hostnames_ as a set
  Rng fault_rng_;
  bool ran_ = false;
};

}  // namespace mesosim
