// Throughput of the discrete-event engine (sim/event_queue.hpp).
//
// HoldModel: the classic priority-queue benchmark. A steady population of pending timers; each
// one that runs schedules a successor at now + a random delay, so the population never changes.
// An item is one timer run (pop, call, push).
//
// CancelOldestAndReschedule: a steady population where every item cancels the oldest pending
// timer and schedules a replacement, as offer and agent timeouts do when they are reset.
//
// ScheduleThenCancel: every item schedules a timer and cancels it at once, above a steady
// background population; cancelled heap entries pile up until compaction removes them.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "allocator/rng.hpp"
#include "sim/event_queue.hpp"

namespace mesosim {
namespace {

// Uniform in [0, 2 s): mean 1 s, far longer than the gaps between timers at these populations.
Duration random_delay(Rng& rng) {
  return Duration::micros(static_cast<int64_t>(rng.below(2'000'000)));
}

// Small and trivially copyable, so std::function keeps it in its local buffer (no allocation).
struct Successor {
  EventQueue* queue;
  Rng* rng;
  void operator()() const { queue->schedule(random_delay(*rng), *this); }
};

void fill(EventQueue& q, Rng& rng, int64_t population, std::vector<TimerId>* ids) {
  for (int64_t i = 0; i < population; ++i) {
    const TimerId id = q.schedule(random_delay(rng), Successor{&q, &rng});
    if (ids != nullptr) ids->push_back(id);
  }
}

void HoldModel(benchmark::State& state) {
  EventQueue q;
  Rng rng(1);
  fill(q, rng, state.range(0), nullptr);
  for (auto _ : state) q.step();
  state.SetItemsProcessed(state.iterations());
  state.counters["pending"] = static_cast<double>(q.pending());
}

void CancelOldestAndReschedule(benchmark::State& state) {
  EventQueue q;
  Rng rng(2);
  std::vector<TimerId> ids;
  fill(q, rng, state.range(0), &ids);
  size_t oldest = 0;
  for (auto _ : state) {
    q.cancel(ids[oldest]);
    ids[oldest] = q.schedule(random_delay(rng), Successor{&q, &rng});
    if (++oldest == ids.size()) oldest = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

void ScheduleThenCancel(benchmark::State& state) {
  EventQueue q;
  Rng rng(3);
  fill(q, rng, state.range(0), nullptr);
  for (auto _ : state) {
    const TimerId id = q.schedule(random_delay(rng), Successor{&q, &rng});
    benchmark::DoNotOptimize(q.cancel(id));
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(HoldModel)->Arg(10'000)->Arg(100'000)->Arg(1'000'000);
BENCHMARK(CancelOldestAndReschedule)->Arg(10'000)->Arg(100'000)->Arg(1'000'000);
BENCHMARK(ScheduleThenCancel)->Arg(10'000)->Arg(1'000'000);

}  // namespace
}  // namespace mesosim

BENCHMARK_MAIN();
