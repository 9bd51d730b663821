// Cost of the hierarchical DRF allocator (allocator/hierarchical_allocator.hpp), set up as Mesos's
// own allocator benchmarks are (src/tests/hierarchical_allocator_tests.cpp and
// hierarchical_allocator_benchmarks.cpp) so the figures can be put beside Mesos's published ones.
// Figures and how to reproduce them: bench/README.md.
//
// Every allocator benchmark times allocate_into() alone with a steady clock and reports it through
// UseManualTime(): building the cluster, recovering or declining the offers of the previous
// iteration and destroying them stay outside the timed region (cheaper and more exact than
// PauseTiming/ResumeTiming around every cycle). The offers go into one vector kept across
// iterations, as the master keeps its own (sim/master/master_offers.cpp). Every allocator uses
// Mesos's defaults (min_allocatable_resources "cpus:0.01|mem:32", 1 s allocation interval) and a
// fixed seed.
//
// FullCycle: Mesos's grid (a subset). Agents `cpus:2;mem:1024;disk:4096`, every framework in the
//   one role "roleA", no filters. An iteration is one run over every agent; then every offer is
//   recovered with no filter, so the next iteration is again a full cycle. One untimed warm-up
//   cycle runs first, so the one-off share recomputation after adding agents (DrfSorter marks
//   shares stale when totals change) is not charged to the first timed cycle.
// DeclineOffers: Mesos's benchmark. Agents `cpus:24;mem:4096;disk:4096;ports:[31000-32000]`,
//   each with `cpus:16;mem:2014;disk:1024` and 16 single ports already used by one framework
//   (round robin). Every offer is declined with a 365-day filter (Mesos: refuse_seconds =
//   INT_MAX, which Mesos and refuse_duration() cap at 365 days). The first cycle (untimed, in
//   setup) makes the first offers; each iteration is one later round: every agent's free part is
//   offered to the first framework in DRF order that has not declined it yet, and the frameworks
//   that have are skipped by their filters. Each round is timed; the figure is the mean round.
// Incremental: as FullCycle, with every agent offered (the warm-up cycle's offers stay
//   outstanding). An iteration is one agent's change and the run it triggers, and only the run
//   is timed: /change:0, the resources offered on the agent are recovered (a task ended or the
//   offer was declined without a filter) and a run is requested for that agent; /change:1, the
//   agent is removed (its offer recovered) and added again with the same total, which requests
//   a run for it and, as any change of the cluster's totals, makes the sorters recompute every
//   share at their next walk unless, as here, the totals end where they were; /change:2, the
//   offer is recovered and the agent's total updated, alternately to `cpus:3;mem:1024;disk:4096`
//   and back (an oversubscription estimate changing): the cluster's totals change, so every
//   share changes. The agents are taken in turn, so every iteration does the same.
// SuppressOffers: as FullCycle, but 99% of the frameworks suppress offers (Mesos's
//   ExtremeSuppressOffers ratio); offers are recovered with no filter between iterations.
// LargeAndSmallQuota: Mesos's benchmark (hierarchical_allocator_benchmarks.cpp). N agents
//   `cpus:2;mem:2048;disk:2048` and N roles with one framework each; as in Mesos, 5/6 of the
//   roles are "small" with quota `cpus:1;mem:1024;disk:1024` (half an agent: agents get split)
//   and 1/6 are "large" with quota `cpus:4;mem:4096;disk:4096` (two agents: guarantees are met
//   across agents), so N = small/5 + large*5 and the quotas add up to 75% of the cluster. Mesos's
//   createQuota(resources) sets guarantees and limits both to the string; so do we, so a quota
//   role takes no more than its quota and a quarter of the cluster stays unoffered. (Mesos's
//   published 30/300/3000 points are 25+5, 250+50 and 2500+500 roles; this is not the "half
//   large, half small" split, which could not fit: N/2 roles of two agents already fill N.)
//   /Full times a cycle that starts from nothing offered and meets every guarantee (offers are
//   recovered between iterations, after one untimed warm-up cycle); /Empty times a cycle right
//   after such a full one, with everything quota allows already offered (nothing to offer).
// SorterAllocated: DrfSorter alone (flat, as a role's framework sorter): one allocated() call,
//   which re-keys the client in its parent's ordered set, on a client picked at random among N.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "allocator/drf_sorter.hpp"
#include "allocator/hierarchical_allocator.hpp"
#include "allocator/quantities.hpp"
#include "allocator/resources.hpp"
#include "allocator/rng.hpp"

namespace mesosim {
namespace {

constexpr const char* kRole = "roleA";

void must(const Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "allocator_bench: %s: %s\n", what, s.error().message.c_str());
    std::abort();
  }
}

Resources res(std::string_view text) {
  auto r = Resources::parse(text);
  if (!r.ok()) {
    std::fprintf(stderr, "allocator_bench: bad resources '%.*s': %s\n",
                 static_cast<int>(text.size()), text.data(), r.error().message.c_str());
    std::abort();
  }
  return std::move(r).value();
}

Quantities quantities(std::string_view text) {
  auto q = Quantities::parse(text);
  if (!q.ok()) std::abort();
  return std::move(q).value();
}

AllocatorOptions bench_options() {
  AllocatorOptions o = AllocatorOptions::mesos_defaults();
  o.seed = 42;
  return o;
}

FrameworkInfo framework_info(std::string name, std::string role) {
  FrameworkInfo info;
  info.name = std::move(name);
  info.roles = {std::move(role)};
  return info;
}

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// The reported time is wall clock (as Mesos's Stopwatch); the CPU time of the allocating thread
// is reported beside it as the counter `cpu_ms`, which a loaded, shared machine inflates much
// less (a preempted run keeps counting wall time, not CPU time).
struct CycleTime {
  double wall;
  double cpu;
};

// Sums the cycles of one benchmark run and reports them.
struct Tally {
  double offers = 0;
  double cpu = 0;

  void add(benchmark::State& state, const CycleTime& t, size_t offer_count) {
    state.SetIterationTime(t.wall);
    cpu += t.cpu;
    offers += static_cast<double>(offer_count);
  }
  void report(benchmark::State& state, int64_t agents) const {
    state.counters["offers"] = benchmark::Counter(offers, benchmark::Counter::kAvgIterations);
    state.counters["cpu_ms"] = benchmark::Counter(cpu * 1e3, benchmark::Counter::kAvgIterations);
    state.SetItemsProcessed(state.iterations() * agents);  // agents visited per second
  }
};

// An allocator, the simulated clock and the offers of the last cycle.
struct Bench {
  HierarchicalAllocator allocator{bench_options()};
  Time now = Time::epoch();
  std::vector<Allocation> offers;

  void add_frameworks(int64_t count, const std::string& role) {
    for (int64_t i = 0; i < count; ++i) {
      must(allocator.add_framework(FrameworkId{static_cast<uint32_t>(i)},
                                   framework_info(fmt::format("framework-{:06}", i), role), true),
           "add_framework");
    }
  }

  void add_agents(int64_t count, const Resources& total) {
    for (int64_t i = 0; i < count; ++i) {
      must(allocator.add_agent(AgentId{static_cast<uint32_t>(i)},
                               AgentInfo{fmt::format("agent-{:06}", i), total}, {}),
           "add_agent");
    }
  }

  // One periodic run over every agent; returns its wall-clock and thread-CPU time.
  CycleTime cycle() {
    now = now + Duration::seconds(1);
    offers.clear();
    allocator.request_allocation();
    const double cpu_start = thread_cpu_seconds();
    const auto start = std::chrono::steady_clock::now();
    allocator.allocate_into(now, offers);
    const auto stop = std::chrono::steady_clock::now();
    const double cpu_stop = thread_cpu_seconds();
    return {std::chrono::duration<double>(stop - start).count(), cpu_stop - cpu_start};
  }

  // Returns every offer of the last cycle, declining it with `refuse` if set.
  void recover_all(std::optional<Duration> refuse = std::nullopt) {
    for (const Allocation& a : offers) {
      allocator.recover(now, a.framework, a.agent, a.role, a.resources, refuse);
    }
    offers.clear();
  }
};

void grid_args(benchmark::internal::Benchmark* b, std::vector<int64_t> agents,
               std::vector<int64_t> frameworks) {
  b->ArgNames({"agents", "frameworks"});
  for (int64_t a : agents) {
    for (int64_t f : frameworks) b->Args({a, f});
  }
}

// ---- FullCycle ----

void FullCycle(benchmark::State& state) {
  const int64_t agents = state.range(0);
  const int64_t frameworks = state.range(1);
  Bench b;
  b.add_frameworks(frameworks, kRole);
  b.add_agents(agents, res("cpus:2;mem:1024;disk:4096"));
  b.cycle();  // warm-up
  b.recover_all();
  Tally tally;
  for (auto _ : state) {
    const CycleTime t = b.cycle();
    tally.add(state, t, b.offers.size());
    b.recover_all();
  }
  tally.report(state, agents);
}

// ---- DeclineOffers ----

void DeclineOffers(benchmark::State& state) {
  const int64_t agents = state.range(0);
  const int64_t frameworks = state.range(1);
  const Duration forever = *refuse_duration(365.0 * 24 * 3600);
  Bench b;
  b.add_frameworks(frameworks, kRole);
  // 16 single ports spread over [31000-32000] (Mesos uses fragment(): 16 random disjoint ranges).
  std::string ports;
  for (int i = 0; i < 16; ++i) {
    const int p = 31000 + 62 * i;
    ports += fmt::format("{}{}-{}", i == 0 ? "" : ",", p, p);
  }
  const Resources total = res("cpus:24;mem:4096;disk:4096;ports:[31000-32000]");
  const Resources used = res(fmt::format("cpus:16;mem:2014;disk:1024;ports:[{}]", ports));
  for (int64_t i = 0; i < agents; ++i) {
    const FrameworkId user{static_cast<uint32_t>(i % frameworks)};
    must(b.allocator.add_agent(AgentId{static_cast<uint32_t>(i)},
                               AgentInfo{fmt::format("agent-{:06}", i), total},
                               {UsedResources{user, kRole, used}}),
         "add_agent");
  }
  b.cycle();  // round 0: the first offers, declined at once
  b.recover_all(forever);
  Tally tally;
  for (auto _ : state) {
    const CycleTime t = b.cycle();
    tally.add(state, t, b.offers.size());
    b.recover_all(forever);
  }
  tally.report(state, agents);
}

// ---- Incremental ----

void Incremental(benchmark::State& state) {
  const int64_t agents = state.range(0);
  const int64_t frameworks = state.range(1);
  const int64_t change = state.range(2);
  const Resources total = res("cpus:2;mem:1024;disk:4096");
  const Resources grown = res("cpus:3;mem:1024;disk:4096");
  std::vector<bool> is_grown(static_cast<size_t>(agents), false);
  Bench b;
  b.add_frameworks(frameworks, kRole);
  b.add_agents(agents, total);
  b.cycle();  // every agent offered, and the offers stay outstanding
  std::vector<Allocation> held(static_cast<size_t>(agents));
  for (Allocation& a : b.offers) held[a.agent.value] = std::move(a);
  b.offers.clear();
  Tally tally;
  uint32_t next = 0;
  std::vector<Allocation> out;
  for (auto _ : state) {
    const AgentId id{next};
    next = (next + 1) % static_cast<uint32_t>(agents);
    b.now = b.now + Duration::millis(1);
    Allocation& h = held[id.value];
    b.allocator.recover(b.now, h.framework, h.agent, h.role, h.resources, std::nullopt);
    if (change == 1) {
      b.allocator.remove_agent(id);
      must(b.allocator.add_agent(id, AgentInfo{fmt::format("agent-{:06}", id.value), total}, {}),
           "add_agent");
    } else if (change == 2) {
      is_grown[id.value] = !is_grown[id.value];
      must(b.allocator.update_agent(id, is_grown[id.value] ? grown : total), "update_agent");
    } else {
      b.allocator.request_allocation(id);
    }
    const double cpu_start = thread_cpu_seconds();
    const auto start = std::chrono::steady_clock::now();
    b.allocator.allocate_into(b.now, out);
    const auto stop = std::chrono::steady_clock::now();
    const double cpu_stop = thread_cpu_seconds();
    tally.add(state, {std::chrono::duration<double>(stop - start).count(), cpu_stop - cpu_start},
              out.size());
    if (out.size() != 1 || out[0].agent != id) {
      state.SkipWithError("a one-agent run did not re-offer exactly that agent");
      break;
    }
    h = std::move(out[0]);
    out.clear();
  }
  tally.report(state, 1);
}

// ---- SuppressOffers ----

void SuppressOffers(benchmark::State& state) {
  const int64_t agents = state.range(0);
  const int64_t frameworks = state.range(1);
  Bench b;
  b.add_frameworks(frameworks, kRole);
  const auto suppressed = static_cast<int64_t>(static_cast<double>(frameworks) * 0.99);
  for (int64_t i = 0; i < suppressed; ++i) {
    b.allocator.suppress(FrameworkId{static_cast<uint32_t>(i)}, {});
  }
  b.add_agents(agents, res("cpus:2;mem:1024;disk:4096"));
  b.cycle();  // warm-up
  b.recover_all();
  Tally tally;
  for (auto _ : state) {
    const CycleTime t = b.cycle();
    tally.add(state, t, b.offers.size());
    b.recover_all();
  }
  tally.report(state, agents);
  state.counters["suppressed"] = static_cast<double>(suppressed);
}

// ---- LargeAndSmallQuota ----

Quota quota_of(std::string_view text) {
  Quota q;
  q.guarantees = quantities(text);
  for (ResourceName n : q.guarantees.names()) q.limits.emplace_back(n, q.guarantees.get(n));
  return q;
}

// N agents, N roles (5/6 small, 1/6 large), one framework per role; see the top of the file.
void setup_quota_cluster(Bench& b, int64_t n) {
  const int64_t large = n / 6;
  const int64_t small = n - large;
  const Quota small_quota = quota_of("cpus:1;mem:1024;disk:1024");
  const Quota large_quota = quota_of("cpus:4;mem:4096;disk:4096");
  for (int64_t i = 0; i < n; ++i) {
    const bool is_small = i < small;
    const std::string role = is_small ? fmt::format("smallQuotaRole{}", i)
                                      : fmt::format("largeQuotaRole{}", i - small);
    must(b.allocator.add_framework(
             FrameworkId{static_cast<uint32_t>(i)},
             framework_info(fmt::format("framework_{}_{}", is_small ? "small" : "large", i), role),
             true),
         "add_framework");
    must(b.allocator.set_quota(role, is_small ? small_quota : large_quota), "set_quota");
  }
  b.add_agents(small / 5 + large * 5, res("cpus:2;mem:2048;disk:2048"));
}

void LargeAndSmallQuotaFull(benchmark::State& state) {
  Bench b;
  setup_quota_cluster(b, state.range(0));
  b.cycle();  // warm-up
  b.recover_all();
  Tally tally;
  for (auto _ : state) {
    const CycleTime t = b.cycle();
    tally.add(state, t, b.offers.size());
    b.recover_all();
  }
  tally.report(state, state.range(0));
}

void LargeAndSmallQuotaEmpty(benchmark::State& state) {
  Bench b;
  setup_quota_cluster(b, state.range(0));
  b.cycle();  // the full cycle: its offers stay outstanding
  const size_t first = b.offers.size();
  Tally tally;
  for (auto _ : state) {
    const CycleTime t = b.cycle();
    tally.add(state, t, b.offers.size());
  }
  tally.report(state, state.range(0));
  state.counters["first_cycle_offers"] = static_cast<double>(first);
}

// ---- SorterAllocated ----

void SorterAllocated(benchmark::State& state) {
  const int64_t clients = state.range(0);
  DrfSorter sorter(false);
  std::vector<DrfSorter::ClientId> ids;
  for (int64_t i = 0; i < clients; ++i) ids.push_back(sorter.add(fmt::format("framework-{:06}", i)));
  // A cluster of `clients` agents `cpus:2;mem:1024;disk:4096`.
  Quantities total;
  const Resources agent = res("cpus:2;mem:1024;disk:4096");
  for (int64_t i = 0; i < clients; ++i) total.add(agent);
  sorter.set_total(total);
  // Spread the clients' shares, then rebuild the order once (set_total marks it stale; until the
  // next walk, allocated() would only update shares without re-keying).
  Rng rng(7);
  const Resources unit = res("cpus:0.5;mem:256");
  for (DrfSorter::ClientId c : ids) {
    const uint64_t k = rng.below(8);
    for (uint64_t j = 0; j < k; ++j) sorter.allocated(c, unit);
  }
  benchmark::DoNotOptimize(sorter.sort());
  std::vector<DrfSorter::ClientId> picks(1 << 16);
  for (auto& p : picks) p = ids[rng.below(static_cast<uint64_t>(clients))];
  const Resources offer = res("cpus:2;mem:1024;disk:4096");
  size_t i = 0;
  for (auto _ : state) {
    sorter.allocated(picks[i], offer);
    i = (i + 1) & (picks.size() - 1);
  }
  state.SetItemsProcessed(state.iterations());
}

// ---- registration ----
//
// Sizes and iteration counts keep the whole program under ~10 minutes on a 2-core machine
// (bench/README.md has the measured total). Points whose cycle takes tens of milliseconds or
// more get a fixed, small iteration count. With --benchmark_repetitions, a "min" aggregate is
// reported beside mean/median/stddev: on a shared machine, noise only ever adds time.

double min_of(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }

BENCHMARK(FullCycle)
    ->Apply([](benchmark::internal::Benchmark* b) {
      grid_args(b, {1000, 10000}, {1, 100, 1000});
    })
    ->UseManualTime()
    ->ComputeStatistics("min", min_of)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(FullCycle)
    ->Apply([](benchmark::internal::Benchmark* b) { grid_args(b, {50000}, {1, 100, 1000}); })
    ->UseManualTime()
    ->ComputeStatistics("min", min_of)
    ->Iterations(10)
    ->Unit(benchmark::kMillisecond);
// The two other points of Mesos's published full-cycle figures (5k/500, 20k/2k).
BENCHMARK(FullCycle)
    ->ArgNames({"agents", "frameworks"})
    ->Args({5000, 500})
    ->Args({20000, 2000})
    ->UseManualTime()
    ->ComputeStatistics("min", min_of)
    ->Unit(benchmark::kMillisecond);

BENCHMARK(Incremental)
    ->Apply([](benchmark::internal::Benchmark* b) {
      b->ArgNames({"agents", "frameworks", "change"});
      for (int64_t change : {0, 1, 2}) {
        for (int64_t a : {1000, 10000, 50000}) {
          for (int64_t f : {1, 100, 1000}) b->Args({a, f, change});
        }
        b->Args({20000, 2000, change});
      }
    })
    ->UseManualTime()
    ->ComputeStatistics("min", min_of)
    ->Unit(benchmark::kMicrosecond);

BENCHMARK(DeclineOffers)
    ->Apply([](benchmark::internal::Benchmark* b) {
      grid_args(b, {1000, 10000}, {100, 1000});
    })
    ->UseManualTime()
    ->ComputeStatistics("min", min_of)
    ->Iterations(10)  // rounds 1..10 after the first offers
    ->Unit(benchmark::kMillisecond);

BENCHMARK(SuppressOffers)
    ->Apply([](benchmark::internal::Benchmark* b) {
      grid_args(b, {1000, 10000}, {100, 1000});
    })
    ->UseManualTime()
    ->ComputeStatistics("min", min_of)
    ->Unit(benchmark::kMillisecond);

BENCHMARK(LargeAndSmallQuotaFull)
    ->Name("LargeAndSmallQuota/Full")
    ->ArgNames({"agents", "frameworks"})
    ->Args({30, 30})
    ->Args({300, 300})
    ->UseManualTime()
    ->ComputeStatistics("min", min_of)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(LargeAndSmallQuotaFull)
    ->Name("LargeAndSmallQuota/Full")
    ->ArgNames({"agents", "frameworks"})
    ->Args({3000, 3000})
    ->UseManualTime()
    ->ComputeStatistics("min", min_of)
    ->Iterations(3)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(LargeAndSmallQuotaEmpty)
    ->Name("LargeAndSmallQuota/Empty")
    ->ArgNames({"agents", "frameworks"})
    ->Args({30, 30})
    ->Args({300, 300})
    ->UseManualTime()
    ->ComputeStatistics("min", min_of)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(LargeAndSmallQuotaEmpty)
    ->Name("LargeAndSmallQuota/Empty")
    ->ArgNames({"agents", "frameworks"})
    ->Args({3000, 3000})
    ->UseManualTime()
    ->ComputeStatistics("min", min_of)
    ->Iterations(3)
    ->Unit(benchmark::kMillisecond);

BENCHMARK(SorterAllocated)
    ->ArgName("clients")
    ->Arg(100)
    ->Arg(1000)
    ->Arg(10000)
    ->ComputeStatistics("min", min_of);

}  // namespace
}  // namespace mesosim

BENCHMARK_MAIN();
