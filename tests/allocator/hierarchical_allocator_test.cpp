#include "allocator/hierarchical_allocator.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <span>
#include <string>
#include <vector>

#include "allocator/rng.hpp"
#include "tests/allocator/allocator_test_util.hpp"

namespace mesosim {
namespace {

using namespace mesosim::testing;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

HierarchicalAllocator make_allocator(uint64_t seed = 1) {
  AllocatorOptions options = AllocatorOptions::mesos_defaults();
  options.seed = seed;
  return HierarchicalAllocator(options);
}

// Offers task by task as the DRF paper describes: each offer's receiver launches one task if
// it fits and returns the rest unfiltered; one that cannot fit a task declines for a long time.
// Returns the order in which tasks were launched.
std::string progressive_filling(HierarchicalAllocator& alloc,
                                const std::map<FrameworkId, Resources>& task) {
  std::string order;
  for (int64_t step = 0; step < 100; ++step) {
    const Time now = at_seconds(step);
    alloc.request_allocation();
    auto offers = alloc.allocate(now);
    if (offers.empty()) break;
    for (const Allocation& offer : offers) {
      const Resources& need = task.at(offer.framework);
      if (offer.resources.contains(need)) {
        order += offer.role;
        alloc.recover(now, offer.framework, offer.agent, offer.role, offer.resources - need,
                      std::nullopt);
      } else {
        alloc.recover(now, offer.framework, offer.agent, offer.role, offer.resources,
                      Duration::days(1));
      }
    }
  }
  return order;
}

TEST(HierarchicalAllocatorTest, DrfPaperExampleGivesThreeAndTwoTasksAtEqualDominantShares) {
  HierarchicalAllocator alloc = make_allocator();
  ASSERT_TRUE(alloc.add_agent(agent_id(0), agent_info("h0", "cpus:9;mem:18432"), {}).ok());
  ASSERT_TRUE(alloc.add_framework(framework_id(0), framework_info("A", {"a"}), true).ok());
  ASSERT_TRUE(alloc.add_framework(framework_id(1), framework_info("B", {"b"}), true).ok());

  const std::string order = progressive_filling(
      alloc, {{framework_id(0), R("cpus:1;mem:4096")}, {framework_id(1), R("cpus:3;mem:1024")}});

  EXPECT_EQ(order,
            "abab"
            "a");
  EXPECT_EQ(alloc.allocated(framework_id(0), agent_id(0), "a"), R("cpus:3;mem:12288"));
  EXPECT_EQ(alloc.allocated(framework_id(1), agent_id(0), "b"), R("cpus:6;mem:2048"));
  EXPECT_DOUBLE_EQ(alloc.role_share("a"), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(alloc.role_share("b"), 2.0 / 3.0);
}

TEST(HierarchicalAllocatorTest, DrfPaperExampleWithWeightTwoServesTheHeavierUserFirst) {
  HierarchicalAllocator alloc = make_allocator();
  ASSERT_TRUE(alloc.set_weight("a", 2.0).ok());
  ASSERT_TRUE(alloc.add_agent(agent_id(0), agent_info("h0", "cpus:9;mem:18432"), {}).ok());
  ASSERT_TRUE(alloc.add_framework(framework_id(0), framework_info("A", {"a"}), true).ok());
  ASSERT_TRUE(alloc.add_framework(framework_id(1), framework_info("B", {"b"}), true).ok());

  const std::string order = progressive_filling(
      alloc, {{framework_id(0), R("cpus:1;mem:4096")}, {framework_id(1), R("cpus:3;mem:1024")}});

  // Unweighted the order is a b a b a; with A's weight doubled A takes its third task before
  // B's second (A at 4/9 raw is 2/9 weighted, below B's 1/3).
  EXPECT_EQ(order, "abaab");
  // Weighted dominant shares: A 2/3 / 2 = 1/3, B 2/3.
  EXPECT_DOUBLE_EQ(alloc.role_share("a"), 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(alloc.role_share("b"), 2.0 / 3.0);
}

// A framework's holdings are listed one entry per (agent, role) record, and dropping one moves
// the last into its slot. Partial and whole recoveries in a random order, in two roles and
// beside another framework, move entries around; removing the framework must still release
// exactly what it held, on every agent.
TEST(HierarchicalAllocatorTest, RemovingAFrameworkReleasesWhatItHeldAfterRecoveriesInAnyOrder) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    HierarchicalAllocator alloc = make_allocator(seed);
    Rng rng(seed);
    for (uint32_t i = 0; i < 12; ++i) {
      ASSERT_TRUE(
          alloc.add_agent(agent_id(i), agent_info("h" + std::to_string(i), "cpus:4;mem:4096"), {})
              .ok());
    }
    ASSERT_TRUE(alloc.add_framework(framework_id(0), framework_info("X", {"r1", "r2"}), true).ok());
    ASSERT_TRUE(alloc.add_framework(framework_id(1), framework_info("Y", {"r1"}), true).ok());
    std::vector<Allocation> held;
    for (int step = 0; step < 8; ++step) {
      alloc.request_allocation();
      for (Allocation& a : alloc.allocate(at_seconds(step))) held.push_back(std::move(a));
      rng.shuffle(std::span(held));
      // Return about half of what is held: some whole, some a part of it.
      std::vector<Allocation> kept;
      for (Allocation& a : held) {
        if (rng.below(2) == 0) {
          kept.push_back(std::move(a));
        } else if (rng.below(2) == 0 && a.resources.contains(R("cpus:1;mem:1024")) &&
                   !(a.resources == R("cpus:1;mem:1024"))) {
          alloc.recover(at_seconds(step), a.framework, a.agent, a.role, R("cpus:1;mem:1024"),
                        std::nullopt);
          a.resources -= R("cpus:1;mem:1024");
          kept.push_back(std::move(a));
        } else {
          alloc.recover(at_seconds(step), a.framework, a.agent, a.role, a.resources, std::nullopt);
        }
      }
      held = std::move(kept);
    }
    alloc.remove_framework(framework_id(0));
    for (uint32_t i = 0; i < 12; ++i) {
      const Resources y = alloc.allocated(framework_id(1), agent_id(i), "r1");
      EXPECT_EQ(alloc.available(agent_id(i)) + y, R("cpus:4;mem:4096"))
          << "seed " << seed << ", agent " << i;
    }
  }
}

// An offer of everything free on an agent takes the agent's free resources over whole, and a
// record recovered whole is kept (stale) for the next record to copy into: neither may leave
// anything behind. Offers with and without ports, whole and partial, alternate across agents.
TEST(HierarchicalAllocatorTest, OffersAndRecordsHoldExactlyWhatWasOfferedWhenBuffersAreReused) {
  HierarchicalAllocator alloc = make_allocator();
  ASSERT_TRUE(alloc
                  .add_agent(agent_id(0),
                             agent_info("h0", "cpus:4;mem:4096;ports:[31000-31009,31020-31029]"),
                             {})
                  .ok());
  ASSERT_TRUE(alloc.add_agent(agent_id(1), agent_info("h1", "cpus:2;mem:1024;cpus(b):1"), {}).ok());
  ASSERT_TRUE(alloc.add_framework(framework_id(0), framework_info("A", {"a"}), true).ok());
  for (int step = 0; step < 3; ++step) {
    alloc.request_allocation();
    const std::vector<Allocation> offers = alloc.allocate(at_seconds(step));
    ASSERT_THAT(offers, SizeIs(2)) << describe_offers(offers);
    for (const Allocation& o : offers) {
      const Resources want = o.agent == agent_id(0)
                                 ? R("cpus:4;mem:4096;ports:[31000-31009,31020-31029]")
                                 : R("cpus:2;mem:1024");
      EXPECT_SAME(o.resources, want);
      EXPECT_SAME(alloc.allocated(framework_id(0), o.agent, "a"), want);
    }
    EXPECT_TRUE(alloc.available(agent_id(0)).empty());
    EXPECT_SAME(alloc.available(agent_id(1)), R("cpus(b):1"));
    // Agent 0's offer comes back in two parts, the first with every port; agent 1's whole.
    alloc.recover(at_seconds(step), framework_id(0), agent_id(0), "a",
                  R("cpus:1;ports:[31000-31009,31020-31029]"), std::nullopt);
    EXPECT_SAME(alloc.available(agent_id(0)), R("cpus:1;ports:[31000-31009,31020-31029]"));
    EXPECT_SAME(alloc.allocated(framework_id(0), agent_id(0), "a"), R("cpus:3;mem:4096"));
    alloc.recover(at_seconds(step), framework_id(0), agent_id(0), "a", R("cpus:3;mem:4096"),
                  std::nullopt);
    alloc.recover(at_seconds(step), framework_id(0), agent_id(1), "a", R("cpus:2;mem:1024"),
                  std::nullopt);
    EXPECT_SAME(alloc.available(agent_id(0)), R("cpus:4;mem:4096;ports:[31000-31009,31020-31029]"));
    EXPECT_SAME(alloc.available(agent_id(1)), R("cpus:2;mem:1024;cpus(b):1"));
    EXPECT_TRUE(alloc.allocated(framework_id(0), agent_id(0), "a").empty());
  }
}

// allocate_into() is the same run as allocate(): twin allocators, one driven by each, make the
// same offers in the same order, round after round, while the caller's vector (stale entries in
// it at first) is cleared and keeps its block once it is large enough.
TEST(HierarchicalAllocatorTest, AllocateIntoMakesTheSameOffersAndKeepsTheCallersBlock) {
  HierarchicalAllocator returning = make_allocator(7);
  HierarchicalAllocator into = make_allocator(7);
  for (HierarchicalAllocator* alloc : {&returning, &into}) {
    for (uint32_t i = 0; i < 12; ++i) {
      const char* total = i % 3 == 0 ? "cpus:4;mem:4096;ports:[31000-31009]" : "cpus:2;mem:1024";
      ASSERT_TRUE(alloc->add_agent(agent_id(i), agent_info("h", total), {}).ok());
    }
    ASSERT_TRUE(alloc->add_framework(framework_id(0), framework_info("A", {"a"}), true).ok());
    ASSERT_TRUE(alloc->add_framework(framework_id(1), framework_info("B", {"a", "b"}), true).ok());
    ASSERT_TRUE(alloc->add_framework(framework_id(2), framework_info("C", {"b"}), true).ok());
  }
  std::vector<Allocation> out(3, Allocation{framework_id(9), agent_id(9), "stale", R("cpus:1")});
  const Allocation* block = nullptr;
  for (int round = 0; round < 6; ++round) {
    const Time now = at_seconds(round);
    returning.request_allocation();
    into.request_allocation();
    const std::vector<Allocation> want = returning.allocate(now);
    into.allocate_into(now, out);
    ASSERT_EQ(out.size(), want.size()) << "round " << round << "\n" << describe_offers(want);
    ASSERT_FALSE(want.empty()) << "round " << round;
    for (size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(out[i].framework, want[i].framework) << "round " << round << " offer " << i;
      EXPECT_EQ(out[i].agent, want[i].agent) << "round " << round << " offer " << i;
      EXPECT_EQ(out[i].role, want[i].role) << "round " << round << " offer " << i;
      EXPECT_SAME(out[i].resources, want[i].resources);
    }
    if (round > 0) {
      EXPECT_EQ(out.data(), block) << "round " << round << ": a new block";
    }
    block = out.data();
    // Every other offer declined for two rounds, the rest returned; the owner then clears its
    // vector, as the master does.
    for (HierarchicalAllocator* alloc : {&returning, &into}) {
      for (size_t i = 0; i < want.size(); ++i) {
        const std::optional<Duration> refuse =
            i % 2 == 0 ? std::optional(Duration::seconds(2)) : std::nullopt;
        alloc->recover(now, want[i].framework, want[i].agent, want[i].role, want[i].resources,
                       refuse);
      }
    }
    out.clear();
  }
}

// Each agent indexes the (framework, role) pairs that may have filters on it, and drops a pair
// lazily once a look-up finds none (after REVIVE cleared them, or they expired). A filter set
// again after that, or on an agent removed and added back, must hold as the first one did.
TEST(HierarchicalAllocatorTest, FiltersSetAgainAfterRevivalOrExpiryStillHold) {
  HierarchicalAllocator alloc = make_allocator();
  ASSERT_TRUE(alloc.add_agent(agent_id(0), agent_info("h0", "cpus:2;mem:1024"), {}).ok());
  ASSERT_TRUE(alloc.add_framework(framework_id(0), framework_info("A", {"a"}), true).ok());
  ASSERT_TRUE(alloc.add_framework(framework_id(1), framework_info("B", {"a"}), true).ok());
  const Resources all = R("cpus:2;mem:1024");
  // Both frameworks decline for 10 s; B's filter is cleared by REVIVE, A's expires.
  int64_t t = 0;
  for (int round = 0; round < 4; ++round) {
    for (uint32_t f = 0; f < 2; ++f) {
      alloc.request_allocation();
      const std::vector<Allocation> offers = alloc.allocate(at_seconds(++t));
      ASSERT_THAT(offers, SizeIs(1)) << "round " << round << " framework " << f;
      alloc.recover(at_seconds(t), offers[0].framework, agent_id(0), "a", all,
                    Duration::seconds(10));
    }
    // Both filtered now: nothing is offered.
    alloc.request_allocation();
    EXPECT_THAT(alloc.allocate(at_seconds(++t)), IsEmpty()) << "round " << round;
    if (round % 2 == 0) {
      alloc.revive(framework_id(1), {});
      alloc.request_allocation();
      const std::vector<Allocation> offers = alloc.allocate(at_seconds(++t));
      ASSERT_THAT(offers, SizeIs(1)) << "round " << round;
      EXPECT_EQ(offers[0].framework, framework_id(1));
      alloc.recover(at_seconds(t), framework_id(1), agent_id(0), "a", all, std::nullopt);
      alloc.remove_agent(agent_id(0));
      ASSERT_TRUE(alloc.add_agent(agent_id(0), agent_info("h0", "cpus:2;mem:1024"), {}).ok());
    }
    t += 20;  // every filter's time is up; the next run visits the agent, then they are gone
    alloc.request_allocation();
    const std::vector<Allocation> offers = alloc.allocate(at_seconds(t));
    for (const Allocation& o : offers) {
      alloc.recover(at_seconds(t), o.framework, o.agent, o.role, o.resources, std::nullopt);
    }
  }
}

}  // namespace
}  // namespace mesosim
