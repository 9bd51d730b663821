#pragma once

// A scenario: everything one simulated run needs (the cluster, the allocator and its policy, the
// frameworks and their workloads, the faults, how long to run, the seed), as plain values parsed
// from a YAML file by scenario_load.hpp and turned into a running SimCluster by scenario_run.hpp.
// scenarios/README.md documents every key, its unit and its default; the defaults below are the
// same.
//
// Relative paths (trace files) are already resolved against the scenario file's folder.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "allocator/allocator.hpp"
#include "allocator/quincy_allocator.hpp"
#include "allocator/time.hpp"
#include "sim/faults.hpp"
#include "sim/sim_network.hpp"
#include "workloads/gang_framework.hpp"
#include "workloads/hadoop_framework.hpp"
#include "workloads/service_framework.hpp"
#include "workloads/spark_framework.hpp"
#include "workloads/storm_framework.hpp"

namespace mesosim {

// `count` agents with the same resources, spread round-robin over `racks` racks of one zone.
// Agent k of a name prefix (counted over every group using it, from 0) is "<name_prefix><k>"
// in rack "<rack_prefix><k mod racks>": the names the workload generators prefer for locality.
struct AgentGroup {
  std::string name;
  int count = 1;
  std::string resources;  // Mesos text, checked at load
  std::string name_prefix = "agent";
  int racks = 1;
  std::string rack_prefix = "rack";
  std::string zone = "zone0";
  std::map<std::string, std::string> attributes;
};

// Machines from a Google machine_events trace: each machine's first ADD creates an agent
// "<name_prefix><machine id>" at the event's time; a REMOVE crashes it with its machine lost, a
// later ADD restarts it; UPDATEs are counted and ignored.
struct MachineTraceSpec {
  std::vector<std::string> files;
  std::string reference_machine = "cpus:32;mem:131072";
  int64_t limit = 0;  // at most this many machines (0: all)
  std::string name_prefix = "machine";
  int racks = 1;
  std::string rack_prefix = "rack";
  std::string zone = "zone0";
  bool skip_bad_rows = false;
};

struct ClusterSpec {
  std::vector<AgentGroup> groups;
  std::optional<MachineTraceSpec> machines;
};

struct RoleSpec {
  std::string name;
  double weight = 1;
  std::string quota_guarantees;  // Quantities text ("cpus:4;mem:8192"); empty: none
  std::string quota_limits;      // Quantities text; empty: unlimited
};

enum class StaticMode { kSliceEveryAgent, kWholeAgents };

struct AllocatorSpec {
  std::string policy = "drf";  // one of allocator_policies()
  Duration allocation_interval = Duration::seconds(1);
  std::string min_allocatable_resources = "cpus:0.01|mem:32";
  std::vector<std::string> fair_sharing_excluded_resource_names;
  Duration default_filter = Duration::seconds(5);  // frameworks' refuse_seconds unless set
  std::optional<Duration> offer_timeout;
  bool allocate_on_task_end = false;
  // Each allocation run's measured CPU time passes as simulated time before its offers go out
  // (MasterOptions::charge_allocation_time); the output then depends on the machine.
  bool charge_cycle_time = false;
  std::vector<RoleSpec> roles;
  // policy static: partitions by role (share of the cluster); empty: the frameworks' roles in
  // equal shares.
  std::vector<std::pair<std::string, double>> partitions;
  StaticMode static_mode = StaticMode::kSliceEveryAgent;
  // policy quincy: the placer's costs (allocator/README.md); frameworks declare their demands.
  QuincyOptions quincy;
};

// Where a framework's jobs come from: trace files or a generator (exactly one).
struct WorkloadSpec {
  std::vector<std::string> trace;  // files of one format (several: Google task_events parts)
  bool skip_bad_rows = false;
  std::string reference_machine = "cpus:32;mem:131072";  // Google and SWF scaling
  Duration google_window = Duration::hours(6);
  int64_t swf_default_mem_mb = 1024;
  std::string generator;                      // one of generator_kinds()
  std::map<std::string, std::string> params;  // generator parameters, seconds for durations
  double time_scale = 1;                      // multiplies every submit time
  Duration start;                             // simulated time the workload's time 0 is at
  int64_t limit = 0;                          // at most this many jobs (0: all)
};

struct FrameworkSpec {
  std::string name;
  std::string model;  // one of framework_models()
  std::string role = "*";
  std::string user = "sim";
  bool checkpoint = false;
  bool partition_aware = false;
  Duration failover_timeout = Duration::days(7);
  Duration t_job = Duration::millis(10);
  Duration t_task = Duration::millis(1);
  std::optional<double> refuse_seconds;  // unset: the model's default or allocator.default_filter
  bool requeue_lost = true;
  // The model's own parameters (only the chosen model's are read; model, topology and seed are
  // filled in when the run is built).
  HadoopFrameworkOptions hadoop;
  SparkFrameworkOptions spark;
  StormFrameworkOptions storm;
  ServiceFrameworkOptions service;
  GangFrameworkOptions gang;
  int batch_max_tasks_per_offer = 0;  // batch: tasks per offer at most (0: all that fit)
  int batch_max_attempts = 0;         // batch: abandon a job after this many attempts (0: never)
  WorkloadSpec workload;
};

// A fault at a simulated time (names as on the network: agent hostnames, framework names).
struct ScheduledFault {
  Duration at;
  Fault fault;
};

// Faults drawn while the run goes: each kind with a mean interval (exponential gaps) is on.
struct RandomFaultsSpec {
  std::optional<Duration> agent_crash_interval;  // cluster-wide mean gap between crashes
  double machine_lost_probability = 0;
  Duration agent_restart_after = Duration::minutes(1);
  std::optional<Duration> master_failover_interval;
  std::optional<Duration> scheduler_crash_interval;
  Duration scheduler_restart_after = Duration::seconds(10);
  std::optional<Duration> partition_interval;  // one random agent cut off from the masters
  Duration partition_heal_after = Duration::seconds(30);
  bool any() const {
    return agent_crash_interval || master_failover_interval || scheduler_crash_interval ||
           partition_interval;
  }
};

// A named variant of the base scenario: dotted paths and YAML values, applied in order.
struct VariantSpec {
  std::string name;
  std::vector<std::pair<std::string, std::string>> set;  // path -> YAML text
};

struct Scenario {
  std::string name;
  std::string description;
  std::string file;  // the file it was loaded from (as given)
  uint64_t seed = 1;
  std::optional<Duration> duration;
  bool run_to_completion = false;
  Duration max_duration = Duration::days(7);  // the safety cap of run_to_completion
  int masters = 1;
  Duration election_delay = Duration::seconds(10);
  LatencyModel latency;
  std::string out_dir;  // default "mesosim-out/<name>"
  // outputs: the allocator's and master's explanations, so each task's wait is split by cause
  // (costs some speed); SVG plots (gnuplot); points per series in timeseries.csv and plots.
  bool explain_waits = true;
  bool plots = true;
  size_t samples = 500;
  ClusterSpec cluster;
  AllocatorSpec allocator;
  std::vector<FrameworkSpec> frameworks;
  std::vector<ScheduledFault> faults;
  RandomFaultsSpec random_faults;
  std::vector<VariantSpec> variants;
  std::string variant = "base";  // which one this is

  // Simulated time at which the run stops: duration, or the cap when run to completion.
  Duration horizon() const { return duration ? *duration : max_duration; }
  int agent_group_count() const;  // agents from groups (machines from a trace not counted)
};

std::vector<std::string_view> allocator_policies();
std::vector<std::string_view> framework_models();

}  // namespace mesosim
