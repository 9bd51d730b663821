// Apache Mesos's src/tests/hierarchical_allocator_tests.cpp, continued: reservations,
// RESERVE/UNRESERVE, recovered and oversubscribed resources, suppress/revive, activation and
// min_allocatable_resources. Each test is named after the Mesos test whose expectations it
// checks. Mesos's resource providers become agents whose used resources are reported when they
// are added; its CREATE (persistent volumes, not modelled) becomes a RESERVE.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/allocator/mesos_conformance_util.hpp"

namespace mesosim {
namespace {

using namespace mesosim::testing;

// ---- reservations ----

// Mesos: HierarchicalAllocatorTest.Reservations
TEST(MesosOfferTest, Reservations) {
  MesosHarness h;
  h.add_agent("cpus(role1):2;mem(role1):1024;disk(role1):0");
  h.add_agent("cpus(role2):2;mem(role2):1024;cpus:1;mem:1024;disk:0");
  h.add_agent("cpus(role3):1;mem(role3):1024;disk(role3):0");  // no framework of role3: never
  const uint32_t f1 = h.add_framework({"role1"});
  EXPECT_EQ(h.settle(), offers({offer(f1, 0, "role1", "cpus(role1):2;mem(role1):1024"),
                                offer(f1, 1, "role1", "cpus:1;mem:1024")}));
  const uint32_t f2 = h.add_framework({"role2"});
  EXPECT_EQ(h.settle(), offers({offer(f2, 1, "role2", "cpus(role2):2;mem(role2):1024")}));
}

// Mesos: HierarchicalAllocatorTest.OfferAncestorReservationsToDescendantChild
TEST(MesosOfferTest, OfferAncestorReservationsToDescendantChild) {
  MesosHarness h;
  const uint32_t f = h.add_framework({"a/b/c"});
  h.add_agent("cpus(a):1;mem(a):512;disk(a):0");
  EXPECT_EQ(h.settle(), offers({offer(f, 0, "a/b/c", "cpus(a):1;mem(a):512")}));
  h.add_agent("cpus:2;mem:1024;disk:0;cpus(a/b):4;mem(a/b):2048;disk(a/b):0");
  EXPECT_EQ(h.settle(),
            offers({offer(f, 1, "a/b/c", "cpus:2;mem:1024;cpus(a/b):4;mem(a/b):2048")}));
}

// Mesos: HierarchicalAllocatorTest.RecoverResources
TEST(MesosOfferTest, RecoverResources) {
  MesosHarness h;
  h.add_agent("cpus(role1):1;mem(role1):200;cpus:1;mem:200;disk:0");
  const uint32_t f = h.add_framework({"role1"});
  EXPECT_EQ(h.settle(),
            offers({offer(f, 0, "role1", "cpus(role1):1;mem(role1):200;cpus:1;mem:200")}));
  h.recover(f, 0, "role1", "cpus(role1):1;mem(role1):200");
  EXPECT_EQ(h.advance(), offers({offer(f, 0, "role1", "cpus(role1):1;mem(role1):200")}));
  h.recover(f, 0, "role1", "cpus:1;mem:200");
  EXPECT_EQ(h.advance(), offers({offer(f, 0, "role1", "cpus:1;mem:200")}));
}

// Mesos: HierarchicalAllocatorTest.UpdateAllocation (a RESERVE in place of its CREATE)
TEST(MesosOfferTest, UpdateAllocation) {
  MesosHarness h;
  h.add_agent("cpus:100;mem:100;disk:100");
  const uint32_t f = h.add_framework({"role1"});
  EXPECT_EQ(h.settle(), offers({offer(f, 0, "role1", "cpus:100;mem:100;disk:100")}));
  const Status s = h.alloc().update_allocation(framework_id(f), agent_id(0), "role1", R("disk:5"),
                                               R("disk(role1){DYN:ops}:5"));
  ASSERT_TRUE(s.ok()) << s.error().message;
  const std::string updated = "cpus:100;mem:100;disk:95;disk(role1){DYN:ops}:5";
  EXPECT_SAME(h.alloc().total(agent_id(0)), R(updated));
  h.recover(f, 0, "role1", updated);
  EXPECT_EQ(h.advance(), offers({offer(f, 0, "role1", updated)}));
}

// Mesos: DRFSorter::update (sorter/drf/sorter.cpp) moves an allocation without counting an
// allocation event, so a RESERVE does not push a framework back in equal-share tie-breaks.
TEST(MesosOfferTest, ReserveIsNotAnAllocationEventForTieBreaks) {
  MesosHarness h;
  const uint32_t fa = h.add_framework({"r"});
  const uint32_t fb = h.add_framework({"r"});
  h.add_agent("cpus:1;mem:512");
  EXPECT_EQ(h.settle(), offers({offer(fa, 0, "r", "cpus:1;mem:512")}));
  h.add_agent("cpus:1;mem:512");
  EXPECT_EQ(h.settle(), offers({offer(fb, 1, "r", "cpus:1;mem:512")}));
  // Equal shares, one allocation each; fa reserves what it holds.
  ASSERT_TRUE(h.alloc()
                  .update_allocation(framework_id(fa), agent_id(0), "r", R("cpus:1"),
                                     R("cpus(r){DYN:ops}:1"))
                  .ok());
  EXPECT_DOUBLE_EQ(h.alloc().framework_share(framework_id(fa), "r"),
                   h.alloc().framework_share(framework_id(fb), "r"));
  // Still tied on count, so the name decides: fa first.
  h.add_agent("cpus:1;mem:512");
  EXPECT_EQ(h.settle(), offers({offer(fa, 2, "r", "cpus:1;mem:512")}));
}

// Mesos: HierarchicalAllocatorTest.NonScalarReservationTrackingMESOS_9555
TEST(MesosOfferTest, NonScalarReservationTrackingMESOS_9555) {
  MesosHarness h;
  h.add_agent("cpus:1;mem:1;disk:1;ports(role):[1-2]");
  h.add_agent("cpus:1;mem:1;disk:1;ports(role):[1-2]");
  h.alloc().remove_agent(agent_id(0));
  h.alloc().remove_agent(agent_id(1));
  EXPECT_EQ(h.settle(), "");
  EXPECT_SAME(h.alloc().consumed_quota("role"), Quantities());
  EXPECT_SAME(h.alloc().available_headroom(), Quantities());
}

// ---- agents and recovered resources ----

// Mesos: HierarchicalAllocatorTest.AddResourceProvider
TEST(MesosOfferTest, AddResourceProvider) {
  MesosHarness h;
  const uint32_t f1 = h.add_framework({"role1"});
  const uint32_t f2 = h.add_framework({"role2"});
  h.alloc().deactivate_framework(framework_id(f1));
  h.alloc().deactivate_framework(framework_id(f2));
  // The agent's own cpus:1;mem:100;disk:10, plus a provider with twice that, in use by f1.
  h.add_agent("cpus:3;mem:300;disk:30",
              {UsedResources{framework_id(f1), "role1", R("cpus:2;mem:200;disk:20")}});
  h.alloc().activate_framework(framework_id(f2));
  EXPECT_EQ(h.settle(), offers({offer(f2, 0, "role2", "cpus:1;mem:100;disk:10")}));
  h.alloc().activate_framework(framework_id(f1));
  // f1 holds 2/4 and f2 1/4: f2 gets the next agent.
  h.add_agent("cpus:1;mem:100;disk:10");
  EXPECT_EQ(h.settle(), offers({offer(f2, 1, "role2", "cpus:1;mem:100;disk:10")}));
}

// Mesos: HierarchicalAllocatorTest.AddResourceProviderOverallocated
TEST(MesosOfferTest, AddResourceProviderOverallocated) {
  MesosHarness h;
  const uint32_t f = h.add_framework({"role"});
  h.alloc().deactivate_framework(framework_id(f));
  h.add_agent("cpus:2;mem:200;disk:20",
              {UsedResources{framework_id(f), "role", R("cpus:1;mem:100;disk:10")}});
  h.alloc().activate_framework(framework_id(f));
  EXPECT_EQ(h.advance(), offers({offer(f, 0, "role", "cpus:1;mem:100;disk:10")}));
}

// Mesos: HierarchicalAllocatorTest.RemoveSlaveRecoverResources
TEST(MesosOfferTest, RemoveSlaveRecoverResources) {
  MesosHarness h;
  h.add_agent("cpus:2;mem:200");
  const uint32_t f1 = h.add_framework({"role"});
  EXPECT_EQ(h.settle(), offers({offer(f1, 0, "role", "cpus:2;mem:200")}));
  const uint32_t f2 = h.add_framework({"role"});
  h.add_agent("cpus:1;mem:100");
  EXPECT_EQ(h.settle(), offers({offer(f2, 1, "role", "cpus:1;mem:100")}));
  // Removing the agent takes f1's allocation with it: f1 now has the lower share.
  h.alloc().remove_agent(agent_id(0));
  h.add_agent("cpus:1;mem:100");
  EXPECT_EQ(h.settle(), offers({offer(f1, 2, "role", "cpus:1;mem:100")}));
}

// Mesos: HierarchicalAllocatorTest.OversubscribedNotAllocated
TEST(MesosOfferTest, OversubscribedNotAllocated) {
  MesosHarness h;
  h.add_agent("cpus:100;mem:100;disk:100");
  const uint32_t f = h.add_framework({"role1"});
  EXPECT_EQ(h.settle(), offers({offer(f, 0, "role1", "cpus:100;mem:100;disk:100")}));
  ASSERT_TRUE(
      h.alloc().update_agent(agent_id(0), R("cpus:100;mem:100;disk:100;cpus{REV}:10")).ok());
  EXPECT_EQ(h.settle(), "");  // not REVOCABLE_RESOURCES-capable
}

// Mesos: HierarchicalAllocatorTest.RecoverOversubscribedResources
TEST(MesosOfferTest, RecoverOversubscribedResources) {
  MesosHarness h;
  h.add_agent("cpus:100;mem:100;disk:100");
  const uint32_t f = h.add_framework_with(revocable_framework({"role1"}));
  EXPECT_EQ(h.settle(), offers({offer(f, 0, "role1", "cpus:100;mem:100;disk:100")}));
  ASSERT_TRUE(
      h.alloc().update_agent(agent_id(0), R("cpus:100;mem:100;disk:100;cpus{REV}:10")).ok());
  EXPECT_EQ(h.settle(), offers({offer(f, 0, "role1", "cpus{REV}:10")}));
  h.recover(f, 0, "role1", "cpus{REV}:6;cpus:2");
  EXPECT_EQ(h.advance(), offers({offer(f, 0, "role1", "cpus{REV}:6;cpus:2")}));
}

// ---- suppress, revive, activation ----

// Mesos: HierarchicalAllocatorTest.DeactivateAndReactivateFramework
TEST(MesosOfferTest, DeactivateAndReactivateFramework) {
  MesosHarness h;
  h.add_agent("cpus:2;mem:1024;disk:0");
  const uint32_t f = h.add_framework({"role1"});
  const auto first = h.settle_offers();
  ASSERT_EQ(text(first), offers({offer(f, 0, "role1", "cpus:2;mem:1024")}));
  h.decline(first, std::nullopt);
  h.alloc().suppress(framework_id(f), {});
  h.alloc().deactivate_framework(framework_id(f));
  EXPECT_EQ(h.advance(), "");
  h.alloc().activate_framework(framework_id(f));
  h.alloc().revive(framework_id(f), {});
  EXPECT_EQ(h.settle(), offers({offer(f, 0, "role1", "cpus:2;mem:1024")}));
}

// Mesos: HierarchicalAllocatorTest.SuppressAndReviveOffers
TEST(MesosOfferTest, SuppressAndReviveOffers) {
  MesosHarness h;
  h.add_agent("cpus:2;mem:1024;disk:0");
  const uint32_t f = h.add_framework({"role1"});
  const auto first = h.settle_offers();
  ASSERT_EQ(text(first), offers({offer(f, 0, "role1", "cpus:2;mem:1024")}));
  // Reviving with everything already offered offers nothing more.
  h.alloc().revive(framework_id(f), {});
  EXPECT_EQ(h.settle(), "");
  h.decline(first, std::nullopt);
  h.alloc().suppress(framework_id(f), {});
  EXPECT_EQ(h.advance(), "");
  h.alloc().revive(framework_id(f), {});
  EXPECT_EQ(h.settle(), offers({offer(f, 0, "role1", "cpus:2;mem:1024")}));
}

// Mesos: HierarchicalAllocatorTest.ReviveOffers
TEST(MesosOfferTest, ReviveOffers) {
  MesosHarness h;
  h.add_agent("cpus:2;mem:1024;disk:0");
  const uint32_t f = h.add_framework({"role1"});
  const auto first = h.settle_offers();
  ASSERT_EQ(text(first), offers({offer(f, 0, "role1", "cpus:2;mem:1024")}));
  h.decline(first, Duration::seconds(1000));
  EXPECT_EQ(h.advance(), "");
  h.alloc().revive(framework_id(f), {});  // clears the filter
  EXPECT_EQ(h.settle(), offers({offer(f, 0, "role1", "cpus:2;mem:1024")}));
}

// Mesos: HierarchicalAllocatorTest.SuppressAndReviveOffersWithMultiRole
TEST(MesosOfferTest, SuppressAndReviveOffersWithMultiRole) {
  MesosHarness h;
  const uint32_t f = h.add_framework({"role1", "role2"});
  h.alloc().suppress(framework_id(f), {"role1"});
  h.add_agent("cpus:2;mem:1024;disk:0");
  const auto first = h.settle_offers();
  ASSERT_EQ(text(first), offers({offer(f, 0, "role2", "cpus:2;mem:1024")}));
  h.decline(first, Duration::days(1));
  EXPECT_EQ(h.advance(), "");
  h.alloc().revive(framework_id(f), {"role1"});
  const auto second = h.settle_offers();
  ASSERT_EQ(text(second), offers({offer(f, 0, "role1", "cpus:2;mem:1024")}));
  // role2's filter survived the revive of role1; role1 declines for a day too.
  h.decline(second, Duration::days(1));
  EXPECT_EQ(h.advance(), "");
}

// ---- min_allocatable_resources ----

// Mesos: HierarchicalAllocatorTest.Allocatable (MIN_CPUS 0.01, MIN_MEM 32 MB)
TEST(MesosOfferTest, Allocatable) {
  MesosHarness h;
  const uint32_t f = h.add_framework({"role1"});
  h.add_agent("cpus:0.005;mem:16;disk:128");
  EXPECT_EQ(h.settle(), "");
  h.add_agent("cpus:0.01;mem:16;disk:128");
  EXPECT_EQ(h.settle(), offers({offer(f, 1, "role1", "cpus:0.01;mem:16;disk:128")}));
  h.add_agent("cpus:0.005;mem:32;disk:128");
  EXPECT_EQ(h.settle(), offers({offer(f, 2, "role1", "cpus:0.005;mem:32;disk:128")}));
  // Enough in total, split across unreserved and reserved resources.
  const std::string split = "cpus:0.015;mem:16;cpus(role1):0.015;mem(role1):16;disk:128";
  h.add_agent(split);
  EXPECT_EQ(h.settle(), offers({offer(f, 3, "role1", split)}));
}

// Mesos: HierarchicalAllocatorTest.FrameworkMinAllocatable
TEST(MesosOfferTest, FrameworkMinAllocatable) {
  MesosHarness h;
  const uint32_t f = h.add_framework({"role1"});
  h.add_agent("cpus:0.005;mem:16;disk:128");
  EXPECT_EQ(h.settle(), "");
  FrameworkInfo info = framework_info("framework100", {"role1"});
  info.min_allocatable = {{"role1", {Q("cpus:0.003")}}};
  ASSERT_TRUE(h.alloc().update_framework(framework_id(f), info).ok());
  EXPECT_EQ(h.advance(), offers({offer(f, 0, "role1", "cpus:0.005;mem:16;disk:128")}));
}

// Mesos: HierarchicalAllocatorTest.FrameworkEmptyMinAllocatable
TEST(MesosOfferTest, FrameworkEmptyMinAllocatable) {
  MesosHarness h;
  FrameworkInfo info = framework_info("", {"role1"});
  info.min_allocatable = {{"role1", {}}};  // no minimum at all
  const uint32_t f = h.add_framework_with(info);
  h.add_agent("cpus:0.005;mem:16;disk:128");
  EXPECT_EQ(h.settle(), offers({offer(f, 0, "role1", "cpus:0.005;mem:16;disk:128")}));
}

}  // namespace
}  // namespace mesosim
