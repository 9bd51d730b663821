// Master failover at scale (issue #15; Mesos 1.5 measured ≈19 s for 40,000 agents running
// 400,000 tasks). N agents each run T long tasks of ten frameworks; the leading master dies and a
// standby takes the lead after the cluster's election delay; every agent re-registers with it,
// reporting its tasks, and every scheduler re-subscribes.
//
// Timed: the simulation from the moment before the new leader's election until every agent is
// connected to it again and every framework re-subscribed (polled every 100 us of simulated
// time, without copying its books): wall time for the new master to rebuild its state. No
// observer is installed, so the master builds no event stream. Untimed: building the cluster,
// launching and starting every task, the failover and the election delay. After each
// iteration the new leader's books are checked to hold all N × T tasks.
//
// Counters: `sim_s_to_rebuild`, simulated seconds from the election until rebuilt (to the
// 100 us step); `events`, events run in the timed part.

#include <benchmark/benchmark.h>

#include <fmt/format.h>

#include <memory>
#include <vector>

#include "bench/sim_bench_util.hpp"
#include "sim/sim_cluster.hpp"

namespace mesosim {
namespace {

void MasterFailover(benchmark::State& state) {
  const int agents = static_cast<int>(state.range(0));
  const int per_agent = static_cast<int>(state.range(1));
  const int frameworks = 10;
  const uint64_t tasks = static_cast<uint64_t>(agents) * static_cast<uint64_t>(per_agent);
  double rebuild_sim_s = 0;
  uint64_t events = 0;
  // Destroyed while the timer is paused (next iteration, or after the last): tearing down
  // 400,000 tasks is not what is measured.
  std::unique_ptr<SimCluster> owned;
  std::vector<std::unique_ptr<bench::FillingScheduler>> schedulers;
  bench::PerfControl perf;  // MESOSIM_PERF_CTL: a profile of the timed part alone
  for (auto _ : state) {
    state.PauseTiming();
    owned.reset();
    schedulers.clear();
    SimClusterOptions options;
    options.seed = 7;
    options.masters = 2;
    owned = std::make_unique<SimCluster>(options);
    SimCluster& cluster = *owned;
    const Resources task = Resources::parse("cpus:1;mem:1024").value();
    bench::add_agents(
        cluster, agents,
        Resources::parse(fmt::format("cpus:{};mem:{}", per_agent, 1024 * per_agent)).value());
    for (int i = 0; i < frameworks; ++i) {
      const uint64_t wanted = tasks / frameworks + (static_cast<uint64_t>(i) < tasks % frameworks);
      // Month-long tasks until `wanted` are launched; every filter a day long.
      schedulers.push_back(std::make_unique<bench::FillingScheduler>(
          bench::FillingOptions{task, Duration::days(30), fmt::format("fw{}-", i), wanted,
                                86400.0, 86400.0}));
      v1::FrameworkInfo info;
      info.user = "bench";
      info.name = fmt::format("fw{}", i);
      info.roles = {"batch"};
      info.checkpoint = true;
      cluster.add_framework(info, schedulers.back().get());
    }
    cluster.start();
    uint64_t running = 0;
    for (int minute = 0; minute < 30 && running < tasks; ++minute) {
      cluster.run_for(Duration::seconds(60));
      running = 0;
      for (const auto& s : schedulers) running += s->running;
    }
    if (running < tasks) {
      state.SkipWithError(fmt::format("only {} of {} tasks running", running, tasks).c_str());
      break;
    }
    cluster.inject(fault::MasterFailover{});
    const Time elected_at = cluster.now() + options.election_delay;
    cluster.run_until(elected_at - Duration::micros(1));
    const uint64_t before = cluster.queue().executed();
    perf.enable();
    state.ResumeTiming();
    auto rebuilt = [&] {
      const Master* m = cluster.leader();
      return m && m->connected_agents() == static_cast<size_t>(agents) &&
             m->connected_frameworks() == static_cast<size_t>(frameworks);
    };
    while (!rebuilt()) cluster.run_for(Duration::micros(100));
    state.PauseTiming();
    perf.disable();
    events += cluster.queue().executed() - before;
    rebuild_sim_s += static_cast<double>((cluster.now() - elected_at).micros()) / 1e6;
    const size_t held = cluster.leader()->tasks().size();
    if (held != tasks) {
      state.SkipWithError(fmt::format("the new leader holds {} of {} tasks", held, tasks).c_str());
      break;
    }
    state.ResumeTiming();
  }
  owned.reset();
  const double n = static_cast<double>(state.iterations());
  state.counters["sim_s_to_rebuild"] = rebuild_sim_s / n;
  state.counters["events"] = static_cast<double>(events) / n;
}
BENCHMARK(MasterFailover)
    ->ArgNames({"agents", "tasks_per_agent"})
    ->Args({4000, 10})
    ->Args({40000, 10})
    ->Unit(benchmark::kSecond)
    ->Iterations(1);

}  // namespace
}  // namespace mesosim
