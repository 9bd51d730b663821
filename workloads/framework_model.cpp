#include "workloads/framework_model.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "allocator/check.hpp"

namespace mesosim {

using v1::TaskState;

FrameworkModel::FrameworkModel(Clock& clock, FrameworkModelOptions options)
    : clock_(clock), options_(std::move(options)) {}

FrameworkModel::~FrameworkModel() = default;

v1::FrameworkInfo FrameworkModel::framework_info() const {
  v1::FrameworkInfo info;
  info.user = options_.user;
  info.name = options_.name;
  info.roles = {options_.role};
  if (options_.partition_aware) {
    info.capabilities.push_back(v1::FrameworkCapability::PARTITION_AWARE);
  }
  return info;
}

const JobRecord& JobRecords::operator[](size_t i) const {
  if (held_ == slots_.size()) return slots_[i]->record;
  for (const auto& s : slots_) {
    if (s && i-- == 0) return s->record;
  }
  MESOSIM_CHECK(false, "JobRecords index out of range");
  return slots_.front()->record;
}

const JobRecord& JobRecords::at(size_t i) const {
  if (i >= held_) throw std::out_of_range("JobRecords::at");
  return (*this)[i];
}

const JobRecord* FrameworkModel::job(std::string_view id) const {
  auto it = job_index_.find(id);
  return it == job_index_.end() ? nullptr : &slot(it->second).record;
}

std::optional<size_t> FrameworkModel::index_of(std::string_view id) const {
  auto it = job_index_.find(id);
  if (it == job_index_.end()) return std::nullopt;
  return it->second;
}

JobSlot& FrameworkModel::slot(size_t job) {
  MESOSIM_CHECK(
      job >= first_slot_ && job - first_slot_ < slots_.size() && slots_[job - first_slot_],
      "a job the model no longer holds");
  return *slots_[job - first_slot_];
}

const JobSlot& FrameworkModel::slot(size_t job) const {
  return const_cast<FrameworkModel*>(this)->slot(job);
}

void FrameworkModel::for_each_job(
    const std::function<void(size_t, const JobRecord&, const Job&)>& fn) const {
  for (size_t i = 0; i < slots_.size(); ++i) {
    if (slots_[i]) fn(first_slot_ + i, slots_[i]->record, slots_[i]->spec);
  }
}

void FrameworkModel::set_keep_finished_jobs(bool keep) {
  MESOSIM_CHECK(submitted_ == 0, "set_keep_finished_jobs after a job was submitted");
  options_.keep_finished_jobs = keep;
}

void FrameworkModel::sink_finished() {
  if (finished_.empty()) return;
  // Jobs finished in one callback go out in submission order.
  std::vector<size_t> done;
  done.swap(finished_);
  std::sort(done.begin(), done.end());
  for (size_t job : done) {
    JobSlot& s = slot(job);
    ++sunk_;
    if (sink_) sink_(job, s.record, s.spec);
    if (options_.keep_finished_jobs) continue;
    on_job_released(job);
    dag_.forget(job);
    if (auto it = job_index_.find(s.spec.id); it != job_index_.end() && it->second == job) {
      job_index_.erase(it);
    }
    slots_[job - first_slot_].reset();
    --held_;
  }
  while (!slots_.empty() && !slots_.front()) {
    slots_.pop_front();
    ++first_slot_;
  }
}

v1::TaskState FrameworkModel::scripted_state(TaskOutcome outcome) {
  switch (outcome) {
    case TaskOutcome::kFinished:
      return TaskState::TASK_FINISHED;
    case TaskOutcome::kFailed:
      return TaskState::TASK_FAILED;
    case TaskOutcome::kKilled:
      return TaskState::TASK_KILLED;
    case TaskOutcome::kLost:
      return TaskState::TASK_LOST;
  }
  return TaskState::TASK_FINISHED;
}

// ---- Jobs. ----

void FrameworkModel::submit(Job job) {
  MESOSIM_CHECK(!job_index_.count(job.id), ("job submitted twice: " + job.id).c_str());
  const size_t index = submitted_++;
  auto s = std::make_unique<JobSlot>();
  s->record.id = job.id;
  s->record.group = job.group;
  s->record.submit = clock_.now();
  s->record.tasks.resize(job.tasks.size());
  s->tasks_left = job.tasks.size();
  const bool ready = dag_.add(job.id, job.depends_on);
  job_index_[job.id] = index;
  s->spec = std::move(job);
  slots_.push_back(std::move(s));
  ++held_;
  if (ready) job_ready(index);
  sink_finished();
  sync_offer_interest();
}

void FrameworkModel::job_ready(size_t job) {
  record(job).ready = clock_.now();
  if (spec(job).tasks.empty()) {
    job_finished(job);
    return;
  }
  on_job_ready(job);
}

void FrameworkModel::on_job_ready(size_t job) {
  for (size_t t = 0; t < spec(job).tasks.size(); ++t) make_pending(TaskRef{job, t});
}

void FrameworkModel::make_pending(TaskRef ref) {
  if (pending_key_.count(ref) || record(ref.job).abandoned) return;
  record(ref).ready = clock_.now();
  const uint64_t key = pending_seq_++;
  pending_[key] = ref;
  pending_key_[ref] = key;
  // A need is its task spec's, fixed once the job is submitted: take_pending finds its shape.
  pending_shapes_.insert(key, task_spec(ref).resources);
  demands_changed_ = true;
}

void FrameworkModel::take_pending(TaskRef ref) {
  if (auto k = pending_key_.find(ref); k != pending_key_.end()) {
    pending_shapes_.erase(k->second, task_spec(ref).resources);
    pending_.erase(k->second);
    pending_key_.erase(k);
    demands_changed_ = true;
  }
}

void FrameworkModel::finish_task(TaskRef ref, std::optional<v1::TaskState> final_state) {
  take_pending(ref);
  TaskRecord& rec = record(ref);
  if (rec.done) return;
  if (final_state) rec.final_state = final_state;
  task_done(ref);
}

void FrameworkModel::task_done(TaskRef ref) {
  TaskRecord& rec = record(ref);
  rec.done = true;
  JobSlot& s = slot(ref.job);
  MESOSIM_CHECK(s.tasks_left > 0, "a task ended twice");
  if (--s.tasks_left > 0) return;
  job_finished(ref.job);
}

void FrameworkModel::job_finished(size_t job) {
  record(job).finish = clock_.now();
  ++finished_jobs_;
  finished_.push_back(job);
  for (size_t child : dag_.finish(job)) job_ready(child);
  on_job_finished(job);
}

// ---- Launching. ----

v1::TaskInfo FrameworkModel::make_task(TaskRef ref, const v1::Offer& offer,
                                       std::optional<Duration> run_time, Locality locality) {
  take_pending(ref);
  const Job& job = slot(ref.job).spec;
  const TaskSpec& spec = job.tasks[ref.task];
  TaskRecord& rec = record(ref);
  ++rec.attempts;
  rec.locality = locality;
  rec.agent = offer.hostname;
  rec.running.reset();
  rec.ended.reset();
  rec.final_state.reset();
  rec.launched = clock_.now();
  unsettled_.push_back(ref);

  v1::TaskInfo t;
  t.name = fmt::format("{}/{}", job.id, ref.task);
  t.task_id = v1::TaskID{fmt::format("{}.{}", t.name, rec.attempts)};
  t.agent_id = offer.agent_id;
  t.resources = spec.resources;
  t.command = v1::CommandInfo{true, "simulated", {}, {}};
  t.labels = {{"job_id", job.id},
              {"task_index", std::to_string(ref.task)},
              {"framework", options_.name},
              {"locality", std::string(to_string(locality))}};
  Attempt a;
  a.ref = ref;
  a.agent_id = offer.agent_id;
  a.hostname = offer.hostname;
  if (run_time) {
    a.scripted_end = scripted_state(spec.outcome);
    t.work = v1::SimulatedWork{*run_time, a.scripted_end, spec.usage};
  } else {
    a.scripted_end = TaskState::TASK_KILLED;  // runs until killed
  }
  if (auto old = current_attempt_.find(ref); old != current_attempt_.end()) {
    if (auto o = attempts_.find(old->second); o != attempts_.end()) o->second.current = false;
  }
  current_attempt_[ref] = t.task_id.value;
  attempts_[t.task_id.value] = a;
  if (!in_callback_) settle_launches();
  return t;
}

void FrameworkModel::settle_launches() {
  const Time done = clock_.now() + charged_in_callback_;
  for (TaskRef ref : unsettled_) {
    TaskRecord& rec = record(ref);
    rec.launched = done;
    rec.wait += done - rec.ready;
  }
  unsettled_.clear();
}

void FrameworkModel::launch(SchedulerDriver& driver, const v1::Offer& offer,
                            std::vector<v1::TaskInfo> tasks, const std::string& decline_reason) {
  if (tasks.empty()) {
    decline(driver, offer, std::nullopt, decline_reason);
    return;
  }
  ++stats_.offers_accepted;
  stats_.tasks_launched += tasks.size();
  driver.launch(offer, std::move(tasks), v1::Filters{options_.refuse_seconds});
}

void FrameworkModel::decline(SchedulerDriver& driver, const v1::Offer& offer,
                             std::optional<double> refuse_seconds, const std::string& reason) {
  decline(driver, std::vector<v1::OfferID>{offer.id}, refuse_seconds, reason);
}

void FrameworkModel::decline(SchedulerDriver& driver, const std::vector<v1::OfferID>& offers,
                             std::optional<double> refuse_seconds, const std::string& reason) {
  if (offers.empty()) return;
  stats_.offers_declined += offers.size();
  driver.decline(offers, v1::Filters{refuse_seconds ? refuse_seconds : options_.refuse_seconds},
                 reason);
}

void FrameworkModel::kill(SchedulerDriver& driver, const std::string& task_id) {
  auto it = attempts_.find(task_id);
  if (it == attempts_.end()) return;
  it->second.killed_by_model = true;
  driver.kill(v1::TaskID{task_id}, it->second.agent_id);
}

void FrameworkModel::charge_launches(SchedulerDriver& driver, size_t jobs, size_t tasks) {
  const Duration d =
      options_.t_job * static_cast<int64_t>(jobs) + options_.t_task * static_cast<int64_t>(tasks);
  if (d == Duration::zero()) return;
  driver.charge(d);
  stats_.decision_time += d;
  charged_in_callback_ += d;
}

std::vector<std::string> FrameworkModel::live_attempts_of(size_t job) const {
  std::vector<std::string> out;
  for (const auto& [id, a] : attempts_) {
    if (a.ref.job == job && a.current) out.push_back(id);
  }
  return out;
}

std::vector<FrameworkModel::TaskRef> FrameworkModel::first_fit(
    const v1::Offer& offer,
    const std::function<bool(TaskRef, const std::vector<TaskRef>&)>& admit) const {
  // Picks what a walk over pending_ in order would: each task whose need fits what is left and
  // that `admit` accepts. PendingShapes skips, exactly, the tasks whose need cannot fit.
  std::vector<TaskRef> fit;
  pending_shapes_.first_fit(offer.resources, [&](uint64_t key) {
    const TaskRef ref = pending_.at(key);
    if (admit && !admit(ref, fit)) return false;
    fit.push_back(ref);
    return true;
  });
  return fit;
}

size_t FrameworkModel::live_on(size_t job, const std::string& hostname) const {
  size_t n = 0;
  for (const auto& [id, a] : attempts_) {
    n += a.ref.job == job && a.current && a.hostname == hostname;
  }
  return n;
}

std::vector<std::pair<std::string, int64_t>> FrameworkModel::preferred_hosts(TaskRef ref) const {
  std::vector<std::pair<std::string, int64_t>> out;
  for (const std::string& host : task_spec(ref).preferred_agents) out.emplace_back(host, 0);
  return out;
}

// One ResourceRequest per distinct (resources, preferred hosts) among the pending tasks, in the
// order the first of each became pending, waiting since the earliest of them.
void FrameworkModel::declare_demands() {
  demands_changed_ = false;
  std::vector<v1::scheduler::ResourceRequest> requests;
  std::map<std::pair<std::string, std::vector<std::pair<std::string, int64_t>>>, size_t> index;
  for (const auto& [key, ref] : pending_) {
    const Resources& need = task_spec(ref).resources;
    auto hosts = preferred_hosts(ref);
    auto [it, fresh] = index.emplace(std::make_pair(need.to_string(), hosts), requests.size());
    if (fresh) {
      v1::scheduler::ResourceRequest r;
      r.resources = need;
      r.role = options_.role;
      r.count = 0;
      r.preferred_hosts = std::move(hosts);
      r.since = record(ref).ready;
      requests.push_back(std::move(r));
    }
    v1::scheduler::ResourceRequest& r = requests[it->second];
    ++r.count;
    r.since = std::min(*r.since, record(ref).ready);
  }
  driver_->request(std::move(requests));
}

void FrameworkModel::sync_offer_interest() {
  if (!driver_ || !driver_->subscribed()) return;
  if (options_.declare_demands && demands_changed_) declare_demands();
  const bool wants = wants_offers();
  if (wants && suppressed_) {
    suppressed_ = false;
    ++stats_.revive_calls;
    driver_->revive({options_.role});
  } else if (!wants && !suppressed_) {
    suppressed_ = true;
    ++stats_.suppress_calls;
    driver_->suppress({options_.role});
  }
}

// ---- Scheduler callbacks. ----

void FrameworkModel::subscribed(SchedulerDriver& driver, const v1::FrameworkID&) {
  driver_ = &driver;
  suppressed_ = false;       // a (re-)subscription starts unsuppressed
  demands_changed_ = true;  // and a new leader knows none of its demands
  // After a failover, learn the latest state of every task launched.
  if (!attempts_.empty()) driver.reconcile();
  sync_offer_interest();
}

void FrameworkModel::offers(SchedulerDriver& driver, const std::vector<v1::Offer>& offers) {
  driver_ = &driver;
  stats_.offers_received += offers.size();
  in_callback_ = true;
  charged_in_callback_ = Duration::zero();
  if (wants_offers()) {
    const std::set<size_t> considered =
        options_.max_attempts > 0 ? jobs_pending() : std::set<size_t>{};
    on_offers(driver, offers);
    count_attempts(considered);
  } else {
    std::vector<v1::OfferID> ids;
    for (const auto& o : offers) ids.push_back(o.id);
    decline(driver, ids, std::nullopt);
  }
  settle_launches();
  in_callback_ = false;
  charged_in_callback_ = Duration::zero();
  sink_finished();
  sync_offer_interest();
}

std::set<size_t> FrameworkModel::jobs_pending() const {
  std::set<size_t> out;
  for (const auto& [key, ref] : pending_) out.insert(ref.job);
  return out;
}

void FrameworkModel::count_attempts(const std::set<size_t>& jobs) {
  if (jobs.empty()) return;
  const std::set<size_t> still = jobs_pending();
  for (size_t job : jobs) {
    JobRecord& rec = record(job);
    if (rec.abandoned) continue;
    ++rec.scheduling_attempts;
    if (rec.scheduling_attempts >= options_.max_attempts && still.count(job)) abandon(job);
  }
}

// Omega's retry limit: the job's tasks not launched are given up; launched ones run on, and a
// lost one is not run again (attempt_ended), so the job ends when they have.
void FrameworkModel::abandon(size_t job) {
  record(job).abandoned = clock_.now();
  ++stats_.jobs_abandoned;
  for (size_t t = 0; t < spec(job).tasks.size(); ++t) {
    const TaskRef ref{job, t};
    if (record(ref).done || current_attempt_.count(ref)) continue;
    finish_task(ref, std::nullopt);
  }
}

void FrameworkModel::rescind(SchedulerDriver& driver, const v1::OfferID& offer) {
  driver_ = &driver;
  ++stats_.offers_rescinded;
  on_rescind(driver, offer);
  sink_finished();
  sync_offer_interest();
}

void FrameworkModel::disconnected(SchedulerDriver&) { on_disconnected(); }

void FrameworkModel::update(SchedulerDriver& driver, const v1::TaskStatus& status) {
  driver_ = &driver;
  const std::string& id = status.task_id.value;
  const TaskState state = status.state;
  const bool ends = v1::is_terminal(state) || state == TaskState::TASK_UNREACHABLE;
  auto it = attempts_.find(id);
  if (it == attempts_.end()) {
    if (!on_foreign_update(driver, status) && !ends) {
      // Not ours (any more): make sure it does not hold resources.
      ++stats_.stale_attempts_killed;
      driver.kill(status.task_id, status.agent_id);
    }
    sink_finished();
    sync_offer_interest();
    return;
  }
  Attempt& a = it->second;
  if (!a.current) {
    // A replaced attempt came back (its agent was unreachable): the task runs elsewhere.
    if (v1::is_terminal(state)) {
      attempts_.erase(it);
    } else if (!ends && !a.killed_by_model) {
      ++stats_.stale_attempts_killed;
      kill(driver, id);
    }
    return;
  }
  a.state = state;
  if (state == TaskState::TASK_RUNNING) {
    TaskRecord& rec = record(a.ref);
    if (!rec.running) rec.running = clock_.now();
    if (!record(a.ref.job).start) record(a.ref.job).start = clock_.now();
    on_running(driver, a);
  } else if (ends) {
    attempt_ended(driver, id, state, status.source);
  }
  sink_finished();
  sync_offer_interest();
}

FrameworkModel::EndAction FrameworkModel::end_action(const Attempt& attempt, TaskState state,
                                                     bool scripted) {
  if (scripted || attempt.killed_by_model) return EndAction::kDone;
  switch (state) {
    case TaskState::TASK_LOST:
    case TaskState::TASK_UNREACHABLE:
    case TaskState::TASK_DROPPED:
    case TaskState::TASK_GONE:
    case TaskState::TASK_GONE_BY_OPERATOR:
    case TaskState::TASK_UNKNOWN:
      return options_.requeue_lost ? EndAction::kRequeue : EndAction::kDone;
    default:
      return EndAction::kDone;
  }
}

void FrameworkModel::attempt_ended(SchedulerDriver& driver, const std::string& task_id,
                                   TaskState state, v1::TaskStatusSource source) {
  auto it = attempts_.find(task_id);
  const Attempt a = it->second;
  const bool scripted = state == a.scripted_end && !a.killed_by_model &&
                        source == v1::TaskStatusSource::SOURCE_EXECUTOR;
  TaskRecord& rec = record(a.ref);
  rec.ended = clock_.now();
  rec.final_state = state;
  if (state == TaskState::TASK_UNREACHABLE) {
    it->second.current = false;  // kept: if it comes back, it is killed
  } else {
    attempts_.erase(it);
  }
  current_attempt_.erase(a.ref);
  EndAction action = end_action(a, state, scripted);
  if (action == EndAction::kRequeue && record(a.ref.job).abandoned) action = EndAction::kDone;
  switch (action) {
    case EndAction::kDone:
      task_done(a.ref);
      break;
    case EndAction::kRequeue:
      ++stats_.tasks_requeued;
      make_pending(a.ref);
      break;
    case EndAction::kWait:
      break;
  }
  on_task_ended(driver, a, state);
}

}  // namespace mesosim
