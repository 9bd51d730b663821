#pragma once

// A fake cgroup hierarchy in a temporary directory, for the v2 back end and the detection
// tests: it behaves as the kernel does where the isolator relies on it. mkdir creates the
// interface files with the kernel's initial values, a write replaces a file's value (and is
// logged, so tests see exactly what was written, in order), cgroup.procs lists only live
// processes, and rmdir removes the interface files with the directory.

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "sim/live/control_files.hpp"
#include "sim/live/proc_stat.hpp"

namespace mesosim::live::testing {

inline void put_file(const std::string& path, const std::string& contents) {
  std::ofstream(path, std::ios::trunc) << contents;
}

// Lays out a v2 hierarchy root at `mount` offering `controllers` ("cpu memory pids").
inline void make_fake_v2_root(const std::string& mount, const std::string& controllers) {
  std::filesystem::create_directories(mount);
  put_file(mount + "/cgroup.controllers", controllers + "\n");
  put_file(mount + "/cgroup.subtree_control", "");
  put_file(mount + "/cgroup.procs", "");
}

class FakeV2Fs final : public CgroupFs {
 public:
  explicit FakeV2Fs(std::string mount) : mount_(std::move(mount)) {}

  Result<std::string> read(const std::string& path) const override {
    Result<std::string> text = read_file(path);
    if (!text || path.size() < 12 || path.compare(path.size() - 12, 12, "cgroup.procs") != 0) {
      return text;
    }
    std::string live;
    for (int pid : parse_pids(text.value())) {
      Result<ProcStat> st = read_proc_stat(pid);
      if (st && st.value().state != 'Z') live += std::to_string(pid) + "\n";
    }
    return live;
  }

  Status write(const std::string& path, std::string_view value) override {
    if (!path_exists(path)) return Error{"fake: no control file " + path};
    writes.emplace_back(path.substr(mount_.size() + 1), std::string(value));
    if (path.size() >= 12 && path.compare(path.size() - 12, 12, "cgroup.procs") == 0) {
      std::ofstream(path, std::ios::app) << value << "\n";
    } else {
      put_file(path, std::string(value) + "\n");
    }
    return Status::success();
  }

  // The launcher's child writes "<pid>\n" to cgroup.procs through this fd before it execs, as
  // to the kernel's file; the fake appends it (not logged in `writes`: the child cannot call
  // back). A control file that does not exist is an error, as with the kernel.
  Result<int> open_for_writing(const std::string& path) override {
    if (!path_exists(path)) return Error{"fake: no control file " + path};
    opened_for_writing.push_back(path.substr(mount_.size() + 1));
    int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0) return Error{"fake: cannot open " + path};
    return fd;
  }

  Status mkdir(const std::string& path) override {
    for (std::string dir = path; dir.size() > mount_.size(); dir = dir.substr(0, dir.rfind('/'))) {
      if (is_directory(dir)) break;
      created_.insert(created_.begin(), dir);
    }
    for (const std::string& dir : created_) {
      if (is_directory(dir)) continue;
      std::filesystem::create_directory(dir);
      populate(dir);
    }
    created_.clear();
    return Status::success();
  }

  Status rmdir(const std::string& path) override {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
    if (ec) return Error{"fake: cannot remove " + path + ": " + ec.message()};
    return Status::success();
  }

  std::vector<std::pair<std::string, std::string>> writes;  // (path under the mount, value)
  std::vector<std::string> opened_for_writing;              // paths under the mount

 private:
  static void populate(const std::string& dir) {
    put_file(dir + "/cgroup.controllers", "cpu memory pids\n");
    put_file(dir + "/cgroup.subtree_control", "");
    put_file(dir + "/cgroup.procs", "");
    put_file(dir + "/cpu.weight", "100\n");
    put_file(dir + "/cpu.max", "max 100000\n");
    put_file(dir + "/cpu.stat",
             "usage_usec 0\nuser_usec 0\nsystem_usec 0\nnr_periods 0\nnr_throttled 0\n"
             "throttled_usec 0\n");
    put_file(dir + "/memory.low", "0\n");
    put_file(dir + "/memory.max", "max\n");
    put_file(dir + "/memory.current", "0\n");
    put_file(dir + "/memory.peak", "0\n");
    put_file(dir + "/memory.stat", "anon 0\nfile 0\n");
    put_file(dir + "/memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n");
    put_file(dir + "/pids.max", "max\n");
  }

  std::string mount_;
  std::vector<std::string> created_;
};

}  // namespace mesosim::live::testing
