#include "sim/live/control_files.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

namespace mesosim::live {
namespace {

Error sys_error(std::string_view what, const std::string& path, int err) {
  return Error{std::string(what) + " " + path + ": " + std::strerror(err)};
}

std::optional<uint64_t> leading_u64(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n')) ++i;
  if (i == text.size() || text[i] < '0' || text[i] > '9') return std::nullopt;
  uint64_t v = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) v = v * 10 + (text[i] - '0');
  return v;
}

}  // namespace

Result<std::string> read_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return sys_error("cannot read", path, errno);
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return sys_error("cannot read", path, err);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

Status write_control(const std::string& path, std::string_view value) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return sys_error("cannot open for writing", path, errno);
  ssize_t n;
  do {
    n = ::write(fd, value.data(), value.size());
  } while (n < 0 && errno == EINTR);
  int err = errno;
  ::close(fd);
  if (n < 0) {
    return Error{"cannot write '" + std::string(value) + "' to " + path + ": " +
                 std::strerror(err)};
  }
  if (static_cast<size_t>(n) != value.size()) {
    return Error{"short write of '" + std::string(value) + "' to " + path};
  }
  return Status::success();
}

Result<int> open_control_for_writing(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return sys_error("cannot open for writing", path, errno);
  return fd;
}

Status write_file_atomically(const std::string& path, std::string_view contents,
                             Durability durability) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return sys_error("cannot create", tmp, errno);
  size_t done = 0;
  while (done < contents.size()) {
    ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return sys_error("cannot write", tmp, err);
    }
    done += static_cast<size_t>(n);
  }
  const bool synced = durability == Durability::kNoFsync || ::fsync(fd) == 0;
  int err = synced ? 0 : errno;
  if (::close(fd) != 0 && synced) err = errno;
  if (err != 0) {
    ::unlink(tmp.c_str());
    return sys_error("cannot flush", tmp, err);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int rename_error = errno;
    ::unlink(tmp.c_str());
    return sys_error("cannot rename " + tmp + " to", path, rename_error);
  }
  return Status::success();
}

Result<uint64_t> parse_u64(std::string_view text, const std::string& source) {
  std::optional<uint64_t> v = leading_u64(text);
  if (!v)
    return Error{source + ": expected an unsigned integer, found '" + std::string(text) + "'"};
  return *v;
}

Result<uint64_t> parse_keyed(std::string_view text, std::string_view key,
                             const std::string& source) {
  while (!text.empty()) {
    size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    size_t space = line.find(' ');
    if (space == std::string_view::npos || line.substr(0, space) != key) continue;
    std::optional<uint64_t> v = leading_u64(line.substr(space + 1));
    if (!v) return Error{source + ": key '" + std::string(key) + "' has no unsigned value"};
    return *v;
  }
  return Error{source + ": no key '" + std::string(key) + "'"};
}

std::vector<int> parse_pids(std::string_view text) {
  std::vector<int> pids;
  while (!text.empty()) {
    size_t eol = text.find('\n');
    if (std::optional<uint64_t> v = leading_u64(text.substr(0, eol))) {
      pids.push_back(static_cast<int>(*v));
    }
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
  }
  return pids;
}

Result<uint64_t> read_u64(const std::string& path) {
  Result<std::string> text = read_file(path);
  if (!text) return text.error();
  return parse_u64(text.value(), path);
}

Result<uint64_t> read_keyed(const std::string& path, std::string_view key) {
  Result<std::string> text = read_file(path);
  if (!text) return text.error();
  return parse_keyed(text.value(), key, path);
}

bool path_exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

bool is_directory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Result<std::vector<std::string>> list_subdirectories(const std::string& path) {
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return sys_error("cannot list", path, errno);
  std::vector<std::string> names;
  while (dirent* e = ::readdir(dir)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    if (is_directory(path + "/" + name)) names.push_back(std::move(name));
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

Status make_directories(const std::string& path, unsigned mode) {
  if (path.empty()) return Error{"cannot create a directory with an empty path"};
  // From the end: a sandbox's parents mostly exist, so this costs one mkdir(2) per directory
  // created plus one per missing parent, not one per component from the root (each a walk of
  // the whole path so far).
  size_t end = path.size();
  while (end > 1 && path[end - 1] == '/') --end;  // "a/b/" is "a/b"
  const std::string dir = path.substr(0, end);
  if (::mkdir(dir.c_str(), mode) == 0) return Status::success();
  int err = errno;
  if (err == ENOENT) {
    const size_t slash = dir.find_last_of('/');
    if (slash != std::string::npos && slash > 0) {
      if (Status parent = make_directories(dir.substr(0, slash), mode); !parent) return parent;
      if (::mkdir(dir.c_str(), mode) == 0) return Status::success();
      err = errno;
    }
  }
  if (err != EEXIST) return sys_error("cannot create directory", dir, err);
  if (!is_directory(dir)) return Error{"cannot create directory " + dir + ": not a directory"};
  return Status::success();
}

Status CgroupFs::rmdir(const std::string& path) {
  if (::rmdir(path.c_str()) != 0 && errno != ENOENT) {
    return sys_error("cannot remove cgroup", path, errno);
  }
  return Status::success();
}

}  // namespace mesosim::live
