// The collector on a real simulated run (two batch frameworks in two roles, explanations on):
// the books balance, every launched task's wait is fully attributed, the run's log replays to the
// same outputs, and two runs with one seed write identical files.

#include <gtest/gtest.h>

#include <fstream>
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

// The adapter `mesosim run` needs, in its simplest form: records and specs to outcomes.
std::vector<JobOutcome> outcomes(const FrameworkModel& model) {
  std::vector<JobOutcome> out;
  for (size_t j = 0; j < model.jobs().size(); ++j) {
    const JobRecord& rec = model.jobs()[j];
    JobOutcome job{rec.id,     rec.group, model.options().name, rec.submit, rec.ready, rec.start,
                   rec.finish, {},        rec.abandoned};
    for (size_t t = 0; t < rec.tasks.size(); ++t) {
      const TaskRecord& tr = rec.tasks[t];
      TaskOutcome task{
          tr.ready,    tr.launched,
          tr.running,  tr.ended,
          tr.wait,     tr.launched ? std::string(to_string(tr.locality)) : std::string(),
          tr.agent,    tr.final_state ? std::string(v1::to_string(*tr.final_state)) : "",
          tr.attempts, model.spec(j).tasks[t].resources};
      job.tasks.push_back(std::move(task));
    }
    out.push_back(std::move(job));
  }
  return out;
}

struct Run {
  std::stringstream log;
  Collector collector;
  RunResult result;
};

std::unique_ptr<Run> simulate(uint64_t seed) {
  auto run = std::make_unique<Run>();
  SimClusterOptions options = fixed_latency(seed);
  options.master.explain_allocation = true;
  SimCluster cluster(options);
  EventLogWriter writer(run->log, EventLogHeader{kEventLogVersion, "test", TimeBase::kSimulated});
  cluster.add_observer(&run->collector);
  cluster.add_observer(&writer);
  const Topology topology = Topology::uniform(1, 2, 2);
  add_agents(cluster, topology, "cpus:4;mem:4096");
  std::vector<std::unique_ptr<BatchFramework>> models;
  std::vector<std::unique_ptr<VectorJobSource>> sources;
  std::vector<std::unique_ptr<JobFeeder>> feeders;
  const std::vector<std::pair<std::string, std::vector<Job>>> plan = {
      {"alpha",
       {make_job("a1", 0, 8, "cpus:1;mem:256", Duration::seconds(10)),
        make_job("a2", 5, 8, "cpus:1;mem:256", Duration::seconds(10)),
        make_job("a3", 30, 8, "cpus:1;mem:256", Duration::seconds(10))}},
      {"beta",
       {make_job("b1", 0, 4, "cpus:2;mem:1024", Duration::seconds(20)),
        make_job("b2", 10, 4, "cpus:2;mem:1024", Duration::seconds(20))}},
  };
  for (const auto& [name, jobs] : plan) {
    FrameworkModelOptions m;
    m.name = name;
    m.role = name;
    models.push_back(
        std::make_unique<BatchFramework>(cluster.queue(), BatchFrameworkOptions{m, &topology}));
    cluster.add_framework(models.back()->framework_info(), models.back().get());
    sources.push_back(std::make_unique<VectorJobSource>(jobs));
    feeders.push_back(std::make_unique<JobFeeder>(cluster.queue(), *sources.back()));
    feeders.back()->set_default(models.back().get());
  }
  cluster.start();
  for (auto& f : feeders) f->start();
  cluster.run_until(secs(300));
  std::vector<JobOutcome> jobs;
  for (const auto& m : models) {
    for (JobOutcome& j : outcomes(*m)) jobs.push_back(std::move(j));
  }
  run->result = run->collector.finish(cluster.now(), std::move(jobs));
  return run;
}

TEST(SimRunTest, TheBooksBalanceAndEveryLaunchedTasksWaitIsAttributed) {
  const auto run = simulate(1);
  const RunResult& r = run->result;
  EXPECT_TRUE(r.explanations);
  EXPECT_EQ(r.jobs.jobs, 5u);
  EXPECT_EQ(r.jobs.finished, 5u);
  EXPECT_EQ(r.task_states.at("TASK_FINISHED"), 32u);
  ASSERT_EQ(r.framework_summaries.size(), 2u);
  EXPECT_EQ(r.framework_summaries[0].name, "alpha");
  EXPECT_EQ(r.roles.size(), 2u);
  size_t cpus = 0;
  while (r.resources[cpus] != "cpus") ++cpus;
  // 16 cpus in the cluster; allocation never exceeds it, and ends at zero once all is done.
  const TimeSeries& alloc = r.total.allocated[cpus];
  for (Eigen::Index i = 0; i < alloc.values().size(); ++i) {
    EXPECT_LE(alloc.values()[i], 16.0);
    EXPECT_GE(alloc.values()[i], 0.0);
  }
  EXPECT_DOUBLE_EQ(alloc.at(r.end), 0.0);
  EXPECT_GT(r.total.allocated_share[cpus], r.total.used_share[cpus] * 0.999);
  EXPECT_GT(r.total.used_share[cpus], 0.0);
  // Waits: the causes of each launched task sum to its wait.
  size_t waited = 0;
  for (const TaskRow& row : r.tasks) {
    const TaskOutcome& t = r.job_outcomes[row.job].tasks[row.task];
    ASSERT_TRUE(t.launched.has_value());
    double sum = 0;
    for (double w : row.wait_by_cause) sum += w;
    EXPECT_NEAR(sum, t.wait.seconds_f(), 1e-6);
    waited += t.wait > Duration::seconds(1);
  }
  EXPECT_GT(waited, 0u) << "the cluster is too small for everything at once";
  EXPECT_EQ(r.framework_summaries[0].jobs.wait_by_cause[size_t(WaitCause::kUnexplained)], 0.0);
}

TEST(SimRunTest, TheRunsLogReplaysToTheSameOutputs) {
  const auto run = simulate(1);
  Collector replayed;
  const auto done = replay_event_log(run->log, "run.jsonl", replayed);
  ASSERT_TRUE(done.ok()) << done.error().message;
  std::vector<JobOutcome> jobs = run->result.job_outcomes;
  const RunResult r = replayed.finish(run->result.end, std::move(jobs));
  EXPECT_EQ(summary_json(r), summary_json(run->result));
  EXPECT_EQ(timeseries_csv(r, 100), timeseries_csv(run->result, 100));
  EXPECT_EQ(tasks_csv(r), tasks_csv(run->result));
}

TEST(SimRunTest, TwoRunsWithOneSeedWriteIdenticalFiles) {
  const auto base = std::filesystem::temp_directory_path() /
                    ("mesosim_analysis_sim_" + std::to_string(::getpid()));
  std::filesystem::remove_all(base);
  const auto a = write_outputs(simulate(7)->result, base / "a");
  const auto b = write_outputs(simulate(7)->result, base / "b");
  ASSERT_TRUE(a.ok()) << a.error().message;
  ASSERT_TRUE(b.ok()) << b.error().message;
  for (const auto& file : a.value().files) {
    std::ifstream x(file, std::ios::binary), y(base / "b" / file.filename(), std::ios::binary);
    std::stringstream sx, sy;
    sx << x.rdbuf();
    sy << y.rdbuf();
    EXPECT_EQ(sx.str(), sy.str()) << file.filename();
  }
  std::filesystem::remove_all(base);
}

}  // namespace
}  // namespace mesosim::analysis
