#pragma once

// What /proc/<pid>/stat says about a process: enough to tell a process from a later one that
// reuses its pid (the start time), to see a zombie, to find a session's members, and what they
// use (cpu time, resident memory) where no cgroup counts it.

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "allocator/result.hpp"

namespace mesosim::live {

struct ProcStat {
  pid_t pid = 0;
  char state = '?';  // R, S, D, Z (zombie), T, ...
  pid_t ppid = 0;
  pid_t pgrp = 0;
  pid_t session = 0;
  // Fields 14-17, in clock ticks (sysconf(_SC_CLK_TCK)): cpu time of the process itself, and
  // of its children that ended and were waited for.
  uint64_t utime_ticks = 0;
  uint64_t stime_ticks = 0;
  uint64_t cutime_ticks = 0;
  uint64_t cstime_ticks = 0;
  uint64_t start_ticks = 0;  // field 22: clock ticks after boot at which the process started
  uint64_t rss_pages = 0;    // field 24: resident set size, in pages (sysconf(_SC_PAGESIZE))
};

// Parses the text of /proc/<pid>/stat (the command name may hold spaces and parentheses).
Result<ProcStat> parse_proc_stat(std::string_view text, const std::string& source);
// Error if the process does not exist.
Result<ProcStat> read_proc_stat(pid_t pid, const std::string& proc = "/proc");
// Every process now (those that vanish while listed are skipped).
std::vector<ProcStat> list_processes(const std::string& proc = "/proc");
// The processes now (zombies included) whose session id is one of `sessions`: those of the
// listing for which getsid(2) says so, so only they cost a read of their stat file; the others,
// however many the machine runs, a getsid each. `proc` must be the proc of our pid namespace.
std::vector<ProcStat> list_session_members(const std::vector<pid_t>& sessions,
                                           const std::string& proc = "/proc");
// True if `pid` exists, is not a zombie, and started at `start_ticks`.
bool is_same_live_process(pid_t pid, uint64_t start_ticks, const std::string& proc = "/proc");

}  // namespace mesosim::live
