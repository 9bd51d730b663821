// The shipped Mesos failover scenario (scenarios/papers/mesos-failover.yaml, Mesos paper §6.6),
// shortened: the same file with fewer agents and frameworks, one seed. The recovery it reports
// comes from the master's event stream (analysis/README.md, "Failover").

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "analysis/collector.hpp"
#include "scenarios/scenario_load.hpp"
#include "scenarios/scenario_run.hpp"

namespace mesosim {
namespace {

constexpr int kAgents = 20;
constexpr int kFrameworks = 10;

// The shipped file with kAgents agents and kFrameworks of its frameworks, ending 25 s after the
// failure at 40 s, plus `extra` overrides.
Scenario shortened(std::vector<std::string> extra = {}) {
  std::vector<std::string> overrides{fmt::format("cluster.groups.node.count={}", kAgents),
                                     fmt::format("frameworks.fw.count={}", kFrameworks),
                                     "duration=65s"};
  overrides.insert(overrides.end(), extra.begin(), extra.end());
  auto r = load_scenario(std::string(MESOSIM_SOURCE_DIR) + "/scenarios/papers/mesos-failover.yaml",
                         {overrides, "base"});
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? r.value() : Scenario{};
}

analysis::FailoverStats failovers(const Scenario& scenario) {
  auto built = ScenarioRun::create(scenario);
  EXPECT_TRUE(built.ok()) << built.error().message;
  if (!built.ok()) return {};
  analysis::Collector collector;
  built.value()->add_observer(&collector);
  const RunOutcome outcome = built.value()->run();
  return collector.finish(outcome.end, {}).failover;
}

// Every agent and framework is back with the new leader, and not before it was elected.
TEST(PaperFailover, AllAgentsAndFrameworksComeBackAfterTheElection) {
  const Scenario scenario = shortened();
  const analysis::FailoverStats stats = failovers(scenario);
  ASSERT_EQ(stats.failovers.size(), 1u);
  const analysis::FailoverRecord& f = stats.failovers[0];
  EXPECT_EQ(f.agents, static_cast<size_t>(kAgents));
  EXPECT_EQ(f.frameworks, static_cast<size_t>(kFrameworks));
  ASSERT_TRUE(f.recovered_at.has_value());
  EXPECT_EQ(stats.recovered, 1u);
  EXPECT_EQ(f.failed_at, Time::epoch() + Duration::seconds(40));
  EXPECT_EQ(*f.elected_at - f.failed_at, scenario.election_delay);
  EXPECT_GE(stats.recovery_s.mean, scenario.election_delay.seconds_f());
  EXPECT_GT(stats.from_election_s.mean, 0.0);
}

// The election delay decides the recovery: with a 20 s delay it takes longer than with 10 s.
TEST(PaperFailover, RecoveryGrowsWithTheElectionDelay) {
  const analysis::FailoverStats base = failovers(shortened());
  const analysis::FailoverStats slow = failovers(shortened({"election_delay=20s"}));
  ASSERT_EQ(base.recovered, 1u);
  ASSERT_EQ(slow.recovered, 1u);
  EXPECT_GE(slow.recovery_s.mean, 20.0);
  EXPECT_GT(slow.recovery_s.mean, base.recovery_s.mean);
}

}  // namespace
}  // namespace mesosim
