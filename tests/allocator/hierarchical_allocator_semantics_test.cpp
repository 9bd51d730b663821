// Pins down the Mesos allocator semantics of HierarchicalAllocator that MESOS-REFERENCE.md
// ("Allocator") describes: quota guarantees, limits and headroom, reservations, filters,
// suppress/revive, min_allocatable_resources, capabilities, DRF tie-breaks, hierarchical roles,
// batching of runs, the explainer, determinism and the errors at the allocator's boundary.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "allocator/hierarchical_allocator.hpp"
#include "tests/allocator/allocator_test_util.hpp"

namespace mesosim {
namespace {

using namespace mesosim::testing;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

HierarchicalAllocator make_allocator(uint64_t seed = 1) {
  AllocatorOptions options = AllocatorOptions::mesos_defaults();
  options.seed = seed;
  return HierarchicalAllocator(options);
}

Time at_millis(int64_t ms) { return Time::epoch() + Duration::millis(ms); }

std::string str(const Resources& r) { return r.to_string(); }

void add_agents(HierarchicalAllocator& alloc, uint32_t first, uint32_t n,
                std::string_view resources) {
  for (uint32_t i = first; i < first + n; ++i) {
    ASSERT_TRUE(
        alloc.add_agent(agent_id(i), agent_info("h" + std::to_string(i), resources), {}).ok());
  }
}

void add_framework(HierarchicalAllocator& alloc, uint32_t id, const FrameworkInfo& info,
                   bool active = true) {
  const Status s = alloc.add_framework(framework_id(id), info, active);
  ASSERT_TRUE(s.ok()) << s.error().message;
}

// Everything offered to `fw` in a run, summed over agents and roles.
Resources offered_to(const std::vector<Allocation>& offers, FrameworkId fw) {
  Resources sum;
  for (const Allocation& o : offers) {
    if (o.framework == fw) sum += o.resources;
  }
  return sum;
}

std::set<uint32_t> agents_offered_to(const std::vector<Allocation>& offers, FrameworkId fw) {
  std::set<uint32_t> out;
  for (const Allocation& o : offers) {
    if (o.framework == fw) out.insert(o.agent.value);
  }
  return out;
}

// A scheduler that declines every offer it gets.
void decline_all(HierarchicalAllocator& alloc, const std::vector<Allocation>& offers, Time now,
                 std::optional<Duration> refuse) {
  for (const Allocation& o : offers) {
    alloc.recover(now, o.framework, o.agent, o.role, o.resources, refuse);
  }
}

// A periodic run over every agent.
std::vector<Allocation> periodic_run(HierarchicalAllocator& alloc, Time now) {
  alloc.request_allocation();
  return alloc.allocate(now);
}

Quantities free_quantities(const HierarchicalAllocator& alloc, uint32_t agents) {
  Quantities q;
  for (uint32_t i = 0; i < agents; ++i) q.add(alloc.available(agent_id(i)));
  return q;
}

std::string transcript(const std::vector<Allocation>& offers) {
  std::string s;
  for (const Allocation& o : offers) {
    s += "fw" + std::to_string(o.framework.value) + "@a" + std::to_string(o.agent.value) + "/" +
         o.role + ":" + str(o.resources) + "\n";
  }
  return s;
}

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

// ---- explainer ----

struct Skip {
  uint32_t framework;
  std::string role;
  uint32_t agent;
  SkipReason reason;
  bool operator==(const Skip&) const = default;
};

class RecordingExplainer final : public AllocationExplainer {
 public:
  void skipped(FrameworkId framework, std::string_view role, AgentId agent,
               SkipReason reason) override {
    skips.push_back(Skip{framework.value, std::string(role), agent.value, reason});
  }
  bool has(uint32_t fw, std::string_view role, SkipReason reason) const {
    return std::any_of(skips.begin(), skips.end(), [&](const Skip& s) {
      return s.framework == fw && s.role == role && s.reason == reason;
    });
  }
  bool has_reason(SkipReason reason) const {
    return std::any_of(skips.begin(), skips.end(),
                       [&](const Skip& s) { return s.reason == reason; });
  }
  std::string dump() const {
    std::string s;
    for (const Skip& k : skips) {
      s += "fw" + std::to_string(k.framework) + " " + k.role + " a" + std::to_string(k.agent) +
           " " + std::string(to_string(k.reason)) + "\n";
    }
    return s;
  }
  std::vector<Skip> skips;
};

TEST(HierarchicalAllocatorSemanticsTest, ExplainerReportsFiltered) {
  HierarchicalAllocator alloc = make_allocator();
  RecordingExplainer why;
  alloc.set_explainer(&why);
  add_agents(alloc, 0, 1, "cpus:1;mem:512");
  add_framework(alloc, 0, framework_info("F", {"r"}));
  decline_all(alloc, alloc.allocate(at_seconds(0)), at_seconds(0), Duration::seconds(10));
  EXPECT_FALSE(why.has_reason(SkipReason::kFiltered));
  EXPECT_THAT(periodic_run(alloc, at_seconds(1)), IsEmpty());
  EXPECT_TRUE(why.has(0, "r", SkipReason::kFiltered)) << why.dump();
}

TEST(HierarchicalAllocatorSemanticsTest, ExplainerReportsSuppressedAndInactive) {
  HierarchicalAllocator alloc = make_allocator();
  RecordingExplainer why;
  alloc.set_explainer(&why);
  add_agents(alloc, 0, 1, "cpus:1;mem:512");
  FrameworkInfo info = framework_info("S", {"r"});
  info.suppressed_roles = {"r"};
  add_framework(alloc, 0, info);
  add_framework(alloc, 1, framework_info("I", {"r"}), /*active=*/false);
  EXPECT_THAT(periodic_run(alloc, at_seconds(0)), IsEmpty());
  EXPECT_TRUE(why.has(0, "r", SkipReason::kSuppressed)) << why.dump();
  EXPECT_TRUE(why.has(1, "r", SkipReason::kFrameworkInactive)) << why.dump();
}

TEST(HierarchicalAllocatorSemanticsTest, ExplainerReportsQuotaLimit) {
  HierarchicalAllocator alloc = make_allocator();
  RecordingExplainer why;
  alloc.set_explainer(&why);
  add_agents(alloc, 0, 2, "cpus:1");
  ASSERT_TRUE(
      alloc.set_quota("q", Quota{{}, {{ResourceName::cpus(), Scalar::from_units(1)}}}).ok());
  add_framework(alloc, 0, framework_info("F", {"q"}));
  EXPECT_THAT(alloc.allocate(at_seconds(0)), SizeIs(1));
  EXPECT_TRUE(why.has(0, "q", SkipReason::kQuotaLimit)) << why.dump();
}

TEST(HierarchicalAllocatorSemanticsTest, ExplainerReportsHeadroom) {
  HierarchicalAllocator alloc = make_allocator();
  RecordingExplainer why;
  alloc.set_explainer(&why);
  add_agents(alloc, 0, 1, "cpus:2");
  ASSERT_TRUE(alloc.set_quota("g", Quota{Q("cpus:2"), {}}).ok());
  add_framework(alloc, 0, framework_info("F", {"f"}));
  EXPECT_THAT(alloc.allocate(at_seconds(0)), IsEmpty());
  EXPECT_TRUE(why.has(0, "f", SkipReason::kHeadroom)) << why.dump();
}

TEST(HierarchicalAllocatorSemanticsTest, ExplainerReportsBelowMinAllocatable) {
  HierarchicalAllocator alloc = make_allocator();
  RecordingExplainer why;
  alloc.set_explainer(&why);
  add_agents(alloc, 0, 1, "cpus:0.005;mem:16");
  add_framework(alloc, 0, framework_info("F", {"r"}));
  EXPECT_THAT(alloc.allocate(at_seconds(0)), IsEmpty());
  EXPECT_TRUE(why.has(0, "r", SkipReason::kBelowMinAllocatable)) << why.dump();
  EXPECT_FALSE(why.has_reason(SkipReason::kHeadroom)) << why.dump();
}

TEST(HierarchicalAllocatorSemanticsTest, ExplainerReportsNotGpuCapable) {
  HierarchicalAllocator alloc = make_allocator();
  RecordingExplainer why;
  alloc.set_explainer(&why);
  add_agents(alloc, 0, 1, "cpus:2;mem:1024;gpus:1");
  add_framework(alloc, 0, framework_info("F", {"r"}));
  EXPECT_THAT(alloc.allocate(at_seconds(0)), IsEmpty());
  EXPECT_TRUE(why.has(0, "r", SkipReason::kNotGpuCapable)) << why.dump();
}

TEST(HierarchicalAllocatorSemanticsTest, ExplainerReportsReservedForOtherRoles) {
  HierarchicalAllocator alloc = make_allocator();
  RecordingExplainer why;
  alloc.set_explainer(&why);
  add_agents(alloc, 0, 1, "cpus(eng):2;mem(eng):512");
  add_framework(alloc, 0, framework_info("A", {"ads"}));
  EXPECT_THAT(alloc.allocate(at_seconds(0)), IsEmpty());
  EXPECT_TRUE(why.has(0, "ads", SkipReason::kReservedForOtherRoles)) << why.dump();
}

TEST(HierarchicalAllocatorSemanticsTest, ExplainerReportsLowerInDrfOrder) {
  HierarchicalAllocator alloc = make_allocator();
  RecordingExplainer why;
  alloc.set_explainer(&why);
  add_agents(alloc, 0, 1, "cpus:1;mem:512");
  add_framework(alloc, 0, framework_info("fa", {"a"}));
  add_framework(alloc, 1, framework_info("fb", {"a"}));  // same role, later by name
  add_framework(alloc, 2, framework_info("fc", {"c"}));  // later role
  const auto offers = alloc.allocate(at_seconds(0));
  ASSERT_THAT(offers, SizeIs(1));
  EXPECT_EQ(offers[0].framework, framework_id(0));
  EXPECT_TRUE(why.has(1, "a", SkipReason::kLowerInDrfOrder)) << why.dump();
  EXPECT_TRUE(why.has(2, "c", SkipReason::kLowerInDrfOrder)) << why.dump();
  EXPECT_FALSE(why.has(0, "a", SkipReason::kLowerInDrfOrder)) << why.dump();
}

TEST(HierarchicalAllocatorSemanticsTest, ExplainerReportsNoQuotaContribution) {
  HierarchicalAllocator alloc = make_allocator();
  RecordingExplainer why;
  alloc.set_explainer(&why);
  add_agents(alloc, 0, 1, "cpus:2");
  ASSERT_TRUE(alloc.set_quota("q", Quota{Q("mem:1024"), {}}).ok());
  add_framework(alloc, 0, framework_info("F", {"q"}));
  // Stage 1 cannot help the mem guarantee; stage 2 still offers the cpus.
  EXPECT_THAT(alloc.allocate(at_seconds(0)), SizeIs(1));
  EXPECT_TRUE(why.has(0, "q", SkipReason::kNoQuotaContribution)) << why.dump();
}

TEST(HierarchicalAllocatorSemanticsTest, UninstalledExplainerIsNotCalled) {
  HierarchicalAllocator alloc = make_allocator();
  RecordingExplainer why;
  alloc.set_explainer(&why);
  alloc.set_explainer(nullptr);
  add_agents(alloc, 0, 1, "cpus:0.005;mem:16;gpus:1");
  add_framework(alloc, 0, framework_info("F", {"r"}));
  add_framework(alloc, 1, framework_info("G", {"r"}), false);
  EXPECT_THAT(alloc.allocate(at_seconds(0)), IsEmpty());
  EXPECT_THAT(why.skips, IsEmpty());
}

// A scripted scenario with quota, reservations, filters and several roles; returns every run's
// offers as text.
std::string scripted_runs(uint64_t seed, AllocationExplainer* explainer) {
  HierarchicalAllocator alloc = make_allocator(seed);
  alloc.set_explainer(explainer);
  for (uint32_t i = 0; i < 8; ++i) {
    const std::string res = i % 3 == 0   ? "cpus:4;mem:4096;cpus(eng):1"
                            : i % 3 == 1 ? "cpus:2;mem:1024;ports:[31000-31010]"
                                         : "cpus:1;mem:2048";
    EXPECT_TRUE(alloc.add_agent(agent_id(i), agent_info("h" + std::to_string(i), res), {}).ok());
  }
  EXPECT_TRUE(alloc.set_quota("q", Quota{Q("cpus:3"), {}}).ok());
  EXPECT_TRUE(alloc.add_framework(framework_id(0), framework_info("a", {"eng"}), true).ok());
  EXPECT_TRUE(
      alloc.add_framework(framework_id(1), framework_info("b", {"eng/x", "ads"}), true).ok());
  EXPECT_TRUE(alloc.add_framework(framework_id(2), framework_info("c", {"q"}), true).ok());
  std::string out;
  for (int64_t t = 0; t < 6; ++t) {
    const auto offers = periodic_run(alloc, at_seconds(t));
    out += transcript(offers) + "--\n";
    for (size_t k = 0; k < offers.size(); ++k) {
      const Allocation& o = offers[k];
      // Keep a third, decline a third with a filter, a third without.
      if (k % 3 == 1) {
        alloc.recover(at_seconds(t), o.framework, o.agent, o.role, o.resources,
                      Duration::seconds(2));
      } else if (k % 3 == 2) {
        alloc.recover(at_seconds(t), o.framework, o.agent, o.role, o.resources, std::nullopt);
      }
    }
  }
  return out;
}

TEST(HierarchicalAllocatorSemanticsTest, ExplainerDoesNotChangeTheOffers) {
  RecordingExplainer why;
  EXPECT_EQ(scripted_runs(7, nullptr), scripted_runs(7, &why));
  EXPECT_FALSE(why.skips.empty());
}

// ---- determinism ----

TEST(HierarchicalAllocatorSemanticsTest, SameSeedAndCallsGiveIdenticalOffers) {
  const std::string a = scripted_runs(42, nullptr);
  const std::string b = scripted_runs(42, nullptr);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, scripted_runs(43, nullptr));
}

TEST(HierarchicalAllocatorSemanticsTest, DifferentSeedsVisitAgentsInDifferentOrders) {
  auto order = [](uint64_t seed) {
    HierarchicalAllocator alloc = make_allocator(seed);
    add_agents(alloc, 0, 8, "cpus:1;mem:512");
    add_framework(alloc, 0, framework_info("F", {"r"}));
    std::vector<uint32_t> agents;
    for (const Allocation& o : alloc.allocate(at_seconds(0))) agents.push_back(o.agent.value);
    return agents;
  };
  EXPECT_EQ(order(42), order(42));
  EXPECT_NE(order(42), order(43));

  // Where the order decides who gets what: one small and one large agent, two roles whose
  // first offer decides the DRF order for the second agent.
  auto assignment = [](uint64_t seed) {
    HierarchicalAllocator alloc = make_allocator(seed);
    add_agents(alloc, 0, 1, "cpus:1;mem:512");
    add_agents(alloc, 1, 1, "cpus:8;mem:8192");
    add_framework(alloc, 0, framework_info("A", {"a"}));
    add_framework(alloc, 1, framework_info("B", {"b"}));
    std::string s;
    for (const Allocation& o : alloc.allocate(at_seconds(0))) {
      s += o.role + "@" + std::to_string(o.agent.value) + " ";
    }
    return s;
  };
  std::set<std::string> seen;
  for (uint64_t seed = 0; seed < 16; ++seed) seen.insert(assignment(seed));
  EXPECT_EQ(seen.size(), 2u) << "role a should get either agent depending on the visit order";
}

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

TEST(HierarchicalAllocatorSemanticsTest, ExplainerDoesNotBlameHeadroomWhenThereIsNoQuota) {
  // Was a deviation: offer_for (hierarchical_cycle.cpp:197-199) reports kHeadroom whenever the
  // offer comes out empty and no quota limit cut it, e.g. a framework without REVOCABLE_RESOURCES
  // on an agent whose free resources are all revocable, in a cluster without any quota.
  HierarchicalAllocator alloc = make_allocator();
  RecordingExplainer why;
  alloc.set_explainer(&why);
  add_agents(alloc, 0, 1, "cpus{REV}:2;mem{REV}:1024");
  add_framework(alloc, 0, framework_info("F", {"r"}));
  EXPECT_THAT(alloc.allocate(at_seconds(0)), IsEmpty());
  EXPECT_FALSE(why.has_reason(SkipReason::kHeadroom)) << why.dump();
  EXPECT_TRUE(why.has(0, "r", SkipReason::kBelowMinAllocatable)) << why.dump();
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
