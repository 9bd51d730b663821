// Writing and removing the agent's checkpoint (layout and format: agent_checkpoint.hpp); reading
// it back is agent_checkpoint_read.cpp.

#include "sim/live/agent_checkpoint.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "allocator/check.hpp"
#include "sim/live/control_files.hpp"
#include "sim/live/uuid.hpp"

namespace mesosim::live {
namespace {

using nlohmann::json;

json update_to_json(const v1::StatusUpdate& u) {
  // Only reliable updates wait for an acknowledgement, and the reader wants their 16 bytes.
  MESOSIM_CHECK(u.status.uuid.has_value(), "a checkpointed status update has a uuid");
  json j = {{"state", v1::to_string(u.status.state)},
            {"timestamp_us", u.status.timestamp.micros()},
            {"uuid", base64_encode(u.status.uuid->view())},
            {"source", v1::to_string(u.status.source)},
            {"message", u.status.message}};
  if (u.status.executor_id) j["executor_id"] = u.status.executor_id->value;
  if (u.status.reason) j["reason"] = v1::to_string(*u.status.reason);
  if (u.usage) j["usage"] = u.usage->to_string();
  return j;
}

json framework_to_json(const v1::FrameworkInfo& info) {
  json capabilities = json::array();
  for (v1::FrameworkCapability c : info.capabilities) capabilities.push_back(v1::to_string(c));
  return {{"id", info.id ? info.id->value : ""},
          {"name", info.name},
          {"user", info.user},
          {"roles", info.roles},
          {"capabilities", capabilities},
          {"failover_timeout", info.failover_timeout},
          {"principal", info.principal},
          {"hostname", info.hostname},
          {"checkpoint", info.checkpoint}};
}

json task_info_to_json(const LiveTask& t) {
  json command = nullptr;
  if (t.info.command)
    command = {{"shell", t.info.command->shell}, {"value", t.info.command->value}};
  return {{"task_id", t.info.task_id.value},
          {"name", t.info.name},
          {"role", t.role},
          {"executor_id", t.executor_id.value},
          {"resources", t.info.resources.to_string()},
          {"command", command},
          {"labels", t.info.labels}};
}

// The task.updates line of what changed since t.checkpointed: empty if nothing did.
json task_changes_to_json(const LiveTask& t) {
  const LiveTask::OnDisk& disk = t.checkpointed;
  json j = json::object();
  if (!disk.launched && !t.container.empty()) {
    j["container"] = t.container;
    j["sandbox"] = t.sandbox;
  }
  if (t.statuses.size() > disk.statuses) {
    json statuses = json::array();
    for (size_t i = disk.statuses; i < t.statuses.size(); ++i) {
      statuses.push_back({v1::to_string(t.statuses[i].first), t.statuses[i].second.micros()});
    }
    j["statuses"] = std::move(statuses);
  }
  const uint64_t sent = t.acknowledged + t.unacknowledged.size();
  if (sent > disk.updates) {
    const uint64_t unwritten = sent - disk.updates;
    const size_t held = t.unacknowledged.size();
    json updates = json::array();
    // After a failed write some unwritten updates may have been acknowledged and dropped: then
    // the line restates the whole queue instead of appending to it.
    const bool restate = unwritten > held;
    for (size_t i = restate ? 0 : held - unwritten; i < held; ++i) {
      updates.push_back(update_to_json(t.unacknowledged[i]));
    }
    j[restate ? "unacknowledged" : "updates"] = std::move(updates);
  }
  if (t.acknowledged > disk.acknowledged) j["acknowledged"] = t.acknowledged - disk.acknowledged;
  if (t.killing != disk.killing) j["killing"] = t.killing;
  return j;
}

// Ids as file names: see the header.
std::string path_component(std::string_view id) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(id.size());
  for (size_t i = 0; i < id.size(); ++i) {
    const auto c = static_cast<unsigned char>(id[i]);
    const bool kept = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || (c == '.' && i > 0);
    if (kept) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out.empty() ? std::string("%") : out;
}

// One write(2) (more only if it is short), then fdatasync.
Status append_synced(const std::string& path, std::string_view line) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Error{"cannot open " + path + ": " + std::strerror(errno)};
  size_t done = 0;
  int err = 0;
  while (done < line.size() && err == 0) {
    const ssize_t n = ::write(fd, line.data() + done, line.size() - done);
    if (n < 0 && errno != EINTR) err = errno;
    if (n > 0) done += static_cast<size_t>(n);
  }
  if (err == 0 && ::fdatasync(fd) != 0) err = errno;
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err != 0) return Error{"cannot append to " + path + ": " + std::strerror(err)};
  return Status::success();
}

Status remove_tree(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) return Error{"cannot remove " + path + ": " + ec.message()};
  return Status::success();
}

}  // namespace

std::string frameworks_checkpoint_dir(const std::string& work_dir) {
  return work_dir + "/meta/frameworks";
}

std::string agent_checkpoint_path(const std::string& work_dir) {
  return work_dir + "/meta/agent.json";
}

std::string framework_checkpoint_dir(const std::string& work_dir,
                                     const v1::FrameworkID& framework_id) {
  return frameworks_checkpoint_dir(work_dir) + "/" + path_component(framework_id.value);
}

std::string task_checkpoint_dir(const std::string& work_dir, const v1::FrameworkID& framework_id,
                                const v1::TaskID& task_id) {
  return framework_checkpoint_dir(work_dir, framework_id) + "/tasks/" +
         path_component(task_id.value);
}

Status write_agent_id_checkpoint(const std::string& work_dir,
                                 const std::optional<v1::AgentID>& agent_id) {
  if (Status s = make_directories(work_dir + "/meta"); !s) return s;
  json j = json::object();
  if (agent_id) j["agent_id"] = agent_id->value;
  return write_file_atomically(agent_checkpoint_path(work_dir), j.dump() + "\n");
}

Status write_framework_checkpoint(const std::string& work_dir, LiveFramework& framework) {
  if (framework.checkpointed == framework.info) return Status::success();
  const std::string dir = framework_checkpoint_dir(work_dir, *framework.info.id);
  if (Status s = make_directories(dir); !s) return s;
  Status written = write_file_atomically(dir + "/framework.json",
                                         framework_to_json(framework.info).dump() + "\n");
  if (written) framework.checkpointed = framework.info;
  return written;
}

Status write_task_checkpoint(const std::string& work_dir, LiveTask& task) {
  const std::string dir = task_checkpoint_dir(work_dir, task.framework_id, task.info.task_id);
  if (!task.checkpointed.recorded) {
    if (Status s = make_directories(dir); !s) return s;
    // A task of the same id forgotten earlier left nothing, unless its removal failed.
    if (::unlink((dir + "/task.updates").c_str()) != 0 && errno != ENOENT) {
      return Error{"cannot remove " + dir + "/task.updates: " + std::strerror(errno)};
    }
    if (Status s = write_file_atomically(dir + "/task.json", task_info_to_json(task).dump() + "\n");
        !s) {
      return s;
    }
    task.checkpointed.recorded = true;
  }
  const json changes = task_changes_to_json(task);
  if (changes.empty()) return Status::success();
  if (Status s = append_synced(dir + "/task.updates", changes.dump() + "\n"); !s) return s;
  LiveTask::OnDisk& disk = task.checkpointed;
  disk.launched = !task.container.empty();
  disk.killing = task.killing;
  disk.statuses = task.statuses.size();
  disk.updates = task.acknowledged + task.unacknowledged.size();
  disk.acknowledged = task.acknowledged;
  return Status::success();
}

Status remove_task_checkpoint(const std::string& work_dir, const v1::FrameworkID& framework_id,
                              const v1::TaskID& task_id) {
  return remove_tree(task_checkpoint_dir(work_dir, framework_id, task_id));
}

Status remove_framework_checkpoint(const std::string& work_dir,
                                   const v1::FrameworkID& framework_id) {
  return remove_tree(framework_checkpoint_dir(work_dir, framework_id));
}

Status remove_agent_checkpoint(const std::string& work_dir) {
  if (Status s = remove_tree(frameworks_checkpoint_dir(work_dir)); !s) return s;
  const std::string path = agent_checkpoint_path(work_dir);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return Error{"cannot remove " + path + ": " + std::strerror(errno)};
  }
  return Status::success();
}

}  // namespace mesosim::live
