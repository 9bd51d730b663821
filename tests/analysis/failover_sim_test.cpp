// Failover figures on a real simulated run: two masters, the leader killed while two batch
// frameworks keep four agents busy. Every agent and framework is back with the new leader one
// detector message and one answer after the election, and the run's log replays to the same
// figures.

#include <gtest/gtest.h>

#include <memory>
#include <sstream>

#include "analysis/collector.hpp"
#include "analysis/replay.hpp"
#include "analysis/writers.hpp"
#include "sim/master/event_log.hpp"
#include "tests/workloads/workload_test_util.hpp"
#include "workloads/batch_framework.hpp"

namespace mesosim::analysis {
namespace {

using namespace mesosim::testing;

struct FailoverRun {
  std::stringstream log;
  RunResult result;
};

// Latency 1 ms each way, no jitter; the leader fails at 20 s, the standby is elected 5 s later.
std::unique_ptr<FailoverRun> simulate() {
  auto run = std::make_unique<FailoverRun>();
  SimClusterOptions options = fixed_latency(1);
  options.masters = 2;
  options.election_delay = Duration::seconds(5);
  SimCluster cluster(options);
  Collector collector;
  EventLogWriter writer(run->log, EventLogHeader{kEventLogVersion, "test", TimeBase::kSimulated});
  cluster.add_observer(&collector);
  cluster.add_observer(&writer);
  const Topology topology = Topology::uniform(1, 1, 4);
  add_agents(cluster, topology, "cpus:4;mem:4096");
  std::vector<std::unique_ptr<BatchFramework>> models;
  std::vector<std::unique_ptr<VectorJobSource>> sources;
  std::vector<std::unique_ptr<JobFeeder>> feeders;
  for (const std::string name : {"alpha", "beta"}) {
    FrameworkModelOptions m;
    m.name = name;
    models.push_back(
        std::make_unique<BatchFramework>(cluster.queue(), BatchFrameworkOptions{m, &topology}));
    cluster.add_framework(models.back()->framework_info(), models.back().get());
    sources.push_back(std::make_unique<VectorJobSource>(
        std::vector<Job>{make_job(name + "-1", 0, 40, "cpus:1;mem:256", Duration::seconds(10))}));
    feeders.push_back(std::make_unique<JobFeeder>(cluster.queue(), *sources.back()));
    feeders.back()->set_default(models.back().get());
  }
  cluster.schedule(secs(20), fault::MasterFailover{});
  cluster.start();
  for (auto& f : feeders) f->start();
  cluster.run_until(secs(60));
  run->result = collector.finish(cluster.now(), {});
  return run;
}

TEST(FailoverSimTest, EveryAgentAndFrameworkIsBackTwoHopsAfterTheElection) {
  const auto run = simulate();
  const FailoverStats& s = run->result.failover;
  ASSERT_EQ(s.failovers.size(), 1u);
  const FailoverRecord& f = s.failovers[0];
  EXPECT_TRUE(f.failure_seen);
  EXPECT_EQ(f.failed_at, secs(20));
  EXPECT_EQ(f.elected_at, secs(25));
  EXPECT_EQ(f.agents, 4u);
  EXPECT_EQ(f.frameworks, 2u);
  ASSERT_TRUE(f.recovered_at.has_value());
  EXPECT_EQ(s.recovered, 1u);
  // The detector tells each party of the new leader (1 ms) and each answers at once (1 ms).
  EXPECT_EQ(*f.recovered_at, secs(25) + Duration::millis(2));
  EXPECT_DOUBLE_EQ(s.recovery_s.mean, 5.002);
  EXPECT_DOUBLE_EQ(s.from_election_s.mean, 0.002);
}

TEST(FailoverSimTest, TheLogReplaysToTheSameFailoverFigures) {
  const auto run = simulate();
  Collector replayed;
  const auto done = replay_event_log(run->log, "run.jsonl", replayed);
  ASSERT_TRUE(done.ok()) << done.error().message;
  const RunResult r = replayed.finish(run->result.end, {});
  EXPECT_EQ(summary_json(r), summary_json(run->result));
  EXPECT_EQ(r.failover.recovered, 1u);
}

}  // namespace
}  // namespace mesosim::analysis
