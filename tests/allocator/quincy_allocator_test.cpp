#include "allocator/quincy_allocator.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/allocator/allocator_test_util.hpp"

namespace mesosim {
namespace {

using namespace mesosim::testing;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

class QuincyAllocatorTest : public ::testing::Test {
 protected:
  QuincyAllocator alloc{AllocatorOptions::mesos_defaults(), QuincyOptions{}};

  void agents(int n, std::string_view resources = "cpus:2;mem:2048;ports:[31000-31009]") {
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(
          alloc.add_agent(agent_id(i), agent_info("h" + std::to_string(i), resources), {}).ok());
    }
  }
  void framework(uint32_t id, std::string role = "r") {
    ASSERT_TRUE(alloc
                    .add_framework(framework_id(id),
                                   framework_info("f" + std::to_string(id), {std::move(role)}),
                                   true)
                    .ok());
  }
  static Demand demand(std::string_view resources, uint32_t count,
                       std::vector<std::pair<AgentId, int64_t>> preferred = {},
                       Time since = Time::epoch(), std::string role = "r") {
    return Demand{std::move(role), R(resources), count, std::move(preferred), since};
  }
};

TEST_F(QuincyAllocatorTest, OffersExactlyWhatWasPlacedOnThePreferredAgents) {
  agents(3);
  framework(0);
  alloc.set_demands(framework_id(0), {demand("cpus:1;mem:256", 2, {{agent_id(2), 0}})});
  ASSERT_TRUE(alloc.allocation_pending());
  auto offers = alloc.allocate(at_seconds(1));
  ASSERT_THAT(offers, SizeIs(1));
  EXPECT_EQ(offers[0].agent, agent_id(2));
  EXPECT_EQ(offers[0].role, "r");
  EXPECT_SAME(offers[0].resources, R("cpus:2;mem:512"));
  EXPECT_SAME(alloc.allocated(framework_id(0), agent_id(2), "r"), R("cpus:2;mem:512"));
  EXPECT_SAME(alloc.available(agent_id(2)), R("mem:1536;ports:[31000-31009]"));
  EXPECT_FALSE(alloc.allocation_pending());
}

TEST_F(QuincyAllocatorTest, AFrameworkThatDeclaresNothingIsOfferedNothing) {
  agents(2);
  framework(0);
  framework(1);
  alloc.set_demands(framework_id(1), {demand("cpus:1;mem:128", 1)});
  auto offers = alloc.allocate(at_seconds(1));
  ASSERT_THAT(offers, SizeIs(1));
  EXPECT_EQ(offers[0].framework, framework_id(1));
}

TEST_F(QuincyAllocatorTest, PortsAreGivenFromTheAgentsFreeRangesLowestFirst) {
  agents(1);
  framework(0);
  alloc.set_demands(framework_id(0), {demand("cpus:1;mem:128;ports:[1-2]", 2)});
  auto offers = alloc.allocate(at_seconds(1));
  ASSERT_THAT(offers, SizeIs(1));
  EXPECT_SAME(offers[0].resources, R("cpus:2;mem:256;ports:[31000-31003]"));
}

TEST_F(QuincyAllocatorTest, ATaskWaitsForItsBusyAgentUntilWaitingCostsMoreThanRunningRemotely) {
  agents(2);
  framework(0);
  framework(1);
  // Framework 1 fills agent 0.
  alloc.set_demands(framework_id(1), {demand("cpus:2;mem:2048", 1, {{agent_id(0), 0}})});
  ASSERT_THAT(alloc.allocate(at_seconds(0)), SizeIs(1));
  alloc.set_demands(framework_id(1), {});
  // Waiting costs 50 + 10/s; running on agent 1 costs 100: it waits until more than 5 s pass.
  alloc.set_demands(framework_id(0),
                    {demand("cpus:1;mem:128", 1, {{agent_id(0), 0}}, at_seconds(0))});
  EXPECT_THAT(alloc.allocate(at_seconds(4)), IsEmpty());
  auto offers = alloc.allocate(at_seconds(6));
  ASSERT_THAT(offers, SizeIs(1));
  EXPECT_EQ(offers[0].agent, agent_id(1));
}

TEST_F(QuincyAllocatorTest, DeclineFilterKeepsThePlacementOffTheAgentUntilItExpires) {
  agents(1);
  framework(0);
  alloc.set_demands(framework_id(0), {demand("cpus:1;mem:128", 1)});
  auto offers = alloc.allocate(at_seconds(0));
  ASSERT_THAT(offers, SizeIs(1));
  alloc.recover(at_seconds(0), framework_id(0), agent_id(0), "r", offers[0].resources,
                Duration::seconds(5));
  EXPECT_THAT(alloc.allocate(at_seconds(3)), IsEmpty());
  EXPECT_THAT(alloc.allocate(at_seconds(5)), SizeIs(1));
}

TEST_F(QuincyAllocatorTest, SuppressedRolesArePlacedAgainAfterRevive) {
  agents(1);
  framework(0);
  alloc.set_demands(framework_id(0), {demand("cpus:1;mem:128", 1)});
  alloc.suppress(framework_id(0), {});
  EXPECT_THAT(alloc.allocate(at_seconds(0)), IsEmpty());
  alloc.revive(framework_id(0), {"r"});
  EXPECT_TRUE(alloc.allocation_pending());
  EXPECT_THAT(alloc.allocate(at_seconds(1)), SizeIs(1));
}

TEST_F(QuincyAllocatorTest, InactiveAgentsAndFrameworksTakeNoPart) {
  agents(1);
  framework(0);
  alloc.set_demands(framework_id(0), {demand("cpus:1;mem:128", 1)});
  alloc.deactivate_agent(agent_id(0));
  EXPECT_THAT(alloc.allocate(at_seconds(0)), IsEmpty());
  alloc.activate_agent(agent_id(0));
  alloc.deactivate_framework(framework_id(0));
  EXPECT_THAT(alloc.allocate(at_seconds(0)), IsEmpty());
  alloc.activate_framework(framework_id(0));
  EXPECT_THAT(alloc.allocate(at_seconds(0)), SizeIs(1));
}

TEST_F(QuincyAllocatorTest, RecoveredResourcesAreFreeAgainAndTotalsBalance) {
  agents(1);
  framework(0);
  alloc.set_demands(framework_id(0), {demand("cpus:1;mem:128", 1)});
  auto offers = alloc.allocate(at_seconds(0));
  ASSERT_THAT(offers, SizeIs(1));
  EXPECT_SAME(alloc.available(agent_id(0)) + alloc.allocated(framework_id(0), agent_id(0), "r"),
              alloc.total(agent_id(0)));
  alloc.recover(at_seconds(0), framework_id(0), agent_id(0), "r", offers[0].resources,
                std::nullopt);
  EXPECT_SAME(alloc.available(agent_id(0)), alloc.total(agent_id(0)));
  EXPECT_TRUE(alloc.allocated(framework_id(0), agent_id(0), "r").empty());
}

TEST_F(QuincyAllocatorTest, UsedResourcesOfARegisteringAgentCountAsAllocated) {
  framework(0);
  ASSERT_TRUE(alloc
                  .add_agent(agent_id(0), agent_info("h0", "cpus:2;mem:1024"),
                             {{framework_id(0), "r", R("cpus:1;mem:512")}})
                  .ok());
  EXPECT_SAME(alloc.available(agent_id(0)), R("cpus:1;mem:512"));
}

TEST_F(QuincyAllocatorTest, WeightsAndQuotaAreRefusedWithTheRoleNamed) {
  Status w = alloc.set_weight("eng", 2);
  ASSERT_FALSE(w.ok());
  EXPECT_THAT(w.error().message, HasSubstr("'eng'"));
  EXPECT_FALSE(alloc.set_quota("eng", Quota{}).ok());
}

TEST_F(QuincyAllocatorTest, PlacedTasksAreNotPlacedAgainUntilTheirOfferIsAnswered) {
  agents(2);
  framework(0);
  alloc.set_demands(framework_id(0), {demand("cpus:1;mem:128", 3)});
  auto first = alloc.allocate(at_seconds(0));
  Resources offered;
  for (const auto& o : first) offered += o.resources;
  EXPECT_SAME(offered, R("cpus:3;mem:384"));
  alloc.request_allocation();
  EXPECT_THAT(alloc.allocate(at_seconds(1)), IsEmpty()) << "all three are in unanswered offers";
  // Declining one offer (no filter) puts its tasks back into play.
  alloc.recover(at_seconds(1), first[0].framework, first[0].agent, "r", first[0].resources,
                std::nullopt);
  auto again = alloc.allocate(at_seconds(2));
  Resources reoffered;
  for (const auto& o : again) reoffered += o.resources;
  EXPECT_SAME(reoffered, first[0].resources);
}

TEST_F(QuincyAllocatorTest, DemandsInRolesTheFrameworkIsNotInAreIgnored) {
  agents(1);
  framework(0, "r");
  alloc.set_demands(framework_id(0), {demand("cpus:1;mem:128", 1, {}, Time::epoch(), "other")});
  EXPECT_THAT(alloc.allocate(at_seconds(0)), IsEmpty());
}

}  // namespace
}  // namespace mesosim
