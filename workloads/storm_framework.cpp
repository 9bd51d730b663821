#include "workloads/storm_framework.hpp"

#include <algorithm>
#include <set>

namespace mesosim {

using v1::TaskState;

StormFramework::StormFramework(Clock& clock, StormFrameworkOptions options)
    : FrameworkModel(clock, options.model), sopts_(options) {}

StormFramework::~StormFramework() {
  for (auto& [job, s] : state_) clock().cancel(s.end_timer);
}

void StormFramework::on_job_ready(size_t job) {
  State& s = state_[job];
  for (const TaskSpec& t : spec(job).tasks) s.lifetime = std::max(s.lifetime, t.duration);
  FrameworkModel::on_job_ready(job);
}

size_t StormFramework::running_workers(size_t job) const {
  size_t n = 0;
  for (const auto& [id, a] : attempts()) {
    n += a.ref.job == job && a.current && a.state == TaskState::TASK_RUNNING;
  }
  return n;
}

void StormFramework::on_offers(SchedulerDriver& driver, const std::vector<v1::Offer>& offers) {
  std::set<size_t> jobs;
  size_t launched = 0;
  for (const v1::Offer& offer : offers) {
    const auto admit = [&](TaskRef ref, const std::vector<TaskRef>& chosen) {
      if (sopts_.max_workers_per_agent == 0) return true;
      const size_t here =
          live_on(ref.job, offer.hostname) +
          static_cast<size_t>(std::count_if(chosen.begin(), chosen.end(),
                                            [&](TaskRef c) { return c.job == ref.job; }));
      return here < sopts_.max_workers_per_agent;
    };
    std::vector<v1::TaskInfo> tasks;
    for (TaskRef ref : first_fit(offer, admit)) {
      tasks.push_back(make_task(ref, offer, std::nullopt, Locality::kAny));
      jobs.insert(ref.job);
    }
    launched += tasks.size();
    launch(driver, offer, std::move(tasks));
  }
  charge_launches(driver, jobs.size(), launched);
}

void StormFramework::on_running(SchedulerDriver&, const Attempt& attempt) {
  const size_t job = attempt.ref.job;
  State& s = state_.at(job);
  if (s.record.deployed || running_workers(job) < spec(job).tasks.size()) return;
  s.record.deployed = clock().now();
  if (s.lifetime > Duration::zero()) {
    s.end_timer = clock().schedule(s.lifetime, [this, job] {
      state_.at(job).end_timer = TimerId{};
      end_topology(job);
    });
  }
}

void StormFramework::end_topology(size_t job) {
  State& s = state_.at(job);
  s.ending = true;
  s.record.ended = clock().now();
  // Workers still waiting for an offer are not needed any more.
  std::vector<TaskRef> waiting;
  for (const auto& [key, ref] : pending()) {
    if (ref.job == job) waiting.push_back(ref);
  }
  for (TaskRef ref : waiting) finish_task(ref, std::nullopt);
  if (driver()) {
    for (const std::string& id : live_attempts_of(job)) kill(*driver(), id);
  }
  sync_offer_interest();
}

FrameworkModel::EndAction StormFramework::end_action(const Attempt& attempt, TaskState, bool) {
  State& s = state_.at(attempt.ref.job);
  if (s.ending || attempt.killed_by_model) return EndAction::kDone;
  ++s.record.relaunches;
  return EndAction::kRequeue;
}

void StormFramework::on_job_released(size_t job) {
  if (auto it = state_.find(job); it != state_.end()) {
    clock().cancel(it->second.end_timer);
    state_.erase(it);
  }
}

}  // namespace mesosim
