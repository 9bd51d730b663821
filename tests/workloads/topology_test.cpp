#include "workloads/topology.hpp"

#include <gtest/gtest.h>

#include <set>

namespace mesosim {
namespace {

TEST(TopologyTest, HopsCountLinksBetweenAgentsInTheTree) {
  const Topology t = Topology::uniform(2, 2, 2);
  EXPECT_EQ(t.hops("z1-r1-a1", "z1-r1-a1"), 0);
  EXPECT_EQ(t.hops("z1-r1-a1", "z1-r1-a2"), 2);
  EXPECT_EQ(t.hops("z1-r1-a1", "z1-r2-a1"), 4);
  EXPECT_EQ(t.hops("z1-r1-a1", "z2-r1-a1"), 6);
  EXPECT_EQ(t.hops("z2-r2-a2", "z1-r1-a1"), 6) << "symmetric";
}

TEST(TopologyTest, AgentsKnowTheirRackAndZone) {
  Topology t;
  t.add_zone("east");
  t.add_rack("e1", "east");
  t.add_agent("h1", "e1");
  t.add_agent("h2", "e1");
  EXPECT_EQ(t.rack_of("h1"), "e1");
  EXPECT_EQ(t.zone_of("h2"), "east");
  EXPECT_EQ(t.agents_in_rack("e1"), (std::vector<std::string>{"h1", "h2"}));
  EXPECT_TRUE(t.agents_in_rack("nowhere").empty());
  EXPECT_FALSE(t.has_agent("h3"));
}

TEST(TopologyTest, AgentOptionsCarryRackAndZoneAttributes) {
  const Topology t = Topology::uniform(1, 2, 1);
  auto r = Resources::parse("cpus:4;mem:1024");
  ASSERT_TRUE(r.ok());
  const auto options = t.agent_options(r.value());
  ASSERT_EQ(options.size(), 2u);
  EXPECT_EQ(options[1].hostname, "z1-r2-a1");
  EXPECT_EQ(options[1].resources, r.value());
  EXPECT_EQ(options[1].attributes, (std::vector<v1::Attribute>{{"rack", "z1-r2"}, {"zone", "z1"}}));
}

TEST(TopologyTest, LocalityClassFollowsHopDistanceToTheInput) {
  const Topology t = Topology::uniform(1, 2, 2);
  const std::vector<std::string> input{"z1-r1-a1"};
  EXPECT_EQ(t.locality("z1-r1-a1", input), Locality::kNodeLocal);
  EXPECT_EQ(t.locality("z1-r1-a2", input), Locality::kRackLocal);
  EXPECT_EQ(t.locality("z1-r2-a1", input), Locality::kRemote);
  EXPECT_EQ(t.locality("z1-r2-a1", {}), Locality::kAny);
  EXPECT_EQ(t.locality("z1-r2-a1", {}, {"z1-r2"}), Locality::kRackLocal);
  EXPECT_EQ(t.locality("z1-r2-a1", {"unknown-host"}), Locality::kRemote);
}

TEST(TopologyTest, BlocksAreStoredOnOneRackOnceAndAnotherRackTwice) {
  const Topology t = Topology::uniform(1, 3, 4);
  Rng rng(7);
  std::set<std::string> first_agents;
  for (int i = 0; i < 200; ++i) {
    const auto replicas = t.place_block(rng);
    ASSERT_EQ(replicas.size(), 3u);
    first_agents.insert(replicas[0]);
    EXPECT_NE(t.rack_of(replicas[0]), t.rack_of(replicas[1]));
    EXPECT_EQ(t.rack_of(replicas[1]), t.rack_of(replicas[2]));
    EXPECT_NE(replicas[1], replicas[2]);
  }
  EXPECT_GT(first_agents.size(), 8u) << "first replicas spread over the cluster";
}

TEST(TopologyTest, BlockPlacementIsAFunctionOfTheSeed) {
  const Topology t = Topology::uniform(2, 2, 3);
  Rng a(3), b(3);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(t.place_block(a), t.place_block(b));
}

}  // namespace
}  // namespace mesosim
