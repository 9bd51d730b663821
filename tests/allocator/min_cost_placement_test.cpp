#include "allocator/min_cost_placement.hpp"

#include <gtest/gtest.h>

#include "tests/allocator/allocator_test_util.hpp"

namespace mesosim {
namespace {

using namespace mesosim::testing;

PlacementTask task(std::string_view demand, std::vector<std::pair<uint32_t, int64_t>> preferred,
                   int64_t any_cost, int64_t wait_cost) {
  return PlacementTask{Q(demand), std::move(preferred), any_cost, wait_cost};
}

std::vector<std::optional<uint32_t>> agents(std::initializer_list<std::optional<uint32_t>> a) {
  return a;
}

TEST(MinCostPlacementTest, EachTaskGoesToItsPreferredAgent) {
  PlacementProblem p{{Q("cpus:1"), Q("cpus:1")},
                     {task("cpus:1", {{1, 0}}, 10, 50), task("cpus:1", {{0, 0}}, 10, 50)}};
  Placement out = place_min_cost(p);
  EXPECT_EQ(out.agent_of, agents({1u, 0u}));
  EXPECT_EQ(out.cost, 0);
}

// A greedy placer taking tasks in order would give the one slot of agent 0 to the first task
// and pay 10 for the second; the optimum gives it to the second and pays 3 for the first.
TEST(MinCostPlacementTest, ContendedSlotGoesWhereLosingItCostsMost) {
  PlacementProblem p{{Q("cpus:1"), Q("cpus:1")},
                     {task("cpus:1", {{0, 0}}, 3, 50), task("cpus:1", {{0, 0}}, 10, 50)}};
  Placement out = place_min_cost(p);
  EXPECT_EQ(out.agent_of, agents({1u, 0u}));
  EXPECT_EQ(out.cost, 3);
}

// Costs [[4,1,3],[2,0,5],[3,2,2]]: of the six assignments, t0->a1, t1->a0, t2->a2 (5) is the
// only one of least cost.
TEST(MinCostPlacementTest, SolvesAnAssignmentProblemOptimally) {
  const int64_t c[3][3] = {{4, 1, 3}, {2, 0, 5}, {3, 2, 2}};
  PlacementProblem p;
  p.free = {Q("cpus:1"), Q("cpus:1"), Q("cpus:1")};
  for (auto& row : c) {
    p.tasks.push_back(task("cpus:1", {{0, row[0]}, {1, row[1]}, {2, row[2]}}, 1000, 1000));
  }
  Placement out = place_min_cost(p);
  EXPECT_EQ(out.agent_of, agents({1u, 0u, 2u}));
  EXPECT_EQ(out.cost, 5);
}

TEST(MinCostPlacementTest, WaitsForItsAgentWhileWaitingIsCheaperThanRunningRemotely) {
  PlacementProblem p{{Q("cpus:0"), Q("cpus:4")}, {task("cpus:1", {{0, 0}}, 100, 50)}};
  Placement waiting = place_min_cost(p);
  EXPECT_EQ(waiting.agent_of, agents({std::nullopt}));
  EXPECT_EQ(waiting.cost, 50);

  p.tasks[0].wait_cost = 150;  // it has waited long enough
  Placement remote = place_min_cost(p);
  EXPECT_EQ(remote.agent_of, agents({1u}));
  EXPECT_EQ(remote.cost, 100);
}

TEST(MinCostPlacementTest, ATaskThatFitsNowhereIsLeftUnplaced) {
  PlacementProblem p{{Q("cpus:2;mem:100")}, {task("cpus:4", {}, 1, 7), task("cpus:1", {}, 1, 7)}};
  Placement out = place_min_cost(p);
  EXPECT_EQ(out.agent_of, agents({std::nullopt, 0u}));
  EXPECT_EQ(out.cost, 7 + 1);
}

// Slots are counted in the largest shape, so mixed shapes need more than one round; every task
// that fits still gets placed and no agent is over-committed.
TEST(MinCostPlacementTest, MixedShapesArePackedOverRounds) {
  PlacementProblem p{{Q("cpus:4;mem:4096")},
                     {task("cpus:2;mem:3000", {}, 1, 100), task("cpus:1;mem:512", {}, 1, 100),
                      task("cpus:1;mem:512", {}, 1, 100)}};
  Placement out = place_min_cost(p);
  EXPECT_EQ(out.agent_of, agents({0u, 0u, 0u}));
  EXPECT_GE(out.rounds, 2u);
  EXPECT_EQ(out.cost, 3);
}

TEST(MinCostPlacementTest, NoAgentTakesMoreThanItHasFree) {
  PlacementProblem p;
  p.free = {Q("cpus:3;mem:300"), Q("cpus:2;mem:900")};
  for (int i = 0; i < 8; ++i) p.tasks.push_back(task("cpus:1;mem:200", {}, 1, 100));
  Placement out = place_min_cost(p);
  std::vector<Quantities> used(2);
  size_t placed = 0;
  for (size_t t = 0; t < p.tasks.size(); ++t) {
    if (!out.agent_of[t]) continue;
    used[*out.agent_of[t]] += p.tasks[t].demand;
    ++placed;
  }
  EXPECT_TRUE(p.free[0].contains(used[0]));
  EXPECT_TRUE(p.free[1].contains(used[1]));
  EXPECT_EQ(placed, 3u);  // one on agent 0 (mem 300), two on agent 1 (cpus 2)
}

TEST(MinCostPlacementTest, SameProblemSameAnswer) {
  PlacementProblem p;
  p.free = {Q("cpus:2"), Q("cpus:2"), Q("cpus:2")};
  for (uint32_t i = 0; i < 7; ++i) p.tasks.push_back(task("cpus:1", {{i % 3, 1}}, 5, 9));
  Placement a = place_min_cost(p);
  Placement b = place_min_cost(p);
  EXPECT_EQ(a.agent_of, b.agent_of);
  EXPECT_EQ(a.cost, b.cost);
  EXPECT_EQ(a.cost, 6 * 1 + 9);  // six slots, six tasks local at cost 1, the seventh waits
}

}  // namespace
}  // namespace mesosim
