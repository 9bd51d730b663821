// Quiet runs (hierarchical_allocator.hpp): a run over every agent that cannot offer anything is
// skipped. That must change only the cost of a run, never an offer: two allocators fed the same
// random history, one skipping and one visiting every agent every time, must make the same
// offers run after run, including after filters expire, agents come and go and frameworks
// suppress and revive.

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "allocator/hierarchical_allocator.hpp"
#include "allocator/rng.hpp"
#include "tests/allocator/allocator_test_util.hpp"

namespace mesosim {
namespace {

using namespace mesosim::testing;

AllocatorOptions options(bool skip, uint64_t seed) {
  AllocatorOptions o = AllocatorOptions::mesos_defaults();
  o.seed = seed;
  o.skip_unchanged_runs = skip;
  return o;
}

struct Twin {
  HierarchicalAllocator lazy;
  HierarchicalAllocator eager;
  explicit Twin(uint64_t seed) : lazy(options(true, seed)), eager(options(false, seed)) {}
  template <typename F>
  void both(F f) {
    f(lazy);
    f(eager);
  }
};

// One random history; returns the runs the lazy allocator skipped.
uint64_t run_history(uint64_t seed) {
  Rng rng(seed);
  Twin twin(seed);
  const uint32_t frameworks = 1 + static_cast<uint32_t>(rng.below(4));
  const uint32_t agents = 2 + static_cast<uint32_t>(rng.below(12));
  if (rng.below(3) == 0) {
    Quota q;
    q.guarantees = Q("cpus:3;mem:1024");
    twin.both([&](HierarchicalAllocator& a) { EXPECT_TRUE(a.set_quota("r0", q).ok()); });
  }
  for (uint32_t f = 0; f < frameworks; ++f) {
    twin.both([&](HierarchicalAllocator& a) {
      EXPECT_TRUE(a.add_framework(framework_id(f),
                                  framework_info(fmt::format("f{}", f), {fmt::format("r{}", f % 2)}),
                                  true)
                      .ok());
    });
  }
  std::vector<bool> present(agents, false);
  std::vector<Allocation> held;
  Time now = at_seconds(0);
  for (int step = 0; step < 200; ++step) {
    // Mostly nothing happens, so that runs can be quiet; otherwise one random change.
    const uint64_t what = rng.below(16);
    const auto f = framework_id(static_cast<uint32_t>(rng.below(frameworks)));
    const auto agent = agent_id(static_cast<uint32_t>(rng.below(agents)));
    if (what == 0 && !present[agent.value]) {
      present[agent.value] = true;
      twin.both([&](HierarchicalAllocator& a) {
        EXPECT_TRUE(a.add_agent(agent, agent_info("h", "cpus:4;mem:4096"), {}).ok());
      });
    } else if (what == 1 && present[agent.value]) {
      twin.both([&](HierarchicalAllocator& a) { a.deactivate_agent(agent); });
    } else if (what == 2 && present[agent.value]) {
      twin.both([&](HierarchicalAllocator& a) { a.activate_agent(agent); });
    } else if (what == 3) {
      twin.both([&](HierarchicalAllocator& a) { a.suppress(f, {}); });
    } else if (what == 4) {
      twin.both([&](HierarchicalAllocator& a) { a.revive(f, {}); });
    } else if (what == 5 && !held.empty()) {
      // A task ends: part of what is held comes back, unfiltered.
      const Allocation back = held.back();
      held.pop_back();
      twin.both([&](HierarchicalAllocator& a) {
        a.recover(now, back.framework, back.agent, back.role, back.resources, std::nullopt);
      });
    }
    // Each run: a periodic one over every agent. Offers are declined with a random filter
    // (none, shorter than the interval, a few intervals, long) or kept.
    twin.both([](HierarchicalAllocator& a) { a.request_allocation(); });
    const auto offers = twin.lazy.allocate(now);
    EXPECT_EQ(describe_offers(offers), describe_offers(twin.eager.allocate(now)))
        << "seed " << seed << " step " << step;
    if (::testing::Test::HasFailure()) return 0;
    for (const Allocation& o : offers) {
      static constexpr int64_t kRefuseMs[] = {0, 300, 2500, 7000, 60000};
      const uint64_t pick = rng.below(6);
      if (pick == 5) {
        held.push_back(o);
        continue;
      }
      const std::optional<Duration> refuse =
          kRefuseMs[pick] == 0 ? std::nullopt : std::optional(Duration::millis(kRefuseMs[pick]));
      twin.both([&](HierarchicalAllocator& a) {
        a.recover(now, o.framework, o.agent, o.role, o.resources, refuse);
      });
    }
    now = now + Duration::seconds(1);
  }
  EXPECT_EQ(twin.eager.skipped_runs(), 0u);
  return twin.lazy.skipped_runs();
}

TEST(QuietRunsTest, SkippingQuietRunsNeverChangesAnOffer) {
  uint64_t skipped = 0;
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    skipped += run_history(seed);
    if (::testing::Test::HasFailure()) return;
  }
  EXPECT_GT(skipped, 1000u) << "the histories must give quiet runs to skip";
}

TEST(QuietRunsTest, ARunIsSkippedOnlyUntilAFilterExpires) {
  HierarchicalAllocator a(options(true, 1));
  ASSERT_TRUE(a.add_framework(framework_id(0), framework_info("f", {"r"}), true).ok());
  ASSERT_TRUE(a.add_agent(agent_id(0), agent_info("h", "cpus:4;mem:4096"), {}).ok());
  auto offers = a.allocate(at_seconds(0));
  ASSERT_EQ(offers.size(), 1u);
  a.recover(at_seconds(0), framework_id(0), agent_id(0), "r", offers[0].resources,
            Duration::seconds(5));
  for (int64_t s = 1; s <= 4; ++s) {
    a.request_allocation();
    EXPECT_TRUE(a.allocate(at_seconds(s)).empty()) << s;
  }
  // The run at 1 s was the filter's first visit (a filter shorter than the interval would end
  // after it, MESOS-4302), so only the run at 2 s, which offered nothing with every filter
  // visited, starts a quiet spell: the runs at 3 and 4 s are skipped. At 5 s the filter's time
  // is up: the run is made, and offers the agent again.
  EXPECT_EQ(a.skipped_runs(), 2u);
  a.request_allocation();
  EXPECT_EQ(a.allocate(at_seconds(5)).size(), 1u);
  EXPECT_EQ(a.skipped_runs(), 2u);
}

// The case that makes a run with a filter's first visit unable to start a quiet spell.
TEST(QuietRunsTest, AFilterShorterThanTheIntervalEndsAfterItsFirstVisitEvenIfQuiet) {
  HierarchicalAllocator a(options(true, 1));
  ASSERT_TRUE(a.add_framework(framework_id(0), framework_info("f", {"r"}), true).ok());
  ASSERT_TRUE(a.add_agent(agent_id(0), agent_info("h", "cpus:4;mem:4096"), {}).ok());
  auto offers = a.allocate(at_seconds(0));
  ASSERT_EQ(offers.size(), 1u);
  a.recover(at_seconds(0), framework_id(0), agent_id(0), "r", offers[0].resources,
            Duration::millis(300));
  a.request_allocation();
  EXPECT_TRUE(a.allocate(at_seconds(1)).empty());  // time is up, but no run visited it yet
  a.request_allocation();
  EXPECT_EQ(a.allocate(at_seconds(2)).size(), 1u);
  EXPECT_EQ(a.skipped_runs(), 0u);
}

TEST(QuietRunsTest, AnyChangeEndsTheQuiet) {
  HierarchicalAllocator a(options(true, 1));
  ASSERT_TRUE(a.add_framework(framework_id(0), framework_info("f", {"r"}), true).ok());
  ASSERT_TRUE(a.add_agent(agent_id(0), agent_info("h", "cpus:4;mem:4096"), {}).ok());
  a.suppress(framework_id(0), {});
  EXPECT_TRUE(a.allocate(at_seconds(0)).empty());
  a.request_allocation();
  EXPECT_TRUE(a.allocate(at_seconds(1)).empty());
  EXPECT_EQ(a.skipped_runs(), 1u);
  a.revive(framework_id(0), {});
  EXPECT_EQ(a.allocate(at_seconds(1)).size(), 1u);
}

}  // namespace
}  // namespace mesosim
