#pragma once

// What a live agent knows about its tasks and frameworks, and the checkpoint it keeps of it so
// that a restarted agent (same work dir) can carry on. As Mesos's agent does, it keeps a file per
// framework and per task, and an append-only log per task, so that a change costs what changed
// and not what the agent holds:
//
//   <work_dir>/meta/agent.json    {"agent_id":"a1"}: replaced when the agent's id changes
//   <work_dir>/meta/frameworks/<framework>/framework.json
//       {"id":"f1","name":"spark","user":"alice","roles":["analytics"],
//        "capabilities":["PARTITION_AWARE"],"failover_timeout":60.0,"principal":"",
//        "hostname":"","checkpoint":true}
//       replaced when the FrameworkInfo changes; the directory is removed with the framework
//   <work_dir>/meta/frameworks/<framework>/tasks/<task>/task.json
//       {"task_id":"t1","name":"t1","role":"analytics","executor_id":"t1",
//        "resources":"cpus:0.5;mem:64","command":{"shell":true,"value":"sleep 30"},
//        "labels":[["k","v"]]}
//       what never changes, written once when the task is recorded
//   <work_dir>/meta/frameworks/<framework>/tasks/<task>/task.updates
//       append-only, one JSON object a line, each what changed since the line before (only the
//       keys that changed):
//       {"container":"c1733...-1","sandbox":"/...",
//        "statuses":[["TASK_STARTING",1733140000000000],["TASK_RUNNING",1733140000000010]],
//        "updates":[{"state":"TASK_STARTING","executor_id":"t1","timestamp_us":1733140000000000,
//                    "uuid":"<base64>","source":"SOURCE_EXECUTOR","message":""}, ...],
//        "acknowledged":1,"killing":true}
//       `statuses` are states the task went through (its state is the last one; STAGING before
//       any), `updates` status updates it sent, `acknowledged` how many of its oldest
//       unacknowledged updates were acknowledged. After a write that failed, a line may instead
//       restate the queue: "unacknowledged":[{update}...] replaces it (its `acknowledged` then
//       only counts). The task's directory is removed when the agent forgets it (its terminal
//       update acknowledged, or its framework gone).
//
// <framework> and <task> are the ids, with bytes other than letters, digits, '-', '_' and '.'
// (and a leading '.') written as %XX; the ids themselves are read from the files.
//
// Durability, as the single file this replaced: agent.json, framework.json and task.json are
// written to a temporary file, fsynced and renamed into place; each task.updates line is one
// write(2) followed by fdatasync. Creating and removing directories is not synced (a rename never
// was followed by a directory fsync). So each change is on disk when the call returns.
//
// Reading: only frameworks with FrameworkInfo.checkpoint are written (as in Mesos, the others'
// tasks do not survive the agent). A crash in the middle of a write leaves at worst a task.updates
// whose last line has no newline: that change is lost, as a crash before the rename lost it
// before, and the file is cut back to its last whole line so that appends go on. A framework or
// task directory without its .json (a crash before its first rename) is ignored. Anything else
// that cannot be read is an error naming the file (and line) and the JSON path of the bad field.
// An agent.json in the one-file format of earlier, unreleased versions is an error that says to
// remove the work dir.

#include <cstdint>
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
  uint64_t acknowledged = 0;                    // updates acknowledged so far
  // What of it is in its checkpoint: write_task_checkpoint() appends the rest.
  struct OnDisk {
    bool recorded = false;  // task.json written
    bool launched = false;  // container and sandbox written
    bool killing = false;
    size_t statuses = 0;
    uint64_t updates = 0;  // sent, acknowledged or not
    uint64_t acknowledged = 0;
  } checkpointed;

  // Recorded, not ended, and its container not launched yet: its launch is queued (or, in a
  // checkpoint, was queued when the agent stopped).
  bool launch_pending() const { return !v1::is_terminal(state) && container.empty(); }
};

struct LiveFramework {
  v1::FrameworkInfo info;                         // with its id
  std::optional<v1::FrameworkInfo> checkpointed;  // what its framework.json holds, if any
  std::map<v1::TaskID, LiveTask> tasks;
  std::deque<LiveTask> completed;  // newest last, bounded by the agent
};

// What read_agent_checkpoint() finds.
struct AgentCheckpoint {
  std::optional<v1::AgentID> agent_id;
  // Sorted by directory name; `completed` is not written. Tasks and frameworks come with their
  // `checkpointed` set to what was read.
  std::vector<LiveFramework> frameworks;
};

// <work_dir>/meta/agent.json
std::string agent_checkpoint_path(const std::string& work_dir);
// <work_dir>/meta/frameworks
std::string frameworks_checkpoint_dir(const std::string& work_dir);
// <work_dir>/meta/frameworks/<framework>
std::string framework_checkpoint_dir(const std::string& work_dir,
                                     const v1::FrameworkID& framework_id);
// <work_dir>/meta/frameworks/<framework>/tasks/<task>
std::string task_checkpoint_dir(const std::string& work_dir, const v1::FrameworkID& framework_id,
                                const v1::TaskID& task_id);

// Each of these is on disk when it returns (see above).
Status write_agent_id_checkpoint(const std::string& work_dir,
                                 const std::optional<v1::AgentID>& agent_id);
// Writes framework.json if `framework.checkpointed` differs from its info, and sets it.
Status write_framework_checkpoint(const std::string& work_dir, LiveFramework& framework);
// Writes task.json if not yet, then appends one line with what changed since
// `task.checkpointed` (nothing if nothing did), and advances it. Write its framework first: a
// task whose framework has no framework.json is not read back.
Status write_task_checkpoint(const std::string& work_dir, LiveTask& task);

// Remove a task's directory, a framework's (with its tasks), everything. Each succeeds if there
// is nothing to remove.
Status remove_task_checkpoint(const std::string& work_dir, const v1::FrameworkID& framework_id,
                              const v1::TaskID& task_id);
Status remove_framework_checkpoint(const std::string& work_dir,
                                   const v1::FrameworkID& framework_id);
Status remove_agent_checkpoint(const std::string& work_dir);

// nullopt if there is no checkpoint (a first start). Cuts a torn last line off (see above).
Result<std::optional<AgentCheckpoint>> read_agent_checkpoint(const std::string& work_dir);

}  // namespace mesosim::live
