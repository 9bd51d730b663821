#pragma once

// An MPI/Torque-like gang framework: a job's N tasks must all run at once, never fewer.
//
// Offers: while a gang waits (jobs in FIFO order, one gang at a time), every offer is kept
// outstanding, neither used nor declined: the framework hoards resources until the offers it
// holds can take all N tasks (first fit, in the order the offers came). Then it launches the
// whole gang in one decision (one ACCEPT per offer used) and declines the held offers it does
// not need. If the gang is still incomplete hold_timeout after it started holding, it releases
// everything it holds (DECLINE with release_refuse_seconds, so others get the resources) and
// starts holding again with the offers that come next. A RESCIND of a held offer just drops it
// from the hold. This is the hoarding whose cost (others starved, deadlock between gangs) the
// simulator exists to show.
//
// Running: if a member is lost (or fails when the trace did not say so) the rest are killed and,
// once all have ended, the whole gang waits again at the head of the queue (MPI restarts from
// scratch). A member that fails as the trace says ends the job: the rest are killed.
//
// Records, besides the base's: per job, holds released on timeout, restarts, and the offers it
// held; overall, the offer-time held (sum over offers of how long each was held).

#include <deque>
#include <map>
#include <vector>

#include "workloads/framework_model.hpp"

namespace mesosim {

struct GangFrameworkOptions {
  FrameworkModelOptions model;
  Duration hold_timeout = Duration::seconds(30);
  double release_refuse_seconds = 5;  // filter on offers released when a hold times out
};

struct GangRecord {
  int holds_released = 0;  // hold timeouts
  int restarts = 0;        // whole-gang re-runs after a member was lost
  size_t offers_held = 0;  // offers kept outstanding for this gang, over all holds
};

class GangFramework : public FrameworkModel {
 public:
  GangFramework(Clock& clock, GangFrameworkOptions options);
  ~GangFramework() override;

  const GangRecord& gang(size_t job) const { return gangs_.at(job); }
  size_t held_offers() const { return held_.size(); }
  // Sum over offers held of the time each was held, so far.
  Duration offer_time_held() const { return offer_time_held_; }

 protected:
  void on_job_ready(size_t job) override;
  void on_offers(SchedulerDriver& driver, const std::vector<v1::Offer>& offers) override;
  void on_rescind(SchedulerDriver& driver, const v1::OfferID& offer) override;
  void on_disconnected() override;
  bool wants_offers() const override { return !waiting_.empty(); }
  EndAction end_action(const Attempt& attempt, v1::TaskState state, bool scripted) override;
  void on_task_ended(SchedulerDriver& driver, const Attempt& attempt, v1::TaskState state) override;
  void on_job_released(size_t job) override { gangs_.erase(job); }

 private:
  struct Held {
    v1::Offer offer;
    Time since;
  };
  struct Running {
    size_t live = 0;                       // attempts not yet ended
    bool restart = false;                  // a member was lost: run the gang again
    bool aborted = false;                  // survivors are being killed
    std::map<size_t, v1::TaskState> ends;  // by task index
  };
  void try_launch(SchedulerDriver& driver);
  void release_hold();
  void drop_held(size_t index);
  void abort(SchedulerDriver& driver, size_t job);

  GangFrameworkOptions gopts_;
  std::deque<size_t> waiting_;  // gangs by job index, head first
  std::vector<Held> held_;
  TimerId hold_timer_;
  std::map<size_t, GangRecord> gangs_;
  std::map<size_t, Running> running_;
  Duration offer_time_held_;
};

}  // namespace mesosim
