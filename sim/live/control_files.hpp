#pragma once

// Reading and writing the small text files of /sys/fs/cgroup and /proc, with errors that name
// the file and the system error. Nothing here knows what a cgroup is; it is the one place where
// the isolators touch the file system, so their tests can point them at a temporary directory.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "allocator/result.hpp"

namespace mesosim::live {

// The whole file. Error: "cannot read <path>: <strerror>".
Result<std::string> read_file(const std::string& path);
// Writes `value` in one write(2) (control files take one value per write) without creating the
// file: a control file that does not exist is an error, not a new regular file.
Status write_control(const std::string& path, std::string_view value);
// open(2) of a control file for such writes (O_WRONLY | O_CLOEXEC, no O_CREAT). Error: "cannot
// open <path>: <strerror>".
Result<int> open_control_for_writing(const std::string& path);
// Whether write_file_atomically waits for the data to reach the disk before the rename.
//   kFsync: the new contents survive a machine crash once the call returns.
//   kNoFsync: they survive a crash of the process (the page cache outlives it) but not
//             necessarily of the machine; after a power loss the file may hold the old contents,
//             or be empty. For state that a reboot makes meaningless anyway.
enum class Durability { kFsync, kNoFsync };
// Writes a new regular file, or replaces one, atomically (temp file + rename): a reader sees the
// old contents or the new, never a mixture.
Status write_file_atomically(const std::string& path, std::string_view contents,
                             Durability durability = Durability::kFsync);

// Parsers for the contents of control files; `source` (the file's path) names the place in
// errors. The first unsigned integer ("max" is an error):
Result<uint64_t> parse_u64(std::string_view text, const std::string& source);
// The value of `key` in a flat-keyed file ("key value" per line: cpu.stat, memory.events,
// memory.oom_control, cpuacct.stat). Error when the key is missing.
Result<uint64_t> parse_keyed(std::string_view text, std::string_view key,
                             const std::string& source);
// One integer per line (cgroup.procs).
std::vector<int> parse_pids(std::string_view text);

Result<uint64_t> read_u64(const std::string& path);
Result<uint64_t> read_keyed(const std::string& path, std::string_view key);

bool path_exists(const std::string& path);
bool is_directory(const std::string& path);
// The names of the sub-directories of `path`, sorted.
Result<std::vector<std::string>> list_subdirectories(const std::string& path);
// mkdir -p. Succeeds if the directory exists.
Status make_directories(const std::string& path, unsigned mode = 0755);

// The operations an isolator performs on a cgroup hierarchy, through which its tests substitute
// a fake tree (a temporary directory that behaves like the kernel's: mkdir creates the interface
// files, rmdir removes them). The real one calls the functions above and rmdir(2).
class CgroupFs {
 public:
  virtual ~CgroupFs() = default;
  virtual Result<std::string> read(const std::string& path) const { return read_file(path); }
  virtual Status write(const std::string& path, std::string_view value) {
    return write_control(path, value);
  }
  // An fd to write values to `path` later, one write(2) per value, from a process that may not
  // call back into this object (a launched task's child before exec): write-only,
  // close-on-exec, never creating the file. The caller closes it.
  virtual Result<int> open_for_writing(const std::string& path) {
    return open_control_for_writing(path);
  }
  virtual bool exists(const std::string& path) const { return path_exists(path); }
  // Creates the directory (and missing parents). Succeeds if it exists.
  virtual Status mkdir(const std::string& path) { return make_directories(path); }
  // Removes an (empty of cgroups and processes) cgroup; ENOENT is success. EBUSY is returned as
  // an error so callers can retry.
  virtual Status rmdir(const std::string& path);
  virtual Result<std::vector<std::string>> subdirectories(const std::string& path) const {
    return list_subdirectories(path);
  }
};

}  // namespace mesosim::live
