#include "sim/live/task_outcome.hpp"

#include <sys/wait.h>

#include <cstring>

namespace mesosim::live {

using v1::TaskState;
using v1::TaskStatusReason;

std::string describe_wait_status(int wait_status) {
  if (WIFEXITED(wait_status)) {
    return "exited with status " + std::to_string(WEXITSTATUS(wait_status));
  }
  if (WIFSIGNALED(wait_status)) {
    const char* name = ::sigdescr_np(WTERMSIG(wait_status));
    return std::string("terminated with signal ") +
           (name != nullptr ? name : "Unknown signal " + std::to_string(WTERMSIG(wait_status)));
  }
  return "wait status " + std::to_string(wait_status);
}

TaskOutcome task_outcome(const ContainerEnd& end) {
  if (end.memory_limitation) {
    return {TaskState::TASK_FAILED, TaskStatusReason::REASON_CONTAINER_LIMITATION_MEMORY,
            *end.memory_limitation};
  }
  if (!end.termination.wait_status) {
    if (end.kill_requested) {
      return {TaskState::TASK_KILLED, std::nullopt, "Command was killed"};
    }
    return {TaskState::TASK_FAILED, TaskStatusReason::REASON_EXECUTOR_TERMINATED,
            "Command ended while the agent was down; its exit status is unknown"};
  }
  int status = *end.termination.wait_status;
  std::string message = "Command " + describe_wait_status(status);
  if (end.kill_requested) return {TaskState::TASK_KILLED, std::nullopt, message};
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    return {TaskState::TASK_FINISHED, std::nullopt, message};
  }
  return {TaskState::TASK_FAILED, std::nullopt, message};
}

}  // namespace mesosim::live
