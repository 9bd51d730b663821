#include "workloads/job_feeder.hpp"

#include "allocator/check.hpp"

namespace mesosim {

JobFeeder::JobFeeder(Clock& clock, JobSource& source, Time start)
    : clock_(clock), source_(source), start_(start) {}

JobFeeder::~JobFeeder() { clock_.cancel(timer_); }

void JobFeeder::route(const std::string& framework, FrameworkModel* model) {
  models_[framework] = model;
}

void JobFeeder::start() {
  MESOSIM_CHECK(!next_ && !done_ && timer_.value == 0, "JobFeeder started twice");
  pull();
}

FrameworkModel* JobFeeder::model_for(const Job& job) const {
  if (job.framework.empty()) return default_;
  auto it = models_.find(job.framework);
  return it == models_.end() ? nullptr : it->second;
}

void JobFeeder::pull() {
  if (advance()) schedule_fire();
}

bool JobFeeder::advance() {
  Result<std::optional<Job>> r = source_.next();
  if (!r.ok()) {
    error_ = r.error();
    done_ = true;
    return false;
  }
  if (!r.value()) {
    done_ = true;
    return false;
  }
  next_ = std::move(r).value();
  return true;
}

void JobFeeder::schedule_fire() {
  const Time at = start_ + (next_->submit - Time::epoch());
  const Duration delay = at > clock_.now() ? at - clock_.now() : Duration::zero();
  timer_ = clock_.schedule(delay, [this] {
    timer_ = TimerId{};
    fire();
  });
}

void JobFeeder::fire() {
  while (next_) {
    if (start_ + (next_->submit - Time::epoch()) > clock_.now()) {
      schedule_fire();
      return;
    }
    Job job = std::move(*next_);
    next_.reset();
    FrameworkModel* model = model_for(job);
    if (!model) {
      error_ = Error{"job " + job.id + ": no framework model named \"" + job.framework + "\""};
      done_ = true;
      return;
    }
    ++submitted_;
    model->submit(std::move(job));
    if (!advance()) return;
  }
}

}  // namespace mesosim
