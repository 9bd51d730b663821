#include "allocator/drf_sorter.hpp"

#include <algorithm>
#include <tuple>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "allocator/rng.hpp"
#include "tests/allocator/allocator_test_util.hpp"

namespace mesosim {
namespace {

using namespace mesosim::testing;
using ::testing::ElementsAre;

std::vector<std::string> order(DrfSorter& sorter) {
  std::vector<std::string> out;
  for (auto c : sorter.sort()) out.push_back(sorter.path(c));
  return out;
}

TEST(DrfSorterTest, LowerDominantShareComesFirst) {
  DrfSorter s(false);
  s.set_total(Q("cpus:10;mem:100"));
  auto a = s.add("a");
  auto b = s.add("b");
  s.allocated(a, R("cpus:1;mem:50"));  // dominant: mem 0.5
  s.allocated(b, R("cpus:4;mem:10"));  // dominant: cpus 0.4
  EXPECT_THAT(order(s), ElementsAre("b", "a"));
  EXPECT_DOUBLE_EQ(s.share(a), 0.5);
  EXPECT_DOUBLE_EQ(s.share(b), 0.4);
}

TEST(DrfSorterTest, EqualSharesAreBrokenByAllocationCountThenPath) {
  DrfSorter s(false);
  s.set_total(Q("cpus:10"));
  auto b = s.add("b");
  auto a = s.add("a");
  EXPECT_THAT(order(s), ElementsAre("a", "b"));  // both zero, zero count: path order
  s.allocated(a, R("cpus:1"));
  s.unallocated(a, R("cpus:1"));  // share back to zero, but one allocation event counted
  EXPECT_THAT(order(s), ElementsAre("b", "a"));
  (void)b;
}

TEST(DrfSorterTest, ExcludedAndRangeResourcesDoNotCountTowardShare) {
  DrfSorter s(false);
  s.set_total(Q("cpus:10;gpus:1"));
  s.set_excluded({ResourceName::gpus()});
  auto a = s.add("a");
  s.allocated(a, R("cpus:1;gpus:1;ports:[1-100]"));
  EXPECT_DOUBLE_EQ(s.share(a), 0.1);
}

TEST(DrfSorterTest, ResourcesWithZeroTotalAreSkipped) {
  DrfSorter s(false);
  s.set_total(Q("cpus:10"));
  auto a = s.add("a");
  s.allocated(a, R("cpus:2;mem:64"));  // the cluster has no mem total
  EXPECT_DOUBLE_EQ(s.share(a), 0.2);
}

TEST(DrfSorterTest, WeightsDivideSharesOnlyInHierarchicalMode) {
  DrfSorter roles(true);
  roles.set_total(Q("cpus:10"));
  roles.set_weight("a", 2.0);
  auto a = roles.add("a");
  roles.allocated(a, R("cpus:4"));
  EXPECT_DOUBLE_EQ(roles.share(a), 0.2);
}

TEST(DrfSorterTest, HierarchicalOrderIsPreOrderOverSortedSiblings) {
  DrfSorter s(true);
  s.set_total(Q("cpus:100"));
  auto ab = s.add("a/b");
  auto ac = s.add("a/c");
  auto d = s.add("d");
  s.allocated(ab, R("cpus:10"));
  s.allocated(ac, R("cpus:5"));
  s.allocated(d, R("cpus:12"));
  // Subtree a holds 15 > d's 12, so d first; inside a, c (5) before b (10).
  EXPECT_THAT(order(s), ElementsAre("d", "a/c", "a/b"));
  s.allocated(d, R("cpus:10"));
  EXPECT_THAT(order(s), ElementsAre("a/c", "a/b", "d"));
}

TEST(DrfSorterTest, ClientWithChildrenSitsBesideThemAsVirtualLeaf) {
  DrfSorter s(true);
  s.set_total(Q("cpus:100"));
  auto a = s.add("a");
  auto ab = s.add("a/b");
  s.allocated(ab, R("cpus:10"));
  EXPECT_THAT(order(s), ElementsAre("a", "a/b"));
  s.allocated(a, R("cpus:20"));
  EXPECT_THAT(order(s), ElementsAre("a/b", "a"));
  // The inner node "a" sums both; its share is what a sibling of "a" is compared with.
  auto z = s.add("z");
  s.allocated(z, R("cpus:29"));
  EXPECT_THAT(order(s), ElementsAre("z", "a/b", "a"));
}

TEST(DrfSorterTest, InactiveClientsAreLeftOutButStillCountForTheirParent) {
  DrfSorter s(true);
  s.set_total(Q("cpus:100"));
  auto ab = s.add("a/b");
  auto ac = s.add("a/c");
  auto d = s.add("d");
  s.allocated(ab, R("cpus:50"));
  s.deactivate(ab);
  s.allocated(d, R("cpus:10"));
  EXPECT_THAT(order(s), ElementsAre("d", "a/c"));
  s.activate(ab);
  EXPECT_THAT(order(s), ElementsAre("d", "a/c", "a/b"));
  (void)ac;
}

TEST(DrfSorterTest, WalkOrderIsTheOrderAtItsStartEvenWhenVisitedClientsMove) {
  DrfSorter s(false);
  s.set_total(Q("cpus:100"));
  std::vector<DrfSorter::ClientId> clients;
  for (const char* name : {"a", "b", "c", "d"}) clients.push_back(s.add(name));
  std::vector<std::string> visited;
  s.walk([&](DrfSorter::ClientId c) {
    visited.push_back(s.path(c));
    s.allocated(c, R("cpus:1"));  // every visited client moves to the back
    return true;
  });
  EXPECT_THAT(visited, ElementsAre("a", "b", "c", "d"));
}

TEST(DrfSorterTest, ChangingTotalsReordersLazily) {
  DrfSorter s(false);
  s.set_total(Q("cpus:10;mem:100"));
  auto a = s.add("a");
  auto b = s.add("b");
  s.allocated(a, R("cpus:5"));  // 0.5
  s.allocated(b, R("mem:40"));  // 0.4
  EXPECT_THAT(order(s), ElementsAre("b", "a"));
  s.set_total(Q("cpus:100;mem:100"));  // a: 0.05
  EXPECT_THAT(order(s), ElementsAre("a", "b"));
}

// Changes of totals between allocations, some that keep the order (keys updated in place) and
// some that reorder it (sets rebuilt), some back to the total the shares were computed with:
// after each walk the order must be the one a sorter that had the final totals all along gives.
TEST(DrfSorterTest, OrderAfterChangedTotalsIsTheOrderOfASorterBuiltWithThem) {
  const std::vector<std::string> paths = {"a", "a/x", "a/y", "b", "b/z", "c", "d"};
  const std::vector<Resources> units = {R("cpus:1"), R("mem:64"), R("cpus:1;mem:8"), R("disk:100"),
                                        R("cpus:2;disk:10")};
  const std::vector<Quantities> totals = {
      Q("cpus:40;mem:1024;disk:1000"), Q("cpus:400;mem:1024;disk:1000"),
      Q("cpus:40;mem:100000;disk:1000"), Q("cpus:41;mem:1024;disk:1000"),
      Q("cpus:40;mem:1024;disk:20")};
  Rng rng(11);
  for (int round = 0; round < 50; ++round) {
    DrfSorter live(true);
    std::vector<DrfSorter::ClientId> clients;
    for (const auto& p : paths) clients.push_back(live.add(p));
    live.set_total(totals[0]);
    std::vector<std::pair<size_t, size_t>> events;  // (client, unit) in the order allocated
    Quantities total = totals[0];
    for (int step = 0; step < 60; ++step) {
      if (rng.below(4) == 0) {
        total = totals[rng.below(totals.size())];
        live.set_total(total);
      } else {
        const size_t c = rng.below(clients.size());
        const size_t u = rng.below(units.size());
        live.allocated(clients[c], units[u]);
        events.emplace_back(c, u);
      }
      if (rng.below(3) != 0) continue;
      DrfSorter fresh(true);
      std::vector<DrfSorter::ClientId> fresh_clients;
      for (const auto& p : paths) fresh_clients.push_back(fresh.add(p));
      fresh.set_total(total);
      for (auto [c, u] : events) fresh.allocated(fresh_clients[c], units[u]);
      ASSERT_EQ(order(live), order(fresh)) << "round " << round << ", step " << step;
      for (size_t c = 0; c < clients.size(); ++c) {
        ASSERT_EQ(live.share(clients[c]), fresh.share(fresh_clients[c]));
      }
    }
  }
}

// Ties on share and count fall to the path. Clients added in descending path order, each
// landing before all others, exhaust the gaps between the ranks that stand for paths and force
// renumbering; removed and re-added paths must take their place again.
TEST(DrfSorterTest, EqualSharesAreOrderedByPathWhateverOrderClientsCameIn) {
  for (bool hierarchical : {false, true}) {
    DrfSorter s(hierarchical);
    s.set_total(Q("cpus:100"));
    std::vector<std::string> expected;
    for (int i = 99; i >= 0; --i) {
      s.add(fmt::format("c{:03}", i));
      expected.insert(expected.begin(), fmt::format("c{:03}", i));
      // Something between every pair, added from the middle outwards.
      if (i % 2 == 0) {
        s.add(fmt::format("c{:03}m", i));
        expected.insert(expected.begin() + 1, fmt::format("c{:03}m", i));
      }
    }
    EXPECT_EQ(order(s), expected) << hierarchical;
    for (int i = 10; i < 60; i += 7) s.remove(s.find(fmt::format("c{:03}", i)));
    for (int i = 10; i < 60; i += 7) s.add(fmt::format("c{:03}", i));
    EXPECT_EQ(order(s), expected) << hierarchical;
    // Equal allocations for all, one event each: still by path.
    for (const auto& p : expected) s.allocated(s.find(p), R("cpus:0.5"));
    EXPECT_EQ(order(s), expected) << hierarchical;
  }
}

// Re-keys write a key in place when it keeps its place among the siblings and move the node
// otherwise (to the end by a hint when it passes them all). Allocations of different sizes, in
// both directions, with clients leaving and rejoining the order: after every step the walk must
// give the active clients sorted by (share, allocation count, path), computed here from scratch.
TEST(DrfSorterTest, OrderAfterEveryReKeyIsTheSortedOrderOfTheKeys) {
  const std::vector<Resources> units = {R("cpus:1"), R("cpus:0.001"), R("mem:64"),
                                        R("cpus:3;mem:8")};
  const Quantities total = Q("cpus:100;mem:1024");
  Rng rng(5);
  for (int round = 0; round < 20; ++round) {
    DrfSorter s(false);
    s.set_total(total);
    const size_t n = 1 + rng.below(40);
    std::vector<DrfSorter::ClientId> clients;
    std::vector<std::string> paths;
    std::vector<Quantities> held(n);
    std::vector<std::vector<size_t>> held_units(n);
    std::vector<uint64_t> count(n, 0);
    std::vector<bool> active(n, true);
    for (size_t i = 0; i < n; ++i) {
      paths.push_back(fmt::format("f{:02}", rng.below(100)) + fmt::format("-{}", i));
      clients.push_back(s.add(paths.back()));
    }
    for (int step = 0; step < 300; ++step) {
      const size_t c = rng.below(n);
      const uint64_t what = rng.below(10);
      if (what < 5) {
        const size_t u = rng.below(units.size());
        s.allocated(clients[c], units[u]);
        held[c].add(units[u]);
        held_units[c].push_back(u);
        ++count[c];
      } else if (what < 8 && !held_units[c].empty()) {
        const size_t k = rng.below(held_units[c].size());
        const Resources& unit = units[held_units[c][k]];
        s.unallocated(clients[c], unit);
        held[c].subtract(unit);
        held_units[c].erase(held_units[c].begin() + static_cast<ptrdiff_t>(k));
      } else if (what == 8) {
        s.deactivate(clients[c]);
        active[c] = false;
      } else {
        s.activate(clients[c]);
        active[c] = true;
      }
      std::vector<size_t> expected;
      for (size_t i = 0; i < n; ++i) {
        if (active[i]) expected.push_back(i);
      }
      auto share = [&](size_t i) {
        // As the sorter divides: milli-units by milli-units.
        return std::max(static_cast<double>(held[i].get(ResourceName::cpus()).milli()) / 100000.0,
                        static_cast<double>(held[i].get(ResourceName::mem()).milli()) / 1024000.0);
      };
      std::sort(expected.begin(), expected.end(), [&](size_t a, size_t b) {
        return std::tuple(share(a), count[a], paths[a]) < std::tuple(share(b), count[b], paths[b]);
      });
      std::vector<std::string> want;
      for (size_t i : expected) want.push_back(paths[i]);
      ASSERT_EQ(order(s), want) << "round " << round << ", step " << step;
    }
  }
}

TEST(DrfSorterTest, RemovedClientPathCanBeAddedAgain) {
  DrfSorter s(true);
  s.set_total(Q("cpus:10"));
  auto a = s.add("x/y");
  s.remove(a);
  EXPECT_EQ(s.find("x/y"), DrfSorter::kNoClient);
  auto again = s.add("x/y");
  EXPECT_THAT(order(s), ElementsAre("x/y"));
  EXPECT_EQ(s.find("x/y"), again);
}

}  // namespace
}  // namespace mesosim
