#pragma once

// What every framework model shares: a Scheduler that receives jobs (from a JobFeeder, at their
// submit times), keeps their tasks pending until it places them on offers it accepts, and keeps
// the records analysis and tests read. Subclasses (batch, Hadoop-like, gang, Storm-like,
// service, Spark-like) decide what to do with offers; this base does the bookkeeping a real
// Mesos framework must do around those decisions:
//
// - Jobs and tasks. A job's tasks are its TaskSpecs; each launch of one is an attempt with the
//   task id "<job id>/<task index>.<attempt>" and the labels job_id, task_index, framework and
//   locality, so the master's event stream can be grouped by job. A job whose depends_on names
//   unfinished jobs of this model waits for them (JobDag).
// - Records. Per job: submit, start (first task RUNNING), finish (last task ended). Per task:
//   when it became pending, when it was launched, its wait (pending -> launched, summed over
//   attempts), RUNNING and end times, locality, agent, attempts and final state.
// - Offer interest. After every callback and every submission the model SUPPRESSes when it
//   wants no offers and REVIVEs when it wants them again (as a well-behaved Mesos framework
//   must), and re-subscribes unsuppressed after a failover.
// - Lost work. A task attempt that ends LOST, UNREACHABLE, DROPPED, GONE or UNKNOWN without the
//   trace having scripted that end is re-queued as a new attempt when the model says so
//   (requeue_lost, or the subclass's end_action). An update for an attempt the model has
//   replaced (an unreachable agent came back) gets that attempt killed, so it never runs twice.
// - Decision time. Subclasses charge t_job per job and t_task per task they launch in a
//   callback (the Omega study's model), through charge_launches().
//
// A model is used from the simulator's thread; the Clock must outlive it.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sim/master/clock.hpp"
#include "sim/scheduler_driver.hpp"
#include "workloads/job.hpp"
#include "workloads/job_dag.hpp"
#include "workloads/pending_shapes.hpp"
#include "workloads/topology.hpp"

namespace mesosim {

struct FrameworkModelOptions {
  std::string name = "framework";  // FrameworkInfo.name; also the `framework` label
  std::string role = "*";
  std::string user = "sim";
  bool partition_aware = false;
  Duration t_job = Duration::millis(10);  // decision time per job placed in a callback
  Duration t_task = Duration::millis(1);  // decision time per task launched
  double refuse_seconds = 5;              // filter on declines and on what a launch leaves
  bool requeue_lost = true;               // re-run attempts lost with their agent
  // Tell the master what is pending (REQUEST) whenever it changes, for a centralized placer
  // (allocator policy `quincy`); Mesos's allocator ignores it.
  bool declare_demands = false;
  // Abandon a job after this many scheduling attempts with tasks still pending (the Omega
  // study's 1,000-attempt retry limit); 0: never. An attempt is one OFFERS callback that starts
  // while the job has a task pending; when, after the callback, the job has reached the limit
  // and still has a task pending, every task of it not launched is given up (no attempt, no
  // final state) and the job ends once its launched tasks have ended. Only for models that
  // keep no state of their own about pending tasks (batch; the scenario loader enforces it).
  int max_attempts = 0;
  // Keep every job's records (jobs(), job(id)) until the model is destroyed. false: a finished
  // job is handed to the job sink (set_job_sink) at the end of the callback that finished it and
  // then forgotten, with what subclasses keep about it, so memory follows the jobs not yet
  // finished instead of the length of the run.
  bool keep_finished_jobs = true;
};

struct TaskRecord {
  Time ready;                    // last became pending (submit, parents done, re-queued)
  std::optional<Time> launched;  // when the decision that launched the last attempt was done
  std::optional<Time> running;   // last attempt's TASK_RUNNING
  std::optional<Time> ended;     // last attempt's terminal update
  Duration wait;                 // pending -> launched, summed over attempts
  Locality locality = Locality::kAny;
  std::string agent;  // hostname of the last attempt
  std::optional<v1::TaskState> final_state;
  int attempts = 0;
  bool done = false;  // ended and not to be run again
};

struct JobRecord {
  std::string id;
  std::string group;
  Time submit;
  std::optional<Time> ready;   // every parent finished (submit when it has none)
  std::optional<Time> start;   // first TASK_RUNNING
  std::optional<Time> finish;  // every task done

  // With max_attempts: when the model gave up on its pending tasks, and the OFFERS callbacks
  // that started with a task of it pending.
  std::optional<Time> abandoned;
  int scheduling_attempts = 0;
  std::vector<TaskRecord> tasks;
  bool finished() const { return finish.has_value(); }
};

struct FrameworkModelStats {
  uint64_t offers_received = 0;
  uint64_t offers_declined = 0;
  uint64_t offers_accepted = 0;
  uint64_t offers_rescinded = 0;
  uint64_t tasks_launched = 0;
  uint64_t tasks_requeued = 0;
  uint64_t suppress_calls = 0;
  uint64_t revive_calls = 0;
  uint64_t stale_attempts_killed = 0;
  Duration decision_time;  // everything charged
  uint64_t jobs_abandoned = 0;
};

// What a model keeps of one job: its spec, its record and how many of its tasks are not done.
struct JobSlot {
  Job spec;
  JobRecord record;
  size_t tasks_left = 0;
};

// The records a model holds, in submission order: every job submitted (keep_finished_jobs), or
// the jobs not yet handed to the sink. Reads like a const std::vector<JobRecord>.
class JobRecords {
 public:
  using Slots = std::deque<std::unique_ptr<JobSlot>>;
  class iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = JobRecord;
    using difference_type = std::ptrdiff_t;
    using pointer = const JobRecord*;
    using reference = const JobRecord&;
    iterator(Slots::const_iterator it, Slots::const_iterator end) : it_(it), end_(end) { skip(); }
    const JobRecord& operator*() const { return (*it_)->record; }
    const JobRecord* operator->() const { return &(*it_)->record; }
    iterator& operator++() {
      ++it_;
      skip();
      return *this;
    }
    iterator operator++(int) {
      iterator old = *this;
      ++*this;
      return old;
    }
    bool operator==(const iterator& o) const { return it_ == o.it_; }

   private:
    void skip() {
      while (it_ != end_ && !*it_) ++it_;
    }
    Slots::const_iterator it_, end_;
  };

  JobRecords(const Slots& slots, size_t held) : slots_(slots), held_(held) {}
  size_t size() const { return held_; }
  bool empty() const { return held_ == 0; }
  // The i-th record held (i < size()); with keep_finished_jobs, the i-th job submitted.
  const JobRecord& operator[](size_t i) const;
  const JobRecord& at(size_t i) const;
  iterator begin() const { return {slots_.begin(), slots_.end()}; }
  iterator end() const { return {slots_.end(), slots_.end()}; }
  // A copy of the records held, as a vector.
  operator std::vector<JobRecord>() const {  // NOLINT(google-explicit-constructor)
    return std::vector<JobRecord>(begin(), end());
  }

 private:
  const Slots& slots_;
  size_t held_;
};

class FrameworkModel : public Scheduler {
 public:
  // Receives each finished job once (its index in submission order, final record and spec), at
  // the end of the callback or submission that finished it, before it may be forgotten.
  using JobSink = std::function<void(size_t index, const JobRecord& record, const Job& spec)>;

  FrameworkModel(Clock& clock, FrameworkModelOptions options);
  ~FrameworkModel() override;
  FrameworkModel(const FrameworkModel&) = delete;
  FrameworkModel& operator=(const FrameworkModel&) = delete;

  // The FrameworkInfo to subscribe with (name, user, role, PARTITION_AWARE if asked).
  v1::FrameworkInfo framework_info() const;
  // A job arrives now. Its id must be new to this model.
  void submit(Job job);

  const FrameworkModelOptions& options() const { return options_; }
  // Jobs held: all of them with keep_finished_jobs, else those not yet handed to the sink.
  JobRecords jobs() const { return JobRecords(slots_, held_); }
  // nullptr for an id never submitted, or finished and forgotten.
  const JobRecord* job(std::string_view id) const;
  // By index in submission order; the job must be held.
  const Job& spec(size_t job) const { return slot(job).spec; }
  // Calls `fn` for each job held, in submission order, with its index.
  void for_each_job(const std::function<void(size_t, const JobRecord&, const Job&)>& fn) const;
  void set_job_sink(JobSink sink) { sink_ = std::move(sink); }
  // FrameworkModelOptions::keep_finished_jobs, before the first job is submitted.
  void set_keep_finished_jobs(bool keep);
  // Jobs submitted so far, and jobs held now (bounded by the unfinished ones when finished jobs
  // are not kept).
  size_t jobs_submitted() const { return submitted_; }
  size_t jobs_held() const { return held_; }
  // Finished jobs handed to the sink so far.
  size_t jobs_sunk() const { return sunk_; }
  const FrameworkModelStats& stats() const { return stats_; }
  bool suppressed() const { return suppressed_; }
  size_t pending_tasks() const { return pending_.size(); }
  // Jobs submitted and not yet finished.
  size_t unfinished_jobs() const { return submitted_ - finished_jobs_; }

  // Scheduler (final: subclasses use the hooks below).
  void subscribed(SchedulerDriver& driver, const v1::FrameworkID& id) final;
  void offers(SchedulerDriver& driver, const std::vector<v1::Offer>& offers) final;
  void rescind(SchedulerDriver& driver, const v1::OfferID& offer) final;
  void update(SchedulerDriver& driver, const v1::TaskStatus& status) final;
  void disconnected(SchedulerDriver& driver) final;

 protected:
  struct TaskRef {
    size_t job = 0;
    size_t task = 0;
    auto operator<=>(const TaskRef&) const = default;
  };
  // What happens to a task whose attempt ended.
  enum class EndAction {
    kDone,     // the task is over
    kRequeue,  // pending again at once, as a new attempt
    kWait,     // neither: the subclass will make_pending() it (or finish_task()) itself
  };
  struct Attempt {
    TaskRef ref;
    v1::AgentID agent_id;
    std::string hostname;
    v1::TaskState state = v1::TaskState::TASK_STAGING;
    v1::TaskState scripted_end = v1::TaskState::TASK_FINISHED;  // what the work ends in
    bool killed_by_model = false;
    bool current = true;  // false once a newer attempt replaced it
  };

  // ---- Hooks. ----
  // The job's parents are done: make (some of) its tasks pending. Default: all of them.
  virtual void on_job_ready(size_t job);
  // Decide on offers: launch() and decline() each offer (or keep it, as a gang does).
  virtual void on_offers(SchedulerDriver& driver, const std::vector<v1::Offer>& offers) = 0;
  virtual void on_rescind(SchedulerDriver& /*driver*/, const v1::OfferID& /*offer*/) {}
  virtual void on_disconnected() {}
  // True while the model wants offers. Default: a task is pending.
  virtual bool wants_offers() const { return !pending_.empty(); }
  // An attempt reached TASK_RUNNING.
  virtual void on_running(SchedulerDriver& /*driver*/, const Attempt& /*attempt*/) {}
  // What to do after an attempt ended in `state`; `scripted` when that is the end its work was
  // set to have. Default: kRequeue for unscripted loss states when requeue_lost, else kDone.
  virtual EndAction end_action(const Attempt& attempt, v1::TaskState state, bool scripted);
  // After the bookkeeping of an ended attempt (and its re-queue, if any).
  virtual void on_task_ended(SchedulerDriver& /*driver*/, const Attempt& /*attempt*/,
                             v1::TaskState /*state*/) {}
  virtual void on_job_finished(size_t /*job*/) {}
  // The job is about to be forgotten (keep_finished_jobs false): drop what is kept about it.
  virtual void on_job_released(size_t /*job*/) {}
  // Updates for tasks the base did not launch (Spark's executors). Return true if handled.
  virtual bool on_foreign_update(SchedulerDriver& /*driver*/, const v1::TaskStatus& /*status*/) {
    return false;
  }

  // ---- Tools for subclasses. ----
  Clock& clock() const { return clock_; }
  SchedulerDriver* driver() const { return driver_; }
  JobRecord& record(size_t job) { return slot(job).record; }
  TaskRecord& record(TaskRef ref) { return slot(ref.job).record.tasks[ref.task]; }
  const TaskSpec& task_spec(TaskRef ref) const { return slot(ref.job).spec.tasks[ref.task]; }
  size_t job_count() const { return submitted_; }
  // The index of a held job by id.
  std::optional<size_t> index_of(std::string_view id) const;

  // Pending tasks in the order they became pending (key: a sequence number). make_task() and
  // take_pending() erase from it: iterate a copy when calling them.
  const std::map<uint64_t, TaskRef>& pending() const { return pending_; }
  void make_pending(TaskRef ref);
  bool is_pending(TaskRef ref) const { return pending_key_.count(ref) > 0; }
  // Takes `ref` out of pending (a model that runs it without a Mesos task of its own).
  void take_pending(TaskRef ref);
  // Marks a task over without (another) attempt (e.g. a gang that gives up).
  void finish_task(TaskRef ref, std::optional<v1::TaskState> final_state);

  // A TaskInfo for a new attempt of `ref` on `offer`'s agent, running `run_time` (nullopt:
  // until killed), recorded with `locality`. Takes the task out of pending if it is there.
  v1::TaskInfo make_task(TaskRef ref, const v1::Offer& offer, std::optional<Duration> run_time,
                         Locality locality);
  // ACCEPT `offer` launching `tasks` (empty: declines it, saying `reason` if not empty), with
  // the model's filter.
  void launch(SchedulerDriver& driver, const v1::Offer& offer, std::vector<v1::TaskInfo> tasks,
              const std::string& decline_reason = {});
  // DECLINE with `refuse_seconds` (default: the model's); `reason` goes on the event stream
  // (OFFER_DECLINED) for analysis: "locality", "gang_hold_released", ...
  void decline(SchedulerDriver& driver, const v1::Offer& offer,
               std::optional<double> refuse_seconds = std::nullopt,
               const std::string& reason = {});
  void decline(SchedulerDriver& driver, const std::vector<v1::OfferID>& offers,
               std::optional<double> refuse_seconds, const std::string& reason = {});
  void kill(SchedulerDriver& driver, const std::string& task_id);
  // Decision time of a callback that launched `tasks` tasks of `jobs` jobs.
  void charge_launches(SchedulerDriver& driver, size_t jobs, size_t tasks);
  // Attempts not yet ended, by task id, with replaced ones (current == false) kept until they
  // end so that they can be killed if they come back.
  const std::map<std::string, Attempt>& attempts() const { return attempts_; }
  std::vector<std::string> live_attempts_of(size_t job) const;
  // Pending tasks that fit `offer` together, first fit in pending order, skipping those
  // `admit` refuses (given the tasks already chosen for this offer). Costs in proportion to the
  // tasks picked or refused and the distinct needs pending (PendingShapes), not to the tasks
  // pending.
  std::vector<TaskRef> first_fit(
      const v1::Offer& offer,
      const std::function<bool(TaskRef, const std::vector<TaskRef>&)>& admit = {}) const;
  // Live current attempts of `job` on the agent named `hostname`.
  size_t live_on(size_t job, const std::string& hostname) const;
  // Re-evaluates suppress/revive now (outside callbacks the call leaves at once), and with
  // declare_demands sends a REQUEST if what is pending changed.
  void sync_offer_interest();
  // Where a pending task would like to run, as (hostname, cost) for its REQUEST. Default: the
  // task's preferred agents at cost 0.
  virtual std::vector<std::pair<std::string, int64_t>> preferred_hosts(TaskRef ref) const;

  // The terminal state a trace outcome is replayed as (finished -> TASK_FINISHED, ...).
  static v1::TaskState scripted_state(TaskOutcome outcome);

 private:
  void job_ready(size_t job);
  void settle_launches();
  void attempt_ended(SchedulerDriver& driver, const std::string& task_id, v1::TaskState state,
                     v1::TaskStatusSource source);
  void task_done(TaskRef ref);
  // The job's last task is done (or it had none): it finishes now, its children may start.
  void job_finished(size_t job);
  void declare_demands();
  // Jobs with a task pending, by index.
  std::set<size_t> jobs_pending() const;
  // Counts an attempt for each of `jobs` and abandons those at max_attempts still pending.
  void count_attempts(const std::set<size_t>& jobs);
  void abandon(size_t job);
  JobSlot& slot(size_t job);
  const JobSlot& slot(size_t job) const;
  // Hands the jobs finished since the last call to the sink and, unless kept, forgets them.
  void sink_finished();

  Clock& clock_;
  FrameworkModelOptions options_;
  SchedulerDriver* driver_ = nullptr;
  bool suppressed_ = false;
  bool demands_changed_ = false;  // pending changed since the last REQUEST
  Duration charged_in_callback_;
  bool in_callback_ = false;
  std::vector<TaskRef> unsettled_;  // launched in this callback; launched/wait set at its end

  // slots_[i] is job first_slot_ + i; null once forgotten. Forgotten slots at the front are
  // popped, so what stays is the held jobs plus a null pointer per job submitted after the
  // oldest unfinished one.
  JobRecords::Slots slots_;
  size_t first_slot_ = 0;
  size_t submitted_ = 0;
  size_t held_ = 0;
  size_t sunk_ = 0;
  std::vector<size_t> finished_;  // finished, not yet handed to the sink
  JobSink sink_;
  std::map<std::string, size_t, std::less<>> job_index_;
  JobDag dag_;
  size_t finished_jobs_ = 0;

  uint64_t pending_seq_ = 0;
  std::map<uint64_t, TaskRef> pending_;
  std::map<TaskRef, uint64_t> pending_key_;
  PendingShapes pending_shapes_;             // pending_ by need, for first_fit
  std::map<std::string, Attempt> attempts_;  // live attempts and unreachable ones
  std::map<TaskRef, std::string> current_attempt_;
  FrameworkModelStats stats_;
};

}  // namespace mesosim
