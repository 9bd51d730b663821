#pragma once

// Seeded synthetic workloads. Each generator is a JobSource that makes its jobs lazily, in
// submit order, from its options and one Rng: the same options and seed give the same jobs,
// and memory holds only the job being made (never the whole workload). Write one out with
// NativeWriter to save it and replay it with NativeReader. The shapes follow the workloads of
// the Mesos paper (§6.1, Table 3; ../shared/MESOS-REFERENCE.md); workloads/README.md lists
// every parameter with its default.

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "allocator/rng.hpp"
#include "workloads/job_source.hpp"
#include "workloads/machine_event.hpp"

namespace mesosim {

// The common machinery: a queue of made jobs refilled on demand.
class GeneratedJobs : public JobSource {
 public:
  Result<std::optional<Job>> next() final;

 protected:
  explicit GeneratedJobs(uint64_t seed) : rng_(seed) {}
  // Appends the next job(s) to `out`; false when the workload is complete.
  virtual bool make_more(std::deque<Job>& out) = 0;
  Rng rng_;

 private:
  std::deque<Job> ready_;
  bool done_ = false;
};

// Facebook-like Hadoop mix: jobs arrive with exponential inter-arrival times; each job's size
// is drawn from the size bins of the Mesos paper (maps[/reduces] x share of jobs): 1x38, 2x18,
// 10/2x14, 50x12, 100/10x6, 200x6, 400x4, 400/30x2. With a multiple of 100 jobs the bins are
// used in exactly those proportions (shuffled). A job with reduces is two jobs: the maps
// ("fb-N"), then the reduces ("fb-N-r", depends_on the maps), both in group "fb-N". Every map
// prefers `replicas` distinct agents (its input's HDFS replicas) and their racks.
struct FacebookHadoopOptions {
  int jobs = 100;
  Duration mean_interarrival = Duration::seconds(14);
  Resources map_task;                                // default cpus:1;mem:1024
  Resources reduce_task;                             // default cpus:1;mem:2048
  Duration map_duration = Duration::seconds(30);     // mean (uniform in [0.5, 1.5] x mean)
  Duration reduce_duration = Duration::seconds(60);  // mean
  int agents = 96;                                   // agent0 .. agent95, as the paper's 96 nodes
  int racks = 4;                                     // agent k is in rack (k mod racks)
  int replicas = 3;
  std::string framework = "hadoop";
};

// Large Hadoop mix: `jobs` text-search jobs of `tasks` maps each, back to back (job k depends
// on job k-1), all submitted at time 0.
struct LargeHadoopOptions {
  int jobs = 10;
  int tasks = 2400;
  Resources task;                                  // default cpus:1;mem:1024
  Duration task_duration = Duration::seconds(30);  // mean
  int agents = 96;
  int racks = 4;
  int replicas = 3;
  std::string framework = "hadoop";
};

// Iterative Spark applications (ALS-like): `apps` applications `interval` apart; each is a
// load stage then `iterations` stages, each stage a job ("spark-A-S") of `tasks` tasks that
// depends on the previous stage, all in group "spark-A".
struct SparkOptions {
  int apps = 5;
  Duration interval = Duration::minutes(2);
  int iterations = 10;
  int tasks = 24;
  Resources task;                                  // default cpus:1;mem:4096
  Duration load_duration = Duration::seconds(60);  // mean per task of the load stage
  Duration iteration_duration = Duration::seconds(15);
  std::string framework = "spark";
};

// Torque/MPI gang jobs (tachyon-like): `small` then `large` jobs interleaved at random, each a
// rigid gang of `tasks` tasks, with exponential inter-arrival times.
struct MpiOptions {
  int small = 6;
  int large = 2;
  int tasks = 24;
  Resources task;                                  // default cpus:1;mem:2048
  Duration small_duration = Duration::minutes(5);  // mean
  Duration large_duration = Duration::minutes(15);
  Duration mean_interarrival = Duration::minutes(2);
  std::string framework = "mpi";
};

// Long-running work: Storm topologies (`workers` tasks each, framework "storm") or services
// (1..`max_instances` instances each, framework "marathon"), with exponential inter-arrival
// times, running for `lifetime` (Duration::max(): until the simulation ends).
struct LongRunningOptions {
  int count = 4;
  int workers = 8;  // storm: tasks per topology; services: the maximum instances
  Resources task;   // default cpus:1;mem:2048 (storm), cpus:0.5;mem:512 (services)
  Duration mean_interarrival = Duration::minutes(1);
  Duration lifetime = Duration::max();
  std::string framework;  // default "storm" or "marathon"
};

// A Google-2011-like workload for scale runs: `jobs` jobs arriving at a Poisson rate over
// `span`; heavy-tailed tasks per job (60% have one task, the rest a Pareto tail up to
// `max_tasks`: about 7 on average); six task shapes and log-uniform durations like the 2011
// trace's batch work. The defaults make 500,000 jobs and about 3.6 million tasks over 29 days.
struct GoogleLikeOptions {
  int64_t jobs = 500'000;
  Duration span = Duration::days(29);
  int max_tasks = 5000;
  Duration min_duration = Duration::seconds(10);
  Duration max_duration = Duration::hours(12);
  std::string framework = "google";
};

// Independent sleep tasks (the Mesos paper's scalability load, §6.5): `jobs` jobs of `tasks`
// tasks each, with exponential inter-arrival times (`mean_interarrival` 0: all at time 0, a
// backlog the framework works through). Each task's duration is normal(mean_duration,
// sd_duration), drawn again while below `min_duration`.
struct SleepOptions {
  int jobs = 1;
  int tasks = 1000;
  Resources task;  // default cpus:1;mem:1024
  Duration mean_duration = Duration::seconds(30);
  Duration sd_duration = Duration::seconds(10);
  Duration min_duration = Duration::seconds(1);
  Duration mean_interarrival = Duration::zero();
  std::string framework = "sleep";
};

// 12,500 machines (by default) added at time 0 with the 2011 trace's platform mix (most with
// half the reference cpus and memory, a quarter of the memory or all of it), then `failures`
// machines that fail at random times and come back after `repair`.
struct GoogleLikeMachinesOptions {
  int machines = 12'500;
  int failures = 100;
  Duration span = Duration::days(29);
  Duration repair = Duration::hours(2);
  Resources reference;  // default cpus:32;mem:131072
};

std::unique_ptr<JobSource> make_facebook_hadoop(const FacebookHadoopOptions& o, uint64_t seed);
std::unique_ptr<JobSource> make_large_hadoop(const LargeHadoopOptions& o, uint64_t seed);
std::unique_ptr<JobSource> make_spark(const SparkOptions& o, uint64_t seed);
std::unique_ptr<JobSource> make_mpi(const MpiOptions& o, uint64_t seed);
std::unique_ptr<JobSource> make_storm(const LongRunningOptions& o, uint64_t seed);
std::unique_ptr<JobSource> make_services(const LongRunningOptions& o, uint64_t seed);
std::unique_ptr<JobSource> make_google_like(const GoogleLikeOptions& o, uint64_t seed);
std::unique_ptr<JobSource> make_sleep(const SleepOptions& o, uint64_t seed);
std::unique_ptr<MachineEventSource> make_google_like_machines(const GoogleLikeMachinesOptions& o,
                                                              uint64_t seed);

// The generator kinds by name (facebook, large-hadoop, spark, mpi, storm, services,
// google-like, sleep), each built from `key=value` parameters (names as the option fields;
// durations in seconds, resources in Mesos text). Unknown kinds, unknown keys and bad values are
// errors.
std::vector<std::string_view> generator_kinds();
Result<std::unique_ptr<JobSource>> make_generator(std::string_view kind, uint64_t seed,
                                                  const std::map<std::string, std::string>& params);

}  // namespace mesosim
