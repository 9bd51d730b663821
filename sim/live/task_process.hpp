#pragma once

// TaskProcess: one task's process, started as a shell command the way Mesos's command executor
// starts a command task (shell=true: /bin/sh -c <command>), or adopted again after an agent
// restart.
//
// launch() promises:
//   - the child runs in `sandbox` (its cwd), with stdin from /dev/null and stdout and stderr
//     appended to the files `stdout` and `stderr` there; it leads a new session (and process
//     group) whose id is its pid, so a signal to the group reaches what it started;
//   - it is inside the isolator's container before it executes a single instruction of the
//     command: the child writes its own pid to the container's cgroup.procs files
//     (Isolator::open_attach_files) before it execs, and if one write fails it never execs, is
//     reaped, and launch() fails; an isolator with no such files (posix) is told the pid by
//     attach() once the child has started;
//   - with `user` set, it runs as that user (supplementary groups, gid, uid, as Mesos's
//     --switch_user), and the sandbox is handed to that user;
//   - the child is started as posix_spawn starts one: clone(CLONE_VM | CLONE_VFORK) on a stack
//     of its own, sharing the agent's memory (no copy of its page tables) while the agent waits
//     until it has exec'd or failed. So only async-signal-safe calls that write no memory but
//     the child's own stack happen in the child (raw syscalls for the user switch: glibc's
//     setuid would signal the agent's other threads), with every signal blocked until the
//     child has reset their dispositions; no file descriptor of the parent survives the exec
//     except 0, 1 and 2;
//   - a failure in the child before exec (joining the container, chdir, setuid, exec itself) is
//     reported by launch() as an error naming the step, never as a task that ran and failed.

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "allocator/result.hpp"
#include "sim/live/isolator.hpp"

namespace mesosim::live {

struct LaunchSpec {
  std::string command;  // run as /bin/sh -c <command>
  std::string sandbox;  // must exist
  // The complete environment of the task ("NAME", "value"), in order; later entries win.
  std::vector<std::pair<std::string, std::string>> environment;
  std::optional<std::string> user;  // switch to this user; it must exist
};

struct Termination {
  // The raw status from waitpid(2); nullopt for an adopted process, whose parent we are not,
  // so its exit status is lost (it is known only to have ended).
  std::optional<int> wait_status;
};

// The start time /proc/<pid>/stat gives (field 22, clock ticks since boot) of a process created
// between two CLOCK_BOOTTIME readings (ns), when both lie in one tick; nullopt otherwise (read
// the stat file then). TaskProcess::launch brackets its clone with the two readings.
std::optional<uint64_t> start_ticks_between(std::optional<uint64_t> before_ns,
                                            std::optional<uint64_t> after_ns);

class TaskProcess {
 public:
  static Result<TaskProcess> launch(const LaunchSpec& spec, Isolator& isolator,
                                    const std::string& container);
  // A process started by an earlier agent, still running with this start time. Not our child:
  // poll() watches it through its pidfd (or /proc) instead of waitpid.
  static TaskProcess adopt(pid_t pid, uint64_t start_ticks);

  TaskProcess(TaskProcess&& other) noexcept;
  TaskProcess& operator=(TaskProcess&& other) noexcept;
  TaskProcess(const TaskProcess&) = delete;
  TaskProcess& operator=(const TaskProcess&) = delete;
  ~TaskProcess();

  pid_t pid() const { return pid_; }
  uint64_t start_ticks() const { return start_ticks_; }
  bool adopted() const { return adopted_; }
  // Readable once the process has exited; -1 if the kernel has no pidfd_open.
  int pidfd() const { return pidfd_; }

  // Non-blocking. The termination the first time the process is seen ended (reaping it if it is
  // our child); nullopt while it runs, and again after the termination was returned.
  std::optional<Termination> poll();
  // Sends `signal` to the process group the task leads (and so to what it started).
  void signal_group(int signal) const;

 private:
  TaskProcess(pid_t pid, uint64_t start_ticks, bool adopted);
  pid_t pid_ = 0;
  uint64_t start_ticks_ = 0;
  bool adopted_ = false;
  bool ended_ = false;
  int pidfd_ = -1;
};

}  // namespace mesosim::live
