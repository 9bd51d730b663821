// Apache Mesos's src/tests/sorter_tests.cpp, re-expressed against our DrfSorter in hierarchical
// mode (Mesos's DRFSorter is always hierarchical and weighted). Mesos's per-agent totals become
// one cluster total; a client Mesos removes while it holds resources is emptied first, as our
// sorter requires; Sorter::update with smaller quantities becomes unallocated() of the
// difference (neither counts an allocation event).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "allocator/drf_sorter.hpp"
#include "tests/allocator/allocator_test_util.hpp"

namespace mesosim {
namespace {

using namespace mesosim::testing;
using Order = std::vector<std::string>;

// A DrfSorter addressed by client path, as Mesos's sorter is.
class Sorter {
 public:
  explicit Sorter(std::string_view total) { s_.set_total(Q(total)); }

  void add(const std::string& path) { ids_[path] = s_.add(path); }
  void remove(const std::string& path) {
    const Quantities held = s_.allocation(id(path));
    Resources r;
    for (ResourceName n : held.names()) r += Resources::scalar(n, held.get(n));
    if (!r.empty()) s_.unallocated(id(path), r);
    s_.remove(id(path));
    ids_.erase(path);
  }
  void allocated(const std::string& path, std::string_view r) { s_.allocated(id(path), R(r)); }
  void unallocated(const std::string& path, std::string_view r) { s_.unallocated(id(path), R(r)); }
  void activate(const std::string& path) { s_.activate(id(path)); }
  void deactivate(const std::string& path) { s_.deactivate(id(path)); }
  void weight(const std::string& path, double w) { s_.set_weight(path, w); }
  void total(std::string_view q) { s_.set_total(Q(q)); }
  bool contains(const std::string& path) const { return s_.find(path) != DrfSorter::kNoClient; }
  size_t count() const { return ids_.size(); }
  Quantities allocation(const std::string& path) const { return s_.allocation(id(path)); }
  Order sort() {
    Order out;
    for (DrfSorter::ClientId c : s_.sort()) out.push_back(s_.path(c));
    return out;
  }

 private:
  DrfSorter::ClientId id(const std::string& path) const { return ids_.at(path); }
  DrfSorter s_{true};
  std::map<std::string, DrfSorter::ClientId> ids_;
};

// Mesos's DRF, ShallowHierarchy and DeepHierarchy run one script under three namings.
void drf_script(const std::vector<std::string>& n) {
  const std::string &a = n[0], &b = n[1], &c = n[2], &d = n[3], &e = n[4], &f = n[5];
  Sorter s("cpus:100;mem:100");
  EXPECT_EQ(s.sort(), Order{});
  s.add(a);
  s.allocated(a, "cpus:5;mem:5");
  s.add(b);
  s.allocated(b, "cpus:6;mem:6");
  EXPECT_EQ(s.sort(), (Order{a, b}));
  s.add(c);
  s.allocated(c, "cpus:1;mem:1");
  s.add(d);
  s.allocated(d, "cpus:3;mem:1");
  EXPECT_EQ(s.sort(), (Order{c, d, a, b}));
  s.remove(a);
  s.unallocated(b, "cpus:4;mem:4");
  EXPECT_EQ(s.sort(), (Order{c, b, d}));
  s.add(e);
  s.allocated(e, "cpus:1;mem:5");
  s.total("cpus:50;mem:100");
  EXPECT_EQ(s.sort(), (Order{c, b, e, d}));
  s.total("cpus:50;mem:200");
  s.add(f);
  s.allocated(f, "cpus:5;mem:1");
  s.allocated(c, "cpus:0;mem:15");
  EXPECT_EQ(s.sort(), (Order{e, b, d, c, f}));
  EXPECT_TRUE(s.contains(b));
  EXPECT_FALSE(s.contains(a));
  EXPECT_EQ(s.count(), 5u);
  s.deactivate(d);
  EXPECT_TRUE(s.contains(d));
  EXPECT_EQ(s.sort(), (Order{e, b, c, f}));
  EXPECT_EQ(s.count(), 5u);
  s.activate(d);
  EXPECT_EQ(s.sort(), (Order{e, b, d, c, f}));
}

// Mesos: DRFSorterTest.DRF
TEST(MesosSorterTest, DRF) { drf_script({"a", "b", "c", "d", "e", "f"}); }

// Mesos: DRFSorterTest.ShallowHierarchy
TEST(MesosSorterTest, ShallowHierarchy) { drf_script({"a/a", "b/b", "c/c", "d/d", "e/e", "f/f"}); }

// Mesos: DRFSorterTest.DeepHierarchy
TEST(MesosSorterTest, DeepHierarchy) {
  drf_script({"a/a/a/a/a", "b/b/b/b", "c/c/c", "d/d", "e/e/e/e/e/e", "f/f"});
}

// Mesos: DRFSorterTest.WDRF
TEST(MesosSorterTest, WDRF) {
  Sorter s("cpus:100;mem:100");
  s.add("a");
  s.allocated("a", "cpus:5;mem:5");
  s.add("b");
  s.weight("b", 2);
  s.allocated("b", "cpus:6;mem:6");
  EXPECT_EQ(s.sort(), (Order{"b", "a"}));
  s.add("c");
  s.allocated("c", "cpus:4;mem:4");
  EXPECT_EQ(s.sort(), (Order{"b", "c", "a"}));
  s.add("d");
  s.weight("d", 10);
  s.allocated("d", "cpus:10;mem:20");
  EXPECT_EQ(s.sort(), (Order{"d", "b", "c", "a"}));
  s.remove("b");
  EXPECT_EQ(s.sort(), (Order{"d", "c", "a"}));
  s.allocated("d", "cpus:10;mem:25");
  EXPECT_EQ(s.sort(), (Order{"c", "d", "a"}));
  s.add("e");
  s.weight("e", 0.1);
  s.allocated("e", "cpus:1;mem:1");
  EXPECT_EQ(s.sort(), (Order{"c", "d", "a", "e"}));
  s.remove("a");
  EXPECT_EQ(s.sort(), (Order{"c", "d", "e"}));
}

// Mesos: DRFSorterTest.UpdateWeight
TEST(MesosSorterTest, UpdateWeight) {
  Sorter s("cpus:100;mem:100");
  s.add("a");
  s.allocated("a", "cpus:5;mem:5");
  s.add("b");
  s.allocated("b", "cpus:6;mem:6");
  EXPECT_EQ(s.sort(), (Order{"a", "b"}));
  s.weight("b", 2);
  EXPECT_EQ(s.sort(), (Order{"b", "a"}));
}

// Mesos: DRFSorterTest.AllocationCountTieBreak
TEST(MesosSorterTest, AllocationCountTieBreak) {
  Sorter s("cpus:100;mem:100");
  for (const char* c : {"a", "b", "c", "d", "e"}) s.add(c);
  s.allocated("a", "cpus:3;mem:3");
  s.allocated("b", "cpus:3;mem:3");
  for (int i = 0; i < 3; ++i) s.allocated("c", "cpus:1;mem:1");
  s.allocated("d", "cpus:2;mem:2");
  s.allocated("d", "cpus:1;mem:1");
  s.allocated("e", "cpus:3;mem:3");
  EXPECT_EQ(s.sort(), (Order{"a", "b", "e", "d", "c"}));
  // Unallocating does not reset the count; re-allocating adds to it.
  s.unallocated("c", "cpus:3;mem:3");
  EXPECT_EQ(s.sort(), (Order{"c", "a", "b", "e", "d"}));
  s.allocated("c", "cpus:3;mem:3");
  EXPECT_EQ(s.sort(), (Order{"a", "b", "e", "d", "c"}));
  // Neither does deactivation.
  s.deactivate("c");
  s.activate("c");
  EXPECT_EQ(s.sort(), (Order{"a", "b", "e", "d", "c"}));
  // Allocations to an inactive client count too.
  s.deactivate("a");
  s.unallocated("a", "cpus:1;mem:3");
  s.allocated("a", "cpus:1;mem:3");
  EXPECT_EQ(s.sort(), (Order{"b", "e", "d", "c"}));
  s.activate("a");
  EXPECT_EQ(s.sort(), (Order{"b", "e", "a", "d", "c"}));
}

// Mesos: DRFSorterTest.HierarchicalAllocation
TEST(MesosSorterTest, HierarchicalAllocation) {
  Sorter s("cpus:100;mem:100");
  s.add("a");
  s.add("b/c");
  s.add("b/d");
  EXPECT_EQ(s.count(), 3u);
  EXPECT_FALSE(s.contains("b"));
  EXPECT_EQ(s.sort(), (Order{"a", "b/c", "b/d"}));
  s.allocated("a", "cpus:6;mem:6");
  EXPECT_EQ(s.sort(), (Order{"b/c", "b/d", "a"}));
  s.allocated("b/c", "cpus:4;mem:4");
  s.allocated("b/d", "cpus:3;mem:3");
  EXPECT_EQ(s.sort(), (Order{"a", "b/d", "b/c"}));
  EXPECT_SAME(s.allocation("b/c"), Q("cpus:4;mem:4"));
  s.allocated("a", "cpus:2;mem:2");
  EXPECT_EQ(s.sort(), (Order{"b/d", "b/c", "a"}));
  s.add("b/e/f");
  EXPECT_FALSE(s.contains("b/e"));
  EXPECT_EQ(s.sort(), (Order{"b/e/f", "b/d", "b/c", "a"}));
  s.allocated("b/e/f", "cpus:3.5;mem:3.5");
  EXPECT_EQ(s.sort(), (Order{"a", "b/d", "b/e/f", "b/c"}));
  s.remove("b/e/f");
  EXPECT_EQ(s.count(), 3u);
  EXPECT_EQ(s.sort(), (Order{"b/d", "b/c", "a"}));
  s.unallocated("b/c", "cpus:3;mem:3");  // Mesos: update from cpus:4;mem:4 to cpus:1;mem:1
  EXPECT_EQ(s.sort(), (Order{"b/c", "b/d", "a"}));
  s.add("b/e/f");
  s.allocated("b/e/f", "cpus:3.5;mem:3.5");
  EXPECT_EQ(s.sort(), (Order{"b/c", "b/d", "b/e/f", "a"}));
  EXPECT_EQ(s.count(), 4u);
}

// Mesos: DRFSorterTest.HierarchicalIterationOrder
TEST(MesosSorterTest, HierarchicalIterationOrder) {
  Sorter s("cpus:100;mem:100");
  for (const char* c : {"a/b", "c", "d", "d/e"}) s.add(c);
  EXPECT_EQ(s.sort(), (Order{"a/b", "c", "d", "d/e"}));
  s.allocated("c", "cpus:8;mem:8");
  EXPECT_EQ(s.sort(), (Order{"a/b", "d", "d/e", "c"}));
  s.allocated("d", "cpus:3;mem:3");
  s.allocated("d/e", "cpus:2;mem:2");
  EXPECT_EQ(s.sort(), (Order{"a/b", "d/e", "d", "c"}));
  s.allocated("a/b", "cpus:6;mem:6");
  EXPECT_EQ(s.sort(), (Order{"d/e", "d", "a/b", "c"}));
}

// Mesos: DRFSorterTest.AddChildToLeaf
TEST(MesosSorterTest, AddChildToLeaf) {
  Sorter s("cpus:100;mem:100");
  s.add("a");
  s.allocated("a", "cpus:10;mem:10");
  s.add("b");
  s.allocated("b", "cpus:6;mem:6");
  EXPECT_EQ(s.sort(), (Order{"b", "a"}));
  s.add("a/c");
  s.allocated("a/c", "cpus:5;mem:5");
  EXPECT_EQ(s.sort(), (Order{"b", "a/c", "a"}));
  s.remove("a");
  EXPECT_FALSE(s.contains("a"));
  EXPECT_EQ(s.sort(), (Order{"a/c", "b"}));
  s.add("a");
  s.allocated("a", "cpus:10;mem:10");
  EXPECT_EQ(s.sort(), (Order{"b", "a/c", "a"}));
  s.weight("a/c", 0.2);
  EXPECT_EQ(s.sort(), (Order{"b", "a", "a/c"}));
  // "a"'s weight lifts its subtree above b; inside it, the virtual leaf "a" is unweighted.
  s.weight("a", 3);
  EXPECT_EQ(s.sort(), (Order{"a", "a/c", "b"}));
  s.weight("a/c", 1);
  EXPECT_EQ(s.sort(), (Order{"a/c", "a", "b"}));
}

// Mesos: DRFSorterTest.AddChildToInternal
TEST(MesosSorterTest, AddChildToInternal) {
  Sorter s("cpus:100;mem:100");
  s.add("x/a");
  s.allocated("x/a", "cpus:10;mem:10");
  s.add("x/b");
  s.allocated("x/b", "cpus:6;mem:6");
  EXPECT_EQ(s.sort(), (Order{"x/b", "x/a"}));
  s.add("x");
  s.allocated("x", "cpus:7;mem:7");
  EXPECT_EQ(s.sort(), (Order{"x/b", "x", "x/a"}));
  s.add("z");
  s.allocated("z", "cpus:20;mem:20");
  EXPECT_EQ(s.sort(), (Order{"z", "x/b", "x", "x/a"}));
  s.remove("x");
  EXPECT_EQ(s.sort(), (Order{"x/b", "x/a", "z"}));
}

// Mesos: DRFSorterTest.AddChildToInactiveLeaf
TEST(MesosSorterTest, AddChildToInactiveLeaf) {
  Sorter s("cpus:100;mem:100");
  s.add("a");
  s.allocated("a", "cpus:10;mem:10");
  s.add("b");
  s.allocated("b", "cpus:6;mem:6");
  s.deactivate("a");
  EXPECT_EQ(s.sort(), (Order{"b"}));
  s.add("a/c");
  s.allocated("a/c", "cpus:5;mem:5");
  // The inactive "a" still counts toward its subtree (15 > 6).
  EXPECT_EQ(s.sort(), (Order{"b", "a/c"}));
}

// Mesos: CommonSorterTest.RemoveLeafCollapseParent
TEST(MesosSorterTest, RemoveLeafCollapseParent) {
  Sorter s("cpus:100;mem:100");
  s.add("a");
  s.allocated("a", "cpus:10;mem:10");
  s.add("b");
  s.allocated("b", "cpus:6;mem:6");
  s.add("a/c");
  s.allocated("a/c", "cpus:5;mem:5");
  EXPECT_THAT(s.sort(), ::testing::UnorderedElementsAre("a", "a/c", "b"));
  s.remove("a/c");
  EXPECT_THAT(s.sort(), ::testing::UnorderedElementsAre("a", "b"));
  EXPECT_EQ(s.sort(), (Order{"b", "a"}));
}

// Mesos: CommonSorterTest.RemoveLeafCollapseParentInactive
TEST(MesosSorterTest, RemoveLeafCollapseParentInactive) {
  Sorter s("cpus:100;mem:100");
  s.add("a");
  s.allocated("a", "cpus:10;mem:10");
  s.add("b");
  s.allocated("b", "cpus:6;mem:6");
  s.add("a/c");
  s.allocated("a/c", "cpus:5;mem:5");
  s.deactivate("a");
  EXPECT_THAT(s.sort(), ::testing::UnorderedElementsAre("a/c", "b"));
  s.remove("a/c");
  EXPECT_EQ(s.sort(), (Order{"b"}));
}

// Mesos: DRFSorterTest.ChangeWeightOnSubtree
TEST(MesosSorterTest, ChangeWeightOnSubtree) {
  Sorter s("cpus:100;mem:100");
  s.weight("b", 3);
  s.weight("a", 2);
  s.add("a/x");
  s.add("b/y");
  EXPECT_EQ(s.sort(), (Order{"a/x", "b/y"}));
  s.allocated("a/x", "cpus:10;mem:10");
  s.allocated("b/y", "cpus:10;mem:10");
  EXPECT_EQ(s.sort(), (Order{"b/y", "a/x"}));
  s.add("b/z");
  s.allocated("b/z", "cpus:5;mem:5");
  EXPECT_EQ(s.sort(), (Order{"b/z", "b/y", "a/x"}));
  s.add("b");
  s.allocated("b", "cpus:4;mem:4");
  EXPECT_EQ(s.sort(), (Order{"a/x", "b", "b/z", "b/y"}));
  s.add("a/zz");
  s.allocated("a/zz", "cpus:2;mem:2");
  EXPECT_EQ(s.sort(), (Order{"a/zz", "a/x", "b", "b/z", "b/y"}));
}

// Mesos: DRFSorterTest.SplitResourceShares (its two 5 MB volumes as plain disk)
TEST(MesosSorterTest, SplitResourceShares) {
  Sorter s("cpus:100;mem:100;disk:100");
  s.add("a");
  s.add("b");
  s.allocated("a", "cpus:9;mem:9;disk:9");
  s.allocated("b", "cpus:9;mem:9;disk:5");
  s.allocated("b", "disk:5");
  EXPECT_EQ(s.sort(), (Order{"a", "b"}));
}

// Mesos: CommonSorterTest.AllocationForInactiveClient
TEST(MesosSorterTest, AllocationForInactiveClient) {
  Sorter s("cpus:10;mem:10");
  s.add("a");
  s.deactivate("a");
  s.add("b");
  s.allocated("a", "cpus:2;mem:2");
  s.allocated("b", "cpus:3;mem:3");
  EXPECT_SAME(s.allocation("a"), Q("cpus:2;mem:2"));
  EXPECT_SAME(s.allocation("b"), Q("cpus:3;mem:3"));
  EXPECT_EQ(s.sort(), (Order{"b"}));
}

// Mesos: CommonSorterTest.MultipleSlaves (ranges never count toward shares)
TEST(MesosSorterTest, MultipleSlaves) {
  Sorter s("cpus:4;mem:1024");
  s.add("framework");
  s.allocated("framework", "cpus:2;mem:512;ports:[31000-32000]");
  s.allocated("framework", "cpus:2;mem:512;ports:[31000-32000]");
  EXPECT_SAME(s.allocation("framework"), Q("cpus:4;mem:1024"));
}

// Mesos: DRFSorterTest.UpdateTotal
TEST(MesosSorterTest, UpdateTotal) {
  Sorter s("cpus:10;mem:100");
  s.add("a");
  s.add("b");
  s.allocated("a", "cpus:2;mem:1");
  s.allocated("b", "cpus:1;mem:2");
  EXPECT_EQ(s.sort(), (Order{"b", "a"}));
  s.total("cpus:100;mem:10");  // mem is now the dominant resource
  EXPECT_EQ(s.sort(), (Order{"a", "b"}));
}

// Mesos: DRFSorterTest.MultipleSlavesUpdateTotal
TEST(MesosSorterTest, MultipleSlavesUpdateTotal) {
  Sorter s("cpus:10;mem:100");
  s.add("a");
  s.add("b");
  s.allocated("a", "cpus:2;mem:1");
  s.allocated("b", "cpus:1;mem:3");
  EXPECT_EQ(s.sort(), (Order{"b", "a"}));
  s.total("cpus:100;mem:100");  // agent A grows from cpus:5 to cpus:95
  EXPECT_EQ(s.sort(), (Order{"a", "b"}));
}

// Mesos: DRFSorterTest.RemoveResources
TEST(MesosSorterTest, RemoveResources) {
  Sorter s("cpus:10");
  s.add("a");
  s.add("b");
  s.allocated("a", "cpus:6");
  s.allocated("b", "cpus:4");
  EXPECT_EQ(s.sort(), (Order{"b", "a"}));
  s.total("cpus:5");
  s.unallocated("a", "cpus:5");
  EXPECT_EQ(s.sort(), (Order{"a", "b"}));
}

// Mesos: DRFSorterTest.RevocableResources (revocable cpus add to the cpus share)
TEST(MesosSorterTest, RevocableResources) {
  Sorter s("cpus:20;mem:100");
  s.add("a");
  s.add("b");
  s.allocated("a", "cpus:2;mem:1");
  s.allocated("b", "cpus:1;mem:1;cpus{REV}:9");
  EXPECT_SAME(s.allocation("b"), Q("cpus:10;mem:1"));
  EXPECT_EQ(s.sort(), (Order{"a", "b"}));
}

}  // namespace
}  // namespace mesosim
