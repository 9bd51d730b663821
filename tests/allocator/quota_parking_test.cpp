// Parking (hierarchical_cycle.cpp): with explanations off, a run leaves out of the role order
// the quota roles that can take nothing more. That must change only the cost of a run, never an
// offer: with an explainer installed nothing is parked, so the two allocators below, fed the
// same random history, must make the same offers run after run.

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "allocator/hierarchical_allocator.hpp"
#include "allocator/rng.hpp"
#include "tests/allocator/allocator_test_util.hpp"

namespace mesosim {
namespace {

using namespace mesosim::testing;

class CountingExplainer final : public AllocationExplainer {
 public:
  void skipped(FrameworkId, std::string_view, AgentId, SkipReason reason) override {
    quota_limits += reason == SkipReason::kQuotaLimit;
  }
  uint64_t quota_limits = 0;
};

struct Twin {
  HierarchicalAllocator parked{AllocatorOptions::mesos_defaults()};
  HierarchicalAllocator explained{AllocatorOptions::mesos_defaults()};
  CountingExplainer explainer;

  Twin() { explained.set_explainer(&explainer); }
  template <typename F>
  void both(F f) {
    f(parked);
    f(explained);
  }
};

Quota random_quota(Rng& rng) {
  Quota q;
  const int64_t cpus = 1 + static_cast<int64_t>(rng.below(6));
  const int64_t mem = 512 * (1 + static_cast<int64_t>(rng.below(6)));
  q.guarantees = Q(fmt::format("cpus:{};mem:{}", cpus / 2, mem / 2));
  q.limits = {{ResourceName::cpus(), Scalar::from_units(cpus)},
              {ResourceName::mem(), Scalar::from_units(mem)}};
  if (rng.below(4) == 0) q.limits.pop_back();  // mem unlimited: never parked
  return q;
}

void run_history(uint64_t seed) {
  Rng rng(seed);
  Twin twin;
  const int roles = 3 + static_cast<int>(rng.below(8));
  const int agents = 2 + static_cast<int>(rng.below(10));
  for (int r = 0; r < roles; ++r) {
    const std::string role = fmt::format("role{}", r);
    if (rng.below(3) != 0) {
      const Quota q = random_quota(rng);
      twin.both([&](HierarchicalAllocator& a) { ASSERT_TRUE(a.set_quota(role, q).ok()); });
    }
    twin.both([&](HierarchicalAllocator& a) {
      ASSERT_TRUE(a.add_framework(FrameworkId{static_cast<uint32_t>(r)},
                                  framework_info(fmt::format("f{}", r), {role}), true)
                      .ok());
    });
  }
  for (int i = 0; i < agents; ++i) {
    const std::string text = rng.below(4) == 0 ? "cpus:4;mem:4096;ports:[31000-31010]"
                                                 : "cpus:2;mem:2048;disk:100";
    twin.both([&](HierarchicalAllocator& a) {
      ASSERT_TRUE(a.add_agent(agent_id(i), agent_info(fmt::format("h{}", i), text), {}).ok());
    });
  }
  std::vector<Allocation> held;
  for (int step = 0; step < 12; ++step) {
    const Time now = at_seconds(step);
    twin.both([](HierarchicalAllocator& a) { a.request_allocation(); });
    auto offers = twin.parked.allocate(now);
    auto same = twin.explained.allocate(now);
    ASSERT_EQ(describe_offers(offers), describe_offers(same))
        << "seed " << seed << " step " << step;
    held.insert(held.end(), offers.begin(), offers.end());
    // Give back a random part of what is held, sometimes with a filter.
    for (size_t i = 0; i < held.size();) {
      if (rng.below(3) != 0) {
        ++i;
        continue;
      }
      const Allocation back = held[i];
      const std::optional<Duration> refuse =
          rng.below(2) == 0 ? std::optional(Duration::seconds(2)) : std::nullopt;
      twin.both([&](HierarchicalAllocator& a) {
        a.recover(now, back.framework, back.agent, back.role, back.resources, refuse);
      });
      held.erase(held.begin() + static_cast<ptrdiff_t>(i));
    }
  }
}

TEST(QuotaParkingTest, ParkingNeverChangesAnOffer) {
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    run_history(seed);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

// The case parking exists for: every role at its limit, a quarter of the cluster free. The run
// offers nothing, with or without parking.
TEST(QuotaParkingTest, RolesAtTheirLimitAreOfferedNothingMore) {
  Twin twin;
  Quota q;
  q.guarantees = Q("cpus:1;mem:1024");
  q.limits = {{ResourceName::cpus(), Scalar::from_units(1)},
              {ResourceName::mem(), Scalar::from_units(1024)}};
  for (uint32_t r = 0; r < 3; ++r) {
    twin.both([&](HierarchicalAllocator& a) {
      const std::string role = fmt::format("q{}", r);
      ASSERT_TRUE(a.set_quota(role, q).ok());
      ASSERT_TRUE(a.add_framework(FrameworkId{r}, framework_info(fmt::format("f{}", r), {role}),
                                  true)
                      .ok());
    });
  }
  for (int i = 0; i < 2; ++i) {
    twin.both([&](HierarchicalAllocator& a) {
      ASSERT_TRUE(a.add_agent(agent_id(i), agent_info("h", "cpus:2;mem:2048"), {}).ok());
    });
  }
  auto first = twin.parked.allocate(at_seconds(0));
  EXPECT_EQ(describe_offers(first), describe_offers(twin.explained.allocate(at_seconds(0))));
  twin.both([](HierarchicalAllocator& a) { a.request_allocation(); });
  EXPECT_TRUE(twin.parked.allocate(at_seconds(1)).empty());
  EXPECT_TRUE(twin.explained.allocate(at_seconds(1)).empty());
  EXPECT_GT(twin.explainer.quota_limits, 0u) << "the explained twin walked the capped roles";
}

}  // namespace
}  // namespace mesosim
