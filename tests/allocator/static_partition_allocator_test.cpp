#include "allocator/static_partition_allocator.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "allocator/hierarchical_allocator.hpp"
#include "tests/allocator/allocator_test_util.hpp"

namespace mesosim {
namespace {

using namespace mesosim::testing;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using Mode = StaticPartitionAllocator::Mode;
using Partitions = std::vector<StaticPartitionAllocator::Partition>;

std::unique_ptr<StaticPartitionAllocator> make_allocator(Partitions partitions,
                                                         Mode mode = Mode::kSliceEveryAgent,
                                                         uint64_t seed = 1) {
  AllocatorOptions options = AllocatorOptions::mesos_defaults();
  options.seed = seed;
  auto created = StaticPartitionAllocator::create(options, std::move(partitions), mode);
  EXPECT_TRUE(created.ok()) << (created.ok() ? "" : created.error().message);
  return created.ok() ? std::move(created).value() : nullptr;
}

std::string create_error(Partitions partitions) {
  auto created = StaticPartitionAllocator::create(AllocatorOptions::mesos_defaults(),
                                                  std::move(partitions), Mode::kSliceEveryAgent);
  return created.ok() ? "(created)" : created.error().message;
}

TEST(StaticPartitionAllocatorTest, SlicesOfAnAgentAreTheFloorOfEachShareAndSumToItsTotal) {
  auto alloc = make_allocator({{"a", 0.5}, {"b", 0.3}});
  const Resources total = R("cpus:10;mem:1000;disk:7;ports:[31000-31009]");
  ASSERT_TRUE(alloc->add_agent(agent_id(0), AgentInfo{"h0", total}, {}).ok());

  EXPECT_EQ(alloc->slice(agent_id(0), "a"), R("cpus:5;mem:500;disk:3.5;ports:[31000-31004]"));
  EXPECT_EQ(alloc->slice(agent_id(0), "b"), R("cpus:3;mem:300;disk:2.1;ports:[31005-31007]"));
  EXPECT_EQ(alloc->unowned(agent_id(0)), R("cpus:2;mem:200;disk:1.4;ports:[31008-31009]"));
  EXPECT_EQ(
      alloc->slice(agent_id(0), "a") + alloc->slice(agent_id(0), "b") + alloc->unowned(agent_id(0)),
      total);
  EXPECT_EQ(alloc->total(agent_id(0)), total);
}

TEST(StaticPartitionAllocatorTest, ThirdsRoundDownToMilliUnitsAndGpusToWholeUnits) {
  auto alloc = make_allocator({{"a", 1.0 / 3}, {"b", 1.0 / 3}, {"c", 1.0 / 3}});
  ASSERT_TRUE(alloc->add_agent(agent_id(0), agent_info("h0", "cpus:1;mem:1000;gpus:4"), {}).ok());

  for (const char* role : {"a", "b", "c"}) {
    EXPECT_EQ(alloc->slice(agent_id(0), role), R("cpus:0.333;mem:333.333;gpus:1")) << role;
  }
  EXPECT_EQ(alloc->unowned(agent_id(0)), R("cpus:0.001;mem:0.001;gpus:1"));
}

TEST(StaticPartitionAllocatorTest, FrameworkNeverGetsMoreThanItsPartitionWhileTheOtherIsIdle) {
  FrameworkInfo idle = framework_info("B", {"b"});
  idle.suppressed_roles = {"b"};

  auto partitioned = make_allocator({{"a", 0.5}, {"b", 0.5}});
  ASSERT_TRUE(partitioned->add_agent(agent_id(0), agent_info("h0", "cpus:8;mem:8192"), {}).ok());
  ASSERT_TRUE(partitioned->add_framework(framework_id(0), framework_info("A", {"a"}), true).ok());
  ASSERT_TRUE(partitioned->add_framework(framework_id(1), idle, true).ok());
  auto offers = partitioned->allocate(at_seconds(0));
  ASSERT_THAT(offers, SizeIs(1));
  EXPECT_EQ(offers[0].framework, framework_id(0));
  EXPECT_EQ(offers[0].resources, R("cpus:4;mem:4096"));
  partitioned->request_allocation();
  EXPECT_THAT(partitioned->allocate(at_seconds(1)), IsEmpty());
  EXPECT_EQ(partitioned->available(agent_id(0)), R("cpus:4;mem:4096"));

  // DRF, given the same cluster, hands A the idle half as well.
  HierarchicalAllocator drf(AllocatorOptions::mesos_defaults());
  ASSERT_TRUE(drf.add_agent(agent_id(0), agent_info("h0", "cpus:8;mem:8192"), {}).ok());
  ASSERT_TRUE(drf.add_framework(framework_id(0), framework_info("A", {"a"}), true).ok());
  ASSERT_TRUE(drf.add_framework(framework_id(1), idle, true).ok());
  auto shared = drf.allocate(at_seconds(0));
  ASSERT_THAT(shared, SizeIs(1));
  EXPECT_EQ(shared[0].resources, R("cpus:8;mem:8192"));
}

TEST(StaticPartitionAllocatorTest, WholeAgentsSplitNinetySixAgentsIntoFourPartitionsOfTwentyFour) {
  const std::vector<std::string> roles = {"a", "b", "c", "d"};
  auto alloc =
      make_allocator({{"a", 0.25}, {"b", 0.25}, {"c", 0.25}, {"d", 0.25}}, Mode::kWholeAgents);
  const Resources node = R("cpus:8;mem:16384");
  for (uint32_t i = 0; i < 96; ++i) {
    ASSERT_TRUE(alloc->add_agent(agent_id(i), AgentInfo{"h" + std::to_string(i), node}, {}).ok());
  }
  std::map<std::string, int> agents_of;
  std::map<uint32_t, std::string> owner;
  for (uint32_t i = 0; i < 96; ++i) {
    for (const auto& role : roles) {
      const Resources s = alloc->slice(agent_id(i), role);
      if (s.empty()) continue;
      EXPECT_EQ(s, node) << "agent " << i << " is split, not whole";
      ++agents_of[role];
      owner[i] = role;
    }
    EXPECT_TRUE(alloc->unowned(agent_id(i)).empty());
  }
  EXPECT_EQ(agents_of, (std::map<std::string, int>{{"a", 24}, {"b", 24}, {"c", 24}, {"d", 24}}));

  for (uint32_t f = 0; f < 4; ++f) {
    ASSERT_TRUE(
        alloc->add_framework(framework_id(f), framework_info(roles[f], {roles[f]}), true).ok());
  }
  std::map<std::string, int> offers_to;
  for (const Allocation& o : alloc->allocate(at_seconds(0))) {
    EXPECT_EQ(owner[o.agent.value], roles[o.framework.value]) << "offer on another's agent";
    EXPECT_EQ(o.role, roles[o.framework.value]);
    EXPECT_EQ(o.resources, node);
    ++offers_to[o.role];
  }
  EXPECT_EQ(offers_to, agents_of);
}

TEST(StaticPartitionAllocatorTest, WholeAgentsLeaveTheUnpartitionedShareOfAgentsIdle) {
  auto alloc = make_allocator({{"a", 0.5}}, Mode::kWholeAgents);
  ASSERT_TRUE(alloc->add_framework(framework_id(0), framework_info("A", {"a"}), true).ok());
  int owned = 0;
  for (uint32_t i = 0; i < 10; ++i) {
    ASSERT_TRUE(alloc->add_agent(agent_id(i), agent_info("h", "cpus:4;mem:4096"), {}).ok());
    if (!alloc->slice(agent_id(i), "a").empty()) ++owned;
  }
  EXPECT_EQ(owned, 5);
  EXPECT_THAT(alloc->allocate(at_seconds(0)), SizeIs(5));
}

TEST(StaticPartitionAllocatorTest, ReservedResourcesGoWholeToThePartitionOfTheirRole) {
  auto alloc = make_allocator({{"a", 0.5}, {"b", 0.5}});
  ASSERT_TRUE(alloc
                  ->add_agent(agent_id(0),
                              agent_info("h0", "cpus:4;mem:1024;cpus(b):2;cpus(b/x):1;cpus(c):1"),
                              {})
                  .ok());
  EXPECT_EQ(alloc->slice(agent_id(0), "a"), R("cpus:2;mem:512"));
  EXPECT_EQ(alloc->slice(agent_id(0), "b"), R("cpus:2;mem:512;cpus(b):2;cpus(b/x):1"));
  EXPECT_EQ(alloc->unowned(agent_id(0)), R("cpus(c):1"));

  ASSERT_TRUE(alloc->add_framework(framework_id(0), framework_info("A", {"a"}), true).ok());
  ASSERT_TRUE(alloc->add_framework(framework_id(1), framework_info("B", {"b"}), true).ok());
  std::map<uint32_t, Resources> got;
  for (const Allocation& o : alloc->allocate(at_seconds(0))) got[o.framework.value] += o.resources;
  EXPECT_EQ(got[0], R("cpus:2;mem:512"));
  EXPECT_EQ(got[1], R("cpus:2;mem:512;cpus(b):2"));  // b/x's reservation is not b's to take
}

TEST(StaticPartitionAllocatorTest, WholeAgentsStillGiveReservationsToTheirRolesPartition) {
  auto alloc = make_allocator({{"a", 0.5}, {"b", 0.5}}, Mode::kWholeAgents);
  ASSERT_TRUE(alloc->add_agent(agent_id(0), agent_info("h0", "cpus:4;cpus(b):2"), {}).ok());
  EXPECT_EQ(alloc->slice(agent_id(0), "a"), R("cpus:4"));
  EXPECT_EQ(alloc->slice(agent_id(0), "b"), R("cpus(b):2"));
}

TEST(StaticPartitionAllocatorTest, RecoveredResourcesReturnToTheirPartitionAndAreOfferedAgain) {
  auto alloc = make_allocator({{"a", 0.5}, {"b", 0.5}});
  ASSERT_TRUE(alloc->add_agent(agent_id(0), agent_info("h0", "cpus:8;mem:8192"), {}).ok());
  ASSERT_TRUE(alloc->add_framework(framework_id(0), framework_info("A", {"a"}), true).ok());
  ASSERT_TRUE(alloc->add_framework(framework_id(1), framework_info("B", {"b"}), true).ok());
  ASSERT_THAT(alloc->allocate(at_seconds(0)), SizeIs(2));
  EXPECT_TRUE(alloc->available(agent_id(0)).empty());

  alloc->recover(at_seconds(1), framework_id(0), agent_id(0), "a", R("cpus:1;mem:1024"),
                 std::nullopt);
  EXPECT_EQ(alloc->allocated(framework_id(0), agent_id(0), "a"), R("cpus:3;mem:3072"));
  EXPECT_EQ(alloc->available(agent_id(0)), R("cpus:1;mem:1024"));

  alloc->request_allocation();
  auto offers = alloc->allocate(at_seconds(2));
  ASSERT_THAT(offers, SizeIs(1));
  EXPECT_EQ(offers[0].framework, framework_id(0));
  EXPECT_EQ(offers[0].role, "a");
  EXPECT_EQ(offers[0].resources, R("cpus:1;mem:1024"));
}

TEST(StaticPartitionAllocatorTest, InvalidConfigurationsAreErrorsNamingTheProblem) {
  EXPECT_THAT(create_error({{"a", 0.6}, {"b", 0.6}}), HasSubstr("sum to 1.2, more than 1"));
  EXPECT_THAT(create_error({{"a", 0.5}, {"b", 0}}),
              HasSubstr("partition 'b': share must be positive"));
  EXPECT_THAT(create_error({{"a", -0.1}}), HasSubstr("share must be positive"));
  EXPECT_THAT(create_error({{"a", 1.5}}), HasSubstr("at most 1"));
  EXPECT_THAT(create_error({{"a/", 0.5}}), HasSubstr("a/"));
  EXPECT_THAT(create_error({{"", 0.5}}), HasSubstr("partition #0"));
  EXPECT_THAT(create_error({{"a", 0.3}, {"a", 0.3}}), HasSubstr("duplicate partition: role 'a'"));
  EXPECT_THAT(create_error({}), HasSubstr("at least one partition"));
  EXPECT_EQ(create_error({{"a", 0.7}, {"b", 0.3}}), "(created)");
}

TEST(StaticPartitionAllocatorTest, FrameworkInARoleWithoutPartitionIsRefused) {
  auto alloc = make_allocator({{"a", 0.5}, {"b", 0.5}});
  Status s = alloc->add_framework(framework_id(0), framework_info("C", {"a", "c"}), true);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, HasSubstr("role 'c' has no partition (partitions: 'a', 'b')"));
  // Nothing was half-registered: the id is still free.
  EXPECT_TRUE(alloc->add_framework(framework_id(0), framework_info("A", {"a/x"}), true).ok());
}

TEST(StaticPartitionAllocatorTest, SubroleFrameworkIsServedFromItsAncestorsPartition) {
  auto alloc = make_allocator({{"a", 0.5}, {"b", 0.5}});
  ASSERT_TRUE(alloc->add_agent(agent_id(0), agent_info("h0", "cpus:4;mem:1024"), {}).ok());
  ASSERT_TRUE(alloc->add_framework(framework_id(0), framework_info("X", {"a/x"}), true).ok());
  auto offers = alloc->allocate(at_seconds(0));
  ASSERT_THAT(offers, SizeIs(1));
  EXPECT_EQ(offers[0].role, "a/x");
  EXPECT_EQ(offers[0].resources, R("cpus:2;mem:512"));
}

TEST(StaticPartitionAllocatorTest, FrameworkWithTwoRolesIsOfferedInEachRolesPartition) {
  auto alloc = make_allocator({{"a", 0.5}, {"b", 0.25}});
  ASSERT_TRUE(alloc->add_agent(agent_id(0), agent_info("h0", "cpus:8;mem:8192"), {}).ok());
  ASSERT_TRUE(alloc->add_framework(framework_id(0), framework_info("AB", {"b", "a"}), true).ok());
  auto offers = alloc->allocate(at_seconds(0));
  ASSERT_THAT(offers, SizeIs(2));
  EXPECT_EQ(offers[0].role, "a");  // partition order, not the framework's role order
  EXPECT_EQ(offers[0].resources, R("cpus:4;mem:4096"));
  EXPECT_EQ(offers[1].role, "b");
  EXPECT_EQ(offers[1].resources, R("cpus:2;mem:2048"));

  alloc->suppress(framework_id(0), {"a"});
  alloc->recover(at_seconds(1), framework_id(0), agent_id(0), "a", offers[0].resources,
                 std::nullopt);
  alloc->recover(at_seconds(1), framework_id(0), agent_id(0), "b", offers[1].resources,
                 std::nullopt);
  alloc->request_allocation();
  offers = alloc->allocate(at_seconds(2));
  ASSERT_THAT(offers, SizeIs(1));
  EXPECT_EQ(offers[0].role, "b");
}

TEST(StaticPartitionAllocatorTest, UpdateFrameworkMovesToTheNewRolesPartitionKeepingOldHoldings) {
  auto alloc = make_allocator({{"a", 0.5}, {"b", 0.5}});
  ASSERT_TRUE(alloc->add_agent(agent_id(0), agent_info("h0", "cpus:8;mem:8192"), {}).ok());
  ASSERT_TRUE(alloc->add_framework(framework_id(0), framework_info("F", {"a"}), true).ok());
  ASSERT_THAT(alloc->allocate(at_seconds(0)), SizeIs(1));

  Status bad = alloc->update_framework(framework_id(0), framework_info("F", {"c"}));
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error().message, HasSubstr("role 'c' has no partition"));

  ASSERT_TRUE(alloc->update_framework(framework_id(0), framework_info("F", {"b"})).ok());
  auto offers = alloc->allocate(at_seconds(1));
  ASSERT_THAT(offers, SizeIs(1));
  EXPECT_EQ(offers[0].role, "b");
  EXPECT_EQ(offers[0].resources, R("cpus:4;mem:4096"));
  // What it held in a's partition stays allocated there until recovered, and is not re-offered.
  EXPECT_EQ(alloc->allocated(framework_id(0), agent_id(0), "a"), R("cpus:4;mem:4096"));
  alloc->recover(at_seconds(2), framework_id(0), agent_id(0), "a", R("cpus:4;mem:4096"),
                 std::nullopt);
  EXPECT_EQ(alloc->available(agent_id(0)), R("cpus:4;mem:4096"));
  alloc->request_allocation();
  EXPECT_THAT(alloc->allocate(at_seconds(3)), IsEmpty());
}

TEST(StaticPartitionAllocatorTest, UsedResourcesCountInTheirRolesPartitionAndMustFitItsSlice) {
  auto alloc = make_allocator({{"a", 0.5}, {"b", 0.5}});
  ASSERT_TRUE(alloc->add_framework(framework_id(0), framework_info("A", {"a"}), true).ok());
  const std::vector<UsedResources> fits = {{framework_id(0), "a", R("cpus:3;mem:1024")}};
  ASSERT_TRUE(alloc->add_agent(agent_id(0), agent_info("h0", "cpus:8;mem:4096"), fits).ok());
  EXPECT_EQ(alloc->allocated(framework_id(0), agent_id(0), "a"), R("cpus:3;mem:1024"));
  EXPECT_EQ(alloc->available(agent_id(0)), R("cpus:5;mem:3072"));

  const std::vector<UsedResources> too_much = {{framework_id(0), "a", R("cpus:5")}};
  Status s = alloc->add_agent(agent_id(1), agent_info("h1", "cpus:8;mem:4096"), too_much);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, HasSubstr("partition 'a'"));
  EXPECT_THAT(s.error().message, HasSubstr("exceed its slice"));
  EXPECT_TRUE(alloc->total(agent_id(1)).empty());
}

TEST(StaticPartitionAllocatorTest, UpdateAgentResplitsAndRefusesASliceBelowItsAllocation) {
  auto alloc = make_allocator({{"a", 0.5}, {"b", 0.5}});
  ASSERT_TRUE(alloc->add_agent(agent_id(0), agent_info("h0", "cpus:8;mem:8192"), {}).ok());
  ASSERT_TRUE(alloc->add_framework(framework_id(0), framework_info("A", {"a"}), true).ok());
  ASSERT_THAT(alloc->allocate(at_seconds(0)), SizeIs(1));  // A holds cpus:4;mem:4096

  Status s = alloc->update_agent(agent_id(0), R("cpus:4;mem:8192"));
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, HasSubstr("partition 'a' does not cover"));
  EXPECT_EQ(alloc->slice(agent_id(0), "a"), R("cpus:4;mem:4096"));

  ASSERT_TRUE(alloc->update_agent(agent_id(0), R("cpus:16;mem:8192")).ok());
  EXPECT_EQ(alloc->slice(agent_id(0), "a"), R("cpus:8;mem:4096"));
  EXPECT_EQ(alloc->slice(agent_id(0), "b"), R("cpus:8;mem:4096"));
  EXPECT_EQ(alloc->total(agent_id(0)), R("cpus:16;mem:8192"));
  EXPECT_EQ(alloc->available(agent_id(0)), R("cpus:12;mem:4096"));
}

TEST(StaticPartitionAllocatorTest, ReservationStaysInsideItsPartition) {
  auto alloc = make_allocator({{"a", 0.5}, {"a/x", 0.5}});
  ASSERT_TRUE(alloc->add_agent(agent_id(0), agent_info("h0", "cpus:8;mem:8192"), {}).ok());
  ASSERT_TRUE(alloc->add_framework(framework_id(0), framework_info("X", {"a/x"}), true).ok());
  ASSERT_THAT(alloc->allocate(at_seconds(0)), SizeIs(1));

  const Resources cpus = R("cpus:1");
  auto dynamic_for = [](std::string role) {
    ReservationInfo info;
    info.type = ReservationInfo::Type::kDynamic;
    info.role = std::move(role);
    info.principal = "p";
    return Reservation::of(info);
  };
  Status away = alloc->update_allocation(framework_id(0), agent_id(0), "a/x", cpus,
                                         cpus.with_reservation(dynamic_for("a")));
  ASSERT_FALSE(away.ok());
  EXPECT_THAT(away.error().message, HasSubstr("would leave partition 'a/x'"));

  const Resources reserved = cpus.with_reservation(dynamic_for("a/x"));
  ASSERT_TRUE(alloc->update_allocation(framework_id(0), agent_id(0), "a/x", cpus, reserved).ok());
  EXPECT_EQ(alloc->slice(agent_id(0), "a/x"), R("cpus:3;mem:4096") + reserved);
  EXPECT_EQ(alloc->total(agent_id(0)), R("cpus:7;mem:8192") + reserved);
}

TEST(StaticPartitionAllocatorTest, TotalIsAvailablePlusEverythingAllocated) {
  auto alloc = make_allocator({{"a", 0.4}, {"b", 0.4}});
  ASSERT_TRUE(alloc->add_agent(agent_id(0), agent_info("h0", "cpus:10;mem:1000"), {}).ok());
  ASSERT_TRUE(alloc->add_framework(framework_id(0), framework_info("A", {"a"}), true).ok());
  ASSERT_TRUE(alloc->add_framework(framework_id(1), framework_info("B", {"b"}), true).ok());
  ASSERT_THAT(alloc->allocate(at_seconds(0)), SizeIs(2));
  alloc->recover(at_seconds(1), framework_id(1), agent_id(0), "b", R("cpus:1"), std::nullopt);

  EXPECT_EQ(alloc->available(agent_id(0)), R("cpus:3;mem:200"));  // b's cpu + the unowned fifth
  EXPECT_EQ(alloc->available(agent_id(0)) + alloc->allocated(framework_id(0), agent_id(0), "a") +
                alloc->allocated(framework_id(1), agent_id(0), "b"),
            alloc->total(agent_id(0)));
}

TEST(StaticPartitionAllocatorTest, QuotaIsRefusedAndWeightsAreValidated) {
  auto alloc = make_allocator({{"a", 0.5}});
  Status quota = alloc->set_quota("a", Quota{Q("cpus:1"), {}});
  ASSERT_FALSE(quota.ok());
  EXPECT_THAT(quota.error().message, HasSubstr("size the partition instead"));
  EXPECT_TRUE(alloc->set_weight("a", 2.0).ok());
  EXPECT_FALSE(alloc->set_weight("a", -1.0).ok());
}

TEST(StaticPartitionAllocatorTest, SameSeedGivesSameOffers) {
  auto run = [](uint64_t seed) {
    auto alloc = make_allocator({{"a", 0.5}, {"b", 0.5}}, Mode::kSliceEveryAgent, seed);
    for (uint32_t i = 0; i < 20; ++i) {
      EXPECT_TRUE(alloc->add_agent(agent_id(i), agent_info("h", "cpus:4;mem:4096"), {}).ok());
    }
    for (uint32_t f = 0; f < 6; ++f) {
      const std::string role = f % 2 ? "b" : "a";
      EXPECT_TRUE(alloc
                      ->add_framework(framework_id(f),
                                      framework_info("f" + std::to_string(f), {role}), true)
                      .ok());
    }
    std::string log;
    for (int64_t step = 0; step < 5; ++step) {
      alloc->request_allocation();
      const auto offers = alloc->allocate(at_seconds(step));
      log += describe_offers(offers);
      for (const auto& o : offers) {  // keep a cpu if there is one, give the rest back
        const Resources kept = o.resources.contains(R("cpus:1")) ? R("cpus:1") : Resources();
        alloc->recover(at_seconds(step), o.framework, o.agent, o.role, o.resources - kept,
                       std::nullopt);
      }
    }
    return log;
  };
  const std::string first = run(7);
  EXPECT_FALSE(first.empty());
  EXPECT_EQ(first, run(7));
  EXPECT_NE(first, run(8));
}

}  // namespace
}  // namespace mesosim
