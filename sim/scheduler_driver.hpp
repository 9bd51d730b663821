#pragma once

// The scheduler side of the protocol: a SchedulerDriver is the process that finds the leading
// master, subscribes (and re-subscribes after a failover with its framework ID), delivers events
// to a Scheduler and sends its calls. A Scheduler is the part that decides: framework models
// (workloads/) implement it, tests script it. Nothing here depends on being simulated.
//
// Decision time: a scheduler is single-threaded. charge(d) inside a callback says the decision
// took d; the calls made in that callback leave d later, and events that arrive meanwhile wait
// until the scheduler is free again (as the Omega study modelled Mesos schedulers). A call made
// outside a callback while the scheduler is still busy leaves when it is free, after the calls
// of the decisions before it: calls leave in the order they were made.

#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "sim/master/clock.hpp"
#include "sim/master/transport.hpp"

namespace mesosim {

class SchedulerDriver;

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  virtual void subscribed(SchedulerDriver& driver, const v1::FrameworkID& id) {}
  virtual void offers(SchedulerDriver& driver, const std::vector<v1::Offer>& offers) {}
  virtual void rescind(SchedulerDriver& driver, const v1::OfferID& offer) {}
  // With implicit acknowledgements (the default) the driver acknowledges after this returns.
  virtual void update(SchedulerDriver& driver, const v1::TaskStatus& status) {}
  virtual void failure(SchedulerDriver& driver, const v1::scheduler::Failure& failure) {}
  virtual void error(SchedulerDriver& driver, const std::string& message) {}
  // The master went away; the driver re-subscribes when a new leader is known.
  virtual void disconnected(SchedulerDriver& driver) {}
};

struct SchedulerDriverOptions {
  bool implicit_acknowledgements = true;
  Duration subscribe_retry = Duration::seconds(2);  // until SUBSCRIBED arrives
  std::vector<std::string> suppressed_roles;        // at SUBSCRIBE
};

class SchedulerDriver final : public Process {
 public:
  SchedulerDriver(Endpoint self, Clock& clock, Transport& transport, v1::FrameworkInfo info,
                  Scheduler* scheduler, SchedulerDriverOptions options = {});
  ~SchedulerDriver() override;
  SchedulerDriver(const SchedulerDriver&) = delete;
  SchedulerDriver& operator=(const SchedulerDriver&) = delete;

  void receive(Endpoint from, Message&& message) override;

  // Calls, sent to the leading master (dropped while none is known or not subscribed).
  void accept(std::vector<v1::OfferID> offers, std::vector<v1::Operation> operations,
              v1::Filters filters = {});
  // ACCEPT of one offer with one LAUNCH of `tasks`.
  void launch(const v1::Offer& offer, std::vector<v1::TaskInfo> tasks, v1::Filters filters = {});
  // `reason`: why, for analysis (sched::Decline::reason; simulator only).
  void decline(std::vector<v1::OfferID> offers, v1::Filters filters = {}, std::string reason = {});
  void revive(std::vector<std::string> roles = {});
  void suppress(std::vector<std::string> roles = {});
  void kill(const v1::TaskID& task, std::optional<v1::AgentID> agent = std::nullopt);
  void acknowledge(const v1::TaskStatus& status);
  void reconcile(std::vector<v1::scheduler::Reconcile::Task> tasks = {});
  // REQUEST: what the framework would like placed, replacing what it asked before.
  void request(std::vector<v1::scheduler::ResourceRequest> requests);
  void teardown();
  // MESSAGE: `data` for one of the framework's executors on `agent`.
  void message(const v1::AgentID& agent, const v1::ExecutorID& executor, std::string data);
  // SHUTDOWN of one of the framework's executors (a command task's executor id is its task id).
  void shutdown(const v1::ExecutorID& executor, const v1::AgentID& agent);
  // UPDATE_FRAMEWORK: the framework's new FrameworkInfo (its id is filled in) and suppressed
  // roles, also used when the driver subscribes again later.
  void update_framework(v1::FrameworkInfo info, std::vector<std::string> suppressed_roles = {});
  // Inside a callback: the decision took `d` more (see the header comment).
  void charge(Duration d);

  bool subscribed() const { return subscribed_; }
  const std::optional<v1::FrameworkID>& framework_id() const { return info_.id; }
  const v1::FrameworkInfo& info() const { return info_; }
  Endpoint endpoint() const { return self_; }
  Clock& clock() { return clock_; }

  // Scheduler failover: the process dies (timers stop, nothing is sent) and later a new one
  // starts, knowing only its framework ID, as a real scheduler that persisted it would.
  void crash();
  void restart(Scheduler* scheduler);

 private:
  void send_call(v1::scheduler::Call&& call);
  void try_subscribe();
  void deliver(Endpoint from, Message& message);  // reads and moves from `message`
  void drain();

  Endpoint self_;
  Clock& clock_;
  Transport& transport_;
  v1::FrameworkInfo info_;
  Scheduler* scheduler_;
  SchedulerDriverOptions options_;
  std::optional<Endpoint> master_;
  bool subscribed_ = false;
  bool crashed_ = false;
  uint64_t incarnation_ = 0;  // bumped by crash(): delayed calls of a dead process are dropped
  TimerId subscribe_timer_;
  // Decision time: while busy, events wait in `inbox_`, calls in `outbox_`.
  bool in_callback_ = false;
  Time busy_until_;
  std::deque<std::pair<Endpoint, Message>> inbox_;
  std::vector<v1::scheduler::Call> outbox_;
  std::vector<v1::scheduler::Call> sending_;  // outbox_'s calls on their way; keeps its capacity
  TimerId drain_timer_;
};

}  // namespace mesosim
