// The Collector on hand-built streams with known answers: allocation and usage integrals, the
// accounting through a master crash, dominant shares and fairness, offer statistics.

#include "analysis/collector.hpp"

#include <gtest/gtest.h>

#include "tests/analysis/analysis_test_util.hpp"

namespace mesosim::analysis {
namespace {

using namespace testing;
using v1::TaskState;

TEST(CollectorTest, AllocatedAndUsedSharesAreExactIntegralsOverEventTimes) {
  Stream s;
  s.agent(0, "a1", "cpus:10;mem:100")
      .framework(0, "f1", "spark")
      .offer(10, "o1", "f1", "a1", "cpus:4;mem:10")
      .add(11, OfferAccepted{of("o1"), fw("f1"), 1})
      .task(11, "t1", "f1", "a1", TaskState::TASK_RUNNING, "cpus:4;mem:10")
      .usage(12, "t1", "f1", "a1", "cpus:2;mem:5")
      .task(22, "t1", "f1", "a1", TaskState::TASK_FINISHED, "cpus:4;mem:10")
      .recover(30, "f1", "a1", "cpus:4;mem:10", RecoveredReason::kTaskReleased);
  const RunResult r = s.run(40);
  const size_t cpus = resource_index(r, "cpus");
  const size_t mem = resource_index(r, "mem");
  // 4 cpus over [10, 30) of 10 cpus over [0, 40).
  EXPECT_DOUBLE_EQ(r.total.allocated_share[cpus], 4.0 * 20 / (10 * 40));
  EXPECT_DOUBLE_EQ(r.total.allocated_share[mem], 10.0 * 20 / (100 * 40));
  // 2 cpus used over [12, 22).
  EXPECT_DOUBLE_EQ(r.total.used_share[cpus], 2.0 * 10 / (10 * 40));
  ASSERT_EQ(r.frameworks.size(), 1u);
  EXPECT_EQ(r.frameworks[0].name, "spark");
  EXPECT_DOUBLE_EQ(r.frameworks[0].allocated_share[cpus], 0.2);
  EXPECT_DOUBLE_EQ(r.frameworks[0].allocated[cpus].at(at(15)), 4.0);
  EXPECT_DOUBLE_EQ(r.frameworks[0].allocated[cpus].at(at(30)), 0.0);
  EXPECT_DOUBLE_EQ(r.frameworks[0].allocated[cpus].integral(at(0), at(40)), 80.0);
  // Dominant share 0.4 (cpus) over [10, 30) of 40 s.
  EXPECT_DOUBLE_EQ(r.frameworks[0].mean_dominant_share, 0.4 * 20 / 40);
  ASSERT_EQ(r.roles.size(), 1u);
  EXPECT_EQ(r.roles[0].name, "*");
  EXPECT_DOUBLE_EQ(r.roles[0].allocated_share[cpus], 0.2);
  EXPECT_EQ(r.task_states.at("TASK_FINISHED"), 1u);
}

TEST(CollectorTest, ClusterTotalsFollowAgentsJoiningAndLeaving) {
  Stream s;
  s.agent(0, "a1", "cpus:10").framework(0, "f1", "x");
  s.offer(0, "o1", "f1", "a1", "cpus:5");
  s.agent(10, "a2", "cpus:10");
  s.recover(20, "f1", "a1", "cpus:5");
  s.add(20, AgentRemoved{ag("a2"), false, AgentRemovedReason::kRefused, ""});
  const RunResult r = s.run(30);
  const size_t cpus = resource_index(r, "cpus");
  EXPECT_DOUBLE_EQ(r.cluster_total[cpus].at(at(5)), 10.0);
  EXPECT_DOUBLE_EQ(r.cluster_total[cpus].at(at(15)), 20.0);
  EXPECT_DOUBLE_EQ(r.cluster_total[cpus].at(at(25)), 10.0);
  // 5 cpus for 20 s out of 10·10 + 20·10 + 10·10 = 400 cpu-seconds.
  EXPECT_DOUBLE_EQ(r.total.allocated_share[cpus], 100.0 / 400.0);
  // The dominant share halves when a2 joins: 0.5 over [0,10), 0.25 over [10,20).
  EXPECT_DOUBLE_EQ(r.frameworks[0].dominant_share.at(at(5)), 0.5);
  EXPECT_DOUBLE_EQ(r.frameworks[0].dominant_share.at(at(15)), 0.25);
}

TEST(CollectorTest, MasterCrashResetsAllocationsAndAdoptionRestoresThem) {
  Stream s;
  s.agent(0, "a1", "cpus:8").framework(0, "f1", "x");
  s.offer(0, "o1", "f1", "a1", "cpus:4");
  s.add(1, OfferAccepted{of("o1"), fw("f1"), 1});
  s.offer(2, "o2", "f1", "a1", "cpus:4");  // still outstanding at the crash
  s.add(10, MasterCrashed{"M1"});
  s.add(12, LeaderElected{"M2"});
  s.add(14, AgentAdded{ag("a1"), "host-a1", res("cpus:8"), {}, true});
  s.add(14, ResourcesAdopted{fw("f1"), ag("a1"), "*", res("cpus:4")});
  const RunResult r = s.run(20);
  const size_t cpus = resource_index(r, "cpus");
  const TimeSeries& alloc = r.total.allocated[cpus];
  EXPECT_DOUBLE_EQ(alloc.at(at(5)), 8.0);
  EXPECT_DOUBLE_EQ(alloc.at(at(11)), 0.0);
  EXPECT_DOUBLE_EQ(alloc.at(at(15)), 4.0);
  // 4·2 + 8·8 + 4·6 cpu-seconds.
  EXPECT_DOUBLE_EQ(alloc.integral(at(0), at(20)), 8.0 + 64.0 + 24.0);
  EXPECT_EQ(r.offers.lost_on_failover, 1u);
  EXPECT_EQ(r.offers.outstanding_at_end, 0u);
  // o2 sat idle in an offer from 2 to the crash at 10.
  EXPECT_DOUBLE_EQ(r.offers.idle_resource_seconds[cpus], 4.0 * 1 + 4.0 * 8);
  // The re-registering agent's total replaces its old one instead of adding to it.
  EXPECT_DOUBLE_EQ(r.cluster_total[cpus].at(at(15)), 8.0);
}

TEST(CollectorTest, ReservationReKeysAnAllocationWithoutChangingItsSize) {
  Stream s;
  s.agent(0, "a1", "cpus:8").framework(0, "f1", "x", "r");
  s.offer(0, "o1", "f1", "a1", "cpus:2", "r");
  s.add(1, ReservationApplied{fw("f1"), ag("a1"), "r", v1::Operation::Type::RESERVE, res("cpus:2"),
                              res("cpus(r):2")});
  s.add(1, AgentTotalChanged{ag("a1"), res("cpus:6;cpus(r):2")});
  const RunResult r = s.run(10);
  const size_t cpus = resource_index(r, "cpus");
  EXPECT_DOUBLE_EQ(r.total.allocated[cpus].at(at(5)), 2.0);
  EXPECT_DOUBLE_EQ(r.cluster_total[cpus].at(at(5)), 8.0);
}

TEST(CollectorTest, JainIndexAndMaxEnvyOfDominantShares) {
  Stream s;
  s.agent(0, "a1", "cpus:10;mem:1000")
      .framework(0, "f1", "a")
      .framework(0, "f2", "b")
      .offer(0, "o1", "f1", "a1", "cpus:6")
      .offer(0, "o2", "f2", "a1", "cpus:2;mem:100")
      .recover(10, "f1", "a1", "cpus:6")
      .recover(10, "f2", "a1", "cpus:2;mem:100");
  const RunResult r = s.run(20);
  // Shares 0.6 and 0.2 on [0, 10): Jain = 0.8² / (2 · (0.36 + 0.04)) = 0.8, envy 0.4.
  // On [10, 20) nobody holds anything: Jain is undefined there and envy is 0.
  EXPECT_NEAR(r.fairness.jain_time_average, 0.8, 1e-12);
  EXPECT_NEAR(r.fairness.max_envy_time_average, 0.2, 1e-12);
  EXPECT_NEAR(r.fairness.max_envy_peak, 0.4, 1e-12);
  // Mean shares 0.3 and 0.1: Jain = 0.16 / (2 · 0.1) = 0.8.
  EXPECT_NEAR(r.fairness.jain_of_mean_shares, 0.8, 1e-12);
}

TEST(CollectorTest, ASuppressedFrameworkEnviesNobody) {
  Stream s;
  s.agent(0, "a1", "cpus:10").framework(0, "f1", "a").framework(0, "f2", "b");
  s.offer(0, "o1", "f1", "a1", "cpus:5");
  s.add(0, OffersSuppressed{fw("f2"), {"*"}});
  const RunResult r = s.run(10);
  // f2 (share 0) wants nothing, so the only wanting framework is f1 itself: no envy.
  EXPECT_DOUBLE_EQ(r.fairness.max_envy_time_average, 0.0);
  // Jain still counts both subscribed frameworks: 0.5² / (2 · 0.25) = 0.5.
  EXPECT_NEAR(r.fairness.jain_time_average, 0.5, 1e-12);
}

TEST(CollectorTest, OfferStatisticsCountOutcomesLatenciesAndIdleResourceSeconds) {
  Stream s;
  s.agent(0, "a1", "cpus:10").framework(0, "f1", "x");
  s.offer(0, "o1", "f1", "a1", "cpus:1");
  s.offer(0, "o2", "f1", "a1", "cpus:2");
  s.offer(0, "o3", "f1", "a1", "cpus:3");
  s.offer(5, "o4", "f1", "a1", "cpus:4");
  s.add(2, OfferAccepted{of("o1"), fw("f1"), 1});
  s.add(4, OfferDeclined{of("o2"), fw("f1"), Duration::seconds(5)});
  s.recover(4, "f1", "a1", "cpus:2");
  s.add(6, OfferRescinded{of("o3"), fw("f1"), OfferRescindedReason::kOfferTimeout});
  s.recover(6, "f1", "a1", "cpus:3", RecoveredReason::kRescinded);
  // events must be in time order
  std::stable_sort(s.events.begin(), s.events.end(),
                   [](const MasterEvent& a, const MasterEvent& b) { return a.time < b.time; });
  const RunResult r = s.run(10);
  const size_t cpus = resource_index(r, "cpus");
  EXPECT_EQ(r.offers.made, 4u);
  EXPECT_EQ(r.offers.accepted, 1u);
  EXPECT_EQ(r.offers.declined, 1u);
  EXPECT_EQ(r.offers.rescinded, 1u);
  EXPECT_EQ(r.offers.outstanding_at_end, 1u);
  EXPECT_DOUBLE_EQ(r.offers.accept_latency_s.mean, 2.0);
  EXPECT_DOUBLE_EQ(r.offers.decline_latency_s.mean, 4.0);
  // 1·2 + 2·4 + 3·6 + 4·5 (o4 still held at the end).
  EXPECT_DOUBLE_EQ(r.offers.idle_resource_seconds[cpus], 2.0 + 8.0 + 18.0 + 20.0);
  ASSERT_EQ(r.framework_summaries.size(), 1u);
  EXPECT_EQ(r.framework_summaries[0].offers.made, 4u);
}

TEST(CollectorTest, ATaskCountsOnceByItsLatestStateAndUsesNothingOnceEnded) {
  Stream s;
  s.agent(0, "a1", "cpus:8").framework(0, "f1", "x");
  s.task(1, "t1", "f1", "a1", TaskState::TASK_RUNNING, "cpus:2");
  s.usage(1, "t1", "f1", "a1", "cpus:2");
  s.task(5, "t1", "f1", "a1", TaskState::TASK_LOST, "cpus:2");     // its agent went away
  s.task(8, "t1", "f1", "a1", TaskState::TASK_RUNNING, "cpus:2");  // and came back
  s.usage(8, "t1", "f1", "a1", "cpus:1.5");
  s.task(10, "t1", "f1", "a1", TaskState::TASK_FINISHED, "cpus:2");
  s.usage(11, "t1", "f1", "a1", "cpus:2");  // stale: the task has ended
  s.usage(11, "t2", "f1", "a1", "cpus:2");  // never announced
  const RunResult r = s.run(20);
  const size_t cpus = resource_index(r, "cpus");
  EXPECT_EQ(r.task_states, (std::map<std::string, size_t>{{"TASK_FINISHED", 1}}));
  const TimeSeries& used = r.total.used[cpus];
  EXPECT_DOUBLE_EQ(used.at(at(3)), 2.0);
  EXPECT_DOUBLE_EQ(used.at(at(6)), 0.0);
  EXPECT_DOUBLE_EQ(used.at(at(9)), 1.5);
  EXPECT_DOUBLE_EQ(used.at(at(15)), 0.0);
  EXPECT_DOUBLE_EQ(r.roles[0].used[cpus].at(at(9)), 1.5);
}

TEST(CollectorTest, OutOfOrderEventsAreCountedAndHeldAtTheLatestTime) {
  Collector c;
  Stream s;
  s.agent(10, "a1", "cpus:4").framework(5, "f1", "x");
  s.feed(c);
  EXPECT_EQ(c.events(), 2u);
  EXPECT_EQ(c.out_of_order_events(), 1u);
  const RunResult r = c.finish(at(20), {});
  EXPECT_EQ(r.start, at(10));
}

}  // namespace
}  // namespace mesosim::analysis
