// REQUEST: a framework's declared demands reach the allocator, and a centralized placer
// (QuincyAllocator) offers exactly what was placed for them.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "allocator/quincy_allocator.hpp"
#include "sim/master/master.hpp"
#include "tests/sim/sim_test_util.hpp"

namespace mesosim {
namespace {

using namespace mesosim::testing;
namespace sched = v1::scheduler;

SimClusterOptions quincy_cluster() {
  SimClusterOptions options;
  options.make_allocator = [](const AllocatorOptions& o) -> std::unique_ptr<Allocator> {
    return std::make_unique<QuincyAllocator>(o, QuincyOptions{});
  };
  return options;
}

sched::ResourceRequest want(std::string_view resources, uint32_t count,
                            std::vector<std::pair<std::string, int64_t>> hosts = {}) {
  sched::ResourceRequest r;
  r.resources = Res(resources);
  r.count = count;
  r.preferred_hosts = std::move(hosts);
  return r;
}

TEST(MasterRequestTest, AQuincyPolicyOffersExactlyWhatTheRequestAskedWhereItPreferred) {
  SimCluster cluster(quincy_cluster());
  for (const char* host : {"a1", "a2", "a3"}) cluster.add_agent(agent(host, "cpus:4;mem:4096"));
  ScriptedScheduler s;
  s.on_subscribed = [](SchedulerDriver& d, const v1::FrameworkID&) {
    d.request({want("cpus:1;mem:128", 2, {{"a3", 0}})});
  };
  cluster.add_framework(framework("fw"), &s);
  cluster.start();
  cluster.run_until(secs(5));

  ASSERT_EQ(s.offers_seen.size(), 1u);
  EXPECT_EQ(s.offers_seen[0].hostname, "a3");
  EXPECT_EQ(s.offers_seen[0].resources, Res("cpus:2;mem:256"));
  EXPECT_EQ(cluster.check_invariants(), std::nullopt);
}

TEST(MasterRequestTest, WithoutARequestAQuincyPolicyOffersNothing) {
  SimCluster cluster(quincy_cluster());
  cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
  ScriptedScheduler s;
  cluster.add_framework(framework("fw"), &s);
  cluster.start();
  cluster.run_until(secs(5));
  EXPECT_TRUE(s.offers_seen.empty());
}

// Mesos's allocator ignores REQUEST: the hierarchical allocator offers the whole agent anyway.
TEST(MasterRequestTest, TheHierarchicalAllocatorIgnoresRequestsAsMesosDoes) {
  SimCluster cluster(SimClusterOptions{});
  cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
  ScriptedScheduler s;
  s.on_subscribed = [](SchedulerDriver& d, const v1::FrameworkID&) {
    d.request({want("cpus:1;mem:128", 1)});
  };
  cluster.add_framework(framework("fw"), &s);
  cluster.start();
  cluster.run_until(secs(5));
  ASSERT_FALSE(s.offers_seen.empty());
  EXPECT_EQ(s.offers_seen[0].resources, Res("cpus:4;mem:4096"));
}

TEST(MasterRequestTest, ARequestForARoleTheFrameworkIsNotInIsRejected) {
  SimCluster cluster(quincy_cluster());
  cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
  ScriptedScheduler s;
  s.on_subscribed = [](SchedulerDriver& d, const v1::FrameworkID&) {
    sched::ResourceRequest r = want("cpus:1;mem:128", 1);
    r.role = "elsewhere";
    d.request({r});
    d.request({want("cpus:1;mem:128", 0)});
  };
  EventLines log;
  cluster.add_observer(&log);
  cluster.add_framework(framework("fw"), &s);
  cluster.start();
  cluster.run_until(secs(5));
  ASSERT_TRUE(s.id.has_value());
  EXPECT_EQ(log.count("CALL_REJECTED framework=" + s.id->value + " call=REQUEST"), 2u);
  EXPECT_TRUE(s.offers_seen.empty());
}

}  // namespace
}  // namespace mesosim
