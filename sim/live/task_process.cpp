#include "sim/live/task_process.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sim/live/proc_stat.hpp"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

namespace mesosim::live {
namespace {

// The step of the child that failed before exec; kNone while none has.
enum class ChildStep : int {
  kNone = 0,
  kAttach,
  kChdir,
  kStdio,
  kSetgroups,
  kSetgid,
  kSetuid,
  kExec
};

struct ChildFailure {
  ChildStep step = ChildStep::kNone;
  int error = 0;
};

const char* step_name(ChildStep step) {
  switch (step) {
    case ChildStep::kNone:
      break;
    case ChildStep::kAttach:
      return "join its container";
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

// Everything the child needs, prepared by the parent: the child shares the parent's memory and
// may neither allocate nor write anything but its own stack and `failure`.
struct ChildPlan {
  const char* sandbox;
  int stdin_fd, stdout_fd, stderr_fd;
  const int* attach_fds;  // cgroup.procs files to write the child's pid to
  size_t attach_count;
  const Identity* identity;  // null: keep ours
  char* const* argv;
  char* const* envp;
  ChildFailure* failure;  // the parent's: written just before the child exits
};

[[noreturn]] void fail_in_child(const ChildPlan& plan, ChildStep step, int error) {
  plan.failure->error = error;
  plan.failure->step = step;
  ::_exit(127);
}

// `fd` as descriptor `target`, inherited across exec. An fd that is already `target` keeps its
// number; only its close-on-exec flag goes.
bool move_fd(int fd, int target) {
  if (fd == target) return ::fcntl(fd, F_SETFD, 0) == 0;
  return ::dup2(fd, target) == target;
}

// The child, between clone and exec, on its own stack in the parent's memory while the parent
// waits (CLONE_VFORK): async-signal-safe calls only, every signal blocked until the
// dispositions are reset, and raw syscalls for the user switch (glibc's setuid/setgid/setgroups
// would broadcast the change to the threads of the process whose memory this is).
int run_child(void* arg) {
  const ChildPlan& plan = *static_cast<const ChildPlan*>(arg);
  if (plan.attach_count > 0) {
    char digits[24];
    size_t len = 0;
    char reversed[24];
    for (unsigned long v = static_cast<unsigned long>(::getpid()); len == 0 || v > 0; v /= 10) {
      reversed[len++] = static_cast<char>('0' + v % 10);
    }
    for (size_t i = 0; i < len; ++i) digits[i] = reversed[len - 1 - i];
    digits[len++] = '\n';  // what `echo $pid > cgroup.procs` writes; the kernel strips it
    for (size_t i = 0; i < plan.attach_count; ++i) {
      ssize_t n;
      do {
        n = ::write(plan.attach_fds[i], digits, len);
      } while (n < 0 && errno == EINTR);
      if (n != static_cast<ssize_t>(len)) {
        fail_in_child(plan, ChildStep::kAttach, n < 0 ? errno : EIO);
      }
    }
  }

  // No handler of the parent's may run here: default dispositions first, then no mask.
  struct sigaction dfl;
  std::memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);

  ::setsid();
  if (::chdir(plan.sandbox) != 0) fail_in_child(plan, ChildStep::kChdir, errno);
  if (!move_fd(plan.stdin_fd, 0) || !move_fd(plan.stdout_fd, 1) || !move_fd(plan.stderr_fd, 2)) {
    fail_in_child(plan, ChildStep::kStdio, errno);
  }
  if (plan.identity != nullptr) {
    const Identity& id = *plan.identity;
    if (::syscall(SYS_setgroups, id.groups.size(), id.groups.data()) != 0) {
      fail_in_child(plan, ChildStep::kSetgroups, errno);
    }
    if (::syscall(SYS_setgid, id.gid) != 0) fail_in_child(plan, ChildStep::kSetgid, errno);
    if (::syscall(SYS_setuid, id.uid) != 0) fail_in_child(plan, ChildStep::kSetuid, errno);
  }
  // Every descriptor but stdio closes on exec.
  ::syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
  ::execve("/bin/sh", plan.argv, plan.envp);
  fail_in_child(plan, ChildStep::kExec, errno);
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

void reap(pid_t pid) {
  int status;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

void kill_and_reap(pid_t pid) {
  ::kill(pid, SIGKILL);
  reap(pid);
}

struct Fds {
  int in = -1, out = -1, err = -1;
  std::vector<int> attach;
  ~Fds() {
    for (int* fd : {&in, &out, &err}) close_fd(*fd);
    for (int& fd : attach) close_fd(fd);
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

std::optional<uint64_t> boottime_ns() {
  timespec ts;
  if (::clock_gettime(CLOCK_BOOTTIME, &ts) != 0) return std::nullopt;
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

}  // namespace

std::optional<uint64_t> start_ticks_between(std::optional<uint64_t> before_ns,
                                            std::optional<uint64_t> after_ns) {
  // /proc/<pid>/stat's start time is the kernel's CLOCK_BOOTTIME reading when it copied the
  // process (copy_process: start_boottime), in clock ticks, rounded down
  // (nsec_to_clock_t). Read before and after the clone, that instant lies between the two; when
  // both fall in the same tick, that tick is the start time, exactly, without a read of the
  // stat file (which costs a launch more than the clone does).
  static const long kTicksPerSecond = ::sysconf(_SC_CLK_TCK);
  if (!before_ns || !after_ns || kTicksPerSecond <= 0 || 1'000'000'000 % kTicksPerSecond != 0) {
    return std::nullopt;
  }
  const uint64_t ns_per_tick = 1'000'000'000ull / static_cast<uint64_t>(kTicksPerSecond);
  const uint64_t first = *before_ns / ns_per_tick;
  if (*after_ns / ns_per_tick != first) return std::nullopt;
  return first;
}

namespace {

// The child's stack. 64 KiB: the child calls a handful of libc wrappers, none of which needs
// more than a few hundred bytes; posix_spawn gives its child 32 KiB plus the argument sizes.
constexpr size_t kChildStackBytes = 64 * 1024;

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
  Result<std::vector<int>> attach = isolator.open_attach_files(container);
  if (!attach) {
    return Error{"cannot place the task in container '" + container +
                 "': " + attach.error().message};
  }
  fds.attach = std::move(attach).value();

  std::string sh = "sh", dash_c = "-c", command = spec.command;
  std::vector<char*> argv = {sh.data(), dash_c.data(), command.data(), nullptr};
  std::vector<std::string> env_strings;
  env_strings.reserve(spec.environment.size());
  for (const auto& [name, value] : spec.environment) env_strings.push_back(name + "=" + value);
  std::vector<char*> envp;
  envp.reserve(env_strings.size() + 1);
  for (std::string& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);

  ChildFailure failure;
  ChildPlan plan{spec.sandbox.c_str(),
                 fds.in,
                 fds.out,
                 fds.err,
                 fds.attach.data(),
                 fds.attach.size(),
                 identity ? &*identity : nullptr,
                 argv.data(),
                 envp.data(),
                 &failure};
  // The child runs on this stack while this thread waits in clone() (CLONE_VFORK): until it
  // has exec'd or exited, nothing else uses it. Every signal stays blocked in this thread
  // meanwhile, so that none is handled on the child's side before it resets the handlers.
  alignas(64) char stack[kChildStackBytes];
  sigset_t all, old;
  ::sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &old);
  const std::optional<uint64_t> before_clone = boottime_ns();
  const pid_t pid =
      ::clone(run_child, stack + sizeof stack, CLONE_VM | CLONE_VFORK | SIGCHLD, &plan);
  const int clone_error = errno;
  const std::optional<uint64_t> after_clone = boottime_ns();
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (pid < 0)
    return Error{std::string("cannot start the task process: ") + std::strerror(clone_error)};
  if (failure.step != ChildStep::kNone) {
    reap(pid);  // it has exited
    if (failure.step == ChildStep::kAttach) {
      return Error{"cannot place the task in container '" + container +
                   "': " + std::strerror(failure.error)};
    }
    return Error{std::string("task process could not ") + step_name(failure.step) + " (" +
                 spec.sandbox + "): " + std::strerror(failure.error)};
  }
  if (fds.attach.empty()) {
    if (Status attached = isolator.attach(container, pid); !attached) {
      kill_and_reap(pid);
      return Error{"cannot place the task in container '" + container +
                   "': " + attached.error().message};
    }
  }
  uint64_t start_ticks = 0;
  if (std::optional<uint64_t> ticks = start_ticks_between(before_clone, after_clone)) {
    start_ticks = *ticks;
  } else if (Result<ProcStat> st = read_proc_stat(pid)) {
    start_ticks = st.value().start_ticks;
  }
  TaskProcess process(pid, start_ticks, false);
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
