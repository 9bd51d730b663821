// Hadoop-like workloads: the Facebook mix and the large text-search mix of the Mesos paper.

#include <array>

#include <fmt/format.h>

#include "workloads/generator_draws.hpp"
#include "workloads/generators.hpp"

namespace mesosim {
namespace {

struct SizeBin {
  int maps, reduces, per_hundred;
};
// Mesos paper, Table 3: maps[/reduces] x jobs out of 100.
constexpr std::array<SizeBin, 8> kFacebookBins = {{{1, 0, 38},
                                                   {2, 0, 18},
                                                   {10, 2, 14},
                                                   {50, 0, 12},
                                                   {100, 10, 6},
                                                   {200, 0, 6},
                                                   {400, 0, 4},
                                                   {400, 30, 2}}};

class FacebookHadoop : public GeneratedJobs {
 public:
  FacebookHadoop(const FacebookHadoopOptions& o, uint64_t seed) : GeneratedJobs(seed), o_(o) {
    o_.map_task = gen::or_default(o.map_task, "cpus:1;mem:1024");
    o_.reduce_task = gen::or_default(o.reduce_task, "cpus:1;mem:2048");
  }

 protected:
  bool make_more(std::deque<Job>& out) override {
    if (made_ >= o_.jobs) return false;
    const SizeBin bin = draw_bin();
    if (made_ > 0) submit_ = submit_ + gen::exponential(rng_, o_.mean_interarrival);
    const std::string id = fmt::format("fb-{}", made_);
    Job maps;
    maps.id = id;
    maps.user = fmt::format("user{}", rng_.below(10));
    maps.framework = o_.framework;
    maps.submit = submit_;
    maps.group = id;
    for (int m = 0; m < bin.maps; ++m) {
      TaskSpec t;
      t.resources = o_.map_task;
      t.duration = gen::around(rng_, o_.map_duration);
      gen::preferred(rng_, o_.agents, o_.racks, std::min(o_.replicas, o_.agents), t);
      maps.tasks.push_back(std::move(t));
    }
    if (bin.reduces > 0) {
      Job reduces = maps;
      reduces.id = id + "-r";
      reduces.depends_on = {id};
      reduces.tasks.clear();
      for (int r = 0; r < bin.reduces; ++r) {
        TaskSpec t;
        t.resources = o_.reduce_task;
        t.duration = gen::around(rng_, o_.reduce_duration);
        reduces.tasks.push_back(std::move(t));
      }
      out.push_back(std::move(maps));
      out.push_back(std::move(reduces));
    } else {
      out.push_back(std::move(maps));
    }
    ++made_;
    return true;
  }

 private:
  // Exact proportions per hundred jobs (a shuffled deck of 100), weighted draws for the rest.
  SizeBin draw_bin() {
    const int full_decks = o_.jobs / 100;
    if (made_ < full_decks * 100) {
      if (made_ % 100 == 0) {
        deck_.clear();
        for (size_t b = 0; b < kFacebookBins.size(); ++b) {
          for (int k = 0; k < kFacebookBins[b].per_hundred; ++k)
            deck_.push_back(static_cast<int>(b));
        }
        rng_.shuffle(std::span<int>(deck_));
      }
      return kFacebookBins[static_cast<size_t>(deck_[static_cast<size_t>(made_ % 100)])];
    }
    int pick = static_cast<int>(rng_.below(100));
    for (const SizeBin& b : kFacebookBins) {
      if (pick < b.per_hundred) return b;
      pick -= b.per_hundred;
    }
    return kFacebookBins.back();
  }

  FacebookHadoopOptions o_;
  std::vector<int> deck_;
  int made_ = 0;
  Time submit_;
};

class LargeHadoop : public GeneratedJobs {
 public:
  LargeHadoop(const LargeHadoopOptions& o, uint64_t seed) : GeneratedJobs(seed), o_(o) {
    o_.task = gen::or_default(o.task, "cpus:1;mem:1024");
  }

 protected:
  bool make_more(std::deque<Job>& out) override {
    if (made_ >= o_.jobs) return false;
    Job job;
    job.id = fmt::format("search-{}", made_);
    job.user = "search";
    job.framework = o_.framework;
    job.submit = Time::epoch();
    if (made_ > 0) job.depends_on = {fmt::format("search-{}", made_ - 1)};
    for (int i = 0; i < o_.tasks; ++i) {
      TaskSpec t;
      t.resources = o_.task;
      t.duration = gen::around(rng_, o_.task_duration);
      gen::preferred(rng_, o_.agents, o_.racks, std::min(o_.replicas, o_.agents), t);
      job.tasks.push_back(std::move(t));
    }
    out.push_back(std::move(job));
    ++made_;
    return true;
  }

 private:
  LargeHadoopOptions o_;
  int made_ = 0;
};

}  // namespace

std::unique_ptr<JobSource> make_facebook_hadoop(const FacebookHadoopOptions& o, uint64_t seed) {
  return std::make_unique<FacebookHadoop>(o, seed);
}

std::unique_ptr<JobSource> make_large_hadoop(const LargeHadoopOptions& o, uint64_t seed) {
  return std::make_unique<LargeHadoop>(o, seed);
}

}  // namespace mesosim
