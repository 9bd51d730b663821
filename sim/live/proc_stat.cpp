#include "sim/live/proc_stat.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "sim/live/control_files.hpp"

namespace mesosim::live {

Result<ProcStat> parse_proc_stat(std::string_view text, const std::string& source) {
  // "pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime
  //  stime cutime cstime priority nice num_threads itrealvalue starttime vsize rss ..."
  // Parsed in place without allocating: listing every process parses one of these per process.
  size_t close = text.rfind(')');
  if (close == std::string_view::npos || close + 2 >= text.size()) {
    return Error{source + ": expected 'pid (comm) state ...', found '" + std::string(text) + "'"};
  }
  auto leading_number = [](std::string_view field) {
    uint64_t value = 0;
    for (char ch : field) {
      if (ch < '0' || ch > '9') break;
      value = value * 10 + static_cast<uint64_t>(ch - '0');
    }
    return value;
  };
  ProcStat st;
  st.pid = static_cast<pid_t>(leading_number(text));
  std::string_view rest = text.substr(close + 2);
  int field = 3;  // the field `rest` starts with
  while (!rest.empty() && field <= 24) {
    size_t space = rest.find(' ');
    std::string_view value = rest.substr(0, space);
    switch (field) {
      case 3:
        st.state = value.empty() ? '?' : value[0];
        break;
      case 4:
        st.ppid = static_cast<pid_t>(leading_number(value));
        break;
      case 5:
        st.pgrp = static_cast<pid_t>(leading_number(value));
        break;
      case 6:
        st.session = static_cast<pid_t>(leading_number(value));
        break;
      case 14:
        st.utime_ticks = leading_number(value);
        break;
      case 15:
        st.stime_ticks = leading_number(value);
        break;
      case 16:
        st.cutime_ticks = leading_number(value);
        break;
      case 17:
        st.cstime_ticks = leading_number(value);
        break;
      case 22:
        st.start_ticks = leading_number(value);
        break;
      case 24:
        st.rss_pages = leading_number(value);
        break;
      default:
        break;
    }
    ++field;
    if (space == std::string_view::npos) break;
    rest = rest.substr(space + 1);
  }
  if (field <= 24) return Error{source + ": too few fields"};
  return st;
}

Result<ProcStat> read_proc_stat(pid_t pid, const std::string& proc) {
  std::string path = proc + "/" + std::to_string(pid) + "/stat";
  Result<std::string> text = read_file(path);
  if (!text) return text.error();
  return parse_proc_stat(text.value(), path);
}

namespace {

// Every process of `proc` whose pid `wanted` accepts, as its stat file says.
template <typename Wanted>
std::vector<ProcStat> list_if(const std::string& proc, const Wanted& wanted) {
  std::vector<ProcStat> out;
  DIR* dir = ::opendir(proc.c_str());
  if (dir == nullptr) return out;
  const int dir_fd = ::dirfd(dir);
  const std::string source = proc + "/<pid>/stat";
  char path[32];
  char buf[4096];
  while (dirent* e = ::readdir(dir)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (end == e->d_name || *end != '\0') continue;
    if (!wanted(static_cast<pid_t>(pid))) continue;
    // Relative to the open directory and into a buffer on the stack: this runs once per process
    // on the machine, so it opens no path from the root and allocates nothing per process.
    std::snprintf(path, sizeof path, "%ld/stat", pid);
    int fd = ::openat(dir_fd, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;  // it ended while listed
    ssize_t n;
    do {
      n = ::read(fd, buf, sizeof buf);
    } while (n < 0 && errno == EINTR);
    ::close(fd);
    if (n <= 0) continue;
    if (Result<ProcStat> st =
            parse_proc_stat(std::string_view(buf, static_cast<size_t>(n)), source)) {
      out.push_back(st.value());
    }
  }
  ::closedir(dir);
  return out;
}

}  // namespace

std::vector<ProcStat> list_processes(const std::string& proc) {
  return list_if(proc, [](pid_t) { return true; });
}

std::vector<ProcStat> list_session_members(const std::vector<pid_t>& sessions,
                                           const std::string& proc) {
  if (sessions.empty()) return {};
  std::vector<pid_t> sorted = sessions;
  std::sort(sorted.begin(), sorted.end());
  return list_if(proc, [&](pid_t pid) {
    const pid_t sid = ::getsid(pid);
    // Gone already (ESRCH): nothing to list. A process that changes session between getsid
    // and the read of its stat file is listed with the session that file says.
    return sid > 0 && std::binary_search(sorted.begin(), sorted.end(), sid);
  });
}

bool is_same_live_process(pid_t pid, uint64_t start_ticks, const std::string& proc) {
  Result<ProcStat> st = read_proc_stat(pid, proc);
  return st && st.value().state != 'Z' && st.value().start_ticks == start_ticks;
}

}  // namespace mesosim::live
