// The collector on the randomized fault runs of tests/sim/random_run.hpp (agent crashes,
// partitions, scheduler crashes, master failovers), replayed from their event logs: on every
// seed the series stay within the books (allocation and usage never negative, allocation never
// above the cluster's total) and replaying twice gives the same summary.

#include <gtest/gtest.h>

#include <sstream>

#include "analysis/collector.hpp"
#include "analysis/replay.hpp"
#include "analysis/writers.hpp"
#include "tests/sim/random_run.hpp"

namespace mesosim::analysis {
namespace {

RunResult replay(const std::string& json) {
  std::istringstream in(json);
  Collector c;
  const auto done = replay_event_log(in, "random_run.jsonl", c);
  EXPECT_TRUE(done.ok()) << (done.ok() ? "" : done.error().message);
  EXPECT_EQ(c.out_of_order_events(), 0u);
  return c.finish(done.ok() ? done.value().last : Time(), {});
}

// Every change point of `series` lies in [0, bound(t)] (within fixed-point rounding).
void expect_within(const TimeSeries& series, const TimeSeries* bound, const std::string& what) {
  for (Eigen::Index i = 0; i < series.values().size(); ++i) {
    const Time t = Time::from_micros(series.times()[i]);
    EXPECT_GE(series.values()[i], -1e-9) << what << " at " << t.to_string();
    if (bound != nullptr) {
      EXPECT_LE(series.values()[i], bound->at(t) + 1e-9) << what << " at " << t.to_string();
    }
  }
}

class FaultRunTest : public ::testing::TestWithParam<uint64_t> {};

TEST_P(FaultRunTest, SeriesStayWithinTheBooksAndReplayIsDeterministic) {
  const mesosim::testing::RunResult run = mesosim::testing::random_run(GetParam());
  ASSERT_TRUE(run.violations.empty()) << run.violations.front();
  const RunResult r = replay(run.json);
  ASSERT_FALSE(r.resources.empty());
  for (size_t i = 0; i < r.resources.size(); ++i) {
    expect_within(r.total.allocated[i], &r.cluster_total[i], "allocated " + r.resources[i]);
    expect_within(r.total.used[i], nullptr, "used " + r.resources[i]);
    for (const SubjectSeries& f : r.frameworks) {
      expect_within(f.allocated[i], &r.cluster_total[i], f.name + " " + r.resources[i]);
    }
  }
  EXPECT_GT(r.offers.made, 0u);
  EXPECT_EQ(summary_json(replay(run.json)), summary_json(r));
}

INSTANTIATE_TEST_SUITE_P(Seeds, FaultRunTest, ::testing::Range<uint64_t>(1, 11));

}  // namespace
}  // namespace mesosim::analysis
