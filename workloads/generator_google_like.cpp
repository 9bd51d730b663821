// A Google-2011-like workload and cluster for scale runs, made one job (one machine) at a time.

#include <algorithm>
#include <array>
#include <cmath>

#include <fmt/format.h>

#include "workloads/generator_draws.hpp"
#include "workloads/generators.hpp"

namespace mesosim {
namespace {

// Task shapes (cpus, mem MB) and their weight in percent: small batch tasks dominate, as in
// the 2011 trace's requests scaled to a 32-core, 128 GB reference machine.
struct Shape {
  double cpus, mem;
  int percent;
};
constexpr std::array<Shape, 6> kShapes = {
    {{0.5, 512, 30}, {1, 1024, 25}, {1, 4096, 15}, {2, 2048, 15}, {4, 8192, 10}, {8, 16384, 5}}};

class GoogleLike : public GeneratedJobs {
 public:
  GoogleLike(const GoogleLikeOptions& o, uint64_t seed) : GeneratedJobs(seed), o_(o) {
    for (const Shape& s : kShapes) {
      Resources r = Resources::scalar(ResourceName::cpus(), Scalar::from_double(s.cpus));
      r += Resources::scalar(ResourceName::mem(), Scalar::from_double(s.mem));
      shapes_.push_back(std::move(r));
    }
  }

 protected:
  bool make_more(std::deque<Job>& out) override {
    if (made_ >= o_.jobs) return false;
    const Duration mean_gap = Duration::micros(o_.span.micros() / std::max<int64_t>(1, o_.jobs));
    if (made_ > 0) submit_ = submit_ + gen::exponential(rng_, mean_gap);
    Job job;
    job.id = fmt::format("{}", 6'000'000'000 + made_);
    job.user = fmt::format("user{}", rng_.below(900));
    job.framework = o_.framework;
    job.submit = submit_;
    const int n = task_count();
    const SharedResources& shape = shapes_[draw_shape()];
    job.tasks.reserve(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
      TaskSpec t;
      t.resources = shape;
      t.duration = gen::log_uniform(rng_, o_.min_duration, o_.max_duration);
      const uint64_t end = rng_.below(100);
      t.outcome = end < 80   ? TaskOutcome::kFinished
                  : end < 90 ? TaskOutcome::kKilled
                  : end < 98 ? TaskOutcome::kFailed
                             : TaskOutcome::kLost;
      job.tasks.push_back(std::move(t));
    }
    out.push_back(std::move(job));
    ++made_;
    return true;
  }

 private:
  // 60% single-task jobs; the rest Pareto-like (shape 1) up to max_tasks: mean about 20.
  int task_count() {
    if (rng_.unit() < 0.6) return 1;
    const double u = 1.0 - rng_.unit();  // (0, 1]
    const double n = 2.0 / u;
    return static_cast<int>(std::min<double>(n, o_.max_tasks));
  }
  size_t draw_shape() {
    int pick = static_cast<int>(rng_.below(100));
    for (size_t i = 0; i < kShapes.size(); ++i) {
      if (pick < kShapes[i].percent) return i;
      pick -= kShapes[i].percent;
    }
    return kShapes.size() - 1;
  }

  GoogleLikeOptions o_;
  std::vector<SharedResources> shapes_;  // shared by every task of a shape
  int64_t made_ = 0;
  Time submit_;
};

class GoogleLikeMachines : public MachineEventSource {
 public:
  GoogleLikeMachines(const GoogleLikeMachinesOptions& o, uint64_t seed) : o_(o), rng_(seed) {
    if (o_.reference.empty()) o_.reference = Resources::parse("cpus:32;mem:131072").value();
    // Failures are few (a parameter): drawn up front and sorted, so events come in time order.
    for (int i = 0; i < o_.failures && o_.machines > 0; ++i) {
      const auto id = rng_.below(static_cast<uint64_t>(o_.machines));
      const Time at = Time::from_micros(static_cast<int64_t>(
          rng_.below(static_cast<uint64_t>(std::max<int64_t>(1, o_.span.micros())))));
      failures_.push_back({at, id, MachineEvent::Kind::kRemove, "", {}});
      failures_.push_back({at + o_.repair, id, MachineEvent::Kind::kAdd, "", {}});
    }
    std::stable_sort(failures_.begin(), failures_.end(),
                     [](const MachineEvent& a, const MachineEvent& b) { return a.time < b.time; });
  }

  Result<std::optional<MachineEvent>> next() override {
    if (added_ < o_.machines) {
      MachineEvent e;
      e.time = Time::epoch();
      e.machine_id = static_cast<uint64_t>(added_++);
      e.kind = MachineEvent::Kind::kAdd;
      set_shape(e);
      return std::optional<MachineEvent>(std::move(e));
    }
    if (next_failure_ < failures_.size()) {
      MachineEvent e = failures_[next_failure_++];
      if (e.kind == MachineEvent::Kind::kAdd) set_shape(e);
      return std::optional<MachineEvent>(std::move(e));
    }
    return std::optional<MachineEvent>();
  }

 private:
  // The machine's platform and shape follow from its id, so a machine that comes back after a
  // failure is the same machine: 53% half cpus and half memory, 31% half cpus and a quarter
  // memory, 8% half cpus and three quarters memory, 6% all of both, 2% a quarter cpus.
  void set_shape(MachineEvent& e) const {
    const uint64_t p = ((e.machine_id * 0x9e3779b97f4a7c15ULL) >> 32) % 100;
    double c = 0.5, m = 0.5;
    char platform = 'A';
    if (p < 53) {
    } else if (p < 84) {
      m = 0.25;
    } else if (p < 92) {
      m = 0.75;
    } else if (p < 98) {
      platform = 'B';
      c = 1;
      m = 1;
    } else {
      platform = 'C';
      c = 0.25;
      m = 0.25;
    }
    // Built, then moved in: assigning a literal trips GCC 12's -Wrestrict at -O3.
    e.platform = std::string(1, platform);
    const double cpus = o_.reference.get(ResourceName::cpus()).to_double();
    const double mem = o_.reference.get(ResourceName::mem()).to_double();
    e.resources = Resources::scalar(ResourceName::cpus(), Scalar::from_double(c * cpus));
    e.resources += Resources::scalar(ResourceName::mem(), Scalar::from_double(m * mem));
  }

  GoogleLikeMachinesOptions o_;
  Rng rng_;
  int added_ = 0;
  std::vector<MachineEvent> failures_;
  size_t next_failure_ = 0;
};

}  // namespace

std::unique_ptr<JobSource> make_google_like(const GoogleLikeOptions& o, uint64_t seed) {
  return std::make_unique<GoogleLike>(o, seed);
}

std::unique_ptr<MachineEventSource> make_google_like_machines(const GoogleLikeMachinesOptions& o,
                                                              uint64_t seed) {
  return std::make_unique<GoogleLikeMachines>(o, seed);
}

}  // namespace mesosim
