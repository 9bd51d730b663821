#pragma once

// Helpers for the live tests: temporary directories that remove themselves, the real clock,
// waiting for containers to end, and a cgroups v1 fixture that skips when this machine (or
// user) cannot create cgroups and always removes what it created.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "sim/live/containerizer.hpp"
#include "sim/live/control_files.hpp"
#include "sim/live/isolator.hpp"
#include "sim/live/proc_stat.hpp"

namespace mesosim::live::testing {

inline Time now() {
  timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return Time::from_micros(int64_t{ts.tv_sec} * 1'000'000 + ts.tv_nsec / 1000);
}

inline void sleep_ms(int ms) {
  timespec ts{ms / 1000, static_cast<long>(ms % 1000) * 1'000'000L};
  ::nanosleep(&ts, nullptr);
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "mesosim-live-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data()) ? tmpl : "";
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// True while `pid` exists and is not a zombie.
inline bool process_alive(pid_t pid) {
  Result<ProcStat> st = read_proc_stat(pid);
  return st && st.value().state != 'Z';
}

// Reaps any child of the test process that has ended (tasks whose containerizer was dropped to
// play an agent restart), so no zombie outlives a test.
inline void reap_children() {
  int status;
  while (::waitpid(-1, &status, WNOHANG) > 0) {
  }
}

// Polls until `container` ends (or `seconds` pass); returns its end.
inline std::optional<ContainerEnded> wait_for_end(Containerizer& containerizer,
                                                  const std::string& container,
                                                  double seconds = 10) {
  Time deadline = now() + Duration::from_seconds(seconds);
  while (now() < deadline) {
    for (ContainerEnded& e : containerizer.poll(now())) {
      if (e.container == container) return e;
    }
    sleep_ms(5);
  }
  return std::nullopt;
}

// Polls until every one of `containers` has ended (or `seconds` pass); the ends by container.
inline std::map<std::string, ContainerEnded> wait_for_all(
    Containerizer& containerizer, const std::vector<std::string>& containers, double seconds = 10) {
  std::map<std::string, ContainerEnded> ends;
  Time deadline = now() + Duration::from_seconds(seconds);
  while (ends.size() < containers.size() && now() < deadline) {
    for (ContainerEnded& e : containerizer.poll(now())) ends.emplace(e.container, std::move(e));
    sleep_ms(5);
  }
  return ends;
}

// Polls until `predicate` holds or `seconds` pass.
template <typename Predicate>
bool eventually(Predicate predicate, double seconds = 5) {
  Time deadline = now() + Duration::from_seconds(seconds);
  while (now() < deadline) {
    if (predicate()) return true;
    sleep_ms(5);
  }
  return predicate();
}

inline Resources res(const char* text) { return Resources::parse(text).value(); }

inline CommandTask command_task(const std::string& id, const std::string& command,
                                const char* resources = "cpus:0.5;mem:64") {
  CommandTask task;
  task.task_id = v1::TaskID{id};
  task.framework_id = v1::FrameworkID{"fw-1"};
  task.executor_id = v1::ExecutorID{id};
  task.agent_id = v1::AgentID{"agent-1"};
  task.role = "analytics";
  task.command.shell = true;
  task.command.value = command;
  task.resources = res(resources);
  return task;
}

// Destroys every container of a Containerizer when the test leaves its scope, pass or fail.
class DestroyAllOnExit {
 public:
  explicit DestroyAllOnExit(Containerizer& c) : c_(c) {}
  ~DestroyAllOnExit() {
    (void)c_.destroy_all();
    reap_children();
  }

 private:
  Containerizer& c_;
};

inline const char* const kV1Controllers[] = {"cpu", "cpuacct", "memory", "pids"};

// Whether this process can create cgroups v1 here; the reason when not.
inline std::optional<std::string> v1_unavailable_reason() {
  for (const char* c : kV1Controllers) {
    std::string dir = std::string("/sys/fs/cgroup/") + c;
    if (!path_exists(dir + "/cgroup.procs")) return "no cgroup v1 hierarchy at " + dir;
    if (::access(dir.c_str(), W_OK) != 0) return dir + " is not writable (run as root)";
  }
  return std::nullopt;
}

// Removes a v1 root and everything under it: kills what runs there, removes the cgroups.
inline void remove_v1_root(const std::string& root) {
  for (const char* c : kV1Controllers) {
    std::string dir = std::string("/sys/fs/cgroup/") + c + "/" + root;
    if (!is_directory(dir)) continue;
    Result<std::vector<std::string>> subdirs = list_subdirectories(dir);
    for (const std::string& sub : subdirs ? subdirs.value() : std::vector<std::string>{}) {
      std::string cg = dir + "/" + sub;
      for (int round = 0; round < 2000; ++round) {
        Result<std::string> procs = read_file(cg + "/cgroup.procs");
        if (!procs || parse_pids(procs.value()).empty()) break;
        for (int pid : parse_pids(procs.value())) ::kill(pid, SIGKILL);
        reap_children();
        sleep_ms(1);
      }
      for (int i = 0; i < 2000 && ::rmdir(cg.c_str()) != 0 && errno == EBUSY; ++i) sleep_ms(1);
    }
    ::rmdir(dir.c_str());
  }
}

// A cgroups v1 isolator on this machine's hierarchies, under a root of its own
// (mesosim-test-<pid>) so concurrent test runs never meet; the root is removed after each test,
// pass or fail.
class CgroupsV1Test : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::optional<std::string> reason = v1_unavailable_reason()) {
      GTEST_SKIP() << "cgroups v1 not usable: " << *reason;
    }
    root_ = "mesosim-test-" + std::to_string(::getpid());
    isolator_ = make_cgroups_v1_isolator(CgroupsV1Layout{"/sys/fs/cgroup", root_});
    options_.work_dir = work_.path();
  }
  void TearDown() override {
    if (containerizer_) (void)containerizer_->destroy_all();
    containerizer_.reset();
    if (!root_.empty()) remove_v1_root(root_);
    reap_children();
  }

  Containerizer& containerizer() {
    if (!containerizer_) containerizer_ = std::make_unique<Containerizer>(*isolator_, options_);
    return *containerizer_;
  }
  std::string cgroup(const char* controller, const std::string& container) const {
    return std::string("/sys/fs/cgroup/") + controller + "/" + root_ + "/" + container;
  }

  TempDir work_;
  std::string root_;
  std::unique_ptr<Isolator> isolator_;
  ContainerizerOptions options_;
  std::unique_ptr<Containerizer> containerizer_;
};

}  // namespace mesosim::live::testing
