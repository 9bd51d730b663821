#pragma once

// What an agent writes about each running container so that a restarted agent can find it
// again: one small JSON file per container, <work_dir>/containers/<container>.json, written
// atomically after the task's process has started and removed once the container is destroyed.
//
//   {"container":"c1733140000000000-1","task_id":"t1","framework_id":"f1","executor_id":"t1",
//    "agent_id":"a1","pid":4242,"start_ticks":123456,"cgroup":"/sys/fs/cgroup/memory/mesosim/...",
//    "sandbox":"/var/lib/mesosim/slaves/...","started_at_us":1733140000000000,
//    "isolator":"cgroups/v1","kill_requested":false}
//
// The pid alone does not identify a process after a restart (pids are recycled); the pair
// (pid, start_ticks from /proc/<pid>/stat) does.
//
// Written without fsync (temporary file + rename, as Mesos's agent checkpoints its run state):
// what recovery needs is that an agent process started after this one exited sees the file,
// and the page cache outlives the process. Only a machine crash can lose an unsynced write, and
// a machine crash kills the task's processes with it: after a reboot a checkpoint that is
// missing names no live process, and one that is torn or empty is reported as unreadable and
// skipped; one that survived names a pid whose start time no longer matches, so the task is
// reported ended, never adopted by mistake. Syncing cost a launch ~5 ms of waiting on the disk.

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "allocator/result.hpp"
#include "allocator/time.hpp"

namespace mesosim::live {

struct ContainerCheckpoint {
  std::string container;
  std::string task_id;
  std::string framework_id;
  std::string executor_id;
  std::string agent_id;
  pid_t pid = 0;
  uint64_t start_ticks = 0;
  std::string cgroup;  // "" for posix isolation
  std::string sandbox;
  Time started_at;
  std::string isolator;
  bool kill_requested = false;
};

std::string to_json(const ContainerCheckpoint& checkpoint);
// Errors name `source` and the missing or mistyped field.
Result<ContainerCheckpoint> parse_checkpoint(std::string_view json, const std::string& source);

// <work_dir>/containers
std::string checkpoint_dir(const std::string& work_dir);
Status write_checkpoint(const std::string& work_dir, const ContainerCheckpoint& checkpoint);
// Succeeds if there is no such checkpoint.
Status remove_checkpoint(const std::string& work_dir, const std::string& container);

// The checkpoints of one work dir as a running agent writes them: like write_checkpoint and
// remove_checkpoint, except that no launch allocates an inode and no finished container frees
// one. A removed checkpoint's file is renamed into <work_dir>/containers/spare/ instead of
// unlinked, and the next write fills a spare and renames it into place (when the checkpoint
// exists, the two are exchanged, so the old file becomes the spare). On ext4 without a journal,
// allocating an inode skips every inode of its group freed in the last 30 s (recently_deleted),
// so an agent that created and unlinked a file per task made each later file and sandbox
// directory cost more the faster it launched. What a reader sees is unchanged: a checkpoint
// appears or changes by one rename, and spares are not *.json files, so read_checkpoints ignores
// them. At most `max_spares` are kept (beyond that, removal unlinks); spares left by an earlier
// agent are used again.
class CheckpointFiles {
 public:
  explicit CheckpointFiles(std::string work_dir, size_t max_spares = 4096);
  Status write(const ContainerCheckpoint& checkpoint);
  // Succeeds if there is no such checkpoint.
  Status remove(const std::string& container);
  size_t spares() const { return spares_.size(); }

 private:
  std::string spare_path(uint64_t n) const;
  std::string work_dir_;
  size_t max_spares_;
  std::vector<std::string> spares_;  // paths of spare files
  uint64_t next_spare_ = 0;
};

struct CheckpointScan {
  std::vector<ContainerCheckpoint> checkpoints;  // sorted by container
  std::vector<Error> unreadable;                 // files that are not valid checkpoints
};
CheckpointScan read_checkpoints(const std::string& work_dir);

}  // namespace mesosim::live
