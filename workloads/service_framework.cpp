#include "workloads/service_framework.hpp"

#include <algorithm>
#include <cmath>
#include <set>

namespace mesosim {

using v1::TaskState;

ServiceFramework::ServiceFramework(Clock& clock, ServiceFrameworkOptions options)
    : FrameworkModel(clock, options.model), sopts_(options) {}

ServiceFramework::~ServiceFramework() {
  for (auto& [job, app] : apps_) {
    for (auto& [task, timer] : app.backoff_timers) clock().cancel(timer);
  }
}

void ServiceFramework::on_job_ready(size_t job) {
  App& app = apps_[job];
  for (size_t t = 0; t < spec(job).tasks.size(); ++t) app.needed_since[t] = clock().now();
  FrameworkModel::on_job_ready(job);
}

size_t ServiceFramework::running_instances(size_t job) const {
  size_t n = 0;
  for (const auto& [id, a] : attempts()) {
    n += a.ref.job == job && a.current && a.state == TaskState::TASK_RUNNING;
  }
  return n;
}

bool ServiceFramework::stop_app(const std::string& id) {
  const std::optional<size_t> found = index_of(id);
  if (!found) return false;
  const size_t index = *found;
  App& app = apps_[index];
  if (app.record.stopped) return true;
  app.record.stopped = clock().now();
  for (auto& [task, timer] : app.backoff_timers) clock().cancel(timer);
  app.backoff_timers.clear();
  // Instances not running (pending or backing off) are over; running ones are killed.
  std::set<size_t> live;
  for (const auto& [aid, a] : attempts()) {
    if (a.ref.job == index && a.current) live.insert(a.ref.task);
  }
  for (size_t t = 0; t < spec(index).tasks.size(); ++t) {
    if (!live.count(t)) finish_task(TaskRef{index, t}, std::nullopt);
  }
  if (driver()) {
    for (const std::string& aid : live_attempts_of(index)) kill(*driver(), aid);
  }
  sync_offer_interest();
  return true;
}

void ServiceFramework::on_offers(SchedulerDriver& driver, const std::vector<v1::Offer>& offers) {
  std::set<size_t> jobs;
  size_t launched = 0;
  for (const v1::Offer& offer : offers) {
    const auto admit = [&](TaskRef ref, const std::vector<TaskRef>& chosen) {
      if (sopts_.max_instances_per_agent == 0) return true;
      const size_t here =
          live_on(ref.job, offer.hostname) +
          static_cast<size_t>(std::count_if(chosen.begin(), chosen.end(),
                                            [&](TaskRef c) { return c.job == ref.job; }));
      return here < sopts_.max_instances_per_agent;
    };
    std::vector<v1::TaskInfo> tasks;
    for (TaskRef ref : first_fit(offer, admit)) {
      const Duration d = task_spec(ref).duration;
      tasks.push_back(make_task(ref, offer, d > Duration::zero() ? std::optional(d) : std::nullopt,
                                Locality::kAny));
      jobs.insert(ref.job);
    }
    launched += tasks.size();
    launch(driver, offer, std::move(tasks));
  }
  charge_launches(driver, jobs.size(), launched);
}

void ServiceFramework::on_running(SchedulerDriver&, const Attempt& attempt) {
  App& app = apps_.at(attempt.ref.job);
  auto it = app.needed_since.find(attempt.ref.task);
  if (it == app.needed_since.end()) return;  // a repeated RUNNING (reconciliation)
  app.record.time_to_running.push_back(clock().now() - it->second);
  app.needed_since.erase(it);
}

Duration ServiceFramework::launch_delay(int ends_in_a_row) const {
  const double s =
      sopts_.backoff.seconds_f() * std::pow(sopts_.backoff_factor, std::max(0, ends_in_a_row - 1));
  return std::min(Duration::from_seconds(s), sopts_.max_launch_delay);
}

FrameworkModel::EndAction ServiceFramework::end_action(const Attempt& attempt, TaskState, bool) {
  const TaskRef ref = attempt.ref;
  App& app = apps_.at(ref.job);
  if (app.record.stopped || attempt.killed_by_model) return EndAction::kDone;
  ++app.record.replacements;
  app.needed_since[ref.task] = clock().now();
  const TaskRecord& rec = record(ref);
  if (rec.running && clock().now() - *rec.running >= sopts_.backoff_reset_after) {
    app.ends_in_a_row = 0;  // it was healthy
  }
  const Duration delay = launch_delay(++app.ends_in_a_row);
  if (delay == Duration::zero()) return EndAction::kRequeue;
  app.backoff_timers[ref.task] = clock().schedule(delay, [this, ref] {
    apps_.at(ref.job).backoff_timers.erase(ref.task);
    make_pending(ref);
    sync_offer_interest();
  });
  return EndAction::kWait;
}

void ServiceFramework::on_job_released(size_t job) {
  if (auto it = apps_.find(job); it != apps_.end()) {
    for (auto& [task, timer] : it->second.backoff_timers) clock().cancel(timer);
    apps_.erase(it);
  }
}

}  // namespace mesosim
