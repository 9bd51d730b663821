#pragma once

// A whole simulated cluster on one EventQueue: masters (one leading, the rest standby), a
// leader detector, agents, framework schedulers, the simulated network between them, and the
// faults scheduled against them. It is what tests, the simulator's runs and scenarios build on.
//
// Everything random derives from the one seed, so a cluster built and driven the same way gives
// the same run, event for event.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "allocator/allocator.hpp"
#include "sim/event_queue.hpp"
#include "sim/faults.hpp"
#include "sim/leader_detector.hpp"
#include "sim/master/master.hpp"
#include "sim/scheduler_driver.hpp"
#include "sim/sim_agent.hpp"
#include "sim/sim_health.hpp"
#include "sim/sim_network.hpp"

namespace mesosim {

struct SimClusterOptions {
  uint64_t seed = 1;
  LatencyModel latency;
  MasterOptions master;  // master_id is set per master incarnation
  AllocatorOptions allocator = AllocatorOptions::mesos_defaults();
  // Builds the allocator of each master that takes the lead. Default: HierarchicalAllocator.
  std::function<std::unique_ptr<Allocator>(const AllocatorOptions&)> make_allocator;
  int masters = 1;  // the first leads; the others stand by
  Duration election_delay = Duration::seconds(10);
  // Healthy agents' pings modelled lazily (sim_health.hpp); false: every ping and pong is an
  // event. The two give the same run.
  bool lazy_pings = true;
};

class SimCluster {
 public:
  explicit SimCluster(SimClusterOptions options);
  ~SimCluster();
  SimCluster(const SimCluster&) = delete;
  SimCluster& operator=(const SimCluster&) = delete;

  size_t add_agent(SimAgentOptions options);
  size_t add_framework(v1::FrameworkInfo info, Scheduler* scheduler,
                       SchedulerDriverOptions options = {});
  // Elects the first master; agents and schedulers learn of it through the detector.
  void start();

  void run_until(Time t) { queue_.run_until(t); }
  void run_for(Duration d) { queue_.run_until(queue_.now() + d); }
  Time now() const { return queue_.now(); }

  EventQueue& queue() { return queue_; }
  SimNetwork& network() { return network_; }
  LeaderDetector& detector() { return detector_; }
  SimHealth& health() { return health_; }
  Master* leader();  // nullptr while no master leads
  Registry& registry() { return registry_; }
  size_t agent_count() const { return agents_.size(); }
  SimAgent& agent(size_t i) { return *agents_.at(i); }
  size_t framework_count() const { return drivers_.size(); }
  SchedulerDriver& framework(size_t i) { return *drivers_.at(i); }

  // Kept across failovers: each new leader gets every observer.
  void add_observer(MasterObserver* observer);

  void inject(const Fault& fault);
  void schedule(Time at, Fault fault);
  // For SchedulerCrash restarts: the Scheduler the restarted process uses (default: the same).
  void set_restart_scheduler(const std::string& framework, Scheduler* scheduler);

  // Master and agents agree: every task the leader holds as non-terminal on a registered agent
  // the agent has too, and every master-side invariant holds. Returns the first discrepancy.
  std::optional<std::string> check_invariants();

 private:
  struct MasterSlot {
    Endpoint endpoint;
    std::unique_ptr<Master> master;
  };
  std::unique_ptr<Master> make_master(Endpoint endpoint);
  std::vector<Endpoint> resolve(const std::vector<std::string>& names);
  void fail_over_master();
  size_t agent_index(const std::string& name);
  size_t framework_index(const std::string& name);

  SimClusterOptions options_;
  Rng rng_;
  EventQueue queue_;
  SimNetwork network_;
  LeaderDetector detector_;
  Registry registry_;
  // Declared before the masters and agents, which use it until they are destroyed.
  SimHealth health_;
  std::vector<MasterSlot> masters_;
  std::optional<size_t> leader_;
  uint64_t master_generation_ = 0;
  std::vector<std::unique_ptr<SimAgent>> agents_;
  std::vector<std::unique_ptr<SchedulerDriver>> drivers_;
  std::vector<Scheduler*> schedulers_;
  std::vector<MasterObserver*> observers_;
  bool started_ = false;
};

}  // namespace mesosim
