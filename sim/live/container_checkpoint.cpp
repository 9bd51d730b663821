#include "sim/live/container_checkpoint.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>

#include "sim/live/control_files.hpp"

namespace mesosim::live {

using nlohmann::json;

namespace {

// `value` as a JSON string, escaped as nlohmann::json's dump() escapes it (", \\ and the control
// characters; other bytes as they are).
void append_json_string(std::string& out, std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xf];
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

}  // namespace

// Written by hand, once per launch: the same text as nlohmann::json's dump() of the object (its
// keys in sorted order), at a fraction of the cost. parse_checkpoint reads it with nlohmann.
std::string to_json(const ContainerCheckpoint& c) {
  std::string out;
  out.reserve(256 + c.sandbox.size() + c.cgroup.size());
  auto key = [&](const char* name) {
    out += out.empty() ? "{\"" : ",\"";
    out += name;
    out += "\":";
  };
  key("agent_id");
  append_json_string(out, c.agent_id);
  key("cgroup");
  append_json_string(out, c.cgroup);
  key("container");
  append_json_string(out, c.container);
  key("executor_id");
  append_json_string(out, c.executor_id);
  key("framework_id");
  append_json_string(out, c.framework_id);
  key("isolator");
  append_json_string(out, c.isolator);
  key("kill_requested");
  out += c.kill_requested ? "true" : "false";
  key("pid");
  out += std::to_string(c.pid);
  key("sandbox");
  append_json_string(out, c.sandbox);
  key("start_ticks");
  out += std::to_string(c.start_ticks);
  key("started_at_us");
  out += std::to_string(c.started_at.micros());
  key("task_id");
  append_json_string(out, c.task_id);
  out += "}\n";
  return out;
}

Result<ContainerCheckpoint> parse_checkpoint(std::string_view text, const std::string& source) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Error{source + ": not a JSON object"};
  ContainerCheckpoint c;
  std::string missing;
  auto string_field = [&](const char* key, std::string& out) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) {
      if (missing.empty()) missing = std::string(key) + " (a string)";
      return;
    }
    out = it->get<std::string>();
  };
  auto integer_field = [&](const char* key, auto& out) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer()) {
      if (missing.empty()) missing = std::string(key) + " (an integer)";
      return;
    }
    out = it->get<std::remove_reference_t<decltype(out)>>();
  };
  string_field("container", c.container);
  string_field("task_id", c.task_id);
  string_field("framework_id", c.framework_id);
  string_field("executor_id", c.executor_id);
  string_field("agent_id", c.agent_id);
  integer_field("pid", c.pid);
  integer_field("start_ticks", c.start_ticks);
  string_field("cgroup", c.cgroup);
  string_field("sandbox", c.sandbox);
  int64_t started = 0;
  integer_field("started_at_us", started);
  c.started_at = Time::from_micros(started);
  string_field("isolator", c.isolator);
  auto kill = j.find("kill_requested");
  if (kill == j.end() || !kill->is_boolean()) {
    if (missing.empty()) missing = "kill_requested (a boolean)";
  } else {
    c.kill_requested = kill->get<bool>();
  }
  if (!missing.empty()) return Error{source + ": missing or mistyped field " + missing};
  if (c.pid <= 0) return Error{source + ": pid must be positive, found " + std::to_string(c.pid)};
  return c;
}

std::string checkpoint_dir(const std::string& work_dir) { return work_dir + "/containers"; }

Status write_checkpoint(const std::string& work_dir, const ContainerCheckpoint& checkpoint) {
  if (Status s = make_directories(checkpoint_dir(work_dir)); !s) return s;
  // No fsync: see the header.
  return write_file_atomically(checkpoint_dir(work_dir) + "/" + checkpoint.container + ".json",
                               to_json(checkpoint), Durability::kNoFsync);
}

Status remove_checkpoint(const std::string& work_dir, const std::string& container) {
  std::string path = checkpoint_dir(work_dir) + "/" + container + ".json";
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return Error{"cannot remove " + path + ": " + std::strerror(errno)};
  }
  return Status::success();
}

namespace {

// rename(2) that fails with EEXIST instead of replacing, or exchanges the two names; -1 and
// errno as rename(2). renameat2 is in glibc only from 2.28, so through syscall(2).
int rename_flags(const std::string& from, const std::string& to, unsigned flags) {
  return static_cast<int>(
      ::syscall(SYS_renameat2, AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), flags));
}

// Overwrites the spare at `path` in place with `contents`: no O_TRUNC, so ext4 neither frees
// and reallocates its block nor (auto_da_alloc) forces the new data's allocation at close, as
// it does for a file truncated to zero and written again. A spare longer than `contents` keeps
// its length: the JSON is padded with spaces before its final newline (whitespace a JSON
// reader skips), so no stale byte of the previous checkpoint is left after it. Nobody reads a
// spare (it is not *.json) until it is renamed into place, whole.
Status fill(const std::string& path, std::string_view contents) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return Error{"cannot open " + path + ": " + std::strerror(errno)};
  std::string padded;
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return Error{"cannot stat " + path + ": " + std::strerror(err)};
  }
  if (static_cast<size_t>(st.st_size) > contents.size()) {
    padded.assign(contents.substr(0, contents.size() - 1));
    padded.append(static_cast<size_t>(st.st_size) - contents.size(), ' ');
    padded += contents.back();  // the newline
    contents = padded;
  }
  size_t done = 0;
  while (done < contents.size()) {
    ssize_t n =
        ::pwrite(fd, contents.data() + done, contents.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return Error{"cannot write " + path + ": " + std::strerror(err)};
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) return Error{"cannot close " + path + ": " + std::strerror(errno)};
  return Status::success();
}

}  // namespace

CheckpointFiles::CheckpointFiles(std::string work_dir, size_t max_spares)
    : work_dir_(std::move(work_dir)), max_spares_(max_spares) {
  const std::string dir = checkpoint_dir(work_dir_) + "/spare";
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return;
  while (dirent* e = ::readdir(d)) {
    char* end = nullptr;
    const unsigned long long n = std::strtoull(e->d_name, &end, 10);
    if (end == e->d_name || *end != '\0') continue;
    spares_.push_back(dir + "/" + e->d_name);
    next_spare_ = std::max<uint64_t>(next_spare_, n + 1);
  }
  ::closedir(d);
  std::sort(spares_.begin(), spares_.end());  // a defined order, whatever readdir gave
}

std::string CheckpointFiles::spare_path(uint64_t n) const {
  return checkpoint_dir(work_dir_) + "/spare/" + std::to_string(n);
}

Status CheckpointFiles::write(const ContainerCheckpoint& checkpoint) {
  if (spares_.empty()) return write_checkpoint(work_dir_, checkpoint);
  const std::string spare = spares_.back();
  const std::string path = checkpoint_dir(work_dir_) + "/" + checkpoint.container + ".json";
  if (Status s = fill(spare, to_json(checkpoint)); !s) {
    spares_.pop_back();  // not trusted again
    (void)::unlink(spare.c_str());
    return write_checkpoint(work_dir_, checkpoint);
  }
  if (rename_flags(spare, path, RENAME_NOREPLACE) == 0) {
    spares_.pop_back();
    return Status::success();
  }
  if (errno == EEXIST && rename_flags(spare, path, RENAME_EXCHANGE) == 0) {
    return Status::success();  // the old contents are the spare now
  }
  if (::rename(spare.c_str(), path.c_str()) == 0) {  // renameat2 unsupported here
    spares_.pop_back();
    return Status::success();
  }
  const int err = errno;
  return Error{"cannot rename " + spare + " to " + path + ": " + std::strerror(err)};
}

Status CheckpointFiles::remove(const std::string& container) {
  const std::string path = checkpoint_dir(work_dir_) + "/" + container + ".json";
  if (spares_.size() < max_spares_) {
    if (spares_.empty()) (void)make_directories(checkpoint_dir(work_dir_) + "/spare");
    const std::string spare = spare_path(next_spare_);
    if (::rename(path.c_str(), spare.c_str()) == 0) {
      ++next_spare_;
      spares_.push_back(spare);
      return Status::success();
    }
  }
  return remove_checkpoint(work_dir_, container);  // also when there is no such checkpoint
}

CheckpointScan read_checkpoints(const std::string& work_dir) {
  CheckpointScan scan;
  const std::string dir = checkpoint_dir(work_dir);
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    if (errno != ENOENT)
      scan.unreadable.push_back(Error{"cannot list " + dir + ": " + std::strerror(errno)});
    return scan;
  }
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name.size() > 5 && name.compare(name.size() - 5, 5, ".json") == 0) names.push_back(name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    const std::string path = dir + "/" + name;
    Result<std::string> text = read_file(path);
    if (!text) {
      scan.unreadable.push_back(text.error());
      continue;
    }
    Result<ContainerCheckpoint> c = parse_checkpoint(text.value(), path);
    if (!c) {
      scan.unreadable.push_back(c.error());
      continue;
    }
    if (c.value().container + ".json" != name) {
      scan.unreadable.push_back(Error{path + ": holds container '" + c.value().container + "'"});
      continue;
    }
    scan.checkpoints.push_back(std::move(c).value());
  }
  return scan;
}

}  // namespace mesosim::live
