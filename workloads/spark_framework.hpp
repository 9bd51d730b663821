#pragma once

// A Spark-like framework in coarse-grained mode: each application holds long-lived executors
// and runs its stages' tasks ("work units") inside them.
//
// Jobs: a job is a stage; its TaskSpecs are the stage's work units, one per partition (the task
// index is the partition). Stages of one application share Job::group (a job without a group
// is an application of its own). A stage starts only when every stage it depends_on has
// finished (the base's JobDag, Boost.Graph), so iterative jobs are chains or DAGs of stages.
//
// Executors: Mesos tasks with no SimulatedWork, each holding executor_resources until the
// framework kills it. sim_agent runs a task under a framework ExecutorInfo but ends that
// executor with its last task and accounts no executor resources, so a long-lived executor is
// modelled honestly as a task that keeps running, with work units as simulated time inside
// it. While an application has work units waiting it wants offers: it launches at most one
// executor per agent per application, up to executors_per_app, on any offer that fits
// executor_resources, and declines the rest. An executor idle (no unit running, none waiting)
// for executor_idle_timeout is killed (Spark's dynamic allocation).
//
// Work units: each executor has executor_cores slots, a unit takes one. A unit whose partition
// is cached (an earlier stage of the same application ran that partition on an executor that
// still lives) waits up to locality_wait for a slot on that agent (Spark's spark.locality.wait)
// and then runs wherever a slot is free, as a cache miss that takes cache_miss_slowdown times
// longer (the partition is recomputed). Units with nothing cached run anywhere. A unit ends as
// its TaskSpec says after its duration; units on an executor that is lost run again, and the
// partitions it cached become cache misses at once (no wait: no executor holds them).
//
// Records, besides the base's (per work unit: wait, launched = running time, locality
// node_local = cache hit, remote = cache miss, any = nothing cached, agent, attempts, state):
// executors launched and lost.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "workloads/framework_model.hpp"

namespace mesosim {

inline FrameworkModelOptions spark_model_defaults() {
  FrameworkModelOptions o;
  o.name = "spark";
  return o;
}

struct SparkFrameworkOptions {
  FrameworkModelOptions model = spark_model_defaults();
  Resources executor_resources;  // default (empty): cpus:2;mem:2048
  int executor_cores = 2;        // work unit slots per executor
  size_t executors_per_app = 4;
  Duration locality_wait = Duration::seconds(3);
  double cache_miss_slowdown = 1.5;
  Duration executor_idle_timeout = Duration::seconds(60);
};

struct SparkStats {
  size_t executors_launched = 0;
  size_t executors_lost = 0;
  size_t executors_killed_idle = 0;
};

class SparkFramework : public FrameworkModel {
 public:
  SparkFramework(Clock& clock, SparkFrameworkOptions options);
  ~SparkFramework() override;

  const SparkStats& spark_stats() const { return spark_stats_; }
  // Executors of an application that are running, by agent hostname.
  std::vector<std::string> executor_agents(const std::string& app) const;

 protected:
  void on_job_ready(size_t job) override;
  void on_offers(SchedulerDriver& driver, const std::vector<v1::Offer>& offers) override;
  bool wants_offers() const override;
  bool on_foreign_update(SchedulerDriver& driver, const v1::TaskStatus& status) override;
  void on_job_released(size_t job) override { job_app_.erase(job); }

 private:
  struct Unit {
    TaskRef ref;
    TimerId done_timer;
  };
  struct Executor {
    std::string app;
    v1::AgentID agent_id;
    std::string hostname;
    bool running = false;
    bool killing = false;
    std::vector<Unit> units;  // running in its slots
    TimerId idle_timer;
  };
  struct App {
    std::vector<std::string> executors;  // task ids, in launch order
    // partition -> hostname holding it; empty: it was cached on an executor since lost
    std::map<size_t, std::string> cache;
    size_t next_executor = 0;
  };
  const std::string& app_of(size_t job) const;
  bool app_wants_executors(const std::string& app) const;
  void dispatch();
  bool dispatch_one(TaskRef ref, const std::string& app_name, Time now);
  void run_unit(const std::string& executor_id, TaskRef ref, Locality locality);
  void unit_done(const std::string& executor_id, TaskRef ref);
  void executor_gone(const std::string& executor_id, bool lost);
  void update_idle(const std::string& executor_id);
  void arm_wakeup(Time at);

  SparkFrameworkOptions sopts_;
  std::map<std::string, App> apps_;
  std::map<std::string, Executor> executors_;
  std::map<size_t, std::string> job_app_;
  TimerId wakeup_;
  Time wakeup_at_ = Time::max();
  SparkStats spark_stats_;
};

}  // namespace mesosim
