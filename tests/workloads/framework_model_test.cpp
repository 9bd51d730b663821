// FrameworkModel's records over a long run: with keep_finished_jobs false, finished jobs go to
// the job sink and are forgotten, so what the model holds stays bounded by the jobs in flight
// however many jobs the run has seen; what the sink receives is exactly what a model that
// keeps everything would hold at the end.

#include "workloads/framework_model.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <map>

#include "tests/workloads/workload_test_util.hpp"
#include "workloads/batch_framework.hpp"
#include "workloads/generators.hpp"
#include "workloads/hadoop_framework.hpp"

namespace mesosim {
namespace {

using namespace mesosim::testing;

// A long run of generated sleep jobs (one every 5 s on average, 4 tasks of about 10 s) through a
// batch model on 32 cpus (about a quarter used), sampling how many jobs the model holds every 50
// simulated seconds.
struct LongRun {
  explicit LongRun(bool keep, int jobs = 400)
      : cluster(fixed_latency()), topology(Topology::uniform(1, 2, 8)) {
    add_agents(cluster, topology, "cpus:4;mem:8192");
    FrameworkModelOptions o;
    o.name = "batch";
    o.keep_finished_jobs = keep;
    o.refuse_seconds = 1;
    // The default decision time: a REVIVE made when a job arrives during a decision must leave
    // after that decision's SUPPRESS (SchedulerDriver), or the run stalls with work pending.
    model = std::make_unique<BatchFramework>(cluster.queue(), BatchFrameworkOptions{o, &topology});
    model->set_job_sink([this](size_t index, const JobRecord& rec, const Job& spec) {
      EXPECT_TRUE(rec.finished()) << rec.id;
      EXPECT_EQ(rec.tasks.size(), spec.tasks.size());
      sunk.emplace(index, rec);
    });
    cluster.add_framework(model->framework_info(), model.get());
    source = make_generator("sleep", 7,
                            {{"jobs", std::to_string(jobs)},
                             {"tasks", "4"},
                             {"mean_duration", "10"},
                             {"sd_duration", "3"},
                             {"mean_interarrival", "5"}})
                 .value();
    feeder = std::make_unique<JobFeeder>(cluster.queue(), *source);
    feeder->route("sleep", model.get());
    cluster.start();
    feeder->start();
    sample = [this] {
      max_held = std::max(max_held, model->jobs_held());
      cluster.queue().schedule(Duration::seconds(50), sample);
    };
    cluster.queue().schedule(Duration::seconds(50), sample);
    cluster.run_until(secs(jobs * 5.0 + 600));
  }

  SimCluster cluster;
  Topology topology;
  std::unique_ptr<BatchFramework> model;
  std::unique_ptr<JobSource> source;
  std::unique_ptr<JobFeeder> feeder;
  std::function<void()> sample;
  std::map<size_t, JobRecord> sunk;
  size_t max_held = 0;
};

TEST(FrameworkModelRecordsTest, ForgettingFinishedJobsKeepsWhatTheModelHoldsBounded) {
  LongRun run(/*keep=*/false);
  ASSERT_TRUE(run.feeder->done());
  ASSERT_FALSE(run.feeder->error().has_value()) << run.feeder->error()->message;
  EXPECT_EQ(run.model->jobs_submitted(), 400u);
  EXPECT_EQ(run.model->unfinished_jobs(), 0u);
  EXPECT_EQ(run.model->jobs_sunk(), 400u);
  EXPECT_EQ(run.sunk.size(), 400u);
  // A handful of jobs are in flight at a time; were finished jobs kept, the model would hold
  // every one of the 400 by the end.
  EXPECT_GT(run.max_held, 0u);
  EXPECT_LE(run.max_held, 20u);
  EXPECT_EQ(run.model->jobs_held(), 0u);
  EXPECT_TRUE(run.model->jobs().empty());
  EXPECT_EQ(run.model->job(run.sunk.begin()->second.id), nullptr) << "forgotten";
}

TEST(FrameworkModelRecordsTest, TheSinkSeesWhatAModelKeepingEveryJobHolds) {
  LongRun forget(/*keep=*/false, 120);
  LongRun keep(/*keep=*/true, 120);
  ASSERT_EQ(keep.model->jobs().size(), 120u) << "kept: every job stays";
  EXPECT_EQ(keep.max_held, keep.model->jobs_held());
  EXPECT_EQ(keep.sunk.size(), 120u) << "the sink sees every job in both modes";
  ASSERT_EQ(forget.sunk.size(), 120u);
  for (size_t j = 0; j < 120; ++j) {
    const JobRecord& a = forget.sunk.at(j);
    const JobRecord& b = keep.model->jobs()[j];
    ASSERT_EQ(a.id, b.id);
    EXPECT_EQ(a.submit, b.submit);
    EXPECT_EQ(a.start, b.start);
    EXPECT_EQ(a.finish, b.finish);
    ASSERT_EQ(a.tasks.size(), b.tasks.size());
    for (size_t t = 0; t < a.tasks.size(); ++t) {
      EXPECT_EQ(a.tasks[t].launched, b.tasks[t].launched);
      EXPECT_EQ(a.tasks[t].ended, b.tasks[t].ended);
      EXPECT_EQ(a.tasks[t].wait, b.tasks[t].wait);
      EXPECT_EQ(a.tasks[t].agent, b.tasks[t].agent);
      EXPECT_EQ(a.tasks[t].final_state, b.tasks[t].final_state);
      EXPECT_EQ(a.tasks[t].attempts, b.tasks[t].attempts);
    }
  }
}

}  // namespace
}  // namespace mesosim
