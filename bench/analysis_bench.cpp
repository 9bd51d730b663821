// Throughput of analysis::Collector (analysis/collector.hpp) on a synthetic event stream.
//
// SteadyCluster/agents:A/frameworks:F: A agents `cpus:16;mem:65536`, F frameworks in F roles.
// Every simulated second one allocation run offers each agent to one framework (round robin);
// the framework accepts, one task starts (RUNNING, then a usage report) and what the task does
// not use is recovered; the task that ran on the agent the round before finishes and its
// resources are recovered. With explanations, each run also skips every other framework on
// each agent (LOWER_IN_DRF_ORDER). The stream is built once, untimed; one iteration feeds all
// of it to a fresh Collector and calls finish(). An item is one event.

#include <benchmark/benchmark.h>

#include <fmt/format.h>

#include <vector>

#include "analysis/collector.hpp"

namespace mesosim {
namespace {

using namespace master_event;

std::vector<MasterEvent> steady_stream(int agents, int frameworks, int rounds, bool explain) {
  std::vector<MasterEvent> out;
  const Resources total = Resources::parse("cpus:16;mem:65536").value();
  const Resources task = Resources::parse("cpus:4;mem:8192").value();
  const Resources rest = total - task;
  auto at = [](int s) { return Time::from_micros(int64_t{s} * 1'000'000); };
  auto fw = [](int f) { return v1::FrameworkID{fmt::format("F{}", f)}; };
  auto ag = [](int a) { return v1::AgentID{fmt::format("S{}", a)}; };
  auto role = [](int f) { return fmt::format("role{}", f); };
  auto task_state = [&](const v1::TaskID& id, int f, int a, v1::TaskState state) {
    TaskStateChanged e;
    e.task = id;
    e.framework = fw(f);
    e.agent = ag(a);
    e.role = role(f);
    e.state = state;
    e.resources = task;
    return e;
  };
  for (int a = 0; a < agents; ++a) out.push_back({at(0), AgentAdded{ag(a), "h", total, {}, false}});
  for (int f = 0; f < frameworks; ++f) {
    out.push_back({at(0), FrameworkAdded{fw(f), fmt::format("fw{}", f), {role(f)}, false, {}}});
  }
  int offer = 0;
  std::vector<size_t> skipped_on(static_cast<size_t>(frameworks), 0);  // as last published
  for (int r = 1; r <= rounds; ++r) {
    if (explain) {
      // Each framework is passed over on every agent offered to another one; the master
      // publishes the count when it changes.
      for (int g = 0; g < frameworks; ++g) {
        size_t n = 0;
        for (int a = 0; a < agents; ++a) n += (a + r) % frameworks != g ? 1 : 0;
        if (n != skipped_on[static_cast<size_t>(g)]) {
          skipped_on[static_cast<size_t>(g)] = n;
          out.push_back({at(r), OfferSkipped{fw(g), role(g), SkipReason::kLowerInDrfOrder, n}});
        }
      }
    }
    for (int a = 0; a < agents; ++a) {
      const int f = (a + r) % frameworks;
      const int prev = (a + r - 1) % frameworks;
      if (r > 1) {  // the task of the round before ends and frees its agent
        const v1::TaskID old{fmt::format("T{}-{}", r - 1, a)};
        out.push_back({at(r), task_state(old, prev, a, v1::TaskState::TASK_FINISHED)});
        out.push_back({at(r), ResourcesRecovered{fw(prev), ag(a), role(prev), task,
                                                 RecoveredReason::kTaskReleased}});
      }
      const v1::OfferID id{fmt::format("O{}", offer++)};
      out.push_back({at(r), OfferMade{id, fw(f), ag(a), role(f), total}});
      out.push_back({at(r), OfferAccepted{id, fw(f), 1}});
      out.push_back(
          {at(r), ResourcesRecovered{fw(f), ag(a), role(f), rest, RecoveredReason::kAcceptUnused}});
      const v1::TaskID t{fmt::format("T{}-{}", r, a)};
      out.push_back({at(r), task_state(t, f, a, v1::TaskState::TASK_RUNNING)});
      out.push_back(
          {at(r), TaskUsage{t, fw(f), ag(a), Resources::parse("cpus:3;mem:4096").value(), at(r)}});
    }
    out.push_back({at(r), AllocationRun{static_cast<size_t>(agents), std::nullopt}});
  }
  return out;
}

void SteadyCluster(benchmark::State& state) {
  const int agents = static_cast<int>(state.range(0));
  const int frameworks = static_cast<int>(state.range(1));
  const bool explain = state.range(2) != 0;
  const std::vector<MasterEvent> events = steady_stream(agents, frameworks, 100, explain);
  for (auto _ : state) {
    analysis::Collector collector;
    for (const MasterEvent& e : events) collector.on_event(e);
    benchmark::DoNotOptimize(collector.finish(Time::from_micros(101'000'000), {}));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(events.size()));
  state.counters["events"] = static_cast<double>(events.size());
}
BENCHMARK(SteadyCluster)
    ->ArgNames({"agents", "frameworks", "explain"})
    ->Args({100, 4, 0})
    ->Args({100, 4, 1})
    ->Args({1000, 10, 0})
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace mesosim

BENCHMARK_MAIN();
