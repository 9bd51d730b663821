#pragma once

// A Hadoop-like MapReduce framework with delay scheduling (Zaharia et al., EuroSys'10).
//
// Jobs: a job's non-reduce tasks are maps, each reading one block; a block is stored on the
// agents the TaskSpec prefers or, when it names none, on 3 agents placed as HDFS does (one rack
// once, another rack twice; Topology::place_block, from the model's seeded Rng). Reduce tasks
// (TaskSpec::reduce) become pending when every map of their job has finished; they have no
// locality.
//
// Offers: jobs are served in FIFO order. For each offer the framework repeatedly gives the
// first job that can use it a task: a node-local map if it has one that fits, else a rack-local
// one if the job has waited node_locality_wait, else any map once it has waited
// node_locality_wait + rack_locality_wait (reduces whenever they fit). A job that could use the
// offer but is not yet allowed to is skipped, and its wait starts; a node-local launch resets
// it. What no job takes is declined with refuse_seconds (short by default, so the agents come
// back soon: a long filter would defeat the wait). With both waits zero jobs are still served
// FIFO, but a job's node-local map is still preferred to its others (the "no delay" baseline).
//
// Centralized placement (model.declare_demands, for the `quincy` policy): each map declares the
// agents holding its blocks (cost 0) and the other agents of their racks (rack_local_cost) in a
// REQUEST; the placer decides where and when, so the framework does not wait: from each offer
// it takes node-local maps first, then rack-local, then any, whichever job they belong to.
//
// Run time: a map runs its duration x rack_local_slowdown when rack-local and
// x remote_slowdown when further (its input crosses the network).
//
// Records: the base's, with the locality of every map (node_local, rack_local, remote) and
// kAny for reduces.

#include <map>
#include <optional>
#include <vector>

#include "allocator/rng.hpp"
#include "workloads/framework_model.hpp"
#include "workloads/topology.hpp"

namespace mesosim {

inline FrameworkModelOptions hadoop_model_defaults() {
  FrameworkModelOptions o;
  o.name = "hadoop";
  o.refuse_seconds = 1;
  return o;
}

struct HadoopFrameworkOptions {
  FrameworkModelOptions model = hadoop_model_defaults();
  const Topology* topology = nullptr;  // required; must outlive the framework
  Duration node_locality_wait = Duration::seconds(5);
  Duration rack_locality_wait = Duration::seconds(5);
  // With declare_demands: what a map says running on an agent of a rack holding one of its
  // blocks costs (on an agent holding one: 0). In QuincyOptions' units (remote_cost 100).
  int64_t rack_local_cost = 50;
  double rack_local_slowdown = 1.2;
  double remote_slowdown = 1.5;
  uint64_t seed = 1;  // block placement
};

struct LocalityCounts {
  size_t node_local = 0;
  size_t rack_local = 0;
  size_t remote = 0;
  size_t total() const { return node_local + rack_local + remote; }
  double node_local_fraction() const {
    return total() ? static_cast<double>(node_local) / static_cast<double>(total()) : 0;
  }
};

class HadoopFramework : public FrameworkModel {
 public:
  HadoopFramework(Clock& clock, HadoopFrameworkOptions options);

  // Where the block a map reads is stored.
  const std::vector<std::string>& block_of(size_t job, size_t task) const;
  // Over every map launched (its last attempt) of the jobs held (jobs()).
  LocalityCounts map_locality() const;

 protected:
  void on_job_ready(size_t job) override;
  void on_offers(SchedulerDriver& driver, const std::vector<v1::Offer>& offers) override;
  void on_task_ended(SchedulerDriver& driver, const Attempt& attempt, v1::TaskState state) override;
  void on_job_released(size_t job) override { jobs_state_.erase(job); }
  // A map prefers the agents holding its blocks, then the other agents of their racks.
  std::vector<std::pair<std::string, int64_t>> preferred_hosts(TaskRef ref) const override;

 private:
  enum class Level { kNode, kRack, kAny };
  struct JobState {
    size_t maps_left = 0;
    std::optional<Time> waiting_since;             // skipped for locality since
    std::vector<std::vector<std::string>> blocks;  // by task index; empty for reduces
  };
  Level allowed(const JobState& job) const;
  Locality locality_of(TaskRef ref, const std::string& hostname) const;
  Duration run_time(TaskRef ref, Locality locality) const;
  // The task of the first job that may use `left` on `offer`, if any (see the header).
  std::optional<TaskRef> pick(const v1::Offer& offer, const Resources& left,
                              const std::vector<TaskRef>& candidates);
  std::optional<TaskRef> pick_placed(const v1::Offer& offer, const Resources& left,
                                     const std::vector<TaskRef>& candidates) const;

  HadoopFrameworkOptions hopts_;
  const Topology& topology_;
  Rng rng_;
  std::map<size_t, JobState> jobs_state_;
};

}  // namespace mesosim
