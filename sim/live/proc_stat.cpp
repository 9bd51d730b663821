#include "sim/live/proc_stat.hpp"

#include <dirent.h>

#include <cstdlib>
#include <optional>

#include "sim/live/control_files.hpp"

namespace mesosim::live {

Result<ProcStat> parse_proc_stat(std::string_view text, const std::string& source) {
  // "pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime
  //  stime cutime cstime priority nice num_threads itrealvalue starttime ..."
  size_t close = text.rfind(')');
  if (close == std::string_view::npos || close + 2 >= text.size()) {
    return Error{source + ": expected 'pid (comm) state ...', found '" + std::string(text) + "'"};
  }
  ProcStat st;
  st.pid = static_cast<pid_t>(
      std::strtol(std::string(text.substr(0, text.find(' '))).c_str(), nullptr, 10));
  std::vector<std::string_view> fields;  // fields[0] is field 3 (state)
  std::string_view rest = text.substr(close + 2);
  while (!rest.empty()) {
    size_t space = rest.find(' ');
    fields.push_back(rest.substr(0, space));
    if (space == std::string_view::npos) break;
    rest = rest.substr(space + 1);
  }
  if (fields.size() < 20) return Error{source + ": too few fields"};
  auto number = [&](int field) {
    return std::strtoull(std::string(fields[static_cast<size_t>(field - 3)]).c_str(), nullptr, 10);
  };
  st.state = fields[0].empty() ? '?' : fields[0][0];
  st.ppid = static_cast<pid_t>(number(4));
  st.pgrp = static_cast<pid_t>(number(5));
  st.session = static_cast<pid_t>(number(6));
  st.start_ticks = number(22);
  return st;
}

Result<ProcStat> read_proc_stat(pid_t pid, const std::string& proc) {
  std::string path = proc + "/" + std::to_string(pid) + "/stat";
  Result<std::string> text = read_file(path);
  if (!text) return text.error();
  return parse_proc_stat(text.value(), path);
}

std::vector<ProcStat> list_processes(const std::string& proc) {
  std::vector<ProcStat> out;
  DIR* dir = ::opendir(proc.c_str());
  if (dir == nullptr) return out;
  while (dirent* e = ::readdir(dir)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (end == e->d_name || *end != '\0') continue;
    if (Result<ProcStat> st = read_proc_stat(static_cast<pid_t>(pid), proc)) {
      out.push_back(st.value());
    }
  }
  ::closedir(dir);
  return out;
}

bool is_same_live_process(pid_t pid, uint64_t start_ticks, const std::string& proc) {
  Result<ProcStat> st = read_proc_stat(pid, proc);
  return st && st.value().state != 'Z' && st.value().start_ticks == start_ticks;
}

}  // namespace mesosim::live
