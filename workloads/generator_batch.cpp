// Iterative Spark applications, Torque/MPI gang jobs, long-running work and sleep tasks.

#include <fmt/format.h>

#include "workloads/generator_draws.hpp"
#include "workloads/generators.hpp"

namespace mesosim {
namespace {

class Spark : public GeneratedJobs {
 public:
  Spark(const SparkOptions& o, uint64_t seed) : GeneratedJobs(seed), o_(o) {
    o_.task = gen::or_default(o.task, "cpus:1;mem:4096");
  }

 protected:
  // One stage per call: the load stage, then the iterations, of each application in turn.
  bool make_more(std::deque<Job>& out) override {
    if (app_ >= o_.apps) return false;
    const std::string group = fmt::format("spark-{}", app_);
    Job stage;
    stage.id = fmt::format("{}-{}", group, stage_);
    stage.user = fmt::format("user{}", app_ % 3);
    stage.framework = o_.framework;
    stage.submit = Time::epoch() + o_.interval * app_;
    stage.group = group;
    if (stage_ > 0) stage.depends_on = {fmt::format("{}-{}", group, stage_ - 1)};
    const Duration mean = stage_ == 0 ? o_.load_duration : o_.iteration_duration;
    for (int i = 0; i < o_.tasks; ++i) {
      TaskSpec t;
      t.resources = o_.task;
      t.duration = gen::around(rng_, mean);
      stage.tasks.push_back(std::move(t));
    }
    out.push_back(std::move(stage));
    if (++stage_ > o_.iterations) {
      stage_ = 0;
      ++app_;
    }
    return true;
  }

 private:
  SparkOptions o_;
  int app_ = 0;
  int stage_ = 0;
};

class Mpi : public GeneratedJobs {
 public:
  Mpi(const MpiOptions& o, uint64_t seed) : GeneratedJobs(seed), o_(o) {
    o_.task = gen::or_default(o.task, "cpus:1;mem:2048");
    for (int i = 0; i < o.small; ++i) large_.push_back(0);
    for (int i = 0; i < o.large; ++i) large_.push_back(1);
    rng_.shuffle(std::span<int>(large_));
  }

 protected:
  bool make_more(std::deque<Job>& out) override {
    if (made_ >= large_.size()) return false;
    const bool large = large_[made_] != 0;
    if (made_ > 0) submit_ = submit_ + gen::exponential(rng_, o_.mean_interarrival);
    Job job;
    job.id = fmt::format("tachyon-{}", made_);
    job.user = large ? "large" : "small";
    job.framework = o_.framework;
    job.submit = submit_;
    job.gang = true;
    // A gang runs in lock step: one duration for all its tasks.
    TaskSpec t;
    t.resources = o_.task;
    t.duration = gen::around(rng_, large ? o_.large_duration : o_.small_duration);
    job.tasks.assign(static_cast<size_t>(o_.tasks), t);
    out.push_back(std::move(job));
    ++made_;
    return true;
  }

 private:
  MpiOptions o_;
  std::vector<int> large_;
  size_t made_ = 0;
  Time submit_;
};

class LongRunning : public GeneratedJobs {
 public:
  LongRunning(const LongRunningOptions& o, uint64_t seed, bool storm)
      : GeneratedJobs(seed), o_(o), storm_(storm) {
    o_.task = gen::or_default(o.task, storm ? "cpus:1;mem:2048" : "cpus:0.5;mem:512");
    if (o_.framework.empty()) o_.framework = storm ? "storm" : "marathon";
  }

 protected:
  bool make_more(std::deque<Job>& out) override {
    if (made_ >= o_.count) return false;
    if (made_ > 0) submit_ = submit_ + gen::exponential(rng_, o_.mean_interarrival);
    Job job;
    job.id = fmt::format("{}-{}", storm_ ? "topology" : "service", made_);
    job.user = fmt::format("team{}", rng_.below(4));
    job.framework = o_.framework;
    job.submit = submit_;
    const int n =
        storm_ ? o_.workers : 1 + static_cast<int>(rng_.below(static_cast<uint64_t>(o_.workers)));
    TaskSpec t;
    t.resources = o_.task;
    t.duration = o_.lifetime;
    job.tasks.assign(static_cast<size_t>(n), t);
    out.push_back(std::move(job));
    ++made_;
    return true;
  }

 private:
  LongRunningOptions o_;
  bool storm_;
  int made_ = 0;
  Time submit_;
};

class Sleep : public GeneratedJobs {
 public:
  Sleep(const SleepOptions& o, uint64_t seed) : GeneratedJobs(seed), o_(o) {
    o_.task = gen::or_default(o.task, "cpus:1;mem:1024");
  }

 protected:
  bool make_more(std::deque<Job>& out) override {
    if (made_ >= o_.jobs) return false;
    if (made_ > 0 && o_.mean_interarrival > Duration::zero()) {
      submit_ = submit_ + gen::exponential(rng_, o_.mean_interarrival);
    }
    Job job;
    job.id = fmt::format("sleep-{}", made_);
    job.framework = o_.framework;
    job.submit = submit_;
    job.tasks.reserve(static_cast<size_t>(o_.tasks));
    for (int i = 0; i < o_.tasks; ++i) {
      TaskSpec t;
      t.resources = o_.task;
      t.duration = gen::normal_at_least(rng_, o_.mean_duration, o_.sd_duration, o_.min_duration);
      job.tasks.push_back(std::move(t));
    }
    out.push_back(std::move(job));
    ++made_;
    return true;
  }

 private:
  SleepOptions o_;
  int made_ = 0;
  Time submit_;
};

}  // namespace

std::unique_ptr<JobSource> make_sleep(const SleepOptions& o, uint64_t seed) {
  return std::make_unique<Sleep>(o, seed);
}
std::unique_ptr<JobSource> make_spark(const SparkOptions& o, uint64_t seed) {
  return std::make_unique<Spark>(o, seed);
}
std::unique_ptr<JobSource> make_mpi(const MpiOptions& o, uint64_t seed) {
  return std::make_unique<Mpi>(o, seed);
}
std::unique_ptr<JobSource> make_storm(const LongRunningOptions& o, uint64_t seed) {
  return std::make_unique<LongRunning>(o, seed, true);
}
std::unique_ptr<JobSource> make_services(const LongRunningOptions& o, uint64_t seed) {
  return std::make_unique<LongRunning>(o, seed, false);
}

}  // namespace mesosim
