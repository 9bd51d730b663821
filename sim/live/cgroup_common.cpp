#include "sim/live/cgroup_common.hpp"

#include <signal.h>
#include <time.h>

#include <cerrno>
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

}  // namespace mesosim::live
