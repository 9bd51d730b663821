#pragma once

// The Mesos master as a state machine: it owns agents, frameworks, tasks and offers, drives an
// Allocator, forwards status updates, times out offers, agents and framework failovers, and can
// take over from a failed leader by rebuilding its state from re-registering agents and
// re-subscribing frameworks.
//
// It talks only through a Transport (messages in and out) and a Clock (time and timers), so the
// simulator and live mode run this same code. Nothing here reads the wall clock, spawns threads
// or does I/O. Every decision iterates ordered containers, so a run is a function of the
// messages and their times.
//
// Threading: a Master is single-threaded, like a libprocess actor. Every member function, every
// timer callback it schedules on its Clock and every Transport delivery to it must run on the
// one thread that owns its Clock's event loop; it takes no locks. Another thread (live mode's
// HTTP server, a signal handler) hands work to it by posting a callback onto that loop, and
// reads its state only from there.
//
// Semantics follow Apache Mesos (see ../shared/MESOS-REFERENCE.md and sim/README.md): task
// states and reasons, ACCEPT validation, reliable status updates (agents retry until the
// framework acknowledges; the master forwards and tracks), implicit and explicit
// reconciliation, agent health by pings, framework failover timeouts, and the registry.

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "allocator/allocator.hpp"
#include "sim/master/agent_health.hpp"
#include "sim/master/clock.hpp"
#include "sim/master/master_events.hpp"
#include "sim/master/registry.hpp"
#include "sim/master/stopwatch.hpp"
#include "sim/master/transport.hpp"

namespace mesosim {

struct MasterOptions {
  std::string master_id = "master";  // prefixes every ID this master hands out
  Duration allocation_interval = Duration::seconds(1);
  std::optional<Duration> offer_timeout;  // unset: offers never expire (Mesos's default)
  Duration agent_ping_timeout = Duration::seconds(15);
  int max_agent_ping_timeouts = 5;
  Duration agent_reregister_timeout = Duration::minutes(10);
  Duration heartbeat_interval = Duration::seconds(15);
  // A departure from Mesos, off by default: run an allocation (batched with other triggers at
  // the same time) when a task ends and frees resources. Mesos recovers them without a run and
  // offers them in the next allocation_interval.
  bool allocate_on_task_end = false;
  // Publish OfferSkipped explanations (each allocation run counts, per framework and role, the
  // agents it passed over and why; off by default).
  bool explain_allocation = false;
  // Measures each allocation run (AllocationRun.duration); must outlive the master. Unset (the
  // default, and what simulations use): runs are not measured and output stays deterministic.
  Stopwatch* stopwatch = nullptr;
  // With a stopwatch: each allocation run's measured duration passes as time before its offers
  // are made, and runs asked for meanwhile wait until it is done (Mesos's allocator is an actor
  // of its own; the master makes the offers when its run ends). For simulations that charge the
  // allocator's real cost (scenario key allocator.charge_cycle_time); the output then depends
  // on the machine.
  bool charge_allocation_time = false;
  // Completed tasks kept per framework by whoever serves them from the event stream (live
  // mode's /master/state); the master itself keeps none.
  size_t max_completed_tasks_per_framework = 1000;
  // Removed frameworks remembered (they may not re-subscribe while remembered).
  size_t max_completed_frameworks = 50;
  // Tasks of unreachable agents kept per framework, oldest dropped first.
  size_t max_unreachable_tasks_per_framework = 1000;
  // Every registry_gc_interval, unreachable and gone agents are dropped from the registry (and
  // their unreachable tasks forgotten) once older than registry_max_agent_age, or oldest first
  // while more than registry_max_agent_count of them are kept.
  Duration registry_gc_interval = Duration::minutes(15);
  Duration registry_max_agent_age = Duration::days(14);
  size_t registry_max_agent_count = 100 * 1024;
};

// Why the master refuses a scheduler call. The code is what an HTTP layer answers with, as
// Mesos's /api/v1/scheduler does: kBadRequest -> 400 (malformed or invalid call), kForbidden ->
// 403 (not from the framework's subscribed connection, or a removed framework), kNotLeader ->
// 307 to the leading master.
struct CallError {
  enum class Code { kBadRequest, kForbidden, kNotLeader };
  Code code = Code::kBadRequest;
  std::string message;
};
std::string_view to_string(CallError::Code code);

class Master final : public Process, private AllocationExplainer {
 public:
  // The allocator must be empty; `registry` is shared with the masters that follow this one.
  // `health` checks the agents (agent_health.hpp) and must outlive the master; without one the
  // master pings them itself through `transport` (PingPongHealth).
  Master(Endpoint self, Clock& clock, Transport& transport, std::unique_ptr<Allocator> allocator,
         Registry& registry, MasterOptions options, AgentHealth* health = nullptr);
  ~Master() override;
  Master(const Master&) = delete;
  Master& operator=(const Master&) = delete;

  // Becomes the leading master: starts the allocation, health and heartbeat timers, and expects
  // the registry's admitted agents to re-register within agent_reregister_timeout. A master that
  // is not leading ignores every message.
  void elect();  // at most once per Master object
  bool leading() const { return leading_; }
  // The process dies (publishing MasterCrashed if it led): every timer stops, it forgets everything
  // but the registry and ignores every message from then on. A crashed Master is never elected
  // again: a new Master object (with a fresh allocator) takes its place, as a restarted master
  // process would.
  void crash();

  void receive(Endpoint from, Message&& message) override;

  // For live mode's HTTP layer (an error status before anything changes) and for tests: why a
  // scheduler call from `from` would be rejected, or nullopt if it is acceptable.
  std::optional<CallError> validate(Endpoint from, const v1::scheduler::Call& call) const;

  // Operator calls (Mesos's UPDATE_WEIGHTS / UPDATE_QUOTA): kept in the registry, so later
  // leaders apply them too, and published (WeightChanged / QuotaChanged). Fail when this master
  // is not leading or the allocator rejects the value; nothing changes then.
  Status update_weight(const std::string& role, double weight);
  Status update_quota(const std::string& role, const Quota& quota);

  void add_observer(MasterObserver* observer);
  void remove_observer(MasterObserver* observer);

  // Introspection (tests, invariants, /master/state, /metrics/snapshot).
  // What the master keeps of the newest status it forwarded to a task's framework: its state
  // (what reconciliation answers) and when it was measured.
  struct SentStatus {
    v1::TaskState state = v1::TaskState::TASK_STAGING;
    Time timestamp;
  };
  struct TaskView {
    v1::Task task;
    std::optional<SentStatus> last_sent;  // none while the framework was told nothing of it
    bool unreachable = false;
  };
  struct AgentView {
    v1::AgentInfo info;  // with id
    bool connected = false;
    Resources used;     // by non-terminal tasks
    Resources offered;  // in outstanding offers
  };
  struct FrameworkView {
    v1::FrameworkInfo info;  // with id
    bool connected = false;
    bool active = false;
    std::vector<v1::TaskID> tasks;
    size_t offers = 0;
  };
  std::vector<AgentView> agents() const;
  std::vector<FrameworkView> frameworks() const;
  std::vector<TaskView> tasks() const;  // every non-terminal or unacknowledged task
  std::optional<TaskView> task(const v1::FrameworkID& framework, const v1::TaskID& task) const;
  size_t outstanding_offers() const;
  // Agents in the books whose connection is up, and frameworks whose scheduler is subscribed:
  // counted without copying anything (benchmarks; agents() and frameworks() copy every entry).
  size_t connected_agents() const;
  size_t connected_frameworks() const;
  // What the allocator holds, by (framework id, agent id, role), for every framework and agent
  // in the books; empty entries left out. The event stream's allocation accounting
  // (master_events.hpp) must always sum to this.
  using AllocationKey = std::tuple<std::string, std::string, std::string>;
  std::map<AllocationKey, Resources> allocations() const;
  const Allocator& allocator() const { return *allocator_; }
  uint64_t allocation_runs() const { return allocation_runs_; }
  // MESSAGE calls forwarded to an agent, and those dropped because the agent was unknown or
  // disconnected (Mesos's master/valid_framework_to_executor_messages and
  // master/invalid_framework_to_executor_messages).
  struct FrameworkMessageCounts {
    uint64_t valid = 0;
    uint64_t invalid = 0;
  };
  FrameworkMessageCounts framework_to_executor_messages() const;
  const std::string& id() const { return options_.master_id; }
  // Checks the master's books against the allocator's: every agent's offered + used + free
  // equals its total and matches what the allocator says. Returns the first discrepancy.
  std::optional<std::string> check_invariants() const;

  // The implementation, split across sim/master/master_*.cpp (sim/master/master_state.hpp).
  struct State;

 private:
  void skipped(FrameworkId framework, std::string_view role, AgentId agent,
               SkipReason reason) override;
  void repeated_last_run() override;

  Clock& clock_;
  Transport& transport_;
  std::unique_ptr<AgentHealth> own_health_;
  AgentHealth* health_;
  std::unique_ptr<Allocator> allocator_;
  Registry& registry_;
  MasterOptions options_;
  Endpoint self_;
  bool leading_ = false;
  bool crashed_ = false;
  uint64_t allocation_runs_ = 0;
  std::unique_ptr<State> state_;
  std::vector<MasterObserver*> observers_;
};

}  // namespace mesosim
