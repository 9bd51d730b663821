#pragma once

// A Storm-like framework: long-running topologies. A job is a topology whose tasks are its N
// workers; each worker is a Mesos task that holds its resources until it is killed (no
// SimulatedWork). The topology runs for its longest task duration, counted from when all N
// workers first ran (zero: until the simulation ends); then the framework KILLs every worker.
//
// Offers: pending workers are placed first fit in the order they became pending, at most
// max_workers_per_agent of one topology on one agent (0: no limit; Storm spreads workers so a
// machine loss takes few of them); unused offers are declined with refuse_seconds.
//
// Failures: a worker that ends in any way before the topology's end (LOST or UNREACHABLE with
// its agent, FAILED, KILLED by someone else) is relaunched elsewhere at once: its resources
// come back from the allocator, the offer that carries them decides where.
//
// Records, besides the base's: per topology, when it was first fully deployed, when its end
// came, and how many workers were relaunched.

#include <map>
#include <optional>

#include "workloads/framework_model.hpp"

namespace mesosim {

inline FrameworkModelOptions storm_model_defaults() {
  FrameworkModelOptions o;
  o.name = "storm";
  return o;
}

struct StormFrameworkOptions {
  FrameworkModelOptions model = storm_model_defaults();
  size_t max_workers_per_agent = 1;
};

struct TopologyRecord {
  std::optional<Time> deployed;  // all N workers running for the first time
  std::optional<Time> ended;     // the framework began killing its workers
  size_t relaunches = 0;
};

class StormFramework : public FrameworkModel {
 public:
  StormFramework(Clock& clock, StormFrameworkOptions options);
  ~StormFramework() override;

  const TopologyRecord& topology(size_t job) const { return state_.at(job).record; }
  // Workers of `job` whose latest attempt is RUNNING.
  size_t running_workers(size_t job) const;

 protected:
  void on_job_ready(size_t job) override;
  void on_offers(SchedulerDriver& driver, const std::vector<v1::Offer>& offers) override;
  void on_running(SchedulerDriver& driver, const Attempt& attempt) override;
  EndAction end_action(const Attempt& attempt, v1::TaskState state, bool scripted) override;
  void on_job_released(size_t job) override;

 private:
  struct State {
    TopologyRecord record;
    Duration lifetime;
    TimerId end_timer;
    bool ending = false;
  };
  void end_topology(size_t job);

  StormFrameworkOptions sopts_;
  std::map<size_t, State> state_;
};

}  // namespace mesosim
