// Agent health checks in the simulator (sim/sim_health.hpp): the lazy model of a healthy agent's
// pings gives the run the event-by-event model gives, whatever moment of a ping cycle a fault
// strikes, and costs no events while nothing happens.

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <string>
#include <vector>

#include "sim/sim_cluster.hpp"
#include "tests/sim/sim_test_util.hpp"

namespace mesosim {
namespace {

using namespace mesosim::testing;

struct HealthRun {
  std::vector<std::string> log;
  std::string final_state;
  uint64_t events = 0;
  uint64_t rebuilt = 0;
  size_t lazy_pairs = 0;
};

enum class Strike { kShortPartition, kLongPartition, kAgentRestart, kMasterFailover };

// One agent (two masters for failovers) and a scheduler holding a long task on it. Latency is
// seconds long here, so that a ping cycle has wide windows (ping in flight, pong in flight,
// both back) for `strike_at` to fall in.
HealthRun run(bool lazy, Strike strike, Time strike_at, Duration length) {
  SimClusterOptions options;
  options.seed = 11;
  options.masters = 2;
  options.latency = LatencyModel{Duration::seconds(2), Duration::seconds(1)};
  options.lazy_pings = lazy;
  SimCluster cluster(options);
  EventLines log;
  cluster.add_observer(&log);
  cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
  ScriptedScheduler s;
  bool launched = false;
  s.on_offers = [&](SchedulerDriver& d, const std::vector<v1::Offer>& offers) {
    for (const auto& o : offers) {
      if (launched) {
        d.decline({o.id}, v1::Filters{3600.0});
        continue;
      }
      launched = true;
      d.launch(o, {task("t1", o, "cpus:1;mem:128", Duration::hours(10))});
    }
  };
  v1::FrameworkInfo info = framework("fw");
  info.checkpoint = true;
  cluster.add_framework(info, &s);
  switch (strike) {
    case Strike::kShortPartition:
      cluster.schedule(strike_at, fault::Partition{{"a1"}, {"masters"}});
      cluster.schedule(strike_at + Duration::seconds(40), fault::Heal{{"a1"}, {"masters"}});
      break;
    case Strike::kLongPartition:
      cluster.schedule(strike_at, fault::Partition{{"a1"}, {"masters"}});
      cluster.schedule(strike_at + Duration::seconds(100), fault::Heal{{"a1"}, {"masters"}});
      break;
    case Strike::kAgentRestart:
      cluster.schedule(strike_at, fault::AgentCrash{"a1", false, Duration::seconds(5)});
      break;
    case Strike::kMasterFailover:
      cluster.schedule(strike_at, fault::MasterFailover{});
      break;
  }
  cluster.start();
  cluster.run_until(Time::epoch() + length);
  HealthRun r;
  r.log = log.lines;
  for (const auto& a : cluster.leader()->agents()) {
    r.final_state += fmt::format("{} connected={};", a.info.hostname, a.connected);
  }
  r.final_state += fmt::format("agent registered={}", cluster.agent(0).registered());
  r.events = cluster.queue().executed();
  r.rebuilt = cluster.health().rebuilt();
  r.lazy_pairs = cluster.health().lazy_pairs();
  return r;
}

TEST(SimHealthTest, FaultsAtEveryMomentOfAPingCycleGiveTheEagerRun) {
  // A quarter-second grid over one 15 s ping period, well after the pair went lazy.
  uint64_t rebuilt = 0;
  for (const Strike strike : {Strike::kShortPartition, Strike::kLongPartition,
                              Strike::kAgentRestart, Strike::kMasterFailover}) {
    for (int step = 0; step < 60; ++step) {
      const Time at = secs(120) + Duration::millis(250) * step;
      const HealthRun lazy = run(true, strike, at, Duration::minutes(6));
      const HealthRun eager = run(false, strike, at, Duration::minutes(6));
      ASSERT_EQ(lazy.log, eager.log) << "strike " << static_cast<int>(strike) << " at " << at.to_string();
      ASSERT_EQ(lazy.final_state, eager.final_state);
      EXPECT_EQ(eager.rebuilt, 0u);
      rebuilt += lazy.rebuilt;
    }
  }
  // Every strike found the pair lazy.
  EXPECT_GE(rebuilt, 240u);
}

TEST(SimHealthTest, StrikesChangeWhatHappensSoTheComparisonCanFail) {
  // The runs compared above are not all alike: a long partition makes the agent unreachable, a
  // short one does not.
  const HealthRun short_cut = run(true, Strike::kShortPartition, secs(120), Duration::minutes(6));
  const HealthRun long_cut = run(true, Strike::kLongPartition, secs(120), Duration::minutes(6));
  EXPECT_NE(short_cut.log, long_cut.log);
  const auto unreachable = [](const HealthRun& r) {
    size_t n = 0;
    for (const auto& l : r.log) n += l.find("AGENT_REMOVED") != std::string::npos;
    return n;
  };
  EXPECT_EQ(unreachable(short_cut), 0u);
  EXPECT_EQ(unreachable(long_cut), 1u);
}

TEST(SimHealthTest, AHealthyAgentCostsNoEventsOnceLazy) {
  const HealthRun lazy = run(true, Strike::kShortPartition, secs(1e6), Duration::hours(1));
  const HealthRun eager = run(false, Strike::kShortPartition, secs(1e6), Duration::hours(1));
  EXPECT_EQ(lazy.log, eager.log);
  EXPECT_EQ(lazy.lazy_pairs, 1u);
  EXPECT_EQ(eager.lazy_pairs, 0u);
  // An hour is 240 ping cycles of three events (tick, ping, pong) in the eager run; the lazy
  // run has at most the first cycles, before the pair went lazy.
  EXPECT_GE(eager.events - lazy.events, 3u * 235u);
  EXPECT_EQ(lazy.final_state, "a1 connected=true;agent registered=true");
}

}  // namespace
}  // namespace mesosim
