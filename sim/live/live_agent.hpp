#pragma once

// LiveAgent: the agent half of the master-agent protocol (as SimAgent speaks it, with Mesos
// semantics) running every task as a real process through a Containerizer.
//
// What it promises:
// - Registration. start() first recovers (below). On MasterDetectedMessage naming a leader it
//   links to it and sends RegisterAgentMessage (no agent id yet) or ReregisterAgentMessage (its
//   id, its tasks with their latest states, incl. terminal ones whose last update is not yet
//   acknowledged, and their frameworks), at once and then after registration_backoff, doubling,
//   capped at one minute, until answered. Messages other than detection are taken only from the
//   leader. The master's AgentRegistered/AgentReregistered message may set the ping timeout
//   (Mesos's MasterSlaveConnection), replacing config().master_ping_timeout. ExitedMessage for the
//   leader (a message to it failed: it died or is restarting at the same address) while registered,
//   no ping for master_ping_timeout, or a ping saying the master thinks it disconnected,
//   re-registers with the same leader (with the backoff above). Every ping is answered with
//   PongAgentMessage.
// - Tasks. RunTaskMessage runs a command task under a command executor whose executor id is the
//   task id (Mesos's). The message is validated and the task recorded at once: TASK_STAGING, its
//   resources counted as used, checkpointed; its launch is queued (below). A launch takes the
//   container up and the task goes TASK_STARTING then TASK_RUNNING. A launch that fails is
//   TASK_FAILED (REASON_COMMAND_EXECUTOR_FAILED, the error as message). A task with its own
//   ExecutorInfo is TASK_ERROR / REASON_TASK_INVALID (no custom executors in live mode). A task id
//   in use gets one TASK_DROPPED / REASON_TASK_INVALID without uuid; resources beyond what is free
//   (queued tasks included) get TASK_DROPPED / REASON_RESOURCES_UNKNOWN. RunTaskMessages are
//   ignored while not registered (as SimAgent); queued launches go on while disconnected.
// - The launch queue. Launches run in the order their RunTaskMessages came, one per turn of the
//   Clock's loop, off the message path, so that a slow launch (a fork, a sandbox, a checkpoint:
//   milliseconds) delays no ping, acknowledgement or kill behind a backlog of launches, as Mesos's
//   agent hands launches to its containerizer and goes on reading. When a launch may run is
//   the LaunchPacer's rule (launch_pacer.hpp): after a launch, messages that arrive have the loop
//   for as long as it took; a quiet loop launches at once. A queued task (STAGING, no container)
//   is the agent's task for every other purpose: KILL makes it TASK_KILLED (SOURCE_AGENT,
//   REASON_TASK_KILLED_DURING_LAUNCH) and it never runs (Mesos's Slave::killTask of a task not
//   yet delivered to its executor); ShutdownExecutorMessage makes it TASK_FAILED
//   (REASON_EXECUTOR_TERMINATED: Mesos's command executor destroyed before it registered fails
//   its queued task); a framework shutdown drops it with the framework's other tasks;
//   re-registration lists it as TASK_STAGING; /state lists it under its executor's
//   `queued_tasks`. A restarted agent does not launch a checkpointed task that never launched: it
//   is TASK_LOST (TASK_DROPPED if partition-aware), REASON_AGENT_RESTARTED, as Mesos's agent
//   recovers tasks whose executor never started. An agent stopped by its daemon (SIGTERM) leaves
//   its queue to that recovery.
// - Ends. When a container ends, its task_outcome() becomes the terminal update (source
//   SOURCE_EXECUTOR): exit 0 FINISHED, non-zero FAILED, OOM FAILED with
//   REASON_CONTAINER_LIMITATION_MEMORY, killed KILLED.
// - Kills (Mesos's Slave::killTask). Unknown framework: ignored. Known framework, unknown task:
//   TASK_LOST (TASK_DROPPED if partition-aware), REASON_EXECUTOR_TERMINATED, "Cannot find
//   executor". Running task: TASK_KILLING first if the framework has TASK_KILLING_STATE, then
//   SIGTERM and SIGKILL after the containerizer's grace period (3 s) → TASK_KILLED. A terminal
//   task or one already being killed ignores it.
// - Updates. Every state change is a StatusUpdate with a fresh 16-byte uuid (master/uuid.hpp),
//   delivered by a StatusUpdateManager that runs only while registered, resent with backoff
//   until acknowledged. A task is forgotten (kept in a bounded completed list for /state) when
//   its terminal update is acknowledged.
// - Shutdowns. ShutdownFrameworkMessage kills the framework's containers with
//   executor_shutdown_grace_period and forgets the framework and its pending updates (no
//   scheduler is left to acknowledge them). ShutdownAgentMessage does that for every framework,
//   deletes the agent's checkpointed identity and leaves the agent silent; shutdown_complete()
//   says when its last container has ended, so the daemon can exit.
// - Executors. Every task runs under a command executor whose id is the task id.
//   ShutdownExecutorMessage (only while registered; unknown framework or executor, or a task
//   already terminal or being killed: logged and ignored, as Mesos's Slave::shutdownExecutor)
//   kills that task as a KILL does but with executor_shutdown_grace_period → TASK_KILLED (Mesos's
//   command executor turns a shutdown into a kill). FrameworkToExecutorMessage is logged and
//   dropped: Mesos's command executor ignores MESSAGE events (the agent is our executor, so it
//   logs that), and one for an unknown framework or executor is dropped, as Mesos's
//   Slave::schedulerMessage drops it with a warning.
// - Usage. While registered, every usage_report_interval: a UsageReportMessage with, per
//   running task, cpus (cpu seconds used since the previous sample / seconds elapsed) and mem
//   (rss, MB) from the containerizer.
// - Polling. Containers are polled every container_poll_interval and at the containerizer's
//   next kill deadline; a loop that watches the pidfds and OOM fds
//   (take_watched_fd_changes()) calls poll_pidfds() with those that became readable, one that
//   lists pidfds() calls poll_containers(), so an end or an OOM kill is reported without
//   waiting for the period.
// - Recovery (live_agent_recovery.cpp). The agent checkpoints under <work_dir>/meta
//   (agent_checkpoint.hpp) its agent id when it changes, and for frameworks with checkpoint =
//   true their FrameworkInfo and, per task, its info once and then a line for each change (state,
//   container, updates sent and acknowledged, kill pending), each synced before the call that
//   made the change returns; a forgotten task's or framework's files are removed. A change costs
//   one line in that task's file, however many tasks the agent holds. start() reads it all and
//   Containerizer::recover()s: running
//   tasks are adopted again and their pending updates queued; tasks whose container ended meanwhile
//   get their terminal update (TASK_FAILED, REASON_EXECUTOR_TERMINATED, or KILLED if a kill was
//   pending); tasks whose container is gone get TASK_FAILED / REASON_EXECUTOR_TERMINATED;
//   containers with no checkpointed task (those of frameworks without checkpoint) are killed at
//   once and forgotten. Then it re-registers with its id and reports all that.
//
// Threading: one thread, the Clock's. receive(), start() and poll_containers() are called on it;
// the Clock, Transport and Containerizer must outlive the agent.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "allocator/resources.hpp"
#include "allocator/result.hpp"
#include "allocator/rng.hpp"
#include "allocator/time.hpp"
#include "sim/live/agent_checkpoint.hpp"
#include "sim/live/containerizer.hpp"
#include "sim/live/launch_pacer.hpp"
#include "sim/live/live_agent_options.hpp"
#include "sim/master/clock.hpp"
#include "sim/master/protocol.hpp"
#include "sim/master/status_update_manager.hpp"
#include "sim/master/transport.hpp"

namespace mesosim::live {

using AgentLog = std::function<void(const std::string&)>;

class LiveAgent final : public Process {
 public:
  static constexpr size_t kMaxCompletedTasks = 1000;     // per framework (Mesos's default)
  static constexpr size_t kMaxCompletedFrameworks = 50;  // Mesos's default

  // `rng` draws the status update uuids: seed it differently on every start (e.g. from
  // std::random_device in the daemon), or a restarted agent repeats the uuids of its past.
  LiveAgent(Endpoint self, Clock& clock, Transport& transport, Containerizer& containerizer,
            Rng rng, LiveAgentConfig config, AgentLog log = {});
  ~LiveAgent() override;
  LiveAgent(const LiveAgent&) = delete;
  LiveAgent& operator=(const LiveAgent&) = delete;

  // Recovers from the work dir (see above) and starts polling. Call once, before any message.
  // Fails only if a checkpoint file exists and cannot be read (nothing is recovered then, and the
  // daemon should exit saying so); recovery problems of single containers are logged.
  Status start();
  void receive(Endpoint from, Message&& message) override;
  // Reaps ended containers now (every container the containerizer must look at).
  void poll_containers();
  // Looks at the containers of these fds (pidfds or OOM fds), which a loop saw readable, at a
  // cost that does not grow with the containers running; for a loop that watches every fd it
  // takes from take_watched_fd_changes(). One it could not watch is handed back with
  // pidfd_unwatched(), and the periodic poll then looks at its container.
  void poll_pidfds(const std::vector<int>& readable);
  void pidfd_unwatched(int pidfd) { containerizer_.unwatched(pidfd); }
  // Called after each launch from the queue (a loop that watches pidfds() has a new one).
  void set_launch_listener(std::function<void()> listener) {
    launch_listener_ = std::move(listener);
  }
  // For a daemon that stops (SIGTERM): launches nothing more. The queued tasks stay recorded
  // (and checkpointed, for frameworks that checkpoint) as never launched: the next start reports
  // them lost (above).
  void stop_launching();
  // Launches queued and not run yet (a task killed while queued keeps its entry, skipped when
  // its turn comes).
  size_t queued_launches() const { return launch_queue_.size(); }
  std::vector<int> pidfds() const { return containerizer_.pidfds(); }
  // What changed in the watched fds (pidfds and OOM fds) since the previous call
  // (Containerizer::take_watched_fd_changes).
  void take_watched_fd_changes(std::vector<Containerizer::WatchedFdChange>& changes) {
    containerizer_.take_watched_fd_changes(changes);
  }

  Endpoint endpoint() const { return self_; }
  const LiveAgentConfig& config() const { return config_; }
  Time start_time() const { return start_time_; }
  bool registered() const { return connection_ == Connection::kRegistered; }
  std::optional<v1::AgentID> agent_id() const { return agent_id_; }
  std::optional<Endpoint> leader() const { return leader_; }
  bool shut_down() const { return shut_down_; }
  // Shut down by the master and every container has ended.
  bool shutdown_complete() const { return shut_down_ && containerizer_.containers().empty(); }

  const std::map<v1::FrameworkID, LiveFramework>& frameworks() const { return frameworks_; }
  const std::deque<LiveFramework>& completed_frameworks() const { return completed_frameworks_; }
  const Containerizer& containerizer() const { return containerizer_; }
  // Resources of the live (non-terminal) tasks, queued ones included: a running total.
  const Resources& used() const { return used_; }
  // Every task held, with its latest state, sorted by (framework id, task id).
  std::vector<v1::Task> tasks() const;
  // Every non-terminal task whose container runs, measured in one round (for posix isolation,
  // one /proc listing for all of them), in (framework id, task id) order: what the periodic
  // usage report and /monitor/statistics read. A container that ended since the last poll has
  // an error in `stats`. The pointers are valid until the agent's books next change.
  struct MeasuredTask {
    const v1::FrameworkID* framework_id;
    const v1::TaskID* task_id;
    const LiveTask* task;
    Result<ResourceStatistics> stats;
  };
  std::vector<MeasuredTask> measure_running_tasks() const;
  size_t pending_updates() const { return updates_.pending(); }
  uint64_t updates_retried() const { return updates_.resent(); }

 private:
  enum class Connection { kDisconnected, kRegistering, kRegistered };

  // live_agent.cpp: the connection to the master.
  void dispatch(Message& message);
  void on_master_detected(std::optional<Endpoint> leader);
  bool on_registered(const v1::AgentID& agent_id, bool reregistered,
                     std::optional<Duration> ping_timeout);
  void on_ping(const v1::PingAgentMessage& ping);
  void disconnect();
  void start_registration();
  void attempt_registration();
  void arm_ping_timer();
  void arm_usage_timer();
  void report_usage();
  v1::ReregisterAgentMessage reregistration() const;
  void send_to_leader(Message message);
  void say(const std::string& line) const;

  // live_agent_tasks.cpp: tasks, containers and status updates.
  void run_task(v1::RunTaskMessage& run);
  void queue_launch(const v1::FrameworkID& framework_id, const v1::TaskID& task_id);
  void schedule_launch_step();
  void launch_step();
  void launch_next();
  void launch(LiveFramework& framework, LiveTask& task);
  // The task's resources leave used_ when it turns terminal.
  void set_state(LiveTask& task, v1::TaskState state);
  void kill_task(const v1::KillTaskMessage& kill);
  // SIGTERM now, SIGKILL after `grace` (default: the containerizer's), with TASK_KILLING first
  // if the framework has TASK_KILLING_STATE.
  void kill_container(LiveFramework& framework, LiveTask& task, std::optional<Duration> grace);
  void shutdown_executor(const v1::ShutdownExecutorMessage& shutdown);
  void framework_message(const v1::FrameworkToExecutorMessage& message);
  void acknowledge(const v1::StatusUpdateAcknowledgementMessage& ack);
  void shutdown_framework(const v1::FrameworkID& framework_id);
  void shutdown_agent();
  void reconcile_tasks(const std::vector<v1::ReconcileTasksMessage>& reconciliations);
  bool fits(const Resources& wanted, std::string* why) const;
  void on_container_ended(const ContainerEnded& end);
  void transition(LiveTask& task, v1::TaskState state, v1::TaskStatusSource source,
                  std::optional<v1::TaskStatusReason> reason = std::nullopt,
                  std::string message = {});
  void add_reliable(v1::StatusUpdate update, LiveTask* task);
  void complete_task(LiveFramework& framework, const v1::TaskID& task_id);
  void arm_poll_timer();
  v1::StatusUpdate make_update(const v1::FrameworkID& framework_id, const v1::TaskID& task_id,
                               std::optional<v1::ExecutorID> executor_id, v1::TaskState state,
                               v1::TaskStatusSource source,
                               std::optional<v1::TaskStatusReason> reason,
                               std::string message) const;
  Uuid next_uuid();
  LiveTask* find_task(const v1::FrameworkID& framework_id, const v1::TaskID& task_id);

  // live_agent_recovery.cpp: the agent's own checkpoint and restart recovery.
  // Writes what changed of the task (and its FrameworkInfo) if its framework checkpoints.
  void checkpoint(LiveFramework& framework, LiveTask& task);
  void checkpoint_agent_id();
  // Removes the task's checkpoint, or with no task the framework's (with its tasks').
  void forget_checkpointed(const LiveFramework& framework, std::optional<v1::TaskID> task_id);
  Status recover();
  void adopt_recovered(const RecoveryReport& report);

  Endpoint self_;
  Clock& clock_;
  Transport& transport_;
  Containerizer& containerizer_;
  Rng rng_;
  LiveAgentConfig config_;
  AgentLog log_;
  Time start_time_;
  Duration master_ping_timeout_;  // the registering master's, else config_'s

  bool started_ = false;
  bool shut_down_ = false;
  std::optional<Endpoint> leader_;
  std::optional<v1::AgentID> agent_id_;
  Connection connection_ = Connection::kDisconnected;
  Duration registration_interval_;
  TimerId registration_timer_;
  TimerId ping_timer_;
  TimerId usage_timer_;
  TimerId poll_timer_;
  std::optional<Time> poll_at_;

  std::map<v1::FrameworkID, LiveFramework> frameworks_;
  std::deque<LiveFramework> completed_frameworks_;
  // container -> (framework, task), for the containerizer's reports.
  std::map<std::string, std::pair<v1::FrameworkID, v1::TaskID>> by_container_;
  // container -> (cpu seconds, when) of the previous usage sample.
  std::map<std::string, std::pair<double, Time>> last_cpu_;
  StatusUpdateManager updates_;

  Resources used_;  // of the non-terminal tasks held
  // (framework, task) of each recorded task whose launch has not run, oldest first. An entry
  // whose task was killed, shut down or forgotten meanwhile is skipped when its turn comes.
  std::deque<std::pair<v1::FrameworkID, v1::TaskID>> launch_queue_;
  TimerId launch_timer_;
  LaunchPacer pacer_;
  std::function<void()> launch_listener_;
};

}  // namespace mesosim::live
