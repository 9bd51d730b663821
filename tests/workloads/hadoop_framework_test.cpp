// The Hadoop-like framework end to end: HDFS-style blocks, delay scheduling raising locality,
// slower non-local maps, reduces after maps.

#include "workloads/hadoop_framework.hpp"

#include "allocator/quincy_allocator.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>

#include "tests/workloads/workload_test_util.hpp"

namespace mesosim {
namespace {

using namespace mesosim::testing;
using v1::TaskState;

struct HadoopRun {
  LocalityCounts locality;
  std::vector<JobRecord> jobs;
  std::vector<std::string> log;
  bool all_finished = false;
};

// Four racks of four 1-cpu agents, loaded to about 75%: `jobs` map-only jobs of 3 one-cpu maps
// of 6 s, one every 1.5 s. Few maps wait at any time, so taking whatever is offered rarely
// lands next to the data.
HadoopRun run_hadoop(Duration node_wait, Duration rack_wait, uint64_t seed = 3, int jobs = 30,
                     bool quincy = false) {
  SimClusterOptions options = fixed_latency(seed);
  if (quincy) {
    options.make_allocator = [](const AllocatorOptions& a) -> std::unique_ptr<Allocator> {
      return std::make_unique<QuincyAllocator>(a, QuincyOptions{});
    };
  }
  SimCluster cluster(options);
  TaskLog log;
  cluster.add_observer(&log);
  const Topology topology = Topology::uniform(1, 4, 4);
  add_agents(cluster, topology, "cpus:1;mem:4096");
  HadoopFrameworkOptions o;
  o.topology = &topology;
  o.node_locality_wait = node_wait;
  o.rack_locality_wait = rack_wait;
  o.seed = seed;
  o.model.declare_demands = quincy;
  HadoopFramework model(cluster.queue(), o);
  cluster.add_framework(model.framework_info(), &model);
  std::vector<Job> trace;
  for (int j = 0; j < jobs; ++j) {
    trace.push_back(
        make_job("j" + std::to_string(j), 1.5 * j, 3, "cpus:1;mem:512", Duration::seconds(6)));
  }
  VectorJobSource source(std::move(trace));
  JobFeeder feeder(cluster.queue(), source);
  feeder.set_default(&model);
  cluster.start();
  feeder.start();
  cluster.run_until(secs(600));
  EXPECT_EQ(cluster.check_invariants(), std::nullopt);
  return HadoopRun{model.map_locality(), model.jobs(), log.lines, model.unfinished_jobs() == 0};
}

TEST(HadoopFrameworkTest, DelaySchedulingRaisesLocalityAboveTheNoWaitCase) {
  const HadoopRun no_wait = run_hadoop(Duration::zero(), Duration::zero());
  const HadoopRun wait = run_hadoop(Duration::seconds(5), Duration::seconds(5));
  ASSERT_TRUE(no_wait.all_finished);
  ASSERT_TRUE(wait.all_finished);
  ASSERT_EQ(no_wait.locality.total(), 90u);
  ASSERT_EQ(wait.locality.total(), 90u);
  EXPECT_GT(wait.locality.node_local_fraction(), no_wait.locality.node_local_fraction() + 0.3)
      << "node-local: " << wait.locality.node_local << " with waits, "
      << no_wait.locality.node_local << " without";
  EXPECT_LT(wait.locality.remote, no_wait.locality.remote);
  // The declines of delay scheduling say why on the stream (analysis's locality_wait); without
  // waits nothing is declined for locality.
  auto locality_declines = [](const HadoopRun& run) {
    return std::count_if(run.log.begin(), run.log.end(), [](const std::string& line) {
      return line.find("OFFER_DECLINED") != std::string::npos &&
             line.find(" reason=locality") != std::string::npos;
    });
  };
  EXPECT_GT(locality_declines(wait), 0);
  EXPECT_EQ(locality_declines(no_wait), 0);
  std::cout << "[ locality ] node-local " << no_wait.locality.node_local << "/90 without waits, "
            << wait.locality.node_local << "/90 with 5 s + 5 s\n";
}

// The centralized baseline: the maps declare their blocks (REQUEST) and a Quincy-style placer
// trades locality against waiting for them; the framework takes what it is offered.
TEST(HadoopFrameworkTest, ACentralizedPlacerOfDeclaredDemandsRaisesLocality) {
  const HadoopRun no_wait = run_hadoop(Duration::zero(), Duration::zero());
  const HadoopRun quincy = run_hadoop(Duration::zero(), Duration::zero(), 3, 30, true);
  ASSERT_TRUE(quincy.all_finished);
  ASSERT_EQ(quincy.locality.total(), 90u);
  // With the default costs a rack-local slot (50) is dearer than waiting (50 + 10/s) only for
  // an instant, so the placer goes rack-local rather than wait long for the node.
  EXPECT_GT(quincy.locality.node_local, no_wait.locality.node_local);
  EXPECT_LT(quincy.locality.remote, no_wait.locality.remote);
  std::cout << "[ locality ] node/rack/remote " << quincy.locality.node_local << "/"
            << quincy.locality.rack_local << "/" << quincy.locality.remote
            << " with the quincy placer, " << no_wait.locality.node_local << "/"
            << no_wait.locality.rack_local << "/" << no_wait.locality.remote
            << " taking any offer\n";
}

TEST(HadoopFrameworkTest, SameSeedGivesTheSameRun) {
  const HadoopRun a = run_hadoop(Duration::seconds(1), Duration::seconds(1), 9, 4);
  const HadoopRun b = run_hadoop(Duration::seconds(1), Duration::seconds(1), 9, 4);
  EXPECT_EQ(a.log, b.log);
}

class HadoopClusterTest : public ::testing::Test {
 protected:
  HadoopClusterTest() : cluster(fixed_latency()), topology(Topology::uniform(1, 2, 2)) {
    cluster.add_observer(&log);
    add_agents(cluster, topology, "cpus:1;mem:4096");
  }
  void start(std::vector<Job> jobs, Duration node_wait, Duration rack_wait) {
    HadoopFrameworkOptions o;
    o.topology = &topology;
    o.node_locality_wait = node_wait;
    o.rack_locality_wait = rack_wait;
    o.rack_local_slowdown = 1.5;
    o.remote_slowdown = 2;
    model = std::make_unique<HadoopFramework>(cluster.queue(), o);
    cluster.add_framework(model->framework_info(), model.get());
    source = std::make_unique<VectorJobSource>(std::move(jobs));
    feeder = std::make_unique<JobFeeder>(cluster.queue(), *source);
    feeder->set_default(model.get());
    cluster.start();
    feeder->start();
  }
  SimCluster cluster;
  Topology topology;
  TaskLog log;
  std::unique_ptr<HadoopFramework> model;
  std::unique_ptr<VectorJobSource> source;
  std::unique_ptr<JobFeeder> feeder;
};

TEST_F(HadoopClusterTest, MapsReadBlocksOnThreeAgentsAcrossTwoRacks) {
  start({make_job("j", 0, 6, "cpus:1;mem:64", Duration::seconds(2))}, Duration::zero(),
        Duration::zero());
  cluster.run_until(secs(60));
  for (size_t t = 0; t < 6; ++t) {
    const auto& block = model->block_of(0, t);
    ASSERT_EQ(block.size(), 3u);
    EXPECT_NE(topology.rack_of(block[0]), topology.rack_of(block[1]));
    EXPECT_EQ(topology.rack_of(block[1]), topology.rack_of(block[2]));
  }
}

TEST_F(HadoopClusterTest, NonLocalMapsRunLongerByTheirSlowdown) {
  // Every map's input is on the first agent; with no waits they spread over all four.
  Job j = make_job("j", 0, 4, "cpus:1;mem:64", Duration::seconds(10));
  for (auto& t : j.tasks) t.preferred_agents = {"z1-r1-a1"};
  start({j}, Duration::zero(), Duration::zero());
  cluster.run_until(secs(60));
  ASSERT_TRUE(model->job("j")->finished());
  const LocalityCounts c = model->map_locality();
  EXPECT_EQ(c.node_local, 1u);
  EXPECT_EQ(c.rack_local, 1u);
  EXPECT_EQ(c.remote, 2u);
  for (const TaskRecord& t : model->job("j")->tasks) {
    const Duration ran = *t.ended - *t.running;
    const Duration expected = t.locality == Locality::kNodeLocal   ? Duration::seconds(10)
                              : t.locality == Locality::kRackLocal ? Duration::seconds(15)
                                                                   : Duration::seconds(20);
    EXPECT_EQ(ran, expected) << to_string(t.locality);
  }
}

TEST_F(HadoopClusterTest, AJobWaitsForItsNodeThenItsRackBeforeGoingRemote) {
  // One map whose block is on z1-r1-a1, which a long job occupies; it must not start
  // elsewhere before the node wait (rack-local) and the rack wait (remote) have passed.
  Job blocker = make_job("blocker", 0, 2, "cpus:1;mem:64", Duration::seconds(100));
  blocker.tasks[0].preferred_agents = {"z1-r1-a1"};
  blocker.tasks[1].preferred_agents = {"z1-r1-a2"};
  Job j = make_job("j", 1, 1, "cpus:1;mem:64", Duration::seconds(5));
  j.tasks[0].preferred_agents = {"z1-r1-a1"};
  start({blocker, j}, Duration::seconds(20), Duration::seconds(30));
  cluster.run_until(secs(200));
  const TaskRecord& t = model->job("j")->tasks[0];
  ASSERT_TRUE(t.launched.has_value());
  EXPECT_EQ(t.locality, Locality::kRemote) << "its node and rack stay busy for 100 s";
  EXPECT_GE(*t.launched, secs(1 + 50));
  EXPECT_LT(*t.launched, secs(1 + 50 + 3));
}

TEST_F(HadoopClusterTest, ReducesStartOnlyAfterEveryMapFinished) {
  Job j = make_job("mr", 0, 5, "cpus:1;mem:64", Duration::seconds(5));
  j.tasks[3].reduce = true;
  j.tasks[4].reduce = true;
  j.tasks[2].duration = Duration::seconds(30);  // a straggler map
  start({j}, Duration::zero(), Duration::zero());
  cluster.run_until(secs(200));
  const JobRecord* r = model->job("mr");
  ASSERT_TRUE(r->finished());
  Time last_map_end;
  for (size_t t = 0; t < 3; ++t) last_map_end = std::max(last_map_end, *r->tasks[t].ended);
  for (size_t t = 3; t < 5; ++t) {
    EXPECT_GE(*r->tasks[t].launched, last_map_end);
    EXPECT_EQ(r->tasks[t].locality, Locality::kAny);
  }
}

}  // namespace
}  // namespace mesosim
