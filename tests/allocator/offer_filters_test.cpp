#include "allocator/offer_filters.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "allocator/rng.hpp"
#include "tests/allocator/allocator_test_util.hpp"

namespace mesosim {
namespace {

using namespace mesosim::testing;

// Filters are told apart by agent_runs, which the test numbers in the order they were added.
std::vector<uint64_t> filters_of(OfferFilters& filters, AgentId agent, uint32_t role) {
  std::vector<uint64_t> out;
  filters.visit(agent, role, [&](const OfferFilter& x) {
    out.push_back(x.agent_runs);
    return false;
  });
  return out;
}

// Random inserts, erasures during visits and by predicate, and clears, against a plain vector
// in the order of insertion: the filters of every (agent, role), in their order, and the set of
// all of them must be the same. Agents reach past the hash table's first sizes, so that growing
// and backward-shift deletion are exercised.
TEST(OfferFiltersTest, LookupsAndErasuresMatchAListInInsertionOrder) {
  Rng rng(3);
  for (int round = 0; round < 30; ++round) {
    OfferFilters filters;
    std::vector<OfferFilter> model;
    const uint32_t agents = round < 10 ? 8 : 64;
    uint64_t serial = 0;
    for (int step = 0; step < 400; ++step) {
      const uint64_t op = rng.below(20);
      if (op < 12) {
        OfferFilter f{agent_id(static_cast<uint32_t>(rng.below(agents))),
                      static_cast<uint32_t>(rng.below(3)),
                      R("cpus:" + std::to_string(serial + 1)), Time::epoch(), ++serial};
        model.push_back(f);
        filters.insert(std::move(f));
      } else if (op < 16) {
        // A visit that drops some of a key's filters (the allocator drops expired ones).
        const AgentId agent = agent_id(static_cast<uint32_t>(rng.below(agents)));
        const uint32_t role = static_cast<uint32_t>(rng.below(3));
        const uint64_t parity = rng.below(3);
        auto drop = [&](const OfferFilter& x) {
          return x.agent == agent && x.role == role && x.agent_runs % 3 == parity;
        };
        std::erase_if(model, drop);
        filters.visit(agent, role, drop);
      } else if (op < 18) {
        const uint32_t role = static_cast<uint32_t>(rng.below(3));
        std::erase_if(model, [&](const OfferFilter& x) { return x.role == role; });
        filters.erase_if([&](const OfferFilter& x) { return x.role == role; });
      } else if (op < 19) {
        const AgentId agent = agent_id(static_cast<uint32_t>(rng.below(agents)));
        std::erase_if(model, [&](const OfferFilter& x) { return x.agent == agent; });
        filters.erase_if([&](const OfferFilter& x) { return x.agent == agent; });
      } else if (rng.below(4) == 0) {
        model.clear();
        filters.clear();
      }
      ASSERT_EQ(filters.size(), model.size());
      ASSERT_EQ(filters.empty(), model.empty());
      std::vector<uint64_t> all;
      filters.for_each([&](const OfferFilter& x) {
        all.push_back(x.agent_runs);
        EXPECT_EQ(x.refused, R("cpus:" + std::to_string(x.agent_runs)));
      });
      std::sort(all.begin(), all.end());
      std::vector<uint64_t> want_all;
      for (const OfferFilter& x : model) want_all.push_back(x.agent_runs);
      ASSERT_EQ(all, want_all) << "round " << round << " step " << step;
      for (uint32_t a = 0; a <= agents; ++a) {
        for (uint32_t r = 0; r < 4; ++r) {
          std::vector<uint64_t> want;
          for (const OfferFilter& x : model) {
            if (x.agent == agent_id(a) && x.role == r) want.push_back(x.agent_runs);
          }
          ASSERT_EQ(filters_of(filters, agent_id(a), r), want)
              << "round " << round << " step " << step << " agent " << a << " role " << r;
        }
      }
    }
  }
}

// A framework that declines a whole cluster holds a filter per agent; dropping them one by one,
// in an order unlike the one they were set in, leaves every other one findable.
TEST(OfferFiltersTest, ThousandsOfAgentsSetAndDroppedOneByOne) {
  OfferFilters filters;
  const uint32_t agents = 5000;
  for (uint32_t a = 0; a < agents; ++a) {
    filters.insert(OfferFilter{agent_id(a), 0, R("cpus:1"), Time::epoch(), a});
  }
  ASSERT_EQ(filters.size(), agents);
  Rng rng(11);
  std::vector<uint32_t> order(agents);
  for (uint32_t a = 0; a < agents; ++a) order[a] = a;
  for (uint32_t i = agents - 1; i > 0; --i) std::swap(order[i], order[rng.below(i + 1)]);
  std::vector<bool> gone(agents, false);
  for (uint32_t k = 0; k < agents; ++k) {
    const uint32_t a = order[k];
    filters.visit(agent_id(a), 0, [](const OfferFilter&) { return true; });
    gone[a] = true;
    ASSERT_EQ(filters.size(), agents - k - 1);
    if (k % 500 == 0) {
      for (uint32_t b = 0; b < agents; ++b) {
        const std::vector<uint64_t> want =
            gone[b] ? std::vector<uint64_t>{} : std::vector<uint64_t>{b};
        ASSERT_EQ(filters_of(filters, agent_id(b), 0), want) << "after " << k << ", agent " << b;
      }
    }
  }
  EXPECT_TRUE(filters.empty());
}

}  // namespace
}  // namespace mesosim
