// The Mesos paper's macrobenchmark (scenarios/papers/mesos-macrobenchmark.yaml), shortened: the
// shipped file with fewer jobs per framework (same cluster, allocator, models and task shapes),
// one seed, base (Mesos, DRF) against the `static` variant. Asserts the direction of the effect
// the paper reports and the full runs show (scenarios/papers/README.md): under Mesos the two
// Hadoop mixes finish with a lower sum of job run times than on static partitions.

#include <gtest/gtest.h>

#include <map>

#include "scenarios/run_outcomes.hpp"
#include "scenarios/scenario_load.hpp"
#include "scenarios/scenario_run.hpp"
#include "tests/scenarios/scenario_test_util.hpp"

namespace mesosim {
namespace {

// Fewer jobs: 30 of the Facebook mix, 2 large jobs of 600 tasks, 2 Spark applications, 2 MPI
// gangs. The rest is the shipped scenario's.
const std::vector<std::string> kShort{
    "frameworks.facebook-hadoop.workload.params.jobs=30",
    "frameworks.large-hadoop.workload.params.jobs=2",
    "frameworks.large-hadoop.workload.params.tasks=600",
    "frameworks.spark.workload.params.apps=2",
    "frameworks.torque-mpi.workload.params.small=1",
    "frameworks.torque-mpi.workload.params.large=1",
};

struct FrameworkSums {
  size_t jobs = 0;
  size_t finished = 0;
  double run_time_sum_s = 0;  // Σ(finish − ready) over finished jobs, as analysis sums it
};

// The shortened scenario's run of `variant`: per framework, its jobs and their run time sum.
std::map<std::string, FrameworkSums> run_short(const std::string& variant) {
  auto loaded = load_scenario(testing::source_path("scenarios/papers/mesos-macrobenchmark.yaml"),
                              {kShort, variant});
  EXPECT_TRUE(loaded.ok()) << loaded.error().message;
  if (!loaded.ok()) return {};
  auto built = ScenarioRun::create(loaded.value());
  EXPECT_TRUE(built.ok()) << built.error().message;
  if (!built.ok()) return {};
  ScenarioRun& run = *built.value();
  const RunOutcome outcome = run.run();
  EXPECT_EQ(outcome.ending, RunOutcome::Ending::kCompleted) << variant;
  std::map<std::string, FrameworkSums> sums;
  for (const analysis::JobOutcome& job : job_outcomes(run)) {
    FrameworkSums& s = sums[job.framework];
    ++s.jobs;
    if (!job.finish) continue;
    ++s.finished;
    s.run_time_sum_s += (*job.finish - job.ready.value_or(job.submit)).seconds_f();
  }
  return sums;
}

TEST(PaperMacrobenchmark, MesosBeatsStaticPartitionsForBothHadoopMixes) {
  const auto mesos = run_short("base");
  const auto partitioned = run_short("static");
  for (const char* name : {"facebook-hadoop", "large-hadoop"}) {
    ASSERT_TRUE(mesos.count(name) && partitioned.count(name)) << name;
    const FrameworkSums& m = mesos.at(name);
    const FrameworkSums& s = partitioned.at(name);
    // Every job ran in both setups, so the sums cover the same jobs.
    EXPECT_GT(m.jobs, 0u) << name;
    EXPECT_EQ(m.finished, m.jobs) << name;
    EXPECT_EQ(s.finished, s.jobs) << name;
    EXPECT_LT(m.run_time_sum_s, s.run_time_sum_s)
        << name << ": Mesos " << m.run_time_sum_s << " s, static " << s.run_time_sum_s << " s";
  }
  EXPECT_EQ(mesos.at("large-hadoop").jobs, 2u);
}

}  // namespace
}  // namespace mesosim
