// HierarchicalAllocator's semantics, continued (hierarchical_allocator_semantics_test.cpp has
// the overview): the errors at the allocator's boundary, and the deviations from Mesos found
// while writing these tests, each pinned down now that it is fixed.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "allocator/hierarchical_allocator.hpp"
#include "tests/allocator/allocator_test_util.hpp"
#include "tests/allocator/semantics_test_util.hpp"

namespace mesosim {
namespace {

using namespace mesosim::testing;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

// ---- errors ----

TEST(HierarchicalAllocatorSemanticsTest, AddFrameworkRejectsBadRoleLists) {
  HierarchicalAllocator alloc = make_allocator();
  Status s = alloc.add_framework(framework_id(0), framework_info("F", {"eng//x"}), true);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, HasSubstr("eng//x"));

  s = alloc.add_framework(framework_id(0), framework_info("F", {""}), true);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, HasSubstr("empty"));

  s = alloc.add_framework(framework_id(0), framework_info("F", {}), true);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, HasSubstr("no role"));

  s = alloc.add_framework(framework_id(0), framework_info("F", {"a", "b", "a"}), true);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, HasSubstr("'a' twice"));

  FrameworkInfo info = framework_info("F", {"a"});
  info.suppressed_roles = {"z"};
  s = alloc.add_framework(framework_id(0), info, true);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, HasSubstr("'z'"));
  EXPECT_THAT(s.error().message, HasSubstr("not subscribed"));

  // Nothing was half-added.
  EXPECT_FALSE(alloc.allocation_pending());
  EXPECT_TRUE(alloc.add_framework(framework_id(0), framework_info("F", {"a"}), true).ok());
  s = alloc.add_framework(framework_id(0), framework_info("F2", {"a"}), true);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, HasSubstr("already added"));
}

TEST(HierarchicalAllocatorSemanticsTest, SetQuotaRejectsNestedRolesAndGuaranteeAboveLimit) {
  HierarchicalAllocator alloc = make_allocator();
  Status s = alloc.set_quota("eng/x", Quota{Q("cpus:1"), {}});
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, HasSubstr("top-level"));
  EXPECT_THAT(s.error().message, HasSubstr("'eng/x'"));

  s = alloc.set_quota("eng",
                      Quota{Q("cpus:4;mem:100"), {{ResourceName::cpus(), Scalar::from_units(2)}}});
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, HasSubstr("exceeds"));
  EXPECT_THAT(s.error().message, HasSubstr("cpus"));
  EXPECT_EQ(alloc.required_headroom().to_string(), "") << "a rejected quota must not apply";

  s = alloc.set_quota("bad role", Quota{Q("cpus:1"), {}});
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, HasSubstr("bad role"));
}

TEST(HierarchicalAllocatorSemanticsTest, SetWeightRejectsNonPositiveWeights) {
  HierarchicalAllocator alloc = make_allocator();
  for (const double w : {0.0, -1.0, std::nan("")}) {
    const Status s = alloc.set_weight("eng", w);
    ASSERT_FALSE(s.ok()) << w;
    EXPECT_THAT(s.error().message, HasSubstr("positive"));
    EXPECT_THAT(s.error().message, HasSubstr("'eng'"));
  }
  EXPECT_TRUE(alloc.set_weight("eng", 0.5).ok());
}

TEST(HierarchicalAllocatorSemanticsTest, UpdateAgentRejectsAnUnknownAgent) {
  HierarchicalAllocator alloc = make_allocator();
  const Status unknown = alloc.update_agent(agent_id(9), R("cpus:1"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.error().message, HasSubstr("9"));
}

TEST(HierarchicalAllocatorSemanticsTest, UpdateAllocationRejectsQuantityChangesAndForeignRoles) {
  HierarchicalAllocator alloc = make_allocator();
  add_agents(alloc, 0, 1, "cpus:2;mem:1024");
  add_framework(alloc, 0, framework_info("E", {"eng"}));
  ASSERT_THAT(alloc.allocate(at_seconds(0)), SizeIs(1));

  Status s = alloc.update_allocation(framework_id(0), agent_id(0), "eng", R("cpus:1"),
                                     R("cpus(eng){DYN:p}:2"));
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, HasSubstr("changes quantities"));

  s = alloc.update_allocation(framework_id(0), agent_id(0), "eng", R("cpus:1"),
                              R("cpus(ads){DYN:p}:1"));
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, HasSubstr("'ads'"));

  s = alloc.update_allocation(framework_id(0), agent_id(0), "eng", R("cpus:3"),
                              R("cpus(eng){DYN:p}:3"));
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, HasSubstr("not allocated"));

  EXPECT_EQ(str(alloc.total(agent_id(0))), str(R("cpus:2;mem:1024")));
  EXPECT_EQ(str(alloc.allocated(framework_id(0), agent_id(0), "eng")), str(R("cpus:2;mem:1024")));
}

// ---- deviations found while writing these tests, now fixed ----

TEST(HierarchicalAllocatorSemanticsTest, UpdateAllocationRejectsAChangeOfPortRanges) {
  // Was a deviation: update_allocation compares only scalar quantities and whether both sides have
  // ranges (hierarchical_allocator.cpp:420-424), so ports:[1-10] -> ports(eng){DYN}:[1-5] is
  // accepted and five ports vanish from the agent's total. A RESERVE/UNRESERVE keeps every
  // quantity, ranges included.
  HierarchicalAllocator alloc = make_allocator();
  add_agents(alloc, 0, 1, "cpus:2;mem:1024;ports:[1-10]");
  add_framework(alloc, 0, framework_info("E", {"eng"}));
  ASSERT_THAT(alloc.allocate(at_seconds(0)), SizeIs(1));
  const Status s = alloc.update_allocation(framework_id(0), agent_id(0), "eng", R("ports:[1-10]"),
                                           R("ports(eng){DYN:p}:[1-5]"));
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, HasSubstr("changes quantities"));
  EXPECT_EQ(str(alloc.total(agent_id(0))), str(R("cpus:2;mem:1024;ports:[1-10]")));
}

TEST(HierarchicalAllocatorSemanticsTest, UpdateAllocationRejectsReservingForAParentRole) {
  // Was a deviation: hierarchical_allocator.cpp:428 accepts a reservation for any ancestor of the
  // framework's role (is_strict_subrole(role, owner)). Mesos (master/validation.cpp, RESERVE)
  // requires the reservation role to equal the allocation role; a framework in eng/backend
  // reserving for eng would take resources into eng's quota and hand them to eng's frameworks.
  HierarchicalAllocator alloc = make_allocator();
  add_agents(alloc, 0, 1, "cpus:2;mem:1024");
  add_framework(alloc, 0, framework_info("B", {"eng/backend"}));
  ASSERT_THAT(alloc.allocate(at_seconds(0)), SizeIs(1));
  const Status s = alloc.update_allocation(framework_id(0), agent_id(0), "eng/backend", R("cpus:1"),
                                           R("cpus(eng){DYN:p}:1"));
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, HasSubstr("'eng'"));
}

TEST(HierarchicalAllocatorSemanticsTest, UpdateAllocationNeitherMakesNorUnreservesStaticOnes) {
  // Was a deviation: update_allocation (hierarchical_allocator.cpp:413-448) never looks at the
  // reservation type. Static reservations come from the agent's configuration: Mesos rejects
  // a RESERVE whose result is not dynamically reserved and an UNRESERVE of anything that is not
  // dynamically reserved ("Resource ... is not dynamically reserved", master/validation.cpp).
  HierarchicalAllocator alloc = make_allocator();
  add_agents(alloc, 0, 1, "cpus:2;mem:1024;cpus(eng):1");
  add_framework(alloc, 0, framework_info("E", {"eng"}));
  ASSERT_THAT(alloc.allocate(at_seconds(0)), SizeIs(1));
  Status s =
      alloc.update_allocation(framework_id(0), agent_id(0), "eng", R("cpus(eng):1"), R("cpus:1"));
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, HasSubstr("dynamic"));
  s = alloc.update_allocation(framework_id(0), agent_id(0), "eng", R("cpus:1"), R("cpus(eng):1"));
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, HasSubstr("dynamic"));
}

TEST(HierarchicalAllocatorSemanticsTest, RequestAllocationForAnUnknownAgentIsHarmless) {
  // Was a deviation: allocate() dereferences agents_[id] for every requested id
  // (hierarchical_cycle.cpp:60, 71, 75) without checking that the agent exists, so
  // request_allocation(id) for an id never added (or beyond agents_.size()) crashes the next
  // run. recover() ignores unknown agents; request_allocation should too.
  HierarchicalAllocator alloc = make_allocator();
  add_agents(alloc, 0, 1, "cpus:1;mem:512");
  add_framework(alloc, 0, framework_info("F", {"r"}));
  decline_all(alloc, alloc.allocate(at_seconds(0)), at_seconds(0), std::nullopt);
  alloc.request_allocation(agent_id(5));
  EXPECT_THAT(alloc.allocate(at_seconds(1)), IsEmpty());
}

TEST(HierarchicalAllocatorSemanticsTest, AddFrameworkWithADuplicateNameIsAnError) {
  // Was a deviation: two frameworks with the same FrameworkInfo.name in one role abort the process
  // (DrfSorter::add's MESOSIM_CHECK "sorter client added twice", drf_sorter.cpp:54) instead of
  // add_framework returning an Error; the name is the framework sorter's client path.
  HierarchicalAllocator alloc = make_allocator();
  add_framework(alloc, 0, framework_info("F", {"r"}));
  const Status s = alloc.add_framework(framework_id(1), framework_info("F", {"r"}), true);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, HasSubstr("'F'"));
}

}  // namespace
}  // namespace mesosim
