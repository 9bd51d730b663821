#include "sim/live/cgroup_common.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

#include "sim/live/isolator.hpp"

namespace mesosim::live {
namespace {

constexpr int kDestroyRounds = 5000;  // of about 1 ms each

}  // namespace

void sleep_millis(int millis) {
  timespec ts{millis / 1000, static_cast<long>(millis % 1000) * 1'000'000L};
  while (::nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

Status validate_container_name(std::string_view container) {
  if (container.empty() || container == "." || container == "..") {
    return Error{"invalid container name '" + std::string(container) + "'"};
  }
  for (char c : container) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) {
      return Error{"invalid container name '" + std::string(container) +
                   "': only letters, digits, '.', '_' and '-' are allowed"};
    }
  }
  return Status::success();
}

Status kill_all_and_remove(CgroupFs& fs, const std::vector<std::string>& dirs) {
  int round = 0;
  std::string busy;
  for (; round < kDestroyRounds; ++round) {
    bool any = false;
    for (const std::string& dir : dirs) {
      const std::string procs_file = dir + "/cgroup.procs";
      if (!fs.exists(procs_file)) continue;
      Result<std::string> text = fs.read(procs_file);
      if (!text) {
        if (!fs.exists(procs_file)) continue;
        return text.error();
      }
      std::vector<int> pids = parse_pids(text.value());
      if (pids.empty()) continue;
      any = true;
      busy = procs_file;
      for (int pid : pids) ::kill(pid, SIGKILL);
    }
    if (!any) break;
    sleep_millis(1);
  }
  if (round == kDestroyRounds) {
    return Error{"processes still running in " + busy + " after SIGKILL for 5 s"};
  }
  for (const std::string& dir : dirs) {
    Status removed = fs.rmdir(dir);
    for (int retry = 0; !removed && retry < kDestroyRounds - round; ++retry) {
      sleep_millis(1);
      removed = fs.rmdir(dir);
    }
    if (!removed) return removed.error();
  }
  return Status::success();
}

OomNotifications::~OomNotifications() {
  for (const auto& [container, fd] : fds_) ::close(fd);
}

Result<int> OomNotifications::get(const std::string& container,
                                  const std::function<Result<int>()>& open) {
  if (auto it = fds_.find(container); it != fds_.end()) return it->second;
  Result<int> fd = open();
  if (fd) fds_.emplace(container, fd.value());
  return fd;
}

void OomNotifications::close(const std::string& container) {
  if (auto it = fds_.find(container); it != fds_.end()) {
    ::close(it->second);
    fds_.erase(it);
  }
}

bool OomNotifications::read_empty(const std::string& container) {
  auto it = fds_.find(container);
  if (it == fds_.end()) return false;
  bool any = false;
  char buffer[4096];  // an eventfd's 8 bytes, or many inotify events
  while (::read(it->second, buffer, sizeof buffer) > 0) any = true;
  return any;
}

Result<int> open_v1_oom_eventfd(CgroupFs& fs, const std::string& memory_dir) {
  const int efd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (efd < 0) return Error{std::string("cannot create an eventfd: ") + std::strerror(errno)};
  const std::string control = memory_dir + "/memory.oom_control";
  // Only needed for the registration: the kernel keeps what it needs of it.
  const int cfd = ::open(control.c_str(), O_RDONLY | O_CLOEXEC);
  if (cfd < 0) {
    const int e = errno;
    ::close(efd);
    return Error{"cannot open " + control + ": " + std::strerror(e)};
  }
  Status registered = fs.write(memory_dir + "/cgroup.event_control",
                               std::to_string(efd) + " " + std::to_string(cfd));
  ::close(cfd);
  if (!registered) {
    ::close(efd);
    return registered.error();
  }
  return efd;
}

Result<int> open_memory_events_watch(const std::string& memory_events) {
  const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return Error{std::string("cannot create an inotify fd: ") + std::strerror(errno)};
  if (::inotify_add_watch(fd, memory_events.c_str(), IN_MODIFY) < 0) {
    const int e = errno;
    ::close(fd);
    return Error{"cannot watch " + memory_events + ": " + std::strerror(e)};
  }
  return fd;
}

}  // namespace mesosim::live
