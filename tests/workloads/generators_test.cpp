#include "workloads/generators.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/workloads/workloads_test_util.hpp"
#include "workloads/google_trace.hpp"

namespace mesosim {
namespace {

using testing::read_all;
using testing::rows;

// Small parameters for every kind, so each test runs in milliseconds.
std::map<std::string, std::string> small_params(std::string_view kind) {
  if (kind == "large-hadoop") return {{"jobs", "3"}, {"tasks", "50"}};
  if (kind == "google-like") return {{"jobs", "300"}, {"span", "3600"}};
  if (kind == "sleep") return {{"jobs", "3"}, {"tasks", "40"}, {"mean_interarrival", "5"}};
  return {};
}

std::vector<Job> generate(std::string_view kind, uint64_t seed) {
  auto g = make_generator(kind, seed, small_params(kind));
  EXPECT_TRUE(g.ok()) << (g.ok() ? "" : g.error().message);
  if (!g.ok()) return {};
  auto all = read_all(*g.value());
  EXPECT_FALSE(all.error);
  return std::move(all.jobs);
}

TEST(GeneratorsTest, FacebookMixUsesThePaperSizeBinsExactlyPerHundredJobs) {
  const auto jobs = generate("facebook", 7);
  std::map<size_t, int> maps_jobs;  // maps per job -> jobs
  std::map<size_t, int> reduce_jobs;
  Time last;
  for (const Job& j : jobs) {
    EXPECT_GE(j.submit, last);
    last = j.submit;
    if (j.depends_on.empty()) {
      ++maps_jobs[j.tasks.size()];
      EXPECT_EQ(j.group, j.id);
      for (const TaskSpec& t : j.tasks) {
        ASSERT_EQ(t.preferred_agents.size(), 3u);
        EXPECT_NE(t.preferred_agents[0], t.preferred_agents[1]);
        EXPECT_NE(t.preferred_agents[1], t.preferred_agents[2]);
        EXPECT_NE(t.preferred_agents[0], t.preferred_agents[2]);
        EXPECT_EQ(t.resources.to_string(), "cpus:1;mem:1024");
      }
    } else {
      ++reduce_jobs[j.tasks.size()];
      EXPECT_EQ(j.id, j.depends_on[0] + "-r");
      EXPECT_EQ(j.group, j.depends_on[0]);
    }
  }
  EXPECT_EQ(maps_jobs, (std::map<size_t, int>{
                           {1, 38}, {2, 18}, {10, 14}, {50, 12}, {100, 6}, {200, 6}, {400, 6}}));
  EXPECT_EQ(reduce_jobs, (std::map<size_t, int>{{2, 14}, {10, 6}, {30, 2}}));
  // Mean inter-arrival 14 s: 99 gaps sum to about 1386 s (loose bounds; exponential draws).
  EXPECT_GT(last.seconds_f(), 700);
  EXPECT_LT(last.seconds_f(), 2800);
}

TEST(GeneratorsTest, LargeHadoopJobsRunBackToBack) {
  const auto jobs = generate("large-hadoop", 1);
  ASSERT_EQ(jobs.size(), 3u);
  EXPECT_TRUE(jobs[0].depends_on.empty());
  EXPECT_EQ(jobs[1].depends_on, (std::vector<std::string>{"search-0"}));
  EXPECT_EQ(jobs[2].depends_on, (std::vector<std::string>{"search-1"}));
  EXPECT_EQ(jobs[2].tasks.size(), 50u);
}

TEST(GeneratorsTest, SparkStagesChainWithinTheirApplication) {
  const auto jobs = generate("spark", 1);
  ASSERT_EQ(jobs.size(), 5u * 11);
  EXPECT_EQ(jobs[0].id, "spark-0-0");
  EXPECT_TRUE(jobs[0].depends_on.empty());
  EXPECT_EQ(jobs[12].id, "spark-1-1");
  EXPECT_EQ(jobs[12].group, "spark-1");
  EXPECT_EQ(jobs[12].depends_on, (std::vector<std::string>{"spark-1-0"}));
  EXPECT_EQ(jobs[12].submit, Time::from_micros(120'000'000));
  EXPECT_EQ(jobs[54].submit, Time::from_micros(480'000'000));
}

TEST(GeneratorsTest, MpiJobsAreRigidGangs) {
  const auto jobs = generate("mpi", 1);
  ASSERT_EQ(jobs.size(), 8u);
  int large = 0;
  for (const Job& j : jobs) {
    EXPECT_TRUE(j.gang);
    EXPECT_EQ(j.tasks.size(), 24u);
    for (const TaskSpec& t : j.tasks) EXPECT_EQ(t.duration, j.tasks[0].duration);
    large += j.user == "large";
  }
  EXPECT_EQ(large, 2);
}

TEST(GeneratorsTest, StormAndServicesRunUntilTheSimulationEnds) {
  for (const char* kind : {"storm", "services"}) {
    const auto jobs = generate(kind, 1);
    ASSERT_FALSE(jobs.empty()) << kind;
    for (const Job& j : jobs) {
      for (const TaskSpec& t : j.tasks) EXPECT_EQ(t.duration, Duration::max()) << kind;
    }
  }
  EXPECT_EQ(generate("storm", 1).size(), 4u);
  EXPECT_EQ(generate("services", 1).size(), 10u);
}

TEST(GeneratorsTest, SameSeedSameJobsOtherSeedOtherJobs) {
  for (std::string_view kind : generator_kinds()) {
    const std::string a = rows(generate(kind, 11));
    EXPECT_FALSE(a.empty()) << kind;
    EXPECT_EQ(a, rows(generate(kind, 11))) << kind;
    if (kind != "storm") {
      EXPECT_NE(a, rows(generate(kind, 12))) << kind;
    }
  }
  // Storm draws only users and arrival times.
  EXPECT_NE(rows(generate("storm", 11)), rows(generate("storm", 13)));
}

TEST(GeneratorsTest, EveryGeneratorRoundTripsThroughTheNativeFormat) {
  for (std::string_view kind : generator_kinds()) {
    const auto jobs = generate(kind, 5);
    const auto path =
        (std::filesystem::temp_directory_path() / ("mesosim_gen_" + std::string(kind) + ".csv.gz"))
            .string();
    {
      auto w = NativeWriter::open(path);
      ASSERT_TRUE(w.ok());
      for (const Job& j : jobs) ASSERT_TRUE(w.value()->write(j).ok());
      ASSERT_TRUE(w.value()->close().ok());
    }
    auto r = NativeReader::open(path, {});
    ASSERT_TRUE(r.ok());
    const auto back = read_all(*r.value());
    std::filesystem::remove(path);
    ASSERT_FALSE(back.error) << *back.error;
    EXPECT_EQ(rows(back.jobs), rows(jobs)) << kind;
  }
}

TEST(GeneratorsTest, GoogleLikeMakesHeavyTailedJobsInSubmitOrder) {
  const auto jobs = generate("google-like", 3);
  ASSERT_EQ(jobs.size(), 300u);
  size_t single = 0, tasks = 0;
  Time last;
  for (const Job& j : jobs) {
    EXPECT_GE(j.submit, last);
    last = j.submit;
    single += j.tasks.size() == 1;
    tasks += j.tasks.size();
  }
  EXPECT_GT(single, 140u);  // 60% expected
  EXPECT_LT(single, 220u);
  EXPECT_GT(tasks, 600u);  // about 7 per job
  EXPECT_LT(last.seconds_f(), 3600 * 1.5);
}

TEST(GeneratorsTest, GoogleLikeMachinesRoundTripThroughMachineEventsCsv) {
  GoogleLikeMachinesOptions o;
  o.machines = 50;
  o.failures = 5;
  auto source = make_google_like_machines(o, 9);
  std::vector<MachineEvent> made;
  std::string csv;
  const GoogleScale scale = GoogleScale::parse("cpus:32;mem:131072").value();
  for (;;) {
    auto e = source->next();
    ASSERT_TRUE(e.ok());
    if (!e.value()) break;
    append_google_machine_event_row(*e.value(), scale, csv);
    made.push_back(*e.value());
  }
  ASSERT_EQ(made.size(), 60u);
  for (size_t i = 1; i < made.size(); ++i) EXPECT_GE(made[i].time, made[i - 1].time);
  const auto path = (std::filesystem::temp_directory_path() / "mesosim_gen_machines.csv").string();
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    std::fwrite(csv.data(), 1, csv.size(), f);
    std::fclose(f);
  }
  auto r = GoogleMachineEventReader::open({path}, {});
  ASSERT_TRUE(r.ok());
  std::vector<MachineEvent> back;
  for (;;) {
    auto e = r.value()->next();
    ASSERT_TRUE(e.ok()) << e.error().message;
    if (!e.value()) break;
    back.push_back(*e.value());
  }
  std::filesystem::remove(path);
  EXPECT_EQ(back, made);
}

// The Mesos paper's scalability load: durations normal(30 s, 10 s), none below the minimum.
TEST(GeneratorsTest, SleepTasksHaveNormalDurationsAboveTheMinimum) {
  auto g = make_generator("sleep", 5, {{"tasks", "20000"}, {"min_duration", "5"}});
  ASSERT_TRUE(g.ok()) << g.error().message;
  auto all = read_all(*g.value());
  ASSERT_EQ(all.jobs.size(), 1u);
  const Job& job = all.jobs[0];
  ASSERT_EQ(job.tasks.size(), 20000u);
  EXPECT_EQ(job.submit, Time::epoch());
  double sum = 0, sum2 = 0;
  Duration shortest = Duration::max();
  for (const TaskSpec& t : job.tasks) {
    const double s = t.duration.seconds_f();
    sum += s;
    sum2 += s * s;
    shortest = std::min(shortest, t.duration);
    EXPECT_EQ(t.resources, Resources::parse("cpus:1;mem:1024").value());
  }
  const double mean = sum / 20000, sd = std::sqrt(sum2 / 20000 - mean * mean);
  // Truncating below 5 s (2.5 sd below the mean) raises the mean by about 0.2 s.
  EXPECT_NEAR(mean, 30.2, 0.4);
  EXPECT_NEAR(sd, 9.8, 0.4);
  EXPECT_GE(shortest, Duration::seconds(5));
  EXPECT_LT(shortest, Duration::seconds(7));

  auto bad = make_generator("sleep", 1, {{"min_duration", "40"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message,
            "generator sleep: expected 0 < min_duration <= mean_duration and sd_duration >= 0");
}

TEST(GeneratorsTest, ParametersAreCheckedByName) {
  auto unknown_kind = make_generator("yarn", 1, {});
  ASSERT_FALSE(unknown_kind.ok());
  EXPECT_EQ(unknown_kind.error().message,
            "unknown generator 'yarn' (known: facebook, large-hadoop, spark, mpi, storm, "
            "services, google-like, sleep)");
  auto typo = make_generator("mpi", 1, {{"task", "cpus:2"}, {"lage", "3"}});
  ASSERT_FALSE(typo.ok());
  EXPECT_EQ(typo.error().message,
            "generator mpi: unknown parameter 'lage' (known: framework, large, "
            "large_duration, mean_interarrival, small, small_duration, task, tasks)");
  auto bad = make_generator("facebook", 1, {{"jobs", "-3"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message,
            "generator facebook: parameter jobs: expected an integer from 0 to 100000000, "
            "found '-3'");
  auto params = make_generator("mpi", 1, {{"tasks", "4"}, {"task", "cpus:2;mem:100"}});
  ASSERT_TRUE(params.ok());
  auto job = params.value()->next();
  ASSERT_TRUE(job.ok() && job.value());
  EXPECT_THAT(rows(*job.value()), ::testing::HasSubstr(",mpi,,0,,,1,4,\"cpus:2;mem:100\","));
}

}  // namespace
}  // namespace mesosim
