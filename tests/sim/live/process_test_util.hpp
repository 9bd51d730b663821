#pragma once

// Running the real `mesosim` program from a test: spawn with output to a log file, read the log,
// wait for the exit status.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace mesosim::live::testing {

struct Child {
  pid_t pid = -1;
  std::string log;  // stdout and stderr
  bool reaped = false;
};

inline Child spawn(std::vector<std::string> args, const std::string& log) {
  Child c{-1, log, false};
  c.pid = ::fork();
  if (c.pid == 0) {
    std::FILE* out = std::freopen(log.c_str(), "w", stdout);
    ::dup2(::fileno(out), STDERR_FILENO);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return c;
}

inline std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The exit status, or -1 if it has not exited within `ms`.
inline int wait_exit(Child& child, int ms) {
  for (int i = 0; i <= ms / 10; ++i) {
    int status = 0;
    if (::waitpid(child.pid, &status, WNOHANG) == child.pid) {
      child.reaped = true;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

}  // namespace mesosim::live::testing
