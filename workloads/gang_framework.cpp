#include "workloads/gang_framework.hpp"

#include <string>

namespace mesosim {

using v1::TaskState;

GangFramework::GangFramework(Clock& clock, GangFrameworkOptions options)
    : FrameworkModel(clock, std::move(options.model)), gopts_(options) {}

GangFramework::~GangFramework() { clock().cancel(hold_timer_); }

void GangFramework::on_job_ready(size_t job) {
  gangs_[job];
  FrameworkModel::on_job_ready(job);  // every member pending (their wait starts now)
  waiting_.push_back(job);
}

void GangFramework::on_offers(SchedulerDriver& driver, const std::vector<v1::Offer>& offers) {
  for (const v1::Offer& o : offers) {
    held_.push_back(Held{o, clock().now()});
    ++gangs_[waiting_.front()].offers_held;
  }
  if (hold_timer_.value == 0) {
    hold_timer_ = clock().schedule(gopts_.hold_timeout, [this] {
      hold_timer_ = TimerId{};
      release_hold();
    });
  }
  try_launch(driver);
}

void GangFramework::try_launch(SchedulerDriver& driver) {
  const size_t job = waiting_.front();
  const size_t n = spec(job).tasks.size();
  // First fit of every member into what the held offers have left. An offer's remainder is
  // copied only when a member is first tried on it: a hold can have a hundred offers, and a gang
  // of a few members rarely looks past its first few.
  std::vector<Resources> left;
  left.reserve(held_.size());
  std::vector<size_t> placed(n);
  for (size_t t = 0; t < n; ++t) {
    const Resources& need = task_spec(TaskRef{job, t}).resources;
    size_t i = 0;
    for (;; ++i) {
      if (i == left.size()) {
        if (i == held_.size()) return;  // incomplete: keep holding
        left.push_back(held_[i].offer.resources);
      }
      if (left[i].contains(need)) break;
    }
    left[i] -= need;
    placed[t] = i;
  }
  std::vector<std::vector<v1::TaskInfo>> per_offer(held_.size());
  for (size_t t = 0; t < n; ++t) {
    const TaskSpec& s = task_spec(TaskRef{job, t});
    v1::TaskInfo task =
        make_task(TaskRef{job, t}, held_[placed[t]].offer, s.duration, Locality::kAny);
    task.labels.emplace_back("gang", std::to_string(n));  // analysis: its holds are gang holds
    per_offer[placed[t]].push_back(std::move(task));
  }
  std::vector<v1::OfferID> unused;
  for (size_t i = 0; i < held_.size(); ++i) {
    offer_time_held_ += clock().now() - held_[i].since;
    if (per_offer[i].empty()) {
      unused.push_back(held_[i].offer.id);
    } else {
      launch(driver, held_[i].offer, std::move(per_offer[i]));
    }
  }
  decline(driver, unused, std::nullopt);
  held_.clear();
  clock().cancel(hold_timer_);
  hold_timer_ = TimerId{};
  waiting_.pop_front();
  running_[job] = Running{n, false, false, {}};
  charge_launches(driver, 1, n);
}

void GangFramework::release_hold() {
  if (held_.empty() || waiting_.empty()) return;
  ++gangs_[waiting_.front()].holds_released;
  std::vector<v1::OfferID> ids;
  for (const Held& h : held_) {
    offer_time_held_ += clock().now() - h.since;
    ids.push_back(h.offer.id);
  }
  held_.clear();
  if (driver()) decline(*driver(), ids, gopts_.release_refuse_seconds, "gang_hold_released");
  sync_offer_interest();
}

void GangFramework::drop_held(size_t index) {
  offer_time_held_ += clock().now() - held_[index].since;
  held_.erase(held_.begin() + static_cast<std::ptrdiff_t>(index));
  if (held_.empty()) {
    clock().cancel(hold_timer_);
    hold_timer_ = TimerId{};
  }
}

void GangFramework::on_rescind(SchedulerDriver&, const v1::OfferID& offer) {
  for (size_t i = 0; i < held_.size(); ++i) {
    if (held_[i].offer.id == offer) {
      drop_held(i);
      return;
    }
  }
}

void GangFramework::on_disconnected() {
  // The master rescinds every outstanding offer of a disconnected framework.
  while (!held_.empty()) drop_held(held_.size() - 1);
}

FrameworkModel::EndAction GangFramework::end_action(const Attempt&, TaskState, bool) {
  return EndAction::kWait;  // members end together: on_task_ended decides for the gang
}

void GangFramework::abort(SchedulerDriver& driver, size_t job) {
  Running& r = running_.at(job);
  if (r.aborted) return;
  r.aborted = true;
  for (const std::string& id : live_attempts_of(job)) kill(driver, id);
}

void GangFramework::on_task_ended(SchedulerDriver& driver, const Attempt& attempt,
                                  TaskState state) {
  const size_t job = attempt.ref.job;
  auto it = running_.find(job);
  if (it == running_.end()) return;
  Running& r = it->second;
  r.ends[attempt.ref.task] = state;
  const bool scripted = state == attempt.scripted_end;
  if (!attempt.killed_by_model && !scripted) {
    r.restart = true;  // lost (or failed unscripted): the gang cannot go on with fewer
    abort(driver, job);
  } else if (!attempt.killed_by_model && state != TaskState::TASK_FINISHED) {
    abort(driver, job);  // the job failed as the trace says: end it
  }
  if (--r.live > 0) return;
  const Running done = r;
  running_.erase(it);
  const size_t n = spec(job).tasks.size();
  if (done.restart) {
    ++gangs_[job].restarts;
    for (size_t t = 0; t < n; ++t) make_pending(TaskRef{job, t});
    waiting_.push_front(job);
    return;
  }
  for (size_t t = 0; t < n; ++t) finish_task(TaskRef{job, t}, done.ends.at(t));
}

}  // namespace mesosim
