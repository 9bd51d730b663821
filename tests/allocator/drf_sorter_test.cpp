#include "allocator/drf_sorter.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

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
