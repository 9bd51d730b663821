// Master failovers as the Collector reads them from hand-built streams: when the leader failed,
// when the next was elected, and when every agent and framework connected before the failure
// was back.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "analysis/writers.hpp"
#include "tests/analysis/analysis_test_util.hpp"

namespace mesosim::analysis {
namespace {

using namespace testing;

Stream& reregister(Stream& s, double t, const std::string& agent) {
  return s.add(t, AgentAdded{ag(agent), "host-" + agent, res("cpus:4"), {}, true});
}
Stream& resubscribe(Stream& s, double t, const std::string& framework) {
  return s.add(t, FrameworkAdded{fw(framework), framework, {"*"}, true, {}});
}

// Two agents and two frameworks before the failure at 100 s; the next leader is elected at
// 110 s; the last agent is back at 111.5 s, the last framework at 112 s.
Stream one_failover() {
  Stream s;
  s.add(0, LeaderElected{"M1"});
  s.agent(1, "a1", "cpus:4").agent(1, "a2", "cpus:4");
  s.framework(2, "f1", "f1").framework(2, "f2", "f2");
  s.add(100, MasterCrashed{"M1"});
  s.add(110, LeaderElected{"M2"});
  reregister(s, 110.5, "a1");
  resubscribe(s, 111, "f1");
  reregister(s, 111.5, "a2");
  resubscribe(s, 112, "f2");
  return s;
}

TEST(FailoverTest, RecoveryEndsWhenTheLastAgentOrFrameworkIsBack) {
  const RunResult r = one_failover().run(200);
  ASSERT_EQ(r.failover.failovers.size(), 1u);
  const FailoverRecord& f = r.failover.failovers[0];
  EXPECT_EQ(f.failed_at, at(100));
  EXPECT_EQ(f.elected_at, at(110));
  EXPECT_EQ(f.recovered_at, at(112));
  EXPECT_EQ(f.agents, 2u);
  EXPECT_EQ(f.frameworks, 2u);
  EXPECT_EQ(f.agents_back_at, at(111.5));
  EXPECT_EQ(f.frameworks_back_at, at(112));
  EXPECT_EQ(r.failover.recovered, 1u);
  EXPECT_DOUBLE_EQ(r.failover.recovery_s.mean, 12.0);
  EXPECT_DOUBLE_EQ(r.failover.from_election_s.mean, 2.0);
  EXPECT_DOUBLE_EQ(r.failover.election_s.mean, 10.0);
}

TEST(FailoverTest, OnlyPartiesConnectedAtTheFailureAreAwaited) {
  Stream s;
  s.add(0, LeaderElected{"M1"});
  s.agent(1, "a1", "cpus:4").agent(1, "a2", "cpus:4").agent(1, "a3", "cpus:4");
  s.framework(2, "f1", "f1").framework(2, "f2", "f2");
  s.add(50, AgentDisconnected{ag("a2")});  // down before the failure: not awaited
  s.add(60, AgentRemoved{ag("a3"), true, AgentRemovedReason::kHealthCheckFailed, ""});
  s.add(70, FrameworkDisconnected{fw("f2")});
  s.add(100, MasterCrashed{"M1"});
  s.add(104, LeaderElected{"M2"});
  reregister(s, 104.2, "a1");
  resubscribe(s, 104.4, "f1");  // everyone awaited is back
  reregister(s, 130, "a2");     // comes back later: not part of this recovery
  const RunResult r = s.run(200);
  ASSERT_EQ(r.failover.failovers.size(), 1u);
  EXPECT_EQ(r.failover.failovers[0].agents, 1u);
  EXPECT_EQ(r.failover.failovers[0].frameworks, 1u);
  EXPECT_EQ(r.failover.failovers[0].recovered_at, at(104.4));
  EXPECT_NEAR(r.failover.recovery_s.mean, 4.4, 1e-9);
}

TEST(FailoverTest, AnAwaitedAgentThatIsRemovedLeavesTheFailoverUnrecovered) {
  Stream s;
  s.add(0, LeaderElected{"M1"});
  s.agent(1, "a1", "cpus:4").agent(1, "a2", "cpus:4");
  s.add(100, MasterCrashed{"M1"});
  s.add(110, LeaderElected{"M2"});
  reregister(s, 111, "a1");
  s.add(710, AgentRemoved{ag("a2"), true, AgentRemovedReason::kNotReregistered, ""});
  const RunResult r = s.run(800);
  ASSERT_EQ(r.failover.failovers.size(), 1u);
  EXPECT_FALSE(r.failover.failovers[0].recovered_at.has_value());
  EXPECT_EQ(r.failover.failovers[0].agents_lost, 1u);
  EXPECT_EQ(r.failover.recovered, 0u);
  EXPECT_EQ(r.failover.recovery_s.count, 0u);
}

TEST(FailoverTest, AFailureDuringRecoveryCarriesTheAwaitedOverAndLeavesTheFirstUnrecovered) {
  Stream s;
  s.add(0, LeaderElected{"M1"});
  s.agent(1, "a1", "cpus:4").agent(1, "a2", "cpus:4");
  s.add(100, MasterCrashed{"M1"});
  s.add(110, LeaderElected{"M2"});
  reregister(s, 111, "a1");
  s.add(115, MasterCrashed{"M2"});  // a2 never came back to M2
  s.add(125, LeaderElected{"M3"});
  reregister(s, 126, "a2");
  reregister(s, 127, "a1");
  const RunResult r = s.run(200);
  ASSERT_EQ(r.failover.failovers.size(), 2u);
  EXPECT_FALSE(r.failover.failovers[0].recovered_at.has_value());
  EXPECT_EQ(r.failover.failovers[1].agents, 2u);  // a1 (back with M2) and a2 (still awaited)
  EXPECT_EQ(r.failover.failovers[1].recovered_at, at(127));
  EXPECT_EQ(r.failover.recovered, 1u);
  EXPECT_DOUBLE_EQ(r.failover.recovery_s.mean, 12.0);
}

TEST(FailoverTest, TheFirstElectionOfARunIsNoFailover) {
  Stream s;
  s.add(0, LeaderElected{"M1"});
  s.agent(1, "a1", "cpus:4");
  const RunResult r = s.run(10);
  EXPECT_TRUE(r.failover.failovers.empty());
}

TEST(FailoverTest, SummaryJsonCarriesTheFailoverFigures) {
  const auto j = nlohmann::json::parse(summary_json(one_failover().run(200)));
  const auto& f = j.at("failover");
  EXPECT_EQ(f.at("count"), 1);
  EXPECT_EQ(f.at("recovered"), 1);
  EXPECT_DOUBLE_EQ(f.at("recovery_s").at("mean").get<double>(), 12.0);
  EXPECT_DOUBLE_EQ(f.at("from_election_s").at("mean").get<double>(), 2.0);
  const auto& one = f.at("failovers").at(0);
  EXPECT_DOUBLE_EQ(one.at("failed_at_s").get<double>(), 100.0);
  EXPECT_DOUBLE_EQ(one.at("elected_at_s").get<double>(), 110.0);
  EXPECT_DOUBLE_EQ(one.at("agents_back_s").get<double>(), 11.5);
  EXPECT_DOUBLE_EQ(one.at("frameworks_back_s").get<double>(), 12.0);
  EXPECT_EQ(one.at("agents"), 2);
}

}  // namespace
}  // namespace mesosim::analysis
