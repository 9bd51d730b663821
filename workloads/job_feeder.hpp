#pragma once

// Feeds a JobSource into framework models over simulated time. Streaming: it holds only the
// next job, with a timer at its submit time; when the timer fires it hands the job to the model
// its Job::framework names (or the default model when that is empty) and pulls the next one.
// Jobs due at the same time are handed over in source order, in one timer callback.
//
// Bad input never crashes the run: a source error, or a job naming no known model, stops the
// feeder with error() saying which job and why; the jobs already handed over keep running.

#include <cstddef>
#include <map>
#include <optional>
#include <string>

#include "sim/master/clock.hpp"
#include "workloads/framework_model.hpp"
#include "workloads/job_source.hpp"

namespace mesosim {

class JobFeeder {
 public:
  // Job::submit is relative to `start` (the trace's start in simulated time).
  JobFeeder(Clock& clock, JobSource& source, Time start = Time::epoch());
  ~JobFeeder();
  JobFeeder(const JobFeeder&) = delete;
  JobFeeder& operator=(const JobFeeder&) = delete;

  void route(const std::string& framework, FrameworkModel* model);
  void set_default(FrameworkModel* model) { default_ = model; }
  // Pulls the first job and arms its timer. Call once.
  void start();

  bool done() const { return done_; }  // the source ended or failed
  const std::optional<Error>& error() const { return error_; }
  size_t submitted() const { return submitted_; }

 private:
  void pull();
  // Reads the next job into next_; false (and done_) at the end or on an error.
  bool advance();
  void schedule_fire();  // at next_'s submit time, or now if that has passed
  void fire();
  FrameworkModel* model_for(const Job& job) const;

  Clock& clock_;
  JobSource& source_;
  Time start_;
  std::map<std::string, FrameworkModel*> models_;
  FrameworkModel* default_ = nullptr;
  std::optional<Job> next_;
  TimerId timer_;
  bool done_ = false;
  std::optional<Error> error_;
  size_t submitted_ = 0;
};

}  // namespace mesosim
