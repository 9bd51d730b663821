#pragma once

// What the sim_bench programs build their clusters from: agents named agent0..agentN-1, and a
// scheduler that fills its offers with tasks of one size.

#include <fmt/format.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "sim/sim_cluster.hpp"

namespace mesosim::bench {

inline void add_agents(SimCluster& cluster, int count, const Resources& resources) {
  for (int i = 0; i < count; ++i) {
    SimAgentOptions a;
    a.hostname = fmt::format("agent{}", i);
    a.resources = resources;
    cluster.add_agent(std::move(a));
  }
}

struct FillingOptions {
  Resources task;                 // each task's resources
  Duration run;                   // how long each task runs, then TASK_FINISHED
  std::string id_prefix = "t";    // task ids are <id_prefix><n>, n from 0
  uint64_t max_tasks = std::numeric_limits<uint64_t>::max();  // launched in all, at most
  double launch_refuse_seconds = 0;   // filter on what an ACCEPT leaves unused
  double decline_refuse_seconds = 1;  // filter on an offer it launches nothing on
};

// Puts as many tasks as fit into every offer (until max_tasks are launched) as one ACCEPT;
// declines an offer it puts nothing into. Counts TASK_RUNNING and TASK_FINISHED updates.
class FillingScheduler : public Scheduler {
 public:
  explicit FillingScheduler(FillingOptions options) : options_(std::move(options)) {}
  void offers(SchedulerDriver& d, const std::vector<v1::Offer>& offers) override {
    for (const auto& o : offers) {
      Resources left = o.resources;
      std::vector<v1::TaskInfo> tasks;
      while (launched_ < options_.max_tasks && left.contains(options_.task)) {
        left -= options_.task;
        v1::TaskInfo t;
        t.task_id = v1::TaskID{fmt::format("{}{}", options_.id_prefix, launched_++)};
        t.name = t.task_id.value;
        t.agent_id = o.agent_id;
        t.resources = options_.task;
        t.command = v1::CommandInfo{};
        t.work = v1::SimulatedWork{options_.run, v1::TaskState::TASK_FINISHED, {}};
        tasks.push_back(std::move(t));
      }
      if (tasks.empty()) {
        d.decline({o.id}, v1::Filters{options_.decline_refuse_seconds});
      } else {
        d.launch(o, std::move(tasks), v1::Filters{options_.launch_refuse_seconds});
      }
    }
  }
  void update(SchedulerDriver&, const v1::TaskStatus& s) override {
    if (s.state == v1::TaskState::TASK_RUNNING) ++running;
    if (s.state == v1::TaskState::TASK_FINISHED) ++finished;
  }
  uint64_t running = 0;
  uint64_t finished = 0;

 private:
  FillingOptions options_;
  uint64_t launched_ = 0;
};

// Profiles of a timed part alone: with MESOSIM_PERF_CTL set to the control FIFO of a
// `perf record -D -1 --control fifo:<path>` (recording off at start), enable() and disable()
// turn recording on and off around the part. Without the variable they do nothing.
class PerfControl {
 public:
  PerfControl() {
    if (const char* path = std::getenv("MESOSIM_PERF_CTL")) fifo_ = std::fopen(path, "w");
  }
  ~PerfControl() {
    if (fifo_) std::fclose(fifo_);
  }
  PerfControl(const PerfControl&) = delete;
  PerfControl& operator=(const PerfControl&) = delete;
  void enable() { write("enable\n"); }
  void disable() { write("disable\n"); }

 private:
  void write(const char* command) {
    if (!fifo_) return;
    std::fputs(command, fifo_);
    std::fflush(fifo_);
  }
  std::FILE* fifo_ = nullptr;
};

}  // namespace mesosim::bench
