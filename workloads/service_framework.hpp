#pragma once

// A Marathon-like service framework: keeps N instances of each app running. A job is an app;
// its tasks are its N instances. An instance whose TaskSpec has a duration runs that long and
// ends as the trace says (a crash-looping or finite instance); one with zero duration runs
// until killed.
//
// Offers: pending instances are placed first fit in the order they became pending, at most
// max_instances_per_agent of one app per agent (1 is Marathon's hostname:UNIQUE constraint;
// 0: no limit); unused offers are declined with refuse_seconds.
//
// Failures: whenever an instance ends for any reason other than the app being stopped, a
// replacement is needed at once. It becomes pending after Marathon's launch backoff:
// backoff x backoff_factor^(k-1) for the k-th end in a row, capped at max_launch_delay (so a
// crash-looping app does not flood the cluster); an instance that ran at least
// backoff_reset_after before it ended counts as healthy and starts the count afresh. stop_app()
// kills every instance; the app's job finishes when all have ended.
//
// Records, besides the base's: per app, every span from "instance needed" (submission, or the
// end of the instance it replaces) to that instance's TASK_RUNNING, and the replacements made.

#include <map>
#include <optional>
#include <vector>

#include "workloads/framework_model.hpp"

namespace mesosim {

inline FrameworkModelOptions service_model_defaults() {
  FrameworkModelOptions o;
  o.name = "marathon";
  return o;
}

struct ServiceFrameworkOptions {
  FrameworkModelOptions model = service_model_defaults();
  size_t max_instances_per_agent = 0;
  Duration backoff = Duration::seconds(1);
  double backoff_factor = 1.15;
  Duration max_launch_delay = Duration::seconds(300);
  Duration backoff_reset_after = Duration::seconds(60);
};

struct AppRecord {
  std::vector<Duration> time_to_running;  // instance needed -> TASK_RUNNING, in order
  size_t replacements = 0;
  std::optional<Time> stopped;
};

class ServiceFramework : public FrameworkModel {
 public:
  ServiceFramework(Clock& clock, ServiceFrameworkOptions options);
  ~ServiceFramework() override;

  // Kills every instance of the app (a job id of this model); returns false if unknown.
  bool stop_app(const std::string& app);
  const AppRecord& app(size_t job) const { return apps_.at(job).record; }
  // Instances of the app whose latest attempt is RUNNING.
  size_t running_instances(size_t job) const;

 protected:
  void on_job_ready(size_t job) override;
  void on_offers(SchedulerDriver& driver, const std::vector<v1::Offer>& offers) override;
  void on_running(SchedulerDriver& driver, const Attempt& attempt) override;
  EndAction end_action(const Attempt& attempt, v1::TaskState state, bool scripted) override;
  void on_job_released(size_t job) override;

 private:
  struct App {
    AppRecord record;
    std::map<size_t, Time> needed_since;  // by instance (task index)
    int ends_in_a_row = 0;
    std::map<size_t, TimerId> backoff_timers;  // by instance
  };
  Duration launch_delay(int ends_in_a_row) const;

  ServiceFrameworkOptions sopts_;
  std::map<size_t, App> apps_;
};

}  // namespace mesosim
