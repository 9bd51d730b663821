// The cost of periodic work in a long quiet run: N agents, four frameworks that subscribe,
// decline whatever they were offered before their SUPPRESS arrives, and then want nothing. No
// task runs, so all that happens is what the simulator does on its own: the allocation run
// every allocation_interval, the master's agent pings every agent_ping_timeout and the
// framework heartbeats. One iteration simulates one hour after an untimed minute of start-up
// (registration, subscription, suppression). Counters: simulated seconds per CPU-second, and
// events the queue ran per simulated second.

#include <benchmark/benchmark.h>

#include <fmt/format.h>

#include "bench/sim_bench_util.hpp"
#include "sim/sim_cluster.hpp"

namespace mesosim {
namespace {

class SuppressingScheduler : public Scheduler {
 public:
  void subscribed(SchedulerDriver& d, const v1::FrameworkID&) override { d.suppress(); }
  void offers(SchedulerDriver& d, const std::vector<v1::Offer>& offers) override {
    std::vector<v1::OfferID> ids;
    for (const auto& o : offers) ids.push_back(o.id);
    d.decline(std::move(ids));
  }
};

void IdleCluster(benchmark::State& state) {
  const int agents = static_cast<int>(state.range(0));
  const Duration warm_up = Duration::seconds(60);
  const Duration simulated = Duration::hours(1);
  uint64_t events = 0;
  double simulated_s = 0;
  // Destroyed while the timer is paused (next iteration, or after the last): teardown is not
  // timed.
  std::unique_ptr<SimCluster> owned;
  std::vector<std::unique_ptr<SuppressingScheduler>> schedulers;
  for (auto _ : state) {
    state.PauseTiming();
    owned.reset();
    schedulers.clear();
    SimClusterOptions options;
    options.seed = 7;
    owned = std::make_unique<SimCluster>(options);
    SimCluster& cluster = *owned;
    bench::add_agents(cluster, agents, Resources::parse("cpus:8;mem:16384").value());
    for (int i = 0; i < 4; ++i) {
      schedulers.push_back(std::make_unique<SuppressingScheduler>());
      v1::FrameworkInfo info;
      info.user = "bench";
      info.name = fmt::format("fw{}", i);
      info.roles = {fmt::format("role{}", i % 2)};
      cluster.add_framework(info, schedulers.back().get());
    }
    cluster.start();
    cluster.run_for(warm_up);
    const uint64_t before = cluster.queue().executed();
    state.ResumeTiming();
    cluster.run_for(simulated);
    state.PauseTiming();
    events += cluster.queue().executed() - before;
    simulated_s += static_cast<double>(simulated.micros()) / 1e6;
    state.ResumeTiming();
  }
  owned.reset();
  state.counters["sim_s_per_cpu_s"] = benchmark::Counter(simulated_s, benchmark::Counter::kIsRate);
  state.counters["events_per_sim_s"] = static_cast<double>(events) / simulated_s;
}
BENCHMARK(IdleCluster)->ArgName("agents")->Arg(1000)->Arg(12500)->Unit(benchmark::kSecond)->Iterations(1);

}  // namespace
}  // namespace mesosim
