#pragma once

// What a live agent knows about its tasks and frameworks, and the checkpoint it keeps of it so
// that a restarted agent (same work dir) can carry on: <work_dir>/meta/agent.json, written
// atomically (temporary file, then rename) on every change.
//
//   {"agent_id":"a1",
//    "frameworks":[{"id":"f1","name":"spark","user":"alice","roles":["analytics"],
//      "capabilities":["PARTITION_AWARE"],"failover_timeout":60.0,"principal":"","hostname":"",
//      "checkpoint":true,
//      "tasks":[{"task_id":"t1","name":"t1","role":"analytics","executor_id":"t1",
//        "state":"TASK_RUNNING","resources":"cpus:0.5;mem:64","command":{"shell":true,
//        "value":"sleep 30"},"labels":[["k","v"]],"statuses":[{"state":"TASK_STARTING",
//        "timestamp_us":1733140000000000}],"container":"c1733...-1","sandbox":"/...",
//        "killing":false,"unacknowledged":[{"state":"TASK_RUNNING","executor_id":"t1",
//        "timestamp_us":1733140000000000,"uuid":"<base64>","source":"SOURCE_EXECUTOR",
//        "message":""}]}]}]}
//
// Only frameworks with FrameworkInfo.checkpoint are written (as in Mesos, the others' tasks do
// not survive the agent). Parse errors name the file and the JSON path of the bad field.

#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "allocator/result.hpp"
#include "allocator/time.hpp"
#include "sim/master/protocol.hpp"

namespace mesosim::live {

// A task the agent holds: live, or terminal with its terminal update unacknowledged, or (in a
// framework's completed list) done.
struct LiveTask {
  v1::FrameworkID framework_id;
  v1::TaskInfo info;  // name, task_id, resources, command, labels
  std::string role;
  v1::ExecutorID executor_id;  // == the task id (a command executor)
  v1::TaskState state = v1::TaskState::TASK_STAGING;
  std::vector<std::pair<v1::TaskState, Time>> statuses;  // every state it went through
  std::string container;                                 // "" if it never launched
  std::string sandbox;
  bool killing = false;
  std::deque<v1::StatusUpdate> unacknowledged;  // mirrors its StatusUpdateManager stream

  // Recorded, not ended, and its container not launched yet: its launch is queued (or, in a
  // checkpoint, was queued when the agent stopped).
  bool launch_pending() const { return !v1::is_terminal(state) && container.empty(); }
};

struct LiveFramework {
  v1::FrameworkInfo info;  // with its id
  std::map<v1::TaskID, LiveTask> tasks;
  std::deque<LiveTask> completed;  // newest last, bounded by the agent
};

struct AgentCheckpoint {
  std::optional<v1::AgentID> agent_id;
  std::vector<LiveFramework> frameworks;  // `completed` is not written
};

std::string to_json(const AgentCheckpoint& checkpoint);
Result<AgentCheckpoint> parse_agent_checkpoint(std::string_view json, const std::string& source);

// <work_dir>/meta/agent.json
std::string agent_checkpoint_path(const std::string& work_dir);
Status write_agent_checkpoint(const std::string& work_dir, const AgentCheckpoint& checkpoint);
// nullopt if there is no checkpoint (a first start).
Result<std::optional<AgentCheckpoint>> read_agent_checkpoint(const std::string& work_dir);
// Succeeds if there is none.
Status remove_agent_checkpoint(const std::string& work_dir);

}  // namespace mesosim::live
