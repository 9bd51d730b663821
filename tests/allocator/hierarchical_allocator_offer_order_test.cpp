// HierarchicalAllocator's semantics, continued (hierarchical_allocator_semantics_test.cpp has
// the overview): min_allocatable_resources, capabilities, one offer per framework, role and
// agent, DRF order and its tie-breaks over hierarchical roles, and which agents a run visits.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "allocator/hierarchical_allocator.hpp"
#include "tests/allocator/allocator_test_util.hpp"
#include "tests/allocator/semantics_test_util.hpp"

namespace mesosim {
namespace {

using namespace mesosim::testing;
using ::testing::IsEmpty;
using ::testing::SizeIs;

// ---- min_allocatable_resources ----

TEST(HierarchicalAllocatorSemanticsTest, MinAllocatableDefaultIsCpusOrMem) {
  struct Case {
    const char* agent;
    bool offered;
  };
  for (const Case& c :
       {Case{"cpus:0.005;mem:16", false}, Case{"cpus:0.01", true}, Case{"mem:32", true},
        Case{"cpus:0.009;mem:31.999", false}, Case{"disk:1000", false}}) {
    SCOPED_TRACE(c.agent);
    HierarchicalAllocator alloc = make_allocator();
    add_agents(alloc, 0, 1, c.agent);
    add_framework(alloc, 0, framework_info("F", {"r"}));
    EXPECT_EQ(alloc.allocate(at_seconds(0)).size(), c.offered ? 1u : 0u);
  }
}

TEST(HierarchicalAllocatorSemanticsTest, PerFrameworkMinAllocatableOverridesTheDefault) {
  HierarchicalAllocator alloc = make_allocator();
  add_agents(alloc, 0, 1, "cpus:0.5;mem:1024");
  FrameworkInfo picky = framework_info("A", {"r"});
  picky.min_allocatable = {{"r", {Q("cpus:1")}}};
  add_framework(alloc, 0, picky);
  add_framework(alloc, 1, framework_info("B", {"r"}));
  // A sorts first (name) but wants at least one cpu.
  const auto offers = alloc.allocate(at_seconds(0));
  ASSERT_THAT(offers, SizeIs(1));
  EXPECT_EQ(offers[0].framework, framework_id(1));

  // An override can also lower the bar below the cluster default.
  HierarchicalAllocator small = make_allocator();
  add_agents(small, 0, 1, "cpus:0.005;mem:16");
  FrameworkInfo modest = framework_info("C", {"r"});
  modest.min_allocatable = {{"r", {Q("cpus:0.001")}}};
  add_framework(small, 0, modest);
  EXPECT_THAT(small.allocate(at_seconds(0)), SizeIs(1));
}

// ---- capabilities ----

TEST(HierarchicalAllocatorSemanticsTest, GpuAgentsGoOnlyToGpuCapableFrameworks) {
  HierarchicalAllocator alloc = make_allocator();
  ASSERT_TRUE(alloc.add_agent(agent_id(0), agent_info("gpu", "cpus:2;mem:1024;gpus:1"), {}).ok());
  ASSERT_TRUE(alloc.add_agent(agent_id(1), agent_info("cpu", "cpus:2;mem:1024"), {}).ok());
  add_framework(alloc, 0, framework_info("N", {"r"}));
  const auto offers = alloc.allocate(at_seconds(0));
  ASSERT_THAT(offers, SizeIs(1));
  EXPECT_EQ(offers[0].agent, agent_id(1));

  FrameworkInfo gpu = framework_info("G", {"g"});
  gpu.gpu_resources = true;
  add_framework(alloc, 1, gpu);
  const auto second = alloc.allocate(at_seconds(1));
  ASSERT_THAT(second, SizeIs(1));
  EXPECT_EQ(second[0].framework, framework_id(1));
  EXPECT_EQ(str(second[0].resources), str(R("cpus:2;mem:1024;gpus:1")));
}

TEST(HierarchicalAllocatorSemanticsTest, RevocableResourcesGoOnlyToRevocableCapableFrameworks) {
  HierarchicalAllocator alloc = make_allocator();
  add_agents(alloc, 0, 1, "cpus:2;mem:1024;cpus{REV}:4");
  add_framework(alloc, 0, framework_info("A", {"r"}));
  FrameworkInfo rev = framework_info("B", {"r"});
  rev.revocable_resources = true;
  add_framework(alloc, 1, rev);
  const auto offers = alloc.allocate(at_seconds(0));
  // A sorts first and takes the non-revocable part; B gets what A could not take.
  EXPECT_EQ(str(offered_to(offers, framework_id(0))), str(R("cpus:2;mem:1024")));
  EXPECT_EQ(str(offered_to(offers, framework_id(1))), str(R("cpus{REV}:4")));

  alloc.deactivate_framework(framework_id(1));
  decline_all(alloc, offers, at_seconds(0), std::nullopt);
  const auto alone = periodic_run(alloc, at_seconds(1));
  EXPECT_EQ(str(offered_to(alone, framework_id(0))), str(R("cpus:2;mem:1024")));
}

// ---- offer shape ----

TEST(HierarchicalAllocatorSemanticsTest, OneOfferPerFrameworkRoleAndAgentMergesBothStages) {
  HierarchicalAllocator alloc = make_allocator();
  add_agents(alloc, 0, 1, "cpus:2;mem:1024;cpus{REV}:1");
  ASSERT_TRUE(alloc.set_quota("q", Quota{Q("cpus:1"), {}}).ok());
  FrameworkInfo info = framework_info("F", {"q"});
  info.revocable_resources = true;
  add_framework(alloc, 0, info);
  // Stage 1 offers the non-revocable part toward the guarantee; stage 2 adds the revocable cpu.
  const auto offers = alloc.allocate(at_seconds(0));
  ASSERT_THAT(offers, SizeIs(1));
  EXPECT_EQ(str(offers[0].resources), str(R("cpus:2;cpus{REV}:1;mem:1024")));
  EXPECT_EQ(str(alloc.allocated(framework_id(0), agent_id(0), "q")),
            str(R("cpus:2;cpus{REV}:1;mem:1024")));
}

// ---- DRF order ----

TEST(HierarchicalAllocatorSemanticsTest, EqualRoleSharesBreakTiesByAllocationCountThenName) {
  for (const bool a_has_more_events : {true, false}) {
    SCOPED_TRACE(a_has_more_events ? "a has more allocation events" : "equal counts");
    HierarchicalAllocator alloc = make_allocator();
    add_framework(alloc, 0, framework_info("A", {"a"}));
    add_framework(alloc, 1, framework_info("B", {"b"}));
    std::vector<UsedResources> used;
    if (a_has_more_events) {
      used = {{framework_id(0), "a", R("cpus:0.5")},
              {framework_id(0), "a", R("cpus:0.5")},
              {framework_id(1), "b", R("cpus:1")}};
    } else {
      used = {{framework_id(0), "a", R("cpus:1")}, {framework_id(1), "b", R("cpus:1")}};
    }
    ASSERT_TRUE(alloc.add_agent(agent_id(0), agent_info("busy", "cpus:2"), used).ok());
    EXPECT_THAT(alloc.allocate(at_seconds(0)), IsEmpty());
    ASSERT_DOUBLE_EQ(alloc.role_share("a"), alloc.role_share("b"));

    add_agents(alloc, 1, 1, "cpus:1;mem:512");
    const auto offers = alloc.allocate(at_seconds(1));
    ASSERT_THAT(offers, SizeIs(1));
    EXPECT_EQ(offers[0].role, a_has_more_events ? "b" : "a");
  }
}

TEST(HierarchicalAllocatorSemanticsTest, EqualFrameworkSharesBreakTiesByAllocationCountThenName) {
  for (const bool fa_has_more_events : {true, false}) {
    SCOPED_TRACE(fa_has_more_events ? "fa has more allocation events" : "equal counts");
    HierarchicalAllocator alloc = make_allocator();
    add_framework(alloc, 0, framework_info("fa", {"r"}));
    add_framework(alloc, 1, framework_info("fb", {"r"}));
    std::vector<UsedResources> used;
    if (fa_has_more_events) {
      used = {{framework_id(0), "r", R("cpus:0.5")},
              {framework_id(0), "r", R("cpus:0.5")},
              {framework_id(1), "r", R("cpus:1")}};
    } else {
      used = {{framework_id(0), "r", R("cpus:1")}, {framework_id(1), "r", R("cpus:1")}};
    }
    ASSERT_TRUE(alloc.add_agent(agent_id(0), agent_info("busy", "cpus:2"), used).ok());
    EXPECT_THAT(alloc.allocate(at_seconds(0)), IsEmpty());
    ASSERT_DOUBLE_EQ(alloc.framework_share(framework_id(0), "r"),
                     alloc.framework_share(framework_id(1), "r"));

    add_agents(alloc, 1, 1, "cpus:1;mem:512");
    const auto offers = alloc.allocate(at_seconds(1));
    ASSERT_THAT(offers, SizeIs(1));
    EXPECT_EQ(offers[0].framework, fa_has_more_events ? framework_id(1) : framework_id(0));
  }
}

// eng/a holds half the cluster, zeta a quarter, eng/b nothing. A flat order would serve eng/b
// first; the hierarchical one compares the subtree "eng" (1/2) with "zeta" (1/4).
void set_up_hierarchy(HierarchicalAllocator& alloc) {
  add_framework(alloc, 0, framework_info("A", {"eng/a"}));
  add_framework(alloc, 1, framework_info("B", {"eng/b"}));
  add_framework(alloc, 2, framework_info("Z", {"zeta"}));
  ASSERT_TRUE(alloc
                  .add_agent(agent_id(0), agent_info("h0", "cpus:2;mem:1024"),
                             {{framework_id(0), "eng/a", R("cpus:2;mem:1024")}})
                  .ok());
  ASSERT_TRUE(alloc
                  .add_agent(agent_id(1), agent_info("h1", "cpus:1;mem:512"),
                             {{framework_id(2), "zeta", R("cpus:1;mem:512")}})
                  .ok());
  ASSERT_TRUE(alloc.add_agent(agent_id(2), agent_info("h2", "cpus:1;mem:512"), {}).ok());
}

TEST(HierarchicalAllocatorSemanticsTest, RoleShareCountsItsWholeSubtree) {
  HierarchicalAllocator alloc = make_allocator();
  set_up_hierarchy(alloc);
  EXPECT_DOUBLE_EQ(alloc.role_share("eng/a"), 0.5);
  EXPECT_DOUBLE_EQ(alloc.role_share("eng/b"), 0.0);
  EXPECT_DOUBLE_EQ(alloc.role_share("zeta"), 0.25);
  const auto offers = alloc.allocate(at_seconds(0));
  ASSERT_THAT(offers, SizeIs(1));
  EXPECT_EQ(offers[0].framework, framework_id(2));
  EXPECT_EQ(offers[0].role, "zeta");
}

TEST(HierarchicalAllocatorSemanticsTest, WeightOfAParentRoleScalesItsSubtreeShare) {
  HierarchicalAllocator alloc = make_allocator();
  ASSERT_TRUE(alloc.set_weight("eng", 4.0).ok());
  set_up_hierarchy(alloc);
  // eng: 1/2 / 4 = 1/8 < zeta 1/4; inside eng, eng/b (0) before eng/a.
  const auto offers = alloc.allocate(at_seconds(0));
  ASSERT_THAT(offers, SizeIs(1));
  EXPECT_EQ(offers[0].framework, framework_id(1));
  EXPECT_EQ(offers[0].role, "eng/b");
}

TEST(HierarchicalAllocatorSemanticsTest, UnallocatedReservationsDoNotCountTowardShares) {
  HierarchicalAllocator alloc = make_allocator();
  add_agents(alloc, 0, 1, "cpus(eng):8;mem(eng):4096;cpus:1;mem:512");
  FrameworkInfo info = framework_info("E", {"eng"});
  info.suppressed_roles = {"eng"};
  add_framework(alloc, 0, info);
  EXPECT_THAT(alloc.allocate(at_seconds(0)), IsEmpty());
  EXPECT_DOUBLE_EQ(alloc.role_share("eng"), 0.0);
}

// ---- batching ----

TEST(HierarchicalAllocatorSemanticsTest, RequestAllocationForOneAgentVisitsOnlyThatAgent) {
  HierarchicalAllocator alloc = make_allocator();
  add_agents(alloc, 0, 3, "cpus:1;mem:512");
  add_framework(alloc, 0, framework_info("F", {"r"}));
  const auto all = alloc.allocate(at_seconds(0));
  EXPECT_THAT(all, SizeIs(3));
  EXPECT_FALSE(alloc.allocation_pending());
  decline_all(alloc, all, at_seconds(0), std::nullopt);
  EXPECT_FALSE(alloc.allocation_pending()) << "recover must not request a run";

  alloc.request_allocation(agent_id(1));
  EXPECT_TRUE(alloc.allocation_pending());
  const auto one = alloc.allocate(at_seconds(1));
  ASSERT_THAT(one, SizeIs(1));
  EXPECT_EQ(one[0].agent, agent_id(1));
  EXPECT_FALSE(alloc.allocation_pending());

  // Triggers merge into one run.
  alloc.request_allocation(agent_id(0));
  alloc.request_allocation(agent_id(2));
  alloc.request_allocation(agent_id(0));
  const auto merged = alloc.allocate(at_seconds(2));
  EXPECT_EQ(agents_offered_to(merged, framework_id(0)), (std::set<uint32_t>{0, 2}));
  EXPECT_THAT(alloc.allocate(at_seconds(3)), IsEmpty());
}

TEST(HierarchicalAllocatorSemanticsTest, AddAgentRequestsOnlyThatAgent) {
  HierarchicalAllocator alloc = make_allocator();
  add_agents(alloc, 0, 2, "cpus:1;mem:512");
  add_framework(alloc, 0, framework_info("F", {"r"}));
  decline_all(alloc, alloc.allocate(at_seconds(0)), at_seconds(0), std::nullopt);
  add_agents(alloc, 2, 1, "cpus:1;mem:512");
  EXPECT_TRUE(alloc.allocation_pending());
  const auto offers = alloc.allocate(at_seconds(1));
  ASSERT_THAT(offers, SizeIs(1));
  EXPECT_EQ(offers[0].agent, agent_id(2));

  // update_agent requests that agent too.
  ASSERT_TRUE(alloc.update_agent(agent_id(0), R("cpus:2;mem:512")).ok());
  const auto updated = alloc.allocate(at_seconds(2));
  ASSERT_THAT(updated, SizeIs(1));
  EXPECT_EQ(updated[0].agent, agent_id(0));
}

TEST(HierarchicalAllocatorSemanticsTest, FrameworkEventsRequestEveryAgent) {
  HierarchicalAllocator alloc = make_allocator();
  add_agents(alloc, 0, 3, "cpus:1;mem:512");
  EXPECT_TRUE(alloc.allocation_pending());
  EXPECT_THAT(alloc.allocate(at_seconds(0)), IsEmpty());

  add_framework(alloc, 0, framework_info("F", {"r"}));
  EXPECT_TRUE(alloc.allocation_pending());
  const auto added = alloc.allocate(at_seconds(1));
  EXPECT_THAT(added, SizeIs(3));
  decline_all(alloc, added, at_seconds(1), std::nullopt);

  alloc.deactivate_framework(framework_id(0));
  alloc.activate_framework(framework_id(0));
  EXPECT_TRUE(alloc.allocation_pending());
  const auto activated = alloc.allocate(at_seconds(2));
  EXPECT_THAT(activated, SizeIs(3));
  decline_all(alloc, activated, at_seconds(2), std::nullopt);

  alloc.suppress(framework_id(0), {});
  alloc.revive(framework_id(0), {});
  EXPECT_TRUE(alloc.allocation_pending());
  EXPECT_THAT(alloc.allocate(at_seconds(3)), SizeIs(3));

  add_framework(alloc, 1, framework_info("G", {"r"}), /*active=*/false);
  EXPECT_FALSE(alloc.allocation_pending()) << "an inactive framework needs no run";
}

}  // namespace
}  // namespace mesosim
