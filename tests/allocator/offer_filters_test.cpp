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
std::vector<uint64_t> filters_of(const OfferFilters& filters, AgentId agent, uint32_t role) {
  std::vector<uint64_t> out;
  for (size_t i = filters.lower_bound(agent, role); filters.matches(i, agent, role); ++i) {
    out.push_back(filters[i].agent_runs);
  }
  return out;
}

// Random inserts, erasures by position and by predicate, and clears, against a plain vector
// kept sorted by (agent, role) with ties in the order of insertion: the filters of every key,
// and the order of all of them, must be the same.
TEST(OfferFiltersTest, LookupsAndErasuresMatchAStablySortedList) {
  Rng rng(3);
  for (int round = 0; round < 30; ++round) {
    OfferFilters filters;
    std::vector<OfferFilter> model;
    auto before = [](const OfferFilter& a, const OfferFilter& b) {
      return std::tie(a.agent, a.role) < std::tie(b.agent, b.role);
    };
    uint64_t serial = 0;
    for (int step = 0; step < 200; ++step) {
      const uint64_t op = rng.below(20);
      if (op < 12) {
        OfferFilter f{agent_id(static_cast<uint32_t>(rng.below(8))),
                      static_cast<uint32_t>(rng.below(3)),
                      R("cpus:" + std::to_string(serial + 1)), Time::epoch(), ++serial};
        model.insert(std::upper_bound(model.begin(), model.end(), f, before), f);
        filters.insert(std::move(f));
      } else if (op < 16 && !model.empty()) {
        const size_t i = rng.below(model.size());
        model.erase(model.begin() + static_cast<ptrdiff_t>(i));
        filters.erase(i);
      } else if (op < 18) {
        const uint32_t role = static_cast<uint32_t>(rng.below(3));
        std::erase_if(model, [&](const OfferFilter& x) { return x.role == role; });
        filters.erase_if([&](const OfferFilter& x) { return x.role == role; });
      } else if (op < 19) {
        const AgentId agent = agent_id(static_cast<uint32_t>(rng.below(8)));
        std::erase_if(model, [&](const OfferFilter& x) { return x.agent == agent; });
        filters.erase_if([&](const OfferFilter& x) { return x.agent == agent; });
      } else if (rng.below(4) == 0) {
        model.clear();
        filters.clear();
      }
      ASSERT_EQ(filters.size(), model.size());
      ASSERT_EQ(filters.empty(), model.empty());
      for (size_t i = 0; i < model.size(); ++i) {
        ASSERT_EQ(filters[i].agent_runs, model[i].agent_runs)
            << "round " << round << " step " << step;
        ASSERT_EQ(filters[i].refused, model[i].refused) << "round " << round << " step " << step;
      }
      for (uint32_t a = 0; a < 9; ++a) {
        for (uint32_t r = 0; r < 4; ++r) {
          std::vector<uint64_t> want;
          for (const OfferFilter& x : model) {
            if (x.agent == agent_id(a) && x.role == r) want.push_back(x.agent_runs);
          }
          ASSERT_EQ(filters_of(filters, agent_id(a), r), want) << "agent " << a << " role " << r;
        }
      }
    }
  }
}

}  // namespace
}  // namespace mesosim
