// End-to-end simulation throughput: a whole simulated cluster (master, allocator, agents,
// schedulers, network) running short tasks. Reports simulated tasks finished per wall-second
// and master events per wall-second. With observer:1 an analysis::Collector observes the
// master's event stream and its finish() is timed too: the cost analysis adds to a run;
// observer:2 installs an observer that ignores the events: the master's cost of the stream.
// CollectorOnSimStream times the collector alone on a recorded copy of such a run's stream.

#include <benchmark/benchmark.h>

#include <fmt/format.h>

#include <map>
#include <memory>
#include <vector>

#include "analysis/collector.hpp"
#include "bench/sim_bench_util.hpp"
#include "sim/sim_cluster.hpp"

namespace mesosim {
namespace {

// `agents` agents of 8 cpus and 16 GB; `frameworks` greedy schedulers in 4 roles, tasks of
// 1 cpu and 1 GB running 2..5 s.
void populate(SimCluster& cluster, int agents, int frameworks,
              std::vector<std::unique_ptr<bench::FillingScheduler>>& schedulers) {
  bench::add_agents(cluster, agents, Resources::parse("cpus:8;mem:16384").value());
  for (int i = 0; i < frameworks; ++i) {
    schedulers.push_back(std::make_unique<bench::FillingScheduler>(bench::FillingOptions{
        Resources::parse("cpus:1;mem:1024").value(), Duration::seconds(2 + i % 4)}));
    v1::FrameworkInfo info;
    info.user = "bench";
    info.name = fmt::format("fw{}", i);
    info.roles = {fmt::format("role{}", i % 4)};
    cluster.add_framework(info, schedulers.back().get());
  }
}

struct IgnoreEvents final : MasterObserver {
  void on_event(const MasterEvent& e) override { benchmark::DoNotOptimize(&e); }
};

void SimulatedCluster(benchmark::State& state) {
  const int agents = static_cast<int>(state.range(0));
  const int frameworks = static_cast<int>(state.range(1));
  // 0: no observer; 1: analysis::Collector; 2: an observer that ignores every event (what the
  // master spends building the stream, without analysis).
  const int64_t observer = state.range(2);
  const Duration simulated = Duration::seconds(60);
  uint64_t finished = 0;
  uint64_t events = 0;
  // Everything one iteration builds; destroyed while the timer is paused (at the start of the
  // next iteration, or after the last), so that tearing a cluster down is not timed.
  struct Run {
    explicit Run(const SimClusterOptions& options) : cluster(options) {}
    SimCluster cluster;
    analysis::Collector collector;
    IgnoreEvents ignore;
    std::vector<std::unique_ptr<bench::FillingScheduler>> schedulers;
  };
  std::unique_ptr<Run> run;
  for (auto _ : state) {
    state.PauseTiming();
    run.reset();
    SimClusterOptions options;
    options.seed = 7;
    run = std::make_unique<Run>(options);
    SimCluster& cluster = run->cluster;
    if (observer == 1) cluster.add_observer(&run->collector);
    if (observer == 2) cluster.add_observer(&run->ignore);
    populate(cluster, agents, frameworks, run->schedulers);
    cluster.start();
    const uint64_t before = cluster.queue().executed();
    state.ResumeTiming();
    cluster.run_for(simulated);
    if (observer == 1) benchmark::DoNotOptimize(run->collector.finish(cluster.now(), {}));
    state.PauseTiming();
    events += cluster.queue().executed() - before;
    for (const auto& s : run->schedulers) finished += s->finished;
    state.ResumeTiming();
  }
  run.reset();
  state.counters["tasks_per_wall_s"] =
      benchmark::Counter(static_cast<double>(finished), benchmark::Counter::kIsRate);
  state.counters["events_per_wall_s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["tasks_per_run"] =
      static_cast<double>(finished) / static_cast<double>(state.iterations());
}

// Keeps a copy of every event: the stream of one SimulatedCluster run, replayed below.
struct RecordEvents final : MasterObserver {
  void on_event(const MasterEvent& e) override { events.push_back(e); }
  std::vector<MasterEvent> events;
};

// The collector alone on the stream of SimulatedCluster/agents:A/frameworks:F (recorded once per
// process, untimed): one iteration feeds every event to a fresh Collector and calls finish().
// What observer:1 adds over observer:2, without the simulation's noise around it. An item is
// one event.
void CollectorOnSimStream(benchmark::State& state) {
  const int agents = static_cast<int>(state.range(0));
  const int frameworks = static_cast<int>(state.range(1));
  static std::map<std::pair<int, int>, std::pair<std::vector<MasterEvent>, Time>> recorded;
  auto& [events, end] = recorded[{agents, frameworks}];
  if (events.empty()) {
    SimClusterOptions options;
    options.seed = 7;
    SimCluster cluster(options);
    RecordEvents record;
    cluster.add_observer(&record);
    std::vector<std::unique_ptr<bench::FillingScheduler>> schedulers;
    populate(cluster, agents, frameworks, schedulers);
    cluster.start();
    cluster.run_for(Duration::seconds(60));
    events = std::move(record.events);
    end = cluster.now();
  }
  for (auto _ : state) {
    analysis::Collector collector;
    for (const MasterEvent& e : events) collector.on_event(e);
    benchmark::DoNotOptimize(collector.finish(end, {}));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * events.size()));
  state.counters["events"] = static_cast<double>(events.size());
}
BENCHMARK(CollectorOnSimStream)
    ->ArgNames({"agents", "frameworks"})
    ->Args({1000, 10})
    ->Unit(benchmark::kMillisecond);

BENCHMARK(SimulatedCluster)
    ->ArgNames({"agents", "frameworks", "observer"})
    ->Args({1000, 10, 0})
    ->Args({1000, 10, 1})
    ->Args({1000, 10, 2})
    ->Args({10000, 10, 0})
    ->Args({10000, 10, 1})
    ->Args({10000, 10, 2})
    ->Args({10000, 100, 0})
    ->Unit(benchmark::kSecond)
    ->Iterations(1);

}  // namespace
}  // namespace mesosim

BENCHMARK_MAIN();
