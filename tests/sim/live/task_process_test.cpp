// TaskProcess::launch itself: what the child sets up between its vfork-style clone and the exec
// of /bin/sh (posix isolation; the cgroup placement is in the cgroups tests), and what a step
// that fails there turns into.

#include "sim/live/task_process.hpp"

#include <gtest/gtest.h>
#include <linux/capability.h>
#include <pwd.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "live_test_util.hpp"

namespace mesosim::live {
namespace {

using namespace mesosim::live::testing;

LaunchSpec spec_in(const std::string& sandbox, const std::string& command) {
  return LaunchSpec{command, sandbox, {{"PATH", "/usr/bin:/bin"}}, std::nullopt};
}

// Waits for the (child) process to exit and reaps it; its wait status.
int wait_exit(TaskProcess& process) {
  for (int i = 0; i < 1000; ++i) {
    if (std::optional<Termination> t = process.poll()) return t->wait_status.value_or(-1);
    sleep_ms(5);
  }
  ADD_FAILURE() << "the task did not end";
  return -1;
}

// The value of `key` ("SigBlk:", "Uid:", ...) in a /proc/<pid>/status text.
std::string status_field(const std::string& status, const std::string& key) {
  const size_t at = status.find("\n" + key);
  if (at == std::string::npos) return "";
  const size_t from = status.find_first_not_of(" \t", at + 1 + key.size());
  return status.substr(from, status.find('\n', from) - from);
}

class TaskProcessTest : public ::testing::Test {
 protected:
  ~TaskProcessTest() override { reap_children(); }
  TempDir sandbox_;
  std::unique_ptr<Isolator> isolator_ = make_posix_isolator();
};

TEST_F(TaskProcessTest, StdioIsDevNullAndTheSandboxFilesAppendedTo) {
  std::ofstream(sandbox_.path() + "/stdout") << "kept\n";
  ASSERT_TRUE(isolator_->prepare("c", ContainerLimits{}));
  Result<TaskProcess> p = TaskProcess::launch(
      spec_in(sandbox_.path(),
              "readlink /proc/$$/fd/0 /proc/$$/fd/1 /proc/$$/fd/2; pwd; cat; echo err >&2"),
      *isolator_, "c");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(wait_exit(p.value()), 0);
  EXPECT_EQ(slurp(sandbox_.path() + "/stdout"), "kept\n/dev/null\n" + sandbox_.path() +
                                                    "/stdout\n" + sandbox_.path() + "/stderr\n" +
                                                    sandbox_.path() + "\n");
  EXPECT_EQ(slurp(sandbox_.path() + "/stderr"), "err\n");
}

// The start time is taken from the clock readings around the clone when they fall in one tick,
// from /proc otherwise: either way it is what /proc says, which recovery compares against.
TEST_F(TaskProcessTest, StartTimeIsTheOneInProcStat) {
  std::vector<TaskProcess> processes;
  for (int i = 0; i < 40; ++i) {
    const std::string c = "c" + std::to_string(i);
    ASSERT_TRUE(isolator_->prepare(c, ContainerLimits{}));
    Result<TaskProcess> p =
        TaskProcess::launch(spec_in(sandbox_.path(), "sleep 30"), *isolator_, c);
    ASSERT_TRUE(p) << p.error().message;
    Result<ProcStat> st = read_proc_stat(p.value().pid());
    ASSERT_TRUE(st) << st.error().message;
    EXPECT_EQ(p.value().start_ticks(), st.value().start_ticks) << i;
    processes.push_back(std::move(p).value());
  }
  for (TaskProcess& p : processes) {
    p.signal_group(SIGKILL);
    wait_exit(p);
  }
  const uint64_t tick = 1'000'000'000ull / static_cast<uint64_t>(::sysconf(_SC_CLK_TCK));
  EXPECT_EQ(start_ticks_between(5 * tick, 6 * tick - 1), 5u);
  EXPECT_EQ(start_ticks_between(5 * tick - 1, 5 * tick), std::nullopt) << "two ticks";
  EXPECT_EQ(start_ticks_between(std::nullopt, 5 * tick), std::nullopt);
}

// The agent blocks and ignores signals of its own (and handles others); the child shares its
// memory until exec, so it must reset every disposition before it unblocks anything, and the
// task must start with none of it.
TEST_F(TaskProcessTest, TheTaskStartsWithNoSignalBlockedIgnoredOrCaught) {
  sigset_t block, old_mask;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR1);
  ASSERT_EQ(::pthread_sigmask(SIG_BLOCK, &block, &old_mask), 0);
  struct sigaction ignore {
  }, old_usr2{}, handle{}, old_hup{};
  ignore.sa_handler = SIG_IGN;
  ASSERT_EQ(::sigaction(SIGUSR2, &ignore, &old_usr2), 0);
  handle.sa_handler = [](int) {};
  ASSERT_EQ(::sigaction(SIGHUP, &handle, &old_hup), 0);

  ASSERT_TRUE(isolator_->prepare("c", ContainerLimits{}));
  // `cat` is exec'd by the shell with what the shell was given (a non-interactive sh changes no
  // disposition for a foreground command).
  Result<TaskProcess> p =
      TaskProcess::launch(spec_in(sandbox_.path(), "cat /proc/self/status"), *isolator_, "c");
  ::sigaction(SIGHUP, &old_hup, nullptr);
  ::sigaction(SIGUSR2, &old_usr2, nullptr);
  ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(wait_exit(p.value()), 0);
  const std::string status = slurp(sandbox_.path() + "/stdout");
  EXPECT_EQ(status_field(status, "SigBlk:"), "0000000000000000") << status;
  EXPECT_EQ(status_field(status, "SigIgn:"), "0000000000000000") << status;
  EXPECT_EQ(status_field(status, "SigCgt:"), "0000000000000000") << status;
}

// The child switches user with raw syscalls: glibc's setuid() would also switch every other
// thread of the process whose memory the child shares until exec (the agent's).
TEST_F(TaskProcessTest, SwitchingUserInTheChildLeavesTheParentsThreadsAlone) {
  if (::geteuid() != 0) GTEST_SKIP() << "switching users needs root";
  passwd* nobody = ::getpwnam("nobody");
  if (nobody == nullptr) GTEST_SKIP() << "no user 'nobody'";
  const uid_t nobody_uid = nobody->pw_uid;
  std::atomic<bool> stop{false};
  std::atomic<pid_t> helper_tid{0};
  std::thread helper([&] {
    helper_tid = static_cast<pid_t>(::syscall(SYS_gettid));
    while (!stop) sleep_ms(1);
  });
  while (helper_tid == 0) sleep_ms(1);

  ASSERT_TRUE(isolator_->prepare("c", ContainerLimits{}));
  LaunchSpec spec = spec_in(sandbox_.path(), "id -u; id -G");
  spec.user = "nobody";
  Result<TaskProcess> p = TaskProcess::launch(spec, *isolator_, "c");
  const std::string self = slurp("/proc/self/status");
  const std::string helper_status =
      slurp("/proc/self/task/" + std::to_string(helper_tid.load()) + "/status");
  stop = true;
  helper.join();
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(wait_exit(p.value()), 0);
  const std::string out = slurp(sandbox_.path() + "/stdout");
  EXPECT_EQ(out.substr(0, out.find('\n')), std::to_string(nobody_uid)) << out;
  EXPECT_EQ(status_field(self, "Uid:"), "0\t0\t0\t0");
  EXPECT_EQ(status_field(helper_status, "Uid:"), "0\t0\t0\t0");
  EXPECT_EQ(::geteuid(), 0u);
}

// A step that fails between clone and exec (here the user switch: the process may not change
// its groups) is launch()'s error, naming the step; the command never runs and the child is
// reaped. Run in a forked copy of the test, which drops CAP_SETGID and CAP_SETUID if it has them.
TEST_F(TaskProcessTest, AUserSwitchThatFailsIsAnErrorNamingTheStepAndNothingRuns) {
  // Not root: the sandbox cannot be handed to the user either, which fails before the child.
  if (::geteuid() != 0) GTEST_SKIP() << "switching users needs root";
  if (::getpwnam("nobody") == nullptr) GTEST_SKIP() << "no user 'nobody'";
  const std::string marker = sandbox_.path() + "/ran";
  const std::string report = sandbox_.path() + "/error";
  pid_t tester = ::fork();
  ASSERT_GE(tester, 0);
  if (tester == 0) {
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct caps[2] = {};
    if (::syscall(SYS_capget, &header, caps) != 0) ::_exit(10);
    for (int cap : {CAP_SETGID, CAP_SETUID}) {
      caps[0].effective &= ~(1u << cap);
      caps[0].permitted &= ~(1u << cap);
    }
    if (::syscall(SYS_capset, &header, caps) != 0) ::_exit(11);
    std::unique_ptr<Isolator> isolator = make_posix_isolator();
    if (!isolator->prepare("c", ContainerLimits{})) ::_exit(12);
    LaunchSpec spec = spec_in(sandbox_.path(), "touch " + marker);
    spec.user = "nobody";
    Result<TaskProcess> p = TaskProcess::launch(spec, *isolator, "c");
    if (p) ::_exit(13);
    std::ofstream(report) << p.error().message;
    int status;
    // The failed child is reaped already: the tester has no child left.
    ::_exit(::waitpid(-1, &status, WNOHANG) == -1 && errno == ECHILD ? 0 : 14);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(tester, &status, 0), tester);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << slurp(report);
  EXPECT_EQ(slurp(report), "task process could not set supplementary groups (" + sandbox_.path() +
                               "): " + std::strerror(EPERM));
  EXPECT_FALSE(path_exists(marker)) << "the command ran";
}

}  // namespace
}  // namespace mesosim::live
