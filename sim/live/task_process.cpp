#include "sim/live/task_process.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sim/live/proc_stat.hpp"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

namespace mesosim::live {
namespace {

// What the child reports through the error pipe when a step before exec fails.
enum class ChildStep : int { kChdir = 1, kStdio, kSetgroups, kSetgid, kSetuid, kExec };

struct ChildFailure {
  ChildStep step;
  int error;
};

const char* step_name(ChildStep step) {
  switch (step) {
    case ChildStep::kChdir:
      return "change to the sandbox";
    case ChildStep::kStdio:
      return "redirect stdio";
    case ChildStep::kSetgroups:
      return "set supplementary groups";
    case ChildStep::kSetgid:
      return "set gid";
    case ChildStep::kSetuid:
      return "set uid";
    case ChildStep::kExec:
      return "execute /bin/sh";
  }
  return "start";
}

struct Identity {
  uid_t uid;
  gid_t gid;
  std::vector<gid_t> groups;
};

Result<Identity> look_up_user(const std::string& user) {
  std::vector<char> buf(16384);
  passwd pw;
  passwd* found = nullptr;
  int rc = ::getpwnam_r(user.c_str(), &pw, buf.data(), buf.size(), &found);
  if (rc != 0) return Error{"cannot look up user '" + user + "': " + std::strerror(rc)};
  if (found == nullptr) return Error{"user '" + user + "' does not exist"};
  Identity id{pw.pw_uid, pw.pw_gid, {}};
  int n = 64;
  id.groups.resize(static_cast<size_t>(n));
  while (::getgrouplist(user.c_str(), id.gid, id.groups.data(), &n) < 0) {
    id.groups.resize(static_cast<size_t>(n) + 1);
  }
  id.groups.resize(static_cast<size_t>(n));
  return id;
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// Everything the child needs, prepared by the parent (the child may not allocate).
struct ChildPlan {
  const char* sandbox;
  int stdin_fd, stdout_fd, stderr_fd;
  int go_fd, error_fd;
  const Identity* identity;  // null: keep ours
  char* const* argv;
  char* const* envp;
};

[[noreturn]] void fail_in_child(int error_fd, ChildStep step) {
  ChildFailure failure{step, errno};
  ssize_t ignored = ::write(error_fd, &failure, sizeof failure);
  (void)ignored;
  ::_exit(127);
}

// Runs in the child between fork and exec: async-signal-safe calls only.
[[noreturn]] void run_child(const ChildPlan& plan) {
  char go = 0;
  ssize_t n;
  do {
    n = ::read(plan.go_fd, &go, 1);
  } while (n < 0 && errno == EINTR);
  if (n != 1) ::_exit(127);  // the parent could not attach us: never run the command

  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction dfl;
  std::memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);

  ::setsid();
  if (::chdir(plan.sandbox) != 0) fail_in_child(plan.error_fd, ChildStep::kChdir);
  if (::dup2(plan.stdin_fd, 0) < 0 || ::dup2(plan.stdout_fd, 1) < 0 ||
      ::dup2(plan.stderr_fd, 2) < 0) {
    fail_in_child(plan.error_fd, ChildStep::kStdio);
  }
  if (plan.identity != nullptr) {
    const Identity& id = *plan.identity;
    if (::setgroups(id.groups.size(), id.groups.data()) != 0) {
      fail_in_child(plan.error_fd, ChildStep::kSetgroups);
    }
    if (::setgid(id.gid) != 0) fail_in_child(plan.error_fd, ChildStep::kSetgid);
    if (::setuid(id.uid) != 0) fail_in_child(plan.error_fd, ChildStep::kSetuid);
  }
  // Every descriptor but stdio closes on exec, including the error pipe: its EOF tells the
  // parent that exec succeeded.
  ::syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
  ::execve("/bin/sh", plan.argv, plan.envp);
  fail_in_child(plan.error_fd, ChildStep::kExec);
}

int open_pidfd(pid_t pid) {
#ifdef SYS_pidfd_open
  long fd = ::syscall(SYS_pidfd_open, pid, 0);
  if (fd >= 0) {
    ::fcntl(static_cast<int>(fd), F_SETFD, FD_CLOEXEC);
    return static_cast<int>(fd);
  }
#endif
  return -1;
}

// Reads what the child reported: nothing (EOF) once it has exec'd.
std::optional<ChildFailure> read_child_failure(int error_fd) {
  ChildFailure failure;
  ssize_t n;
  do {
    n = ::read(error_fd, &failure, sizeof failure);
  } while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(sizeof failure)) return failure;
  return std::nullopt;
}

void kill_and_reap(pid_t pid) {
  ::kill(pid, SIGKILL);
  int status;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

struct Fds {
  int in = -1, out = -1, err = -1, go[2] = {-1, -1}, error[2] = {-1, -1};
  ~Fds() {
    for (int* fd : {&in, &out, &err, &go[0], &go[1], &error[0], &error[1]}) close_fd(*fd);
  }
};

Status open_fds(const LaunchSpec& spec, Fds& fds) {
  auto open_output = [&](const char* name, int& fd) -> Status {
    std::string path = spec.sandbox + "/" + name;
    fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return Error{"cannot open " + path + ": " + std::strerror(errno)};
    return Status::success();
  };
  fds.in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (fds.in < 0) return Error{std::string("cannot open /dev/null: ") + std::strerror(errno)};
  if (Status s = open_output("stdout", fds.out); !s) return s;
  if (Status s = open_output("stderr", fds.err); !s) return s;
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds.go) != 0 ||
      ::pipe2(fds.error, O_CLOEXEC) != 0) {
    return Error{std::string("cannot create the launch pipes: ") + std::strerror(errno)};
  }
  return Status::success();
}

Status hand_sandbox_to(const LaunchSpec& spec, const Identity& id) {
  for (std::string path : {spec.sandbox, spec.sandbox + "/stdout", spec.sandbox + "/stderr"}) {
    if (::chown(path.c_str(), id.uid, id.gid) != 0) {
      return Error{"cannot chown " + path + " to user '" + *spec.user +
                   "': " + std::strerror(errno)};
    }
  }
  return Status::success();
}

}  // namespace

Result<TaskProcess> TaskProcess::launch(const LaunchSpec& spec, Isolator& isolator,
                                        const std::string& container) {
  std::optional<Identity> identity;
  if (spec.user) {
    Result<Identity> id = look_up_user(*spec.user);
    if (!id) return id.error();
    identity = id.value();
  }
  Fds fds;
  if (Status s = open_fds(spec, fds); !s) return s.error();
  if (identity) {
    if (Status s = hand_sandbox_to(spec, *identity); !s) return s.error();
  }

  std::string sh = "sh", dash_c = "-c", command = spec.command;
  std::vector<char*> argv = {sh.data(), dash_c.data(), command.data(), nullptr};
  std::vector<std::string> env_strings;
  for (const auto& [name, value] : spec.environment) env_strings.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (std::string& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);

  ChildPlan plan{spec.sandbox.c_str(),
                 fds.in,
                 fds.out,
                 fds.err,
                 fds.go[1],
                 fds.error[1],
                 identity ? &*identity : nullptr,
                 argv.data(),
                 envp.data()};
  pid_t pid = ::fork();
  if (pid < 0) return Error{std::string("cannot fork: ") + std::strerror(errno)};
  if (pid == 0) run_child(plan);

  close_fd(fds.go[1]);
  close_fd(fds.error[1]);
  if (Status attached = isolator.attach(container, pid); !attached) {
    kill_and_reap(pid);
    return Error{"cannot place the task in container '" + container +
                 "': " + attached.error().message};
  }
  char go = 1;
  if (::send(fds.go[0], &go, 1, MSG_NOSIGNAL) != 1) {
    kill_and_reap(pid);
    return Error{std::string("cannot release the task process: ") + std::strerror(errno)};
  }
  if (std::optional<ChildFailure> failure = read_child_failure(fds.error[0])) {
    kill_and_reap(pid);
    return Error{std::string("task process could not ") + step_name(failure->step) + " (" +
                 spec.sandbox + "): " + std::strerror(failure->error)};
  }
  Result<ProcStat> st = read_proc_stat(pid);
  TaskProcess process(pid, st ? st.value().start_ticks : 0, false);
  return process;
}

TaskProcess TaskProcess::adopt(pid_t pid, uint64_t start_ticks) {
  return TaskProcess(pid, start_ticks, true);
}

TaskProcess::TaskProcess(pid_t pid, uint64_t start_ticks, bool adopted)
    : pid_(pid), start_ticks_(start_ticks), adopted_(adopted), pidfd_(open_pidfd(pid)) {
  // A pidfd opened after the pid was recycled would watch the wrong process.
  if (adopted_ && pidfd_ >= 0 && !is_same_live_process(pid, start_ticks)) close_fd(pidfd_);
}

TaskProcess::TaskProcess(TaskProcess&& other) noexcept
    : pid_(other.pid_),
      start_ticks_(other.start_ticks_),
      adopted_(other.adopted_),
      ended_(other.ended_),
      pidfd_(std::exchange(other.pidfd_, -1)) {
  other.ended_ = true;
}

TaskProcess& TaskProcess::operator=(TaskProcess&& other) noexcept {
  if (this != &other) {
    close_fd(pidfd_);
    pid_ = other.pid_;
    start_ticks_ = other.start_ticks_;
    adopted_ = other.adopted_;
    ended_ = other.ended_;
    pidfd_ = std::exchange(other.pidfd_, -1);
    other.ended_ = true;
  }
  return *this;
}

TaskProcess::~TaskProcess() { close_fd(pidfd_); }

std::optional<Termination> TaskProcess::poll() {
  if (ended_) return std::nullopt;
  if (!adopted_) {
    int status = 0;
    pid_t r;
    do {
      r = ::waitpid(pid_, &status, WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r == 0) return std::nullopt;
    ended_ = true;
    if (r < 0) return Termination{};  // reaped elsewhere: the status is lost
    return Termination{status};
  }
  if (is_same_live_process(pid_, start_ticks_)) return std::nullopt;
  ended_ = true;
  return Termination{};
}

void TaskProcess::signal_group(int signal) const {
  if (ended_) return;
  // The task leads its own group; if it is gone the group may live on (its children).
  if (::kill(-pid_, signal) != 0) ::kill(pid_, signal);
}

}  // namespace mesosim::live
