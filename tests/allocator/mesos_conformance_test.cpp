// Apache Mesos's src/tests/hierarchical_allocator_tests.cpp, re-expressed against our Allocator:
// DRF order, offer filters, agents whose totals change, reservations, suppress/revive,
// min_allocatable_resources and capabilities. Each test is named after the Mesos test whose
// expectations it checks; quota cases are in mesos_quota_conformance_test.cpp, sorter cases in
// mesos_sorter_conformance_test.cpp. Mesos's tests advance a paused clock; MesosHarness does the
// same with simulated time.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/allocator/mesos_conformance_util.hpp"

namespace mesosim {
namespace {

using namespace mesosim::testing;

AllocatorOptions with_interval(Duration interval) {
  AllocatorOptions options = AllocatorOptions::mesos_defaults();
  options.allocation_interval = interval;
  return options;
}

// ---- DRF order ----

// Mesos: HierarchicalAllocatorTest.UnreservedDRF
TEST(MesosHierarchicalAllocatorTest, UnreservedDRF) {
  MesosHarness h;
  h.add_agent("cpus:2;mem:1024;disk:0");
  const uint32_t f1 = h.add_framework({"role1"});
  EXPECT_EQ(h.settle(), offers({offer(f1, 0, "role1", "cpus:2;mem:1024")}));
  const uint32_t f2 = h.add_framework({"role2"});
  h.add_agent("cpus:1;mem:512;disk:0");
  EXPECT_EQ(h.settle(), offers({offer(f2, 1, "role2", "cpus:1;mem:512")}));
  // role1 holds 2/3 of the cpus, role2 1/3.
  h.add_agent("cpus:3;mem:2048;disk:0");
  EXPECT_EQ(h.settle(), offers({offer(f2, 2, "role2", "cpus:3;mem:2048")}));
  // role1 (share 1/3) is below role2 (2/3); within role1 the new framework3 comes first.
  const uint32_t f3 = h.add_framework({"role1"});
  h.add_agent("cpus:4;mem:4096;disk:0");
  EXPECT_EQ(h.settle(), offers({offer(f3, 3, "role1", "cpus:4;mem:4096")}));
  // An empty framework4 in role1 does not help role1 (6/10 > 4/10).
  h.add_framework({"role1"});
  h.add_agent("cpus:1;mem:512;disk:0");
  EXPECT_EQ(h.settle(), offers({offer(f2, 4, "role2", "cpus:1;mem:512")}));
}

// Mesos: HierarchicalAllocatorTest.ReservedDRF
TEST(MesosHierarchicalAllocatorTest, ReservedDRF) {
  MesosHarness h;
  h.add_agent("cpus:1;mem:512;disk:0;cpus(role1):100;mem(role1):1024;disk(role1):0");
  const uint32_t f1 = h.add_framework({"role1"});
  EXPECT_EQ(h.settle(),
            offers({offer(f1, 0, "role1", "cpus:1;mem:512;cpus(role1):100;mem(role1):1024")}));
  const uint32_t f2 = h.add_framework({"role2"});
  h.add_agent("cpus:2;mem:512;disk:0");
  EXPECT_EQ(h.settle(), offers({offer(f2, 1, "role2", "cpus:2;mem:512")}));
  // Reserved resources count toward role1's share, so role2 is still first.
  h.add_agent("cpus:2;mem:512;disk:0");
  EXPECT_EQ(h.settle(), offers({offer(f2, 2, "role2", "cpus:2;mem:512")}));
  // Reservations are shared fairly among the role's frameworks.
  const uint32_t f3 = h.add_framework({"role1"});
  h.add_agent("cpus(role1):2;mem(role1):1024;disk(role1):0");
  EXPECT_EQ(h.settle(), offers({offer(f3, 3, "role1", "cpus(role1):2;mem(role1):1024")}));
}

// Mesos: HierarchicalAllocatorTest.DRFWithFairnessExclusion
TEST(MesosHierarchicalAllocatorTest, DRFWithFairnessExclusion) {
  AllocatorOptions options = AllocatorOptions::mesos_defaults();
  options.fair_sharing_excluded = {ResourceName::gpus()};
  MesosHarness h(options);
  h.add_agent("cpus:2;mem:1024;disk:0;gpus:1");
  const uint32_t f1 = h.add_framework_with(gpu_framework({"role1"}));
  EXPECT_EQ(h.settle(), offers({offer(f1, 0, "role1", "cpus:2;mem:1024;gpus:1")}));
  const uint32_t f2 = h.add_framework({"role2"});
  h.add_agent("cpus:1;mem:512;disk:0");
  EXPECT_EQ(h.settle(), offers({offer(f2, 1, "role2", "cpus:1;mem:512")}));
  // role1 0.33 (its gpu ignored), role2 0.16: role2 again.
  h.add_agent("cpus:3;mem:2048;disk:0");
  EXPECT_EQ(h.settle(), offers({offer(f2, 2, "role2", "cpus:3;mem:2048")}));
  const uint32_t f3 = h.add_framework({"role1"});
  h.add_agent("cpus:4;mem:4096;disk:0");
  EXPECT_EQ(h.settle(), offers({offer(f3, 3, "role1", "cpus:4;mem:4096")}));
  h.add_framework({"role1"});
  h.add_agent("cpus:1;mem:512;disk:0");
  EXPECT_EQ(h.settle(), offers({offer(f2, 4, "role2", "cpus:1;mem:512")}));
}

// Mesos: HierarchicalAllocatorTest.NestedRoleDRF
TEST(MesosHierarchicalAllocatorTest, NestedRoleDRF) {
  MesosHarness h;
  h.add_agent("cpus:2;mem:1024;disk:0");
  const uint32_t f1 = h.add_framework({"a/b"});
  EXPECT_EQ(h.settle(), offers({offer(f1, 0, "a/b", "cpus:2;mem:1024")}));
  h.add_framework({"a/c"});
  const uint32_t f3 = h.add_framework({"d/e"});
  // The "a" subtree holds more than "d": d/e goes first though a/c holds nothing.
  h.add_agent("cpus:1;mem:512;disk:0");
  EXPECT_EQ(h.settle(), offers({offer(f3, 1, "d/e", "cpus:1;mem:512")}));
  const uint32_t f4 = h.add_framework({"d/f"});
  h.add_agent("cpus:2;mem:1024;disk:0");
  EXPECT_EQ(h.settle(), offers({offer(f4, 2, "d/f", "cpus:2;mem:1024")}));
}

// Mesos: HierarchicalAllocatorTest.CoarseGrained
TEST(MesosHierarchicalAllocatorTest, CoarseGrained) {
  MesosHarness h;
  h.add_agent("cpus:2;mem:1024;disk:0");
  h.add_agent("cpus:2;mem:1024;disk:0");
  const uint32_t f1 = h.add_framework({"role1"});
  const auto first = h.settle_offers();
  ASSERT_EQ(text(first), offers({offer(f1, 0, "role1", "cpus:2;mem:1024"),
                                 offer(f1, 1, "role1", "cpus:2;mem:1024")}));
  h.decline(first, std::nullopt);
  // Two frameworks, two agents: each gets one whole agent.
  const uint32_t f2 = h.add_framework({"role2"});
  const auto second = h.settle_offers();
  ASSERT_EQ(second.size(), 2u);
  EXPECT_NE(second[0].framework, second[1].framework);
  EXPECT_NE(second[0].agent, second[1].agent);
  for (const Allocation& o : second) {
    EXPECT_SAME(o.resources, R("cpus:2;mem:1024"));
    EXPECT_EQ(o.role, o.framework == framework_id(f2) ? "role2" : "role1");
  }
}

// Mesos: HierarchicalAllocatorTest.SameShareFairness
TEST(MesosHierarchicalAllocatorTest, SameShareFairness) {
  MesosHarness h;
  const uint32_t f1 = h.add_framework({"*"});
  const uint32_t f2 = h.add_framework({"*"});
  h.add_agent("cpus:2;mem:1024;disk:0");
  int counts[2] = {0, 0};
  std::vector<Allocation> run = h.settle_offers();
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(run.size(), 1u);
    EXPECT_SAME(run[0].resources, R("cpus:2;mem:1024"));
    ++counts[run[0].framework == framework_id(f1) ? 0 : 1];
    h.decline(run, std::nullopt);
    run = h.advance_offers();
  }
  // Equal shares alternate through the allocation-count tie-break, not the name.
  EXPECT_EQ(counts[0], 5);
  EXPECT_EQ(counts[1], 5);
  (void)f2;
}

// Mesos: HierarchicalAllocatorTest.UpdateWeight
TEST(MesosHierarchicalAllocatorTest, UpdateWeight) {
  MesosHarness h;
  for (int i = 0; i < 6; ++i) h.add_agent("cpus:2;mem:1024");
  const uint32_t f1 = h.add_framework({"role1"});
  const uint32_t f2 = h.add_framework({"role2"});
  h.decline(h.settle_offers(), std::nullopt);
  // Agents each framework is offered in one batch run, everything declined after unless `keep`.
  auto round = [&](bool keep) {
    std::vector<int> agents(3, 0);
    const auto run = h.advance_offers();
    for (const Allocation& o : run) {
      EXPECT_SAME(o.resources, R("cpus:2;mem:1024"));
      ++agents[o.framework.value];
    }
    if (!keep) h.decline(run, std::nullopt);
    return agents;
  };
  EXPECT_EQ(round(false), (std::vector<int>{3, 3, 0}));
  ASSERT_TRUE(h.alloc().set_weight("role2", 2.0).ok());
  EXPECT_EQ(round(false), (std::vector<int>{2, 4, 0}));
  ASSERT_TRUE(h.alloc().set_weight("role3", 3.0).ok());
  const uint32_t f3 = h.add_framework({"role3"});
  EXPECT_EQ(round(true), (std::vector<int>{1, 2, 3}));
  (void)f1, (void)f2, (void)f3;
}

// Mesos: HierarchicalAllocatorTest.DominantShareMetrics (our role_share() for its metric)
TEST(MesosHierarchicalAllocatorTest, DominantShareMetrics) {
  MesosHarness h;
  h.add_agent("cpus:1;mem:1024");
  const uint32_t f1 = h.add_framework({"roleA"});
  const auto first = h.settle_offers();
  EXPECT_DOUBLE_EQ(h.alloc().role_share("roleA"), 1.0);
  h.decline(first, std::nullopt);
  EXPECT_DOUBLE_EQ(h.alloc().role_share("roleA"), 0.0);
  // Equal shares: roleB has had fewer allocations, so it gets the agent.
  const uint32_t f2 = h.add_framework({"roleB"});
  EXPECT_EQ(h.settle(), offers({offer(f2, 0, "roleB", "cpus:1;mem:1024")}));
  EXPECT_DOUBLE_EQ(h.alloc().role_share("roleA"), 0.0);
  EXPECT_DOUBLE_EQ(h.alloc().role_share("roleB"), 1.0);
  h.add_agent("cpus:1;mem:1024");
  EXPECT_EQ(h.settle(), offers({offer(f1, 1, "roleA", "cpus:1;mem:1024")}));
  EXPECT_DOUBLE_EQ(h.alloc().role_share("roleA"), 0.5);
  EXPECT_DOUBLE_EQ(h.alloc().role_share("roleB"), 0.5);
  h.alloc().remove_framework(framework_id(f2));
  EXPECT_DOUBLE_EQ(h.alloc().role_share("roleA"), 0.5);
  EXPECT_DOUBLE_EQ(h.alloc().role_share("roleB"), 0.0);
}

// Mesos: HierarchicalAllocatorTest.DominantShareMetricsWithFairnessExclusion
TEST(MesosHierarchicalAllocatorTest, DominantShareMetricsWithFairnessExclusion) {
  AllocatorOptions options = AllocatorOptions::mesos_defaults();
  options.fair_sharing_excluded = {ResourceName::gpus()};
  MesosHarness h(options);
  h.add_agent("cpus:1;mem:1024;gpus:1");
  const uint32_t f1 = h.add_framework_with(gpu_framework({"roleA"}));
  EXPECT_EQ(h.settle(), offers({offer(f1, 0, "roleA", "cpus:1;mem:1024;gpus:1")}));
  EXPECT_DOUBLE_EQ(h.alloc().role_share("roleA"), 1.0);  // the gpu does not count
  const uint32_t f2 = h.add_framework({"roleB"});
  EXPECT_EQ(h.settle(), "");
  h.add_agent("cpus:3;mem:3072");
  EXPECT_EQ(h.settle(), offers({offer(f2, 1, "roleB", "cpus:3;mem:3072")}));
  EXPECT_DOUBLE_EQ(h.alloc().role_share("roleA"), 0.25);
  EXPECT_DOUBLE_EQ(h.alloc().role_share("roleB"), 0.75);
}

// ---- offer filters ----

// Mesos: HierarchicalAllocatorTest.OfferFilter
TEST(MesosHierarchicalAllocatorTest, OfferFilter) {
  MesosHarness h;
  const uint32_t f = h.add_framework({"role"});
  h.add_agent("cpus:1;mem:512;disk:0");
  const auto first = h.settle_offers();
  ASSERT_EQ(text(first), offers({offer(f, 0, "role", "cpus:1;mem:512")}));
  h.decline(first, Duration::seconds(2));  // twice the allocation interval
  EXPECT_EQ(h.advance(), "");
  EXPECT_EQ(h.advance(), offers({offer(f, 0, "role", "cpus:1;mem:512")}));
}

// Mesos: HierarchicalAllocatorTest.SmallOfferFilterTimeout
// A filter shorter than the allocation interval still holds at the next batch run (MESOS-4302).
TEST(MesosHierarchicalAllocatorTest, SmallOfferFilterTimeout) {
  MesosHarness h(with_interval(Duration::seconds(60)));
  const uint32_t f1 = h.add_framework({"role"});
  const uint32_t f2 = h.add_framework({"role"});
  h.add_agent("cpus:1;mem:512;disk:0",
              {UsedResources{framework_id(f1), "role", R("cpus:1;mem:512")}});
  EXPECT_EQ(h.settle(), "");
  h.add_agent("cpus:1;mem:512;disk:0");
  const auto second = h.settle_offers();
  ASSERT_EQ(text(second), offers({offer(f2, 1, "role", "cpus:1;mem:512")}));
  h.decline(second, Duration::seconds(1));
  EXPECT_EQ(h.advance(Duration::seconds(1)), "");
  // The batch run at 60 s comes exactly when the filter's time is up: it still applies, so the
  // agent goes to framework1 although framework2 has the lower share.
  EXPECT_EQ(h.advance(), offers({offer(f1, 1, "role", "cpus:1;mem:512")}));
  // It is gone after that run.
  h.recover(f1, 1, "role", "cpus:1;mem:512");
  EXPECT_EQ(h.advance(), offers({offer(f2, 1, "role", "cpus:1;mem:512")}));
}

// Mesos: HierarchicalAllocatorProcess::updateFramework drops the offer filters of every role the
// framework leaves (hierarchical.cpp), even while it still holds resources in that role.
TEST(MesosHierarchicalAllocatorTest, UpdateFrameworkRemovesFiltersOfRolesLeft) {
  MesosHarness h;
  const uint32_t f = h.add_framework({"a"});
  h.add_agent("cpus:2;mem:1024");
  ASSERT_EQ(h.settle(), offers({offer(f, 0, "a", "cpus:2;mem:1024")}));
  // Keep a task's worth in the role and decline the rest for a day.
  h.recover(f, 0, "a", "cpus:1;mem:512", Duration::days(1));
  EXPECT_EQ(h.advance(), "");
  // Leave the role while holding resources in it, then join it again: the filter went with it.
  FrameworkInfo info = framework_info("framework100", {});
  ASSERT_TRUE(h.alloc().update_framework(framework_id(f), info).ok());
  info.roles = {"a"};
  ASSERT_TRUE(h.alloc().update_framework(framework_id(f), info).ok());
  EXPECT_EQ(h.advance(), offers({offer(f, 0, "a", "cpus:1;mem:512")}));
}

// ---- agents ----

// Mesos: HierarchicalAllocatorTest.UpdateSlaveTotalResources
TEST(MesosHierarchicalAllocatorTest, UpdateSlaveTotalResources) {
  MesosHarness h;
  h.add_agent("cpus:100;mem:100;disk:100");
  const uint32_t f = h.add_framework({"role1"});
  EXPECT_EQ(h.settle(), offers({offer(f, 0, "role1", "cpus:100;mem:100;disk:100")}));
  ASSERT_TRUE(h.alloc().update_agent(agent_id(0), R("cpus:112;mem:100;disk:100")).ok());
  EXPECT_EQ(h.settle(), offers({offer(f, 0, "role1", "cpus:12")}));
  // Shrink to half while everything is held: accepted, the agent is over-allocated and offers
  // nothing.
  const Status s = h.alloc().update_agent(agent_id(0), R("cpus:50;mem:50;disk:50"));
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(h.settle(), "");
  EXPECT_SAME(h.alloc().available(agent_id(0)), R(""));
  // Recovering everything frees exactly the new total, nothing underflows.
  h.recover(f, 0, "role1", "cpus:112;mem:100;disk:100");
  EXPECT_SAME(h.alloc().available(agent_id(0)), R("cpus:50;mem:50;disk:50"));
  EXPECT_EQ(h.advance(), offers({offer(f, 0, "role1", "cpus:50;mem:50;disk:50")}));
  // Back to the original total: the difference is offered.
  ASSERT_TRUE(h.alloc().update_agent(agent_id(0), R("cpus:100;mem:100;disk:100")).ok());
  EXPECT_EQ(h.settle(), offers({offer(f, 0, "role1", "cpus:50;mem:50;disk:50")}));
}

// Mesos: HierarchicalAllocatorTest.UpdateSlaveTotalResources (its partial case: a task ends on
// an over-allocated agent and only what exceeds the excess becomes free).
TEST(MesosHierarchicalAllocatorTest, OverAllocatedAgentPaysOffItsExcessFirst) {
  MesosHarness h;
  h.add_agent("cpus:4;mem:400");
  const uint32_t f = h.add_framework({"r"});
  ASSERT_EQ(h.settle(), offers({offer(f, 0, "r", "cpus:4;mem:400")}));
  ASSERT_TRUE(h.alloc().update_agent(agent_id(0), R("cpus:2;mem:400")).ok());
  h.recover(f, 0, "r", "cpus:1;mem:100");
  EXPECT_SAME(h.alloc().available(agent_id(0)), R("mem:100"));
  h.recover(f, 0, "r", "cpus:2");
  EXPECT_SAME(h.alloc().available(agent_id(0)), R("cpus:1;mem:100"));
  h.recover(f, 0, "r", "cpus:1;mem:300");
  EXPECT_SAME(h.alloc().available(agent_id(0)), R("cpus:2;mem:400"));
  EXPECT_SAME(h.alloc().total(agent_id(0)), R("cpus:2;mem:400"));
}

// Mesos: HierarchicalAllocatorTest.ResourceMetrics (total() and available() for its metrics)
TEST(MesosHierarchicalAllocatorTest, ResourceMetrics) {
  MesosHarness h;
  h.add_agent("cpus:2;mem:1024;disk:0");
  EXPECT_EQ(h.settle(), "");
  EXPECT_SAME(h.alloc().total(agent_id(0)), R("cpus:2;mem:1024"));
  EXPECT_SAME(h.alloc().available(agent_id(0)), R("cpus:2;mem:1024"));  // none allocated
  const uint32_t f = h.add_framework({"role1"});
  EXPECT_EQ(h.settle(), offers({offer(f, 0, "role1", "cpus:2;mem:1024")}));
  EXPECT_SAME(h.alloc().available(agent_id(0)), R(""));  // all offered or allocated
  h.alloc().remove_agent(agent_id(0));
  EXPECT_SAME(h.alloc().total(agent_id(0)), R(""));
  EXPECT_SAME(h.alloc().allocated(framework_id(f), agent_id(0), "role1"), R(""));
  EXPECT_SAME(h.alloc().available_headroom(), Quantities());
}

// Mesos: HierarchicalAllocatorTest.UpdateSlaveOversubscribedResources
TEST(MesosHierarchicalAllocatorTest, UpdateSlaveOversubscribedResources) {
  MesosHarness h;
  h.add_agent("cpus:100;mem:100;disk:100");
  const uint32_t f = h.add_framework_with(revocable_framework({"role1"}));
  EXPECT_EQ(h.settle(), offers({offer(f, 0, "role1", "cpus:100;mem:100;disk:100")}));
  ASSERT_TRUE(
      h.alloc().update_agent(agent_id(0), R("cpus:100;mem:100;disk:100;cpus{REV}:10")).ok());
  EXPECT_EQ(h.settle(), offers({offer(f, 0, "role1", "cpus{REV}:10")}));
  ASSERT_TRUE(
      h.alloc().update_agent(agent_id(0), R("cpus:100;mem:100;disk:100;cpus{REV}:12")).ok());
  EXPECT_EQ(h.settle(), offers({offer(f, 0, "role1", "cpus{REV}:2")}));
  // A lowered estimate leaves the agent over-allocated: nothing to offer.
  ASSERT_TRUE(h.alloc().update_agent(agent_id(0), R("cpus:100;mem:100;disk:100;cpus{REV}:5")).ok());
  EXPECT_EQ(h.settle(), "");
}

}  // namespace
}  // namespace mesosim
