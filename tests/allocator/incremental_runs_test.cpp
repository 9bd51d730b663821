// Runs triggered by one agent's change (allocator.hpp's driving protocol): with every other
// agent fully offered, a run over that agent alone must offer exactly what a run over every agent
// offers, as the plain reference allocator (reference_allocator.hpp) computes it from scratch.
// The histories change the cluster's totals between runs (update_agent, an agent removed and
// added again), so the sorters' deferred and in-place share updates (DrfSorter::set_total,
// HierarchicalAllocator::sync_sorter_totals) are on the path of every run checked.

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "allocator/hierarchical_allocator.hpp"
#include "allocator/rng.hpp"
#include "tests/allocator/allocator_test_util.hpp"
#include "tests/allocator/reference_allocator.hpp"

namespace mesosim {
namespace {

using namespace mesosim::testing;

const char* const kTotals[] = {"cpus:2;mem:1024;disk:4096", "cpus:3;mem:1024;disk:4096",
                               "cpus:2;mem:4096;disk:4096", "cpus:8;mem:512;disk:100",
                               "cpus:1;mem:2048;disk:9000"};

void run_history(uint64_t seed) {
  Rng rng(seed);
  AllocatorOptions options = AllocatorOptions::mesos_defaults();
  options.seed = seed;
  HierarchicalAllocator real(options);
  ReferenceAllocator reference(options);
  auto both = [&](auto f) {
    f(static_cast<Allocator&>(real));
    f(static_cast<Allocator&>(reference));
  };
  const uint32_t frameworks = 5 + static_cast<uint32_t>(rng.below(30));
  const uint32_t agents = 3 + static_cast<uint32_t>(rng.below(20));
  both([&](Allocator& a) { ASSERT_TRUE(a.set_weight("b", 2.5).ok()); });
  for (uint32_t f = 0; f < frameworks; ++f) {
    const std::string role = f % 3 == 0 ? "b" : (f % 3 == 1 ? "a" : "a/x");
    both([&](Allocator& a) {
      ASSERT_TRUE(
          a.add_framework(framework_id(f), framework_info(fmt::format("f{}", f), {role}), true)
              .ok());
    });
  }
  std::vector<std::string> totals(agents);
  for (uint32_t i = 0; i < agents; ++i) {
    totals[i] = kTotals[rng.below(std::size(kTotals))];
    both([&](Allocator& a) {
      ASSERT_TRUE(a.add_agent(agent_id(i), agent_info(fmt::format("h{}", i), totals[i]), {}).ok());
    });
  }
  Time now = at_seconds(1);
  both([](Allocator& a) { a.request_allocation(); });
  const std::vector<Allocation> first = real.allocate(now);
  ASSERT_EQ(describe_offers(first), describe_offers(reference.allocate(now)));
  std::vector<std::vector<Allocation>> held(agents);
  for (const Allocation& o : first) held[o.agent.value].push_back(o);

  for (int step = 0; step < 40; ++step) {
    now = now + Duration::millis(10);
    const auto id = static_cast<uint32_t>(rng.below(agents));
    for (const Allocation& o : held[id]) {
      both([&](Allocator& a) {
        a.recover(now, o.framework, o.agent, o.role, o.resources, std::nullopt);
      });
    }
    held[id].clear();
    switch (rng.below(3)) {
      case 0:  // a task ended or an offer was declined: the master asks for a run on the agent
        both([&](Allocator& a) { a.request_allocation(agent_id(id)); });
        break;
      case 1:  // the agent's total changes (requests a run on it)
        totals[id] = kTotals[rng.below(std::size(kTotals))];
        both([&](Allocator& a) { ASSERT_TRUE(a.update_agent(agent_id(id), R(totals[id])).ok()); });
        break;
      default:  // the agent leaves and comes back with the same total (requests a run on it)
        both([&](Allocator& a) {
          a.remove_agent(agent_id(id));
          ASSERT_TRUE(
              a.add_agent(agent_id(id), agent_info(fmt::format("h{}", id), totals[id]), {}).ok());
        });
        break;
    }
    ASSERT_TRUE(real.allocation_pending());
    const std::vector<Allocation> one = real.allocate(now);
    reference.request_allocation();  // the reference visits every agent
    const std::vector<Allocation> all = reference.allocate(now);
    ASSERT_EQ(describe_offers(one), describe_offers(all)) << "seed " << seed << ", step " << step;
    ASSERT_EQ(one.size(), 1u) << "seed " << seed << ", step " << step;
    EXPECT_EQ(one[0].agent, agent_id(id));
    held[id] = one;
  }
}

TEST(IncrementalRunsTest, OneAgentRunOffersWhatARunOverEveryAgentOffers) {
  for (uint64_t seed = 1; seed <= 100; ++seed) {
    run_history(seed);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace mesosim
