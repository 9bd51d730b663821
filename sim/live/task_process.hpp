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
//     command: the child waits on a socket until the parent has attached it, and only then
//     execs; if attaching fails, the child is killed and reaped and launch() fails;
//   - with `user` set, it runs as that user (supplementary groups, gid, uid, as Mesos's
//     --switch_user), and the sandbox is handed to that user;
//   - only async-signal-safe calls happen in the child between fork and exec; no file
//     descriptor of the parent survives the exec except 0, 1 and 2;
//   - a failure in the child before exec (chdir, setuid, exec itself) is reported by launch() as
//     an error naming the step, never as a task that ran and failed.
//
// Reaping is non-blocking: poll() returns the termination once the process has exited. pidfd()
// becomes readable when it exits, for an event loop to wait on (no threads, no SIGCHLD handler).

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
