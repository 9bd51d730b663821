#pragma once

// The simulated agent: the agent half of the master-agent protocol, with Mesos semantics, whose
// tasks run for simulated time instead of running processes.
//
// What it promises (the master relies on these):
// - Registration. On MasterDetectedMessage naming a leader it links to that leader and sends
//   RegisterAgentMessage (no agent ID yet) or ReregisterAgentMessage (its ID, its live tasks and
//   its terminal tasks whose last update is unacknowledged, with their latest states, and the
//   FrameworkInfos of those tasks), at once and then
//   after registration_backoff, doubling, the interval capped at one minute, until the leader
//   answers AgentRegisteredMessage / AgentReregisteredMessage. Every other message is taken
//   only from the current leader; ExitedMessage for the leader, or no PingAgentMessage for
//   master_ping_timeout, or a ping saying the master thinks it disconnected, disconnects it:
//   after the first it waits for the detector, after the others it re-registers with the same
//   leader. Each ping from the leader is answered with PongAgentMessage. After use_health()
//   (SimCluster's agents) pings, pongs and the timeout go through SimHealth instead, with the
//   same rules.
// - Tasks. RunTaskMessage starts a task under its executor (the task's own ExecutorInfo,
//   shared by later tasks of that (framework, executor id); else a command executor whose id
//   is the task id). A new executor takes executor_launch to come up; then the task goes
//   TASK_STARTING, task_start later TASK_RUNNING, and work->duration later ends in
//   work->final_state (no `work`: it runs until killed). An executor ends with its last live
//   task. A launch whose task id the agent still holds is answered TASK_DROPPED /
//   REASON_TASK_INVALID, sent once without a uuid and with `latest_state` = the existing task's
//   state (it is about the refused launch, not the running task); one that does not fit in the
//   agent's free resources gets TASK_DROPPED / REASON_RESOURCES_UNKNOWN.
// - Kills. Unknown task of a framework the agent holds: TASK_DROPPED (TASK_LOST if the framework
//   is not partition-aware) / REASON_EXECUTOR_TERMINATED, "Cannot find executor", as Mesos.
//   Unknown framework: TASK_DROPPED / REASON_TASK_UNKNOWN (Mesos ignores it; see sim/README.md).
//   Launching task: TASK_KILLED /
//   REASON_TASK_KILLED_DURING_LAUNCH at once. Started task: TASK_KILLING at once if its
//   framework has TASK_KILLING_STATE, TASK_KILLED after kill_grace. A task that is already
//   terminal or already being killed ignores the kill.
// - Usage. Every StatusUpdate carries what the task uses in its new state (work->usage, or its
//   resources when that is empty, while RUNNING or KILLING; nothing otherwise). With
//   usage_sample_interval set, a registered agent also sends a UsageReportMessage of its running
//   tasks every interval (not retried: a lost sample is lost).
// - Updates. Every state change is a StatusUpdate with a fresh uuid (a version 4 Uuid, two
//   draws from the agent's Rng) delivered reliably by a StatusUpdateManager, which runs only
//   while the agent is registered. A task's record is dropped when its terminal update is
//   acknowledged.
// - Shutdowns. ShutdownFrameworkMessage ends the framework's tasks as TASK_KILLED with no grace
//   and forgets the framework, its executors and its unacknowledged updates (Mesos cleans up a
//   removed framework's update streams: no scheduler is left to acknowledge them).
//   ShutdownAgentMessage does that for every framework, then the agent stays silent until
//   restart(), after which it registers as a new agent (Mesos deletes the agent's checkpointed
//   identity when the master shuts it down).
// - Executors. FrameworkToExecutorMessage for an executor the agent runs is delivered to it and
//   counted (framework_messages_delivered); every simulated executor ignores the data, as
//   Mesos's command executor does. One for an unknown framework or executor is dropped.
//   ShutdownExecutorMessage (only while registered; unknown framework or executor, or one already
//   shutting down: ignored, as Mesos's Slave::shutdownExecutor) shuts the executor down: a
//   command executor kills its started task as a KILL does (TASK_KILLING if the framework has
//   TASK_KILLING_STATE, TASK_KILLED after kill_grace: Mesos's command executor turns shutdown
//   into a kill); any other live task of it (a custom executor's, or a command task its
//   executor has not started) ends TASK_FAILED / REASON_EXECUTOR_TERMINATED, "Executor
//   terminated", after kill_grace, as Mesos's Slave::executorTerminated reports the tasks of an
//   executor destroyed at the end of its shutdown grace period.
// - Reconciliation. AgentReregisteredMessage may list tasks the master holds on this agent
//   and the agent did not report; for each one it does not hold, the agent adds a reliable
//   TASK_LOST (TASK_DROPPED if the framework is partition-aware) with REASON_RECONCILIATION and
//   source SOURCE_AGENT, as Mesos's agent does. Tasks it holds need no answer.
// - Crashes. crash() stops the process: every timer is cancelled and it ignores every message.
//   The tasks, executors and pending updates of frameworks without FrameworkInfo.checkpoint
//   end with the process (their executors exit with the agent) and are never reported again.
//   restart() without machine loss recovers the checkpointing frameworks' tasks, which kept running
//   in simulated time (transitions that fell due while it was down are replayed in due order,
//   stamped with the time they happened, before it re-registers), and its unacknowledged updates,
//   which are sent once it is registered again. With machine loss it restarts with no tasks,
//   executors or updates but with its agent ID. Either way it registers with the last leader it
//   knew.
// - Determinism. Tasks, executors, frameworks and update streams live in maps keyed by their
//   ids; equal-time events follow the clock's order. The Rng is drawn only for uuids.
//
// A SimAgent is used from one thread, with the Clock and Transport it was given, which must
// outlive it.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "allocator/resources.hpp"
#include "allocator/rng.hpp"
#include "allocator/time.hpp"
#include "sim/master/clock.hpp"
#include "sim/master/protocol.hpp"
#include "sim/master/status_update_manager.hpp"
#include "sim/master/transport.hpp"
#include "sim/master/uuid.hpp"
#include "sim/sim_health.hpp"

namespace mesosim {

struct SimAgentOptions {
  std::string hostname;
  Resources resources;
  std::vector<v1::Attribute> attributes;
  Duration executor_launch = Duration::millis(500);
  Duration task_start = Duration::millis(100);
  Duration kill_grace = Duration::seconds(3);
  Duration registration_backoff = Duration::seconds(1);
  Duration master_ping_timeout = Duration::seconds(75);
  Duration status_update_retry = Duration::seconds(10);
  Duration status_update_retry_max = Duration::minutes(10);
  // How often a registered agent reports what its running tasks use (UsageReportMessage).
  // Unset (the default): no periodic samples; usage still rides on every status update.
  std::optional<Duration> usage_sample_interval;
};

class SimAgent final : public Process, private SimHealth::AgentSide {
 public:
  SimAgent(Endpoint self, Clock& clock, Transport& transport, Rng rng, SimAgentOptions options);
  ~SimAgent() override;
  SimAgent(const SimAgent&) = delete;
  SimAgent& operator=(const SimAgent&) = delete;

  void receive(Endpoint from, Message&& message) override;
  // Health checks through `health` (SimCluster does this before the agent is pinged) instead of
  // PingAgentMessage / PongAgentMessage and a timer of its own; same protocol.
  void use_health(SimHealth& health);

  // The agent process dies (see the header comment). Crashing a crashed agent changes nothing,
  // except that machine_lost = true then also loses its tasks.
  void crash(bool machine_lost);
  // Starts a crashed or shut-down agent again. Requires that it is one of those.
  void restart();

  Endpoint endpoint() const { return self_; }
  const SimAgentOptions& options() const { return options_; }
  bool alive() const { return alive_ && !shut_down_; }
  bool registered() const { return connection_ == Connection::kRegistered; }
  std::optional<v1::AgentID> agent_id() const { return agent_id_; }
  std::optional<Endpoint> leader() const { return leader_; }

  // Resources of the live (non-terminal) tasks.
  const Resources& used() const { return used_; }
  // What the live tasks that have reached TASK_RUNNING (so also those being killed after it)
  // really use: work->usage, or the task's resources when that is empty.
  Resources usage() const;
  size_t live_tasks() const { return live_tasks_; }
  // Every task the agent holds, live or terminal with its terminal update unacknowledged, with
  // its latest state, sorted by (framework id, task id).
  std::vector<v1::Task> tasks() const;

  // StatusUpdateMessages sent, counting every resend; of those, the resends.
  uint64_t updates_sent() const { return updates_.sent() + unreliable_updates_sent_; }
  uint64_t updates_retried() const { return updates_.resent(); }
  // Status updates not yet acknowledged: all of them, or those of one task.
  size_t pending_updates() const { return updates_.pending(); }
  size_t pending_updates(const v1::FrameworkID& framework_id, const v1::TaskID& task_id) const {
    return updates_.pending(framework_id, task_id);
  }
  // FrameworkToExecutorMessages delivered to one of its executors.
  uint64_t framework_messages_delivered() const { return framework_messages_delivered_; }

 private:
  enum class Connection { kDisconnected, kRegistering, kRegistered };

  struct Framework;
  struct TaskRecord {
    // Its framework's entry in frameworks_, which lives at least as long as the task (a map's
    // entries stay put).
    Framework* framework = nullptr;
    v1::FrameworkID framework_id;
    // What the agent keeps of the task's TaskInfo: its command or ExecutorInfo is nothing a
    // simulated agent runs (the executor's id is below). A launch writes the record once, cold;
    // without them it is about half as large (bench/README.md, 2026-12-05).
    std::string name;
    v1::TaskID task_id;
    Resources resources;
    std::vector<std::pair<std::string, std::string>> labels;
    std::optional<v1::SimulatedWork> work;
    bool custom_executor = false;  // it came with an ExecutorInfo (else a command executor)
    std::string role;
    v1::ExecutorID executor_id;
    v1::TaskState state = v1::TaskState::TASK_STAGING;
    bool killing = false;         // a kill is in its grace period
    bool executor_terminated = false;  // its executor is being shut down: it fails when due
    bool ran = false;             // reached TASK_RUNNING (counts toward usage())
    std::optional<Time> next_at;  // when the next transition is due (none: waits for a kill)
    uint64_t next_seq = 0;        // orders transitions due at the same time
    TimerId timer;                // fires at next_at while the agent is alive
  };
  struct Executor {
    Time ready_at;  // when it is up and can start tasks
    size_t live_tasks = 0;
    bool terminating = false;  // shut down by its framework
  };
  struct Framework {
    v1::FrameworkInfo info;
    std::map<v1::ExecutorID, Executor> executors;
    std::map<v1::TaskID, TaskRecord> tasks;
  };

  // sim_agent.cpp: the connection to the master.
  void on_master_detected(std::optional<Endpoint> leader);
  // False if the answer is stale (not for the registration under way, or another agent ID).
  bool on_registered(const v1::AgentID& agent_id, bool reregistered);
  void on_ping(const v1::PingAgentMessage& ping);
  // SimHealth::AgentSide.
  void ping_arrived(Endpoint from, bool connected) override;
  void ping_timed_out() override { on_ping_timeout(); }
  void report_unknown_task_killed(const v1::KillTaskMessage& kill, const Framework* framework,
                                  Time now);
  void on_ping_timeout();
  void disconnect();
  void start_registration();
  void attempt_registration();
  void arm_ping_timer();
  void arm_usage_timer();
  void report_usage();
  v1::ReregisterAgentMessage reregistration() const;
  void send_to_leader(Message&& message);

  // sim_agent_tasks.cpp: tasks, executors and their status updates.
  void run_task(v1::RunTaskMessage& run);
  void kill_task(const v1::KillTaskMessage& kill);
  void acknowledge(const v1::StatusUpdateAcknowledgementMessage& ack);
  void shutdown_framework(const v1::FrameworkID& framework_id);
  void shutdown_executor(const v1::ShutdownExecutorMessage& shutdown);
  void framework_message(const v1::FrameworkToExecutorMessage& message);
  void reconcile_tasks(const std::vector<v1::ReconcileTasksMessage>& reconciliations);
  bool fits(const Resources& wanted, std::string* why) const;
  void schedule_transition(TaskRecord& task, Time at);
  void arm_transition_timer(TaskRecord& task);
  void arm_transition_timers();
  void on_transition(TaskRecord& task);
  void transition(TaskRecord& task, v1::TaskState state, Time at, v1::TaskStatusSource source,
                  std::optional<v1::TaskStatusReason> reason = std::nullopt,
                  std::string message = {});
  void end_task(TaskRecord& task);
  void replay_missed_transitions();
  void cancel_transition_timers();
  v1::StatusUpdate make_update(const v1::FrameworkID& framework_id, const v1::TaskID& task_id,
                               std::optional<v1::ExecutorID> executor_id, v1::TaskState state,
                               Time at, v1::TaskStatusSource source,
                               std::optional<v1::TaskStatusReason> reason,
                               std::string message) const;
  Uuid next_uuid();
  // What `task` uses while in `state`.
  static Resources task_usage(const TaskRecord& task, v1::TaskState state);
  // What a running task uses: its work's usage if it states one, else its resources.
  static const Resources& running_usage(const TaskRecord& task);

  Endpoint self_;
  Clock& clock_;
  Transport& transport_;
  Rng rng_;
  SimAgentOptions options_;

  bool alive_ = true;
  bool shut_down_ = false;
  std::optional<Endpoint> leader_;
  std::optional<v1::AgentID> agent_id_;
  Connection connection_ = Connection::kDisconnected;
  Duration registration_interval_;
  TimerId registration_timer_;
  TimerId ping_timer_;
  SimHealth* health_ = nullptr;
  TimerId usage_timer_;

  std::map<v1::FrameworkID, Framework> frameworks_;
  size_t live_tasks_ = 0;
  // The live tasks' resources, kept beside live_tasks_ (every launch checks what is free).
  Resources used_;
  uint64_t transition_seq_ = 0;
  uint64_t unreliable_updates_sent_ = 0;
  uint64_t framework_messages_delivered_ = 0;
  StatusUpdateManager updates_;
};

}  // namespace mesosim
