#pragma once

// Containerizer: runs command tasks in containers, one container per task, and says how each
// ended. It is what a live agent drives; it owns no thread and no timer. The agent calls
// poll_readable() when a watched fd (a task's pidfd, or its memory cgroup's OOM notification)
// becomes readable, and poll() when next_deadline() comes and every so often (for containers
// that have no such fd); time is passed in.
//
//   launch(task)  -> sandbox <work_dir>/slaves/<agent>/frameworks/<framework>/executors/
//                    <executor>/runs/<container>, a cgroup with the task's limits, the process
//                    attached before exec, a checkpoint. The task is then RUNNING.
//   kill(c)       -> SIGTERM to the task's process group now, SIGKILL to everything in the
//                    container once the grace period (default 3 s, as Mesos's) has passed.
//   poll(now)     -> for each container that ended: its TaskOutcome (task_outcome.hpp); the
//                    container is then destroyed (every process killed, cgroup removed, checkpoint
//                    deleted) and forgotten; the containers that ended by one poll are destroyed
//                    together (posix: with those that ended up to `finish_delay` later, see
//                    ContainerizerOptions). A container whose memory cgroup saw an OOM kill is
//                    killed at once, as Mesos destroys a container on a memory limitation.
//                    Once a loop watches the fds (take_watched_fd_changes() has been
//                    called), poll() looks only at due SIGKILL deadlines and at containers the
//                    loop cannot watch completely: those without a pidfd and, when the
//                    isolator enforces limits (cgroups), those whose OOM notification could not
//                    be registered (Isolator::oom_notification; logged once). The others' ends
//                    and OOM kills come through poll_readable(). Before that, it looks at every
//                    container.
//   poll_readable(fds, now) -> poll() of the containers whose pidfds or OOM fds a loop saw
//                    readable (and of due deadlines): what an ended task or an OOM costs,
//                    whatever else runs.
//   recover(now)  -> after an agent restart: containers whose process is still the same process
//                    (pid and start time) are adopted again; those that ended while the agent was
//                    down are reported and destroyed; cgroups under the isolator's root that
//                    carry this containerizer's prefix and have no checkpoint are destroyed as
//                    orphans.

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "allocator/resources.hpp"
#include "allocator/result.hpp"
#include "allocator/time.hpp"
#include "sim/live/container_checkpoint.hpp"
#include "sim/live/isolator.hpp"
#include "sim/live/task_outcome.hpp"
#include "sim/live/task_process.hpp"
#include "sim/master/protocol.hpp"

namespace mesosim::live {

// A command task as the agent received it.
struct CommandTask {
  v1::TaskID task_id;
  v1::FrameworkID framework_id;
  v1::ExecutorID executor_id;  // a command task's executor id is its task id
  v1::AgentID agent_id;
  std::string role;
  std::string user;  // the framework's user
  v1::CommandInfo command;
  Resources resources;
};

struct ContainerizerOptions {
  std::string work_dir;
  // Run tasks as their framework's user (Mesos's --switch_user). The user must exist, or the
  // launch fails. Off: tasks run as the agent's user.
  bool switch_user = false;
  bool enable_cfs = true;                 // cap cpu time at the cpus resource
  std::optional<uint64_t> max_processes;  // pids.max per container
  Duration kill_grace_period = Duration::seconds(3);
  // With an isolator that destroys in batches (Isolator::destroys_in_batches: posix, whose
  // destroy lists every process on the machine), a container whose task ended is destroyed
  // (what the task left running killed, the checkpoint removed) not at once but by the first
  // poll()/poll_readable() at or after `finish_delay` from the earliest end not yet destroyed,
  // together with every container that ended meanwhile: one listing for all of them instead
  // of one per ended task. next_deadline() includes that time. The end itself is reported at
  // once (as Mesos's command executor reports the command's exit before its container is
  // destroyed). Zero: each poll destroys what ended in it.
  Duration finish_delay = Duration::millis(20);
  // The environment every task starts from, before the MESOS_* variables and the command's own.
  std::vector<std::pair<std::string, std::string>> base_environment = {
      {"PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}};
  std::string agent_endpoint;  // MESOS_AGENT_ENDPOINT when not empty ("host:port")
  // Every container this containerizer names starts with it, and recovery destroys as orphans
  // only cgroups that start with it: agents that share a machine and a cgroup root leave each
  // other's containers alone. Empty: every cgroup under the root is this containerizer's.
  std::string container_prefix;
  // Where the containerizer says what it cannot do (once per kind): a container whose OOM
  // notification cannot be registered is polled instead. Unset: nothing is said.
  std::function<void(const std::string&)> log;
};

struct ContainerEnded {
  std::string container;
  v1::TaskID task_id;
  v1::FrameworkID framework_id;
  TaskOutcome outcome;
  std::string sandbox;
};

struct RecoveryReport {
  std::vector<std::string> adopted;            // still running, watched again
  std::vector<ContainerEnded> ended;           // ended while the agent was down
  std::vector<std::string> orphans_destroyed;  // cgroups with no checkpoint
  std::vector<Error> errors;                   // unreadable checkpoints, failed destroys
};

class Containerizer {
 public:
  Containerizer(Isolator& isolator, ContainerizerOptions options);
  Containerizer(const Containerizer&) = delete;
  Containerizer& operator=(const Containerizer&) = delete;
  // Leaves running containers running (an agent that exits keeps its tasks, as Mesos's does);
  // call destroy_all() to stop them. Containers whose task ended are destroyed (finish_delay).
  ~Containerizer();

  // Starts the task; returns its container id. On error nothing is left behind.
  Result<std::string> launch(const CommandTask& task, Time now);
  // Starts killing: SIGTERM now, SIGKILL after `grace` (default: the option). Killing a
  // container being killed again only shortens its grace period if the new one ends sooner.
  Status kill(const std::string& container, Time now, std::optional<Duration> grace = {});
  std::vector<ContainerEnded> poll(Time now);
  // `fds` are fds take_watched_fd_changes() listed as opened (unknown ones are skipped). An OOM
  // fd is read empty (Isolator::take_oom_notification) before its container is looked at, so it
  // is readable again only on a new event.
  std::vector<ContainerEnded> poll_readable(const std::vector<int>& fds, Time now);
  // Whether `fd` is a running container's pidfd or OOM fd: one a loop should (still) watch.
  bool watches(int fd) const { return by_pidfd_.count(fd) > 0 || by_oom_fd_.count(fd) > 0; }
  // The loop could not watch `fd`: poll() looks at its container from now on.
  void unwatched(int fd);
  // The periodic poll's share: how many containers poll() looks at besides due deadlines.
  size_t polled_containers() const {
    return recording_fd_changes_ ? polled_.size() : containers_.size();
  }
  // When poll() must run next for a pending SIGKILL or the destroy of ended containers
  // (finish_delay); nullopt if none is pending. O(1).
  std::optional<Time> next_deadline() const;

  RecoveryReport recover(Time now);
  // Kills and destroys every container now (agent shutdown, tests). Errors are returned.
  std::vector<Error> destroy_all();

  Result<ResourceStatistics> usage(const std::string& container) const;
  // usage() of each of `containers`, in their order, measured in one round (see
  // Isolator::usage_of_each): what a periodic report of every running task should call.
  std::vector<Result<ResourceStatistics>> usage_of_each(
      const std::vector<std::string>& containers) const;
  bool running(const std::string& container) const { return containers_.count(container) > 0; }
  std::vector<std::string> containers() const;
  std::optional<pid_t> pid(const std::string& container) const;
  std::optional<std::string> sandbox(const std::string& container) const;
  // The pidfds of all running containers, for an event loop (-1 entries skipped).
  std::vector<int> pidfds() const;
  // A watched fd opened (a container launched or adopted) or about to be closed (its container
  // forgotten: ended and destroyed, or destroy_all()). Watched fds are the pidfds and, with a
  // cgroup isolator, each container's OOM notification fd (owned by the isolator): the loop
  // needs not know which is which, only hand the readable ones to poll_readable().
  struct WatchedFdChange {
    int fd = -1;
    bool opened = false;
    bool operator==(const WatchedFdChange&) const = default;
  };
  // Replaces `changes` with the changes to the watched fds since the previous call, in the order
  // they happened (a closed fd number may be opened again later): what an event loop needs to
  // keep one watcher per fd at a cost per change, not per container. The first call lists every
  // watched fd open then; changes are recorded only from then on. One consumer: a second caller
  // would take changes the first never sees. The caller is taken to watch every fd from then on
  // and to hand the readable ones to poll_readable() (see poll()). Allocates nothing once the two
  // buffers have grown (they are swapped).
  void take_watched_fd_changes(std::vector<WatchedFdChange>& changes);

 private:
  struct Running {
    ContainerCheckpoint checkpoint;
    TaskProcess process;
    std::optional<Time> kill_deadline;  // SIGKILL due then
    bool sigkill_sent = false;
    std::optional<std::string> memory_limitation;
    int oom_fd = -1;  // the isolator's OOM notification fd (not owned); -1: none
  };

  std::string next_container_id(Time now);
  Result<std::string> make_sandbox(const CommandTask& task, const std::string& container) const;
  std::vector<std::pair<std::string, std::string>> environment(const CommandTask& task,
                                                               const std::string& sandbox) const;
  void kill_everything(Running& c);
  std::optional<ContainerEnded> poll_one(Running& c, Time now);
  // poll_one() of each candidate (once each) and of every container whose deadline is due;
  // the ended ones destroyed together and forgotten.
  std::vector<ContainerEnded> poll_each(std::vector<Running*>& candidates, Time now);
  void set_deadline(Running& c, std::optional<Time> deadline);
  // Destroys the ended containers waiting for it and removes their checkpoints.
  void finish_ended();
  void add_running(const std::string& name, Running c);
  void forget(std::map<std::string, Running>::iterator it);
  void note_fds(const Running& c, bool opened);
  void adopt(ContainerCheckpoint checkpoint, RecoveryReport& report);
  Status finish(const ContainerCheckpoint& checkpoint);

  Isolator& isolator_;
  ContainerizerOptions options_;
  CheckpointFiles checkpoints_;  // after options_, whose work_dir it takes
  std::map<std::string, Running> containers_;
  // Pending SIGKILLs by due time; the containers by watched fd; those poll() still looks at
  // once a loop watches (no pidfd, or no OOM fd where limits are enforced, or unwatched()).
  std::set<std::pair<Time, std::string>> deadlines_;
  std::map<int, Running*> by_pidfd_;
  std::map<int, Running*> by_oom_fd_;
  std::set<std::string> polled_;
  // Ended, reported and forgotten, not yet destroyed (finish_delay); due at finish_at_.
  std::vector<std::string> ended_;
  std::optional<Time> finish_at_;
  uint64_t launches_ = 0;
  bool recording_fd_changes_ = false;  // take_watched_fd_changes() has been called
  bool oom_fallback_logged_ = false;
  std::vector<WatchedFdChange> watched_fd_changes_;
};

}  // namespace mesosim::live
