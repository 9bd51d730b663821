// Pins down the Mesos allocator semantics of HierarchicalAllocator that MESOS-REFERENCE.md
// ("Allocator") describes: quota guarantees, limits and headroom, reservations, filters,
// suppress/revive. The rest of that description is pinned down beside it:
// hierarchical_allocator_offer_order_test.cpp (min_allocatable_resources, capabilities, the
// offer's shape, DRF order, batching), hierarchical_allocator_explainer_test.cpp (the explainer,
// determinism) and hierarchical_allocator_errors_test.cpp (the errors at its boundary).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "allocator/hierarchical_allocator.hpp"
#include "tests/allocator/allocator_test_util.hpp"
#include "tests/allocator/semantics_test_util.hpp"

namespace mesosim {
namespace {

using namespace mesosim::testing;
using ::testing::IsEmpty;
using ::testing::SizeIs;

// ---- quota: guarantees, limits, headroom, consumption ----

TEST(HierarchicalAllocatorSemanticsTest, QuotaGuaranteeIsServedBeforeFairShare) {
  for (const bool with_quota : {true, false}) {
    SCOPED_TRACE(with_quota ? "with quota" : "without quota");
    HierarchicalAllocator alloc = make_allocator();
    add_agents(alloc, 0, 4, "cpus:2;mem:1024");
    if (with_quota) {
      ASSERT_TRUE(alloc.set_quota("q", Quota{Q("cpus:6"), {}}).ok());
    }
    add_framework(alloc, 0, framework_info("fq", {"q"}));
    add_framework(alloc, 1, framework_info("ff", {"f"}));

    const auto offers = alloc.allocate(at_seconds(0));

    ASSERT_THAT(offers, SizeIs(4));
    EXPECT_EQ(agents_offered_to(offers, framework_id(0)).size(), with_quota ? 3u : 2u);
    EXPECT_EQ(agents_offered_to(offers, framework_id(1)).size(), with_quota ? 1u : 2u);
    EXPECT_EQ(str(offered_to(offers, framework_id(0))),
              with_quota ? "cpus:6;mem:3072" : "cpus:4;mem:2048");
  }
}

TEST(HierarchicalAllocatorSemanticsTest, QuotaLimitCapsTheRoleButNotItsSubroles) {
  HierarchicalAllocator alloc = make_allocator();
  add_agents(alloc, 0, 4, "cpus:2;mem:1024");
  ASSERT_TRUE(
      alloc.set_quota("q", Quota{{}, {{ResourceName::cpus(), Scalar::from_units(3)}}}).ok());
  add_framework(alloc, 0, framework_info("fq", {"q"}));
  add_framework(alloc, 1, framework_info("fs", {"q/sub"}));
  auto cpus_of = [&](uint32_t fw, std::string_view role) {
    Scalar sum;
    for (uint32_t i = 0; i < 4; ++i) {
      sum += alloc.allocated(framework_id(fw), agent_id(i), role).get(ResourceName::cpus());
    }
    return sum;
  };

  // The frameworks keep everything they are offered; idle agents keep being visited.
  for (int64_t t = 0; t < 5; ++t) periodic_run(alloc, at_seconds(t));

  // q/sub is not bound by q's limit (Mesos tracks it only post factum), q itself is.
  EXPECT_EQ(free_quantities(alloc, 4).to_string(), "");
  EXPECT_EQ(alloc.consumed_quota("q").to_string(), "cpus:8;mem:4096");
  EXPECT_LE(cpus_of(0, "q"), Scalar::from_units(3));

  // Once the subrole lets go, q climbs to exactly its limit and no further.
  alloc.deactivate_framework(framework_id(1));
  for (uint32_t i = 0; i < 4; ++i) {
    alloc.recover(at_seconds(5), framework_id(1), agent_id(i), "q/sub",
                  alloc.allocated(framework_id(1), agent_id(i), "q/sub"), std::nullopt);
  }
  for (int64_t t = 6; t < 9; ++t) periodic_run(alloc, at_seconds(t));
  EXPECT_EQ(cpus_of(0, "q"), Scalar::from_units(3));
  EXPECT_EQ(alloc.consumed_quota("q").to_string(), "cpus:3;mem:4096");
  EXPECT_EQ(free_quantities(alloc, 4).to_string(), "cpus:5");
}

TEST(HierarchicalAllocatorSemanticsTest, QuotaLimitCountsWhatServesTheGuaranteeToo) {
  HierarchicalAllocator alloc = make_allocator();
  add_agents(alloc, 0, 2, "cpus:4;mem:1024");
  ASSERT_TRUE(
      alloc.set_quota("q", Quota{Q("cpus:2"), {{ResourceName::cpus(), Scalar::from_units(3)}}})
          .ok());
  add_framework(alloc, 0, framework_info("fq", {"q"}));
  Scalar cpus;
  for (int64_t t = 0; t < 3; ++t) {
    cpus +=
        offered_to(periodic_run(alloc, at_seconds(t)), framework_id(0)).get(ResourceName::cpus());
  }
  EXPECT_EQ(cpus, Scalar::from_units(3));
}

TEST(HierarchicalAllocatorSemanticsTest, QuotaStageOffersRevocableResourcesWithTheGuarantee) {
  HierarchicalAllocator alloc = make_allocator();
  add_agents(alloc, 0, 1, "cpus:2;mem:1024;cpus{REV}:4");
  ASSERT_TRUE(alloc.set_quota("q", Quota{Q("cpus:1"), {}}).ok());
  FrameworkInfo fq = framework_info("fq", {"q"});
  fq.revocable_resources = true;
  FrameworkInfo fa = framework_info("fa", {"a"});
  fa.revocable_resources = true;
  add_framework(alloc, 0, fq);
  add_framework(alloc, 1, fa);
  // Stage 1 serves q's guarantee and, as Mesos's first stage, hands over the revocable
  // resources with it: "a" (share 0, first in stage 2) finds nothing left.
  const auto offers = alloc.allocate(at_seconds(0));
  EXPECT_EQ(str(offered_to(offers, framework_id(0))), str(R("cpus:2;mem:1024;cpus{REV}:4")));
  EXPECT_EQ(str(offered_to(offers, framework_id(1))), "");
  EXPECT_EQ(alloc.consumed_quota("q").to_string(), "cpus:2;mem:1024");
}

TEST(HierarchicalAllocatorSemanticsTest, HeadroomHoldsBackAnUnmetGuaranteeUntilItsRoleArrives) {
  HierarchicalAllocator alloc = make_allocator();
  add_agents(alloc, 0, 4, "cpus:2;mem:1024");
  ASSERT_TRUE(alloc.set_quota("q", Quota{Q("cpus:6;mem:3072"), {}}).ok());
  EXPECT_EQ(alloc.required_headroom().to_string(), "cpus:6;mem:3072");
  EXPECT_EQ(alloc.available_headroom().to_string(), "cpus:8;mem:4096");

  add_framework(alloc, 1, framework_info("ff", {"f"}));
  const auto first = alloc.allocate(at_seconds(0));
  ASSERT_THAT(first, SizeIs(1));
  EXPECT_EQ(str(first[0].resources), str(R("cpus:2;mem:1024")));
  EXPECT_THAT(periodic_run(alloc, at_seconds(1)), IsEmpty());
  // Free unreserved non-revocable scalars never drop below the unmet guarantee.
  EXPECT_EQ(alloc.available_headroom().to_string(), "cpus:6;mem:3072");
  EXPECT_EQ(alloc.required_headroom().to_string(), "cpus:6;mem:3072");
  EXPECT_EQ(free_quantities(alloc, 4).to_string(), "cpus:6;mem:3072");

  add_framework(alloc, 0, framework_info("fq", {"q"}));
  const auto second = alloc.allocate(at_seconds(2));
  EXPECT_EQ(agents_offered_to(second, framework_id(0)).size(), 3u);
  EXPECT_EQ(str(offered_to(second, framework_id(0))), str(R("cpus:6;mem:3072")));
  EXPECT_EQ(alloc.required_headroom().to_string(), "");
  EXPECT_EQ(alloc.available_headroom().to_string(), "");
}

TEST(HierarchicalAllocatorSemanticsTest,
     QuotaConsumptionCountsSubtreeReservationsWhetherAllocatedOrNot) {
  HierarchicalAllocator alloc = make_allocator();
  add_agents(alloc, 0, 1, "cpus:2;mem:1024;cpus(q):1;mem(q/sub):256;cpus(ads):4");
  EXPECT_EQ(alloc.consumed_quota("q").to_string(), "cpus:1;mem:256");
  EXPECT_EQ(alloc.consumed_quota("q/sub").to_string(), "cpus:1;mem:256");
  EXPECT_EQ(alloc.consumed_quota("ads").to_string(), "cpus:4");

  ASSERT_TRUE(alloc.set_quota("q", Quota{Q("cpus:4"), {}}).ok());
  EXPECT_EQ(alloc.required_headroom().to_string(), "cpus:3");

  add_framework(alloc, 0, framework_info("fs", {"q/sub"}));
  const auto offers = alloc.allocate(at_seconds(0));
  ASSERT_THAT(offers, SizeIs(1));
  // The subrole gets the reservations and the mem; the free cpus are held back for q's unmet
  // guarantee, which only q's own frameworks may eat into.
  EXPECT_EQ(str(offers[0].resources), str(R("cpus(q):1;mem:1024;mem(q/sub):256")));
  // Allocated reservations are not counted twice.
  EXPECT_EQ(alloc.consumed_quota("q").to_string(), "cpus:1;mem:1280");
  EXPECT_EQ(alloc.required_headroom().to_string(), "cpus:3");

  // A dynamic reservation made from allocated unreserved resources: consumption unchanged while
  // held, and it stays counted after it is released.
  const Status s = alloc.update_allocation(framework_id(0), agent_id(0), "q/sub", R("mem:512"),
                                           R("mem(q/sub){DYN:ops}:512"));
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(alloc.consumed_quota("q").to_string(), "cpus:1;mem:1280");
  alloc.recover(at_seconds(1), framework_id(0), agent_id(0), "q/sub",
                alloc.allocated(framework_id(0), agent_id(0), "q/sub"), std::nullopt);
  EXPECT_EQ(alloc.consumed_quota("q").to_string(), "cpus:1;mem:768");
  EXPECT_EQ(alloc.required_headroom().to_string(), "cpus:3");
}

// ---- reservations ----

TEST(HierarchicalAllocatorSemanticsTest, StaticReservationsGoOnlyToTheirRoleAndItsSubroles) {
  HierarchicalAllocator alloc = make_allocator();
  add_agents(alloc, 0, 1, "cpus:1;mem:1024;cpus(eng):2;cpus(eng/backend):1");
  add_framework(alloc, 0, framework_info("E", {"eng"}));
  add_framework(alloc, 1, framework_info("B", {"eng/backend"}));
  add_framework(alloc, 2, framework_info("A", {"ads"}));

  const auto offers = alloc.allocate(at_seconds(0));
  // "ads" (share 0, first by name) takes the unreserved part; "eng" its own reservation; the
  // parent never gets its subrole's reservation, so that goes to "eng/backend".
  EXPECT_EQ(str(offered_to(offers, framework_id(2))), str(R("cpus:1;mem:1024")));
  EXPECT_EQ(str(offered_to(offers, framework_id(0))), str(R("cpus(eng):2")));
  EXPECT_EQ(str(offered_to(offers, framework_id(1))), str(R("cpus(eng/backend):1")));

  // Without a framework in "eng", its strict subrole gets the parent's reservation too.
  decline_all(alloc, offers, at_seconds(0), std::nullopt);
  alloc.deactivate_framework(framework_id(0));
  const auto second = periodic_run(alloc, at_seconds(1));
  EXPECT_EQ(str(offered_to(second, framework_id(1))), str(R("cpus(eng):2;cpus(eng/backend):1")));
  EXPECT_EQ(str(offered_to(second, framework_id(2))), str(R("cpus:1;mem:1024")));

  // "ads" alone never gets a reservation of "eng".
  decline_all(alloc, second, at_seconds(1), std::nullopt);
  alloc.deactivate_framework(framework_id(1));
  const auto third = periodic_run(alloc, at_seconds(2));
  EXPECT_EQ(str(offered_to(third, framework_id(2))), str(R("cpus:1;mem:1024")));
  EXPECT_EQ(str(alloc.available(agent_id(0))), str(R("cpus(eng):2;cpus(eng/backend):1")));
}

TEST(HierarchicalAllocatorSemanticsTest, ParentRoleNeverGetsItsSubrolesReservation) {
  HierarchicalAllocator alloc = make_allocator();
  add_agents(alloc, 0, 1, "cpus(eng/backend):2;mem(eng/backend):512");
  add_framework(alloc, 0, framework_info("E", {"eng"}));
  add_framework(alloc, 1, framework_info("A", {"ads"}));
  EXPECT_THAT(alloc.allocate(at_seconds(0)), IsEmpty());
}

TEST(HierarchicalAllocatorSemanticsTest, DynamicReservationsGoOnlyToTheirRoleAndItsSubroles) {
  HierarchicalAllocator alloc = make_allocator();
  add_agents(alloc, 0, 1, "cpus:2;mem:1024");
  add_framework(alloc, 0, framework_info("E", {"eng"}));
  const auto offers = alloc.allocate(at_seconds(0));
  ASSERT_THAT(offers, SizeIs(1));
  const Status s = alloc.update_allocation(framework_id(0), agent_id(0), "eng", R("cpus:1;mem:512"),
                                           R("cpus(eng){DYN:ops}:1;mem(eng){DYN:ops}:512"));
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(str(alloc.total(agent_id(0))),
            str(R("cpus:1;cpus(eng){DYN:ops}:1;mem:512;mem(eng){DYN:ops}:512")));
  EXPECT_EQ(str(alloc.allocated(framework_id(0), agent_id(0), "eng")),
            str(R("cpus:1;cpus(eng){DYN:ops}:1;mem:512;mem(eng){DYN:ops}:512")));
  alloc.recover(at_seconds(0), framework_id(0), agent_id(0), "eng",
                alloc.allocated(framework_id(0), agent_id(0), "eng"), std::nullopt);
  alloc.deactivate_framework(framework_id(0));

  add_framework(alloc, 1, framework_info("A", {"ads"}));
  add_framework(alloc, 2, framework_info("B", {"eng/backend"}));
  const auto second = alloc.allocate(at_seconds(1));
  EXPECT_EQ(str(offered_to(second, framework_id(1))), str(R("cpus:1;mem:512")));
  EXPECT_EQ(str(offered_to(second, framework_id(2))),
            str(R("cpus(eng){DYN:ops}:1;mem(eng){DYN:ops}:512")));

  decline_all(alloc, second, at_seconds(1), std::nullopt);
  alloc.deactivate_framework(framework_id(2));
  const auto third = periodic_run(alloc, at_seconds(2));
  EXPECT_EQ(str(offered_to(third, framework_id(1))), str(R("cpus:1;mem:512")));
}

// ---- filters ----

TEST(HierarchicalAllocatorSemanticsTest, RefusalFilterLastsMaxOfRefuseAndAllocationInterval) {
  HierarchicalAllocator alloc = make_allocator();
  add_agents(alloc, 0, 1, "cpus:2;mem:1024");
  add_framework(alloc, 0, framework_info("F", {"r"}));
  decline_all(alloc, alloc.allocate(at_seconds(0)), at_seconds(0), Duration::seconds(10));

  EXPECT_THAT(periodic_run(alloc, at_seconds(5)), IsEmpty());
  EXPECT_THAT(periodic_run(alloc, Time::from_micros(9'999'999)), IsEmpty());
  const auto after = periodic_run(alloc, at_seconds(10));
  ASSERT_THAT(after, SizeIs(1));
  EXPECT_EQ(str(after[0].resources), str(R("cpus:2;mem:1024")));

  // A refusal shorter than the allocation interval (1 s) lasts the interval.
  decline_all(alloc, after, at_seconds(10), Duration::millis(500));
  EXPECT_THAT(periodic_run(alloc, at_millis(10'600)), IsEmpty());
  EXPECT_THAT(periodic_run(alloc, at_millis(10'999)), IsEmpty());
  EXPECT_THAT(periodic_run(alloc, at_millis(11'000)), SizeIs(1));
}

TEST(HierarchicalAllocatorSemanticsTest, FilterDoesNotBlockAnOfferHoldingMoreThanWasRefused) {
  HierarchicalAllocator alloc = make_allocator();
  add_agents(alloc, 0, 1, "cpus:2;mem:1024");
  add_framework(alloc, 0, framework_info("F", {"r"}));
  ASSERT_THAT(alloc.allocate(at_seconds(0)), SizeIs(1));
  // A task uses half; the rest is declined for 10 s.
  alloc.recover(at_seconds(0), framework_id(0), agent_id(0), "r", R("cpus:1;mem:512"),
                Duration::seconds(10));
  EXPECT_THAT(periodic_run(alloc, at_seconds(1)), IsEmpty());

  // The task ends: the free resources now exceed what was refused.
  alloc.recover(at_seconds(2), framework_id(0), agent_id(0), "r", R("cpus:1;mem:512"),
                std::nullopt);
  const auto offers = periodic_run(alloc, at_seconds(2));
  ASSERT_THAT(offers, SizeIs(1));
  EXPECT_EQ(str(offers[0].resources), str(R("cpus:2;mem:1024")));
}

TEST(HierarchicalAllocatorSemanticsTest, RefuseDurationDefaultsCapsAndZero) {
  EXPECT_EQ(refuse_duration(std::nullopt), Duration::seconds(5));
  EXPECT_EQ(refuse_duration(-3.0), Duration::seconds(5));
  EXPECT_EQ(refuse_duration(0.0), std::nullopt);
  EXPECT_EQ(refuse_duration(2.5), Duration::millis(2500));
  EXPECT_EQ(refuse_duration(1e12), Duration::days(365));
  EXPECT_EQ(refuse_duration(365.0 * 24 * 3600 + 1), Duration::days(365));
}

TEST(HierarchicalAllocatorSemanticsTest, ZeroRefusalLeavesNoFilter) {
  HierarchicalAllocator alloc = make_allocator();
  add_agents(alloc, 0, 1, "cpus:2;mem:1024");
  add_framework(alloc, 0, framework_info("F", {"r"}));
  decline_all(alloc, alloc.allocate(at_seconds(0)), at_seconds(0), refuse_duration(0.0));
  EXPECT_THAT(periodic_run(alloc, at_millis(1)), SizeIs(1));
}

TEST(HierarchicalAllocatorSemanticsTest, FiltersArePerAgent) {
  HierarchicalAllocator alloc = make_allocator();
  add_agents(alloc, 0, 2, "cpus:1;mem:512");
  add_framework(alloc, 0, framework_info("F", {"r"}));
  ASSERT_THAT(alloc.allocate(at_seconds(0)), SizeIs(2));
  alloc.recover(at_seconds(0), framework_id(0), agent_id(0), "r", R("cpus:1;mem:512"),
                Duration::seconds(10));
  alloc.recover(at_seconds(0), framework_id(0), agent_id(1), "r", R("cpus:1;mem:512"),
                std::nullopt);
  const auto offers = periodic_run(alloc, at_seconds(1));
  ASSERT_THAT(offers, SizeIs(1));
  EXPECT_EQ(offers[0].agent, agent_id(1));
}

TEST(HierarchicalAllocatorSemanticsTest, FiltersArePerRoleOfAMultiRoleFramework) {
  HierarchicalAllocator alloc = make_allocator();
  add_agents(alloc, 0, 1, "cpus:1;mem:512");
  add_framework(alloc, 0, framework_info("F", {"x", "y"}));
  const auto first = alloc.allocate(at_seconds(0));
  ASSERT_THAT(first, SizeIs(1));
  EXPECT_EQ(first[0].role, "x");  // equal shares and counts: by name
  decline_all(alloc, first, at_seconds(0), Duration::seconds(100));

  // The filter in role x does not block role y.
  const auto second = periodic_run(alloc, at_seconds(1));
  ASSERT_THAT(second, SizeIs(1));
  EXPECT_EQ(second[0].role, "y");
  decline_all(alloc, second, at_seconds(1), std::nullopt);
  // x comes first again (same share and count, name), but is still filtered.
  const auto third = periodic_run(alloc, at_seconds(2));
  ASSERT_THAT(third, SizeIs(1));
  EXPECT_EQ(third[0].role, "y");
}

// ---- suppress / revive / deactivate ----

TEST(HierarchicalAllocatorSemanticsTest, SuppressedRoleGetsNoOffersAndReviveRestoresThem) {
  HierarchicalAllocator alloc = make_allocator();
  add_agents(alloc, 0, 1, "cpus:1;mem:512");
  add_framework(alloc, 0, framework_info("F", {"r"}));
  decline_all(alloc, alloc.allocate(at_seconds(0)), at_seconds(0), std::nullopt);

  alloc.suppress(framework_id(0), {"r"});
  EXPECT_FALSE(alloc.allocation_pending());
  EXPECT_THAT(periodic_run(alloc, at_seconds(1)), IsEmpty());

  alloc.revive(framework_id(0), {"r"});
  EXPECT_TRUE(alloc.allocation_pending());
  EXPECT_THAT(alloc.allocate(at_seconds(2)), SizeIs(1));
}

TEST(HierarchicalAllocatorSemanticsTest, ReviveClearsOnlyTheRevivedRolesFilters) {
  HierarchicalAllocator alloc = make_allocator();
  add_agents(alloc, 0, 1, "cpus:1;mem:512");
  add_framework(alloc, 0, framework_info("F", {"x", "y"}));
  const auto in_x = alloc.allocate(at_seconds(0));
  ASSERT_THAT(in_x, SizeIs(1));
  ASSERT_EQ(in_x[0].role, "x");
  decline_all(alloc, in_x, at_seconds(0), Duration::days(1));
  const auto in_y = periodic_run(alloc, at_seconds(1));
  ASSERT_THAT(in_y, SizeIs(1));
  ASSERT_EQ(in_y[0].role, "y");
  decline_all(alloc, in_y, at_seconds(1), Duration::days(1));
  EXPECT_THAT(periodic_run(alloc, at_seconds(2)), IsEmpty());

  alloc.revive(framework_id(0), {"x"});
  EXPECT_TRUE(alloc.allocation_pending());
  const auto revived = alloc.allocate(at_seconds(3));
  ASSERT_THAT(revived, SizeIs(1));
  EXPECT_EQ(revived[0].role, "x");
  decline_all(alloc, revived, at_seconds(3), std::nullopt);
  // y sorts first now (fewer allocations) but its filter survived the revive of x.
  const auto again = periodic_run(alloc, at_seconds(4));
  ASSERT_THAT(again, SizeIs(1));
  EXPECT_EQ(again[0].role, "x");
}

TEST(HierarchicalAllocatorSemanticsTest, SuppressWithNoRolesSuppressesEveryRole) {
  HierarchicalAllocator alloc = make_allocator();
  add_agents(alloc, 0, 1, "cpus:1;mem:512");
  add_framework(alloc, 0, framework_info("F", {"x", "y"}));
  alloc.suppress(framework_id(0), {});
  EXPECT_THAT(alloc.allocate(at_seconds(0)), IsEmpty());

  alloc.revive(framework_id(0), {"y"});
  const auto offers = alloc.allocate(at_seconds(1));
  ASSERT_THAT(offers, SizeIs(1));
  EXPECT_EQ(offers[0].role, "y");
}

TEST(HierarchicalAllocatorSemanticsTest, RolesSuppressedAtSubscriptionGetNoOffers) {
  HierarchicalAllocator alloc = make_allocator();
  add_agents(alloc, 0, 2, "cpus:1;mem:512");
  FrameworkInfo info = framework_info("F", {"x", "y"});
  info.suppressed_roles = {"x"};
  add_framework(alloc, 0, info);
  const auto offers = alloc.allocate(at_seconds(0));
  ASSERT_THAT(offers, SizeIs(2));
  for (const Allocation& o : offers) EXPECT_EQ(o.role, "y");
}

TEST(HierarchicalAllocatorSemanticsTest, DeactivatedFrameworkGetsNoOffersAndLosesItsFilters) {
  HierarchicalAllocator alloc = make_allocator();
  add_agents(alloc, 0, 1, "cpus:1;mem:512");
  add_framework(alloc, 0, framework_info("F", {"r"}));
  decline_all(alloc, alloc.allocate(at_seconds(0)), at_seconds(0), Duration::days(1));
  EXPECT_THAT(periodic_run(alloc, at_seconds(1)), IsEmpty());

  alloc.deactivate_framework(framework_id(0));
  EXPECT_FALSE(alloc.allocation_pending());
  EXPECT_THAT(periodic_run(alloc, at_seconds(2)), IsEmpty());

  alloc.activate_framework(framework_id(0));
  EXPECT_TRUE(alloc.allocation_pending());
  EXPECT_THAT(alloc.allocate(at_seconds(3)), SizeIs(1));
}

TEST(HierarchicalAllocatorSemanticsTest, InactiveFrameworkGetsNoOffersEvenWithoutFilters) {
  HierarchicalAllocator alloc = make_allocator();
  add_agents(alloc, 0, 1, "cpus:1;mem:512");
  add_framework(alloc, 0, framework_info("F", {"r"}), /*active=*/false);
  EXPECT_THAT(periodic_run(alloc, at_seconds(0)), IsEmpty());
  alloc.activate_framework(framework_id(0));
  EXPECT_THAT(alloc.allocate(at_seconds(1)), SizeIs(1));
}

}  // namespace
}  // namespace mesosim
