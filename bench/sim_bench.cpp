// End-to-end simulation throughput: a whole simulated cluster (master, allocator, agents,
// schedulers, network) running short tasks. Reports simulated tasks finished per wall-second
// and master events per wall-second.

#include <benchmark/benchmark.h>

#include <fmt/format.h>

#include "sim/sim_cluster.hpp"

namespace mesosim {
namespace {

// Launches as many fixed-size tasks as each offer holds; tasks run a few simulated seconds.
class GreedyScheduler : public Scheduler {
 public:
  GreedyScheduler(Resources task, Duration run) : task_(std::move(task)), run_(run) {}
  void offers(SchedulerDriver& d, const std::vector<v1::Offer>& offers) override {
    for (const auto& o : offers) {
      Resources left = o.resources;
      std::vector<v1::TaskInfo> tasks;
      while (left.contains(task_)) {
        left -= task_;
        v1::TaskInfo t;
        t.task_id = v1::TaskID{fmt::format("t{}", next_++)};
        t.name = t.task_id.value;
        t.agent_id = o.agent_id;
        t.resources = task_;
        t.command = v1::CommandInfo{};
        t.work = v1::SimulatedWork{run_, v1::TaskState::TASK_FINISHED, {}};
        tasks.push_back(std::move(t));
      }
      if (tasks.empty()) {
        d.decline({o.id}, v1::Filters{1.0});
      } else {
        d.launch(o, std::move(tasks), v1::Filters{0.0});
      }
    }
  }
  void update(SchedulerDriver&, const v1::TaskStatus& s) override {
    if (s.state == v1::TaskState::TASK_FINISHED) ++finished;
  }
  uint64_t finished = 0;

 private:
  Resources task_;
  Duration run_;
  uint64_t next_ = 0;
};

void SimulatedCluster(benchmark::State& state) {
  const int agents = static_cast<int>(state.range(0));
  const int frameworks = static_cast<int>(state.range(1));
  const Duration simulated = Duration::seconds(60);
  uint64_t finished = 0;
  uint64_t events = 0;
  for (auto _ : state) {
    state.PauseTiming();
    SimClusterOptions options;
    options.seed = 7;
    SimCluster cluster(options);
    for (int i = 0; i < agents; ++i) {
      SimAgentOptions a;
      a.hostname = fmt::format("agent{}", i);
      a.resources = Resources::parse("cpus:8;mem:16384").value();
      cluster.add_agent(std::move(a));
    }
    std::vector<std::unique_ptr<GreedyScheduler>> schedulers;
    for (int i = 0; i < frameworks; ++i) {
      schedulers.push_back(std::make_unique<GreedyScheduler>(
          Resources::parse("cpus:1;mem:1024").value(), Duration::seconds(2 + i % 4)));
      v1::FrameworkInfo info;
      info.user = "bench";
      info.name = fmt::format("fw{}", i);
      info.roles = {fmt::format("role{}", i % 4)};
      cluster.add_framework(info, schedulers.back().get());
    }
    cluster.start();
    const uint64_t before = cluster.queue().executed();
    state.ResumeTiming();
    cluster.run_for(simulated);
    state.PauseTiming();
    events += cluster.queue().executed() - before;
    for (const auto& s : schedulers) finished += s->finished;
    state.ResumeTiming();
  }
  state.counters["tasks_per_wall_s"] =
      benchmark::Counter(static_cast<double>(finished), benchmark::Counter::kIsRate);
  state.counters["events_per_wall_s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["tasks_per_run"] =
      static_cast<double>(finished) / static_cast<double>(state.iterations());
}
BENCHMARK(SimulatedCluster)
    ->ArgNames({"agents", "frameworks"})
    ->Args({1000, 10})
    ->Args({10000, 10})
    ->Args({10000, 100})
    ->Unit(benchmark::kSecond)
    ->Iterations(1);

}  // namespace
}  // namespace mesosim

BENCHMARK_MAIN();
