// The collector on a real simulated run (two batch frameworks in two roles, explanations on):
// the books balance, every launched task's wait is fully attributed, the run's log replays to the
// same outputs, and two runs with one seed write identical files.

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <memory>
#include <sstream>

#include "analysis/collector.hpp"
#include "analysis/replay.hpp"
#include "analysis/writers.hpp"
#include "sim/master/event_log.hpp"
#include "tests/workloads/workload_test_util.hpp"
#include "workloads/batch_framework.hpp"
#include "workloads/gang_framework.hpp"
#include "workloads/spark_framework.hpp"

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

using ModelFactory = std::function<std::unique_ptr<FrameworkModel>(Clock&)>;

// The model `make` builds runs `jobs` on `agents` agents of `agent_resources` next to a batch
// framework running `batch_jobs`, explanations on; the collector's result at `end` seconds.
RunResult run_beside_batch(const ModelFactory& make, std::vector<Job> jobs,
                           std::vector<Job> batch_jobs, size_t agents,
                           const std::string& agent_resources, double end) {
  SimClusterOptions options = fixed_latency(1);
  options.master.explain_allocation = true;
  SimCluster cluster(options);
  Collector collector;
  cluster.add_observer(&collector);
  const Topology topology = Topology::uniform(1, 1, agents);
  add_agents(cluster, topology, agent_resources);
  FrameworkModelOptions bo;
  bo.name = "batch";
  BatchFramework batch(cluster.queue(), BatchFrameworkOptions{bo, nullptr});
  const std::unique_ptr<FrameworkModel> model = make(cluster.queue());
  cluster.add_framework(batch.framework_info(), &batch);
  cluster.add_framework(model->framework_info(), model.get());
  VectorJobSource model_source(std::move(jobs)), batch_source(std::move(batch_jobs));
  JobFeeder model_feeder(cluster.queue(), model_source);
  JobFeeder batch_feeder(cluster.queue(), batch_source);
  model_feeder.route(model->options().name, model.get());
  batch_feeder.route("batch", &batch);
  cluster.start();
  model_feeder.start();
  batch_feeder.start();
  cluster.run_until(secs(end));
  std::vector<JobOutcome> jobs_of_both = outcomes(*model);
  for (JobOutcome& j : outcomes(batch)) jobs_of_both.push_back(std::move(j));
  return collector.finish(cluster.now(), std::move(jobs_of_both));
}

// Checks that the causes of each launched task of `framework` sum to its wait; returns their
// sums by cause over those tasks.
WaitBreakdown launched_waits(const RunResult& r, const std::string& framework) {
  WaitBreakdown sum{};
  for (const TaskRow& row : r.tasks) {
    const JobOutcome& job = r.job_outcomes[row.job];
    const TaskOutcome& t = job.tasks[row.task];
    if (job.framework != framework || !t.launched) continue;
    double total = 0;
    for (size_t c = 0; c < kWaitCauseCount; ++c) {
      total += row.wait_by_cause[c];
      sum[c] += row.wait_by_cause[c];
    }
    EXPECT_NEAR(total, t.wait.seconds_f(), 1e-6) << job.id << "/" << row.task;
  }
  return sum;
}

double of(const WaitBreakdown& b, WaitCause c) { return b[static_cast<size_t>(c)]; }

Job gang_job(std::string id, double submit, size_t n) {
  Job j = make_job(std::move(id), submit, n, "cpus:1;mem:256", Duration::seconds(30), "mpi");
  j.gang = true;
  return j;
}

ModelFactory gang_model(Duration hold_timeout) {
  return [hold_timeout](Clock& clock) {
    GangFrameworkOptions go;
    go.model.name = "mpi";
    go.hold_timeout = hold_timeout;
    return std::make_unique<GangFramework>(clock, go);
  };
}

// A gang of 6 arrives at 5 s with only 4 of 8 cpus free until the batch job ends at about 20 s:
// its framework holds what it is offered until then, and its tasks' wait over that time is the
// gang's hold, not the framework's decision. It never times out, so only its tasks' `gang`
// label tells analysis it is a gang framework.
TEST(SimRunTest, AGangsWaitWhileItsFrameworkHoldsOffersIsGangHold) {
  const RunResult r =
      run_beside_batch(gang_model(Duration::seconds(60)), {gang_job("g1", 5, 6)},
                       {make_job("b1", 0, 4, "cpus:1;mem:256", Duration::seconds(20), "batch")}, 4,
                       "cpus:2;mem:2048", 120);
  ASSERT_EQ(r.jobs.finished, 2u);
  EXPECT_EQ(r.offers.declined_for.count("gang_hold_released"), 0u);
  const WaitBreakdown w = launched_waits(r, "mpi");
  // Six members waited about 15 s each, nearly all of it holding offers.
  EXPECT_GT(of(w, WaitCause::kGangHold), 6 * 13.0);
  EXPECT_EQ(of(w, WaitCause::kFrameworkDeclined), 0.0);
}

// The same gang with a 10 s hold timeout releases its hold (DECLINE `gang_hold_released`) and
// holds again; each hold is gang_hold, the release's filter is filtered.
TEST(SimRunTest, AGangThatReleasesItsHoldWaitsInGangHoldAndItsReleaseFilter) {
  const RunResult r =
      run_beside_batch(gang_model(Duration::seconds(10)), {gang_job("g1", 5, 6)},
                       {make_job("b1", 0, 4, "cpus:1;mem:256", Duration::seconds(20), "batch")}, 4,
                       "cpus:2;mem:2048", 120);
  ASSERT_EQ(r.jobs.finished, 2u);
  EXPECT_GT(r.offers.declined_for.at("gang_hold_released"), 0u);
  const WaitBreakdown w = launched_waits(r, "mpi");
  EXPECT_GT(of(w, WaitCause::kGangHold), 0.0);
  EXPECT_GT(of(w, WaitCause::kFiltered), 0.0);
  EXPECT_EQ(of(w, WaitCause::kFrameworkDeclined), 0.0);
}

// A Spark application with 2 executors of 2 slots runs a stage of 8 ten-second units: 4 run at
// once and the other 4 wait about 10 s inside the executors for a slot (the framework is
// suppressed meanwhile: it has all the executors it wants).
TEST(SimRunTest, SparkUnitsQueuedInsideTheirExecutorsWaitForAnExecutorSlot) {
  auto make = [](Clock& clock) {
    SparkFrameworkOptions so;
    so.executors_per_app = 2;
    return std::make_unique<SparkFramework>(clock, so);
  };
  Job stage = make_job("als-0", 0, 8, "cpus:1;mem:256", Duration::seconds(10), "spark");
  stage.group = "als";
  const RunResult r = run_beside_batch(make, {stage}, {}, 3, "cpus:2;mem:4096", 120);
  ASSERT_EQ(r.jobs.finished, 1u);
  const WaitBreakdown w = launched_waits(r, "spark");
  EXPECT_GT(of(w, WaitCause::kExecutorSlot), 4 * 9.0);
  EXPECT_LT(of(w, WaitCause::kSuppressed), 1e-9);
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
