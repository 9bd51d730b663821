// The live agent's own checkpoint (<work_dir>/meta, agent_checkpoint.hpp) and what start() does
// with it after a restart: tasks matched with the containers Containerizer::recover() found.

#include <map>
#include <set>
#include <utility>

#include "allocator/check.hpp"
#include "sim/live/live_agent.hpp"

namespace mesosim::live {

using v1::TaskState;
using v1::TaskStatusReason;
using v1::TaskStatusSource;

Status LiveAgent::start() {
  MESOSIM_CHECK(!started_, "LiveAgent::start() called twice");
  started_ = true;
  Status recovered = recover();
  arm_poll_timer();
  return recovered;
}

void LiveAgent::checkpoint(LiveFramework& framework, LiveTask& task) {
  if (!framework.info.checkpoint) return;
  Status written = write_framework_checkpoint(config_.work_dir, framework);
  if (written) written = write_task_checkpoint(config_.work_dir, task);
  if (!written)
    say("Failed to checkpoint task " + task.info.task_id.value + ": " + written.error().message);
}

void LiveAgent::checkpoint_agent_id() {
  if (Status written = write_agent_id_checkpoint(config_.work_dir, agent_id_); !written) {
    say("Failed to checkpoint the agent id: " + written.error().message);
  }
}

void LiveAgent::forget_checkpointed(const LiveFramework& framework,
                                    std::optional<v1::TaskID> task_id) {
  if (!framework.checkpointed) return;
  const v1::FrameworkID& framework_id = *framework.info.id;
  Status removed = task_id ? remove_task_checkpoint(config_.work_dir, framework_id, *task_id)
                           : remove_framework_checkpoint(config_.work_dir, framework_id);
  if (!removed) say("Failed to remove a checkpoint: " + removed.error().message);
}

Status LiveAgent::recover() {
  Result<std::optional<AgentCheckpoint>> saved = read_agent_checkpoint(config_.work_dir);
  if (!saved) {
    return Error{"cannot recover the agent: " + saved.error().message +
                 " (remove it to start as a new agent)"};
  }
  RecoveryReport report = containerizer_.recover(clock_.now());
  for (const Error& e : report.errors) say("Recovery: " + e.message);
  for (const std::string& orphan : report.orphans_destroyed) {
    say("Recovery: destroyed orphan cgroup " + orphan);
  }
  if (saved.value()) {
    agent_id_ = saved.value()->agent_id;
    for (LiveFramework& framework : saved.value()->frameworks) {
      const v1::FrameworkID framework_id = *framework.info.id;
      for (const auto& [task_id, task] : framework.tasks) {
        if (!v1::is_terminal(task.state)) used_ += task.info.resources;
      }
      frameworks_.emplace(framework_id, std::move(framework));
    }
  }
  adopt_recovered(report);
  // What changed while recovering (tasks that ended or were lost meanwhile) is appended.
  for (auto& [framework_id, framework] : frameworks_) {
    for (auto& [task_id, task] : framework.tasks) checkpoint(framework, task);
  }
  return Status::success();
}

void LiveAgent::adopt_recovered(const RecoveryReport& report) {
  std::set<std::string> adopted(report.adopted.begin(), report.adopted.end());
  std::map<std::string, const ContainerEnded*> ended;
  for (const ContainerEnded& end : report.ended) ended.emplace(end.container, &end);
  size_t running = 0;
  size_t never_launched = 0;
  for (auto& [framework_id, framework] : frameworks_) {
    for (auto& [task_id, task] : framework.tasks) {
      // The updates still unacknowledged go out again, in order, once registered.
      for (const v1::StatusUpdate& update : task.unacknowledged) updates_.add(update);
      if (v1::is_terminal(task.state)) continue;
      if (task.launch_pending()) {
        // Queued when the agent stopped: Mesos's agent does not start an executor that had not
        // started before the restart; its task is lost.
        const bool aware = framework.info.has(v1::FrameworkCapability::PARTITION_AWARE);
        transition(task, aware ? TaskState::TASK_DROPPED : TaskState::TASK_LOST,
                   TaskStatusSource::SOURCE_AGENT, TaskStatusReason::REASON_AGENT_RESTARTED,
                   "The agent restarted before the task was launched");
        ++never_launched;
        continue;
      }
      if (adopted.erase(task.container) > 0) {
        by_container_[task.container] = {framework_id, task_id};
        ++running;
      } else if (auto end = ended.find(task.container); end != ended.end()) {
        const TaskOutcome& outcome = end->second->outcome;
        transition(task, outcome.state, TaskStatusSource::SOURCE_AGENT, outcome.reason,
                   outcome.message);
      } else {
        transition(task, TaskState::TASK_FAILED, TaskStatusSource::SOURCE_AGENT,
                   TaskStatusReason::REASON_EXECUTOR_TERMINATED,
                   "Container '" + task.container + "' was not found when the agent recovered");
      }
    }
  }
  // What is left belongs to frameworks that do not checkpoint (or to no task the agent knows):
  // those tasks do not survive the agent, as in Mesos.
  for (const std::string& container : adopted) {
    say("Recovery: killing container " + container + ", whose framework does not checkpoint");
    if (Status killed = containerizer_.kill(container, clock_.now(), Duration::zero()); !killed) {
      say("Recovery: " + killed.error().message);
    }
  }
  say("Recovered " + std::to_string(running) + " running task(s), " +
      std::to_string(report.ended.size()) + " ended while the agent was down, " +
      std::to_string(never_launched) + " never launched");
}

}  // namespace mesosim::live
