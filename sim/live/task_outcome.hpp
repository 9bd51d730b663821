#pragma once

// How a command task's end becomes its terminal status, as Mesos's command executor and the
// memory isolator decide it:
//   - the memory cgroup's OOM killer acted      -> TASK_FAILED, REASON_CONTAINER_LIMITATION_MEMORY,
//                                                  "Memory limit exceeded: Requested: ..."
//   - a kill was asked for (KILL, shutdown)     -> TASK_KILLED, "Command terminated with signal
//   ..."
//   - exit status 0                             -> TASK_FINISHED, "Command exited with status 0"
//   - non-zero exit or a signal nobody sent     -> TASK_FAILED, "Command exited with status 3" /
//                                                  "Command terminated with signal Killed"
//   - ended while the agent was down (status lost) -> TASK_FAILED, REASON_EXECUTOR_TERMINATED
// The OOM check comes first: a task killed while over its limit failed for its memory.
// The agent turns the value into a status update (source SOURCE_EXECUTOR).

#include <optional>
#include <string>

#include "sim/live/task_process.hpp"
#include "sim/master/protocol.hpp"

namespace mesosim::live {

struct TaskOutcome {
  v1::TaskState state = v1::TaskState::TASK_FAILED;
  std::optional<v1::TaskStatusReason> reason;
  std::string message;
};

struct ContainerEnd {
  Termination termination;
  bool kill_requested = false;
  // Set when the isolator saw an OOM kill: its message.
  std::optional<std::string> memory_limitation;
};

TaskOutcome task_outcome(const ContainerEnd& end);

// "exited with status 3", "terminated with signal Killed" (Mesos's WSTRINGIFY).
std::string describe_wait_status(int wait_status);

}  // namespace mesosim::live
