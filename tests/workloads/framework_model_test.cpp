// FrameworkModel's records over a long run: with keep_finished_jobs false, finished jobs go to
// the job sink and are forgotten, so what the model holds stays bounded by the jobs in flight
// however many jobs the run has seen; what the sink receives is exactly what a model that
// keeps everything would hold at the end. And first_fit, which skips whole shapes of pending
// tasks, picks exactly what a walk over every pending task in order picks.

#include "workloads/framework_model.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <random>

#include "sim/event_queue.hpp"
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

// A model whose pending tasks the test makes and takes by hand, with the walk first_fit replaced
// (every pending task in order) to compare against.
class FirstFitProbe : public FrameworkModel {
 public:
  using FrameworkModel::TaskRef;
  using Admit = std::function<bool(TaskRef, const std::vector<TaskRef>&)>;
  explicit FirstFitProbe(Clock& clock) : FrameworkModel(clock, FrameworkModelOptions{}) {}
  using FrameworkModel::first_fit;
  using FrameworkModel::make_pending;
  using FrameworkModel::pending;
  using FrameworkModel::take_pending;

  std::vector<TaskRef> linear_first_fit(const v1::Offer& offer, const Admit& admit) const {
    Resources left = offer.resources;
    std::vector<TaskRef> fit;
    for (const auto& [key, ref] : pending()) {
      const Resources& need = task_spec(ref).resources;
      if (!left.contains(need) || (admit && !admit(ref, fit))) continue;
      left -= need;
      fit.push_back(ref);
    }
    return fit;
  }

 private:
  void on_job_ready(size_t) override {}  // the test makes tasks pending itself
  void on_offers(SchedulerDriver&, const std::vector<v1::Offer>&) override {}
};

std::string random_need(std::mt19937_64& rng) {
  const auto pick = [&rng](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
  if (pick(20) == 0) return "";  // a task that needs nothing fits every offer, even an empty one
  std::string need = fmt::format("cpus:{};mem:{}", 0.5 * (1 + pick(8)), 256 * (1 + pick(16)));
  if (pick(4) == 0) need += fmt::format(";ports:[{}-{}]", 31000 + pick(4), 31000 + pick(4) + 4);
  if (pick(6) == 0) need += ";disk:" + std::to_string(100 * (1 + pick(3)));
  return need;
}

v1::Offer random_offer(std::mt19937_64& rng) {
  const auto pick = [&rng](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
  v1::Offer offer;
  offer.hostname = "agent" + std::to_string(pick(4));
  if (pick(10) == 0) return offer;  // nothing left on the agent
  std::string text = fmt::format("cpus:{};mem:{}", 0.5 * pick(33), 512 * pick(33));
  if (pick(2) == 0) text += fmt::format(";ports:[31000-{}]", 31000 + pick(20));
  if (pick(2) == 0) text += ";disk:" + std::to_string(100 * pick(10));
  offer.resources = Res(text);
  return offer;
}

// Random runs of make_pending, take_pending and first_fit over random offers, with few shapes
// and many, equal shapes in distinct jobs, and with and without an `admit` that refuses some
// tasks: the picks (tasks and order) equal those of the walk over every pending task.
TEST(FrameworkModelFirstFitTest, PicksWhatAWalkOverEveryPendingTaskPicks) {
  size_t picks = 0, refusals = 0;
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    std::mt19937_64 rng(seed);
    const auto pick = [&rng](size_t n) { return static_cast<size_t>(rng() % n); };
    EventQueue clock;
    FirstFitProbe model(clock);
    const size_t shape_count = std::vector<size_t>{1, 2, 5, 40}[seed % 4];
    std::vector<std::string> shapes;
    for (size_t i = 0; i < shape_count; ++i) shapes.push_back(random_need(rng));
    const size_t jobs = 1 + pick(12);
    for (size_t j = 0; j < jobs; ++j) {
      Job job;
      job.id = "job" + std::to_string(j);
      const size_t tasks = 1 + pick(40);
      for (size_t t = 0; t < tasks; ++t) {
        job.tasks.push_back(task_spec(shapes[pick(shapes.size())], Duration::seconds(1)));
      }
      model.submit(std::move(job));
    }
    // Refuses a task when its job already has `limit` tasks on the offer, or now and then.
    const size_t limit = 1 + pick(3);
    const FirstFitProbe::Admit admit = [&](FirstFitProbe::TaskRef ref,
                                           const std::vector<FirstFitProbe::TaskRef>& chosen) {
      const auto same = std::count_if(chosen.begin(), chosen.end(),
                                      [&](FirstFitProbe::TaskRef c) { return c.job == ref.job; });
      const bool ok = static_cast<size_t>(same) < limit && (ref.task + chosen.size()) % 5 != 0;
      refusals += !ok;
      return ok;
    };
    for (int step = 0; step < 400; ++step) {
      const FirstFitProbe::TaskRef ref{pick(jobs), pick(model.spec(0).tasks.size())};
      switch (pick(6)) {
        case 0:
        case 1:
        case 2:
          if (ref.task < model.spec(ref.job).tasks.size()) model.make_pending(ref);
          break;
        case 3:
          model.take_pending(ref);
          break;
        default: {
          const v1::Offer offer = random_offer(rng);
          const bool with_admit = pick(2) == 0;
          const auto expected = model.linear_first_fit(offer, with_admit ? admit : nullptr);
          const auto got = model.first_fit(offer, with_admit ? admit : nullptr);
          ASSERT_EQ(got, expected) << "seed " << seed << " step " << step;
          picks += got.size();
          // Launch some of them, as a model would, so what is pending moves on.
          for (const auto& r : got) {
            if (pick(2) == 0) model.take_pending(r);
          }
        }
      }
    }
  }
  // The runs reached the cases that matter: tasks picked, and tasks refused by `admit`.
  EXPECT_GT(picks, 1000u);
  EXPECT_GT(refusals, 100u);
}

}  // namespace
}  // namespace mesosim
