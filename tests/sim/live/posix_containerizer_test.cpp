// Tasks under posix isolation (no cgroups): these run on any Linux machine, as any user.

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/stat.h>

#include <set>
#include <string>

#include "live_test_util.hpp"
#include "sim/live/containerizer.hpp"
#include "sim/live/proc_stat.hpp"

namespace mesosim::live {
namespace {

using namespace mesosim::live::testing;
using v1::TaskState;

class PosixContainerizerTest : public ::testing::Test {
 protected:
  PosixContainerizerTest() { options_.work_dir = work_.path(); }
  void TearDown() override {
    if (containerizer_) (void)containerizer_->destroy_all();
    reap_children();
  }
  Containerizer& containerizer() {
    if (!containerizer_) containerizer_ = std::make_unique<Containerizer>(*isolator_, options_);
    return *containerizer_;
  }

  TempDir work_;
  std::unique_ptr<Isolator> isolator_ = make_posix_isolator();
  ContainerizerOptions options_;
  std::unique_ptr<Containerizer> containerizer_;
};

TEST_F(PosixContainerizerTest, TaskRunsInItsSandboxWithMesosEnvironmentAndOutputFiles) {
  CommandTask task = command_task(
      "t1",
      "echo \"$MESOS_TASK_ID $MESOS_FRAMEWORK_ID $MESOS_EXECUTOR_ID $MESOS_AGENT_ID "
      "$MESOS_ALLOCATION_ROLE $GREETING\"; pwd; echo \"$MESOS_SANDBOX\"; echo oops >&2");
  task.command.environment = {{"GREETING", "hello"}};
  Result<std::string> c = containerizer().launch(task, now());
  ASSERT_TRUE(c) << c.error().message;
  const std::string sandbox = *containerizer().sandbox(c.value());
  EXPECT_EQ(sandbox,
            work_.path() + "/slaves/agent-1/frameworks/fw-1/executors/t1/runs/" + c.value());
  std::optional<ContainerEnded> end = wait_for_end(containerizer(), c.value());
  ASSERT_TRUE(end);
  EXPECT_EQ(end->outcome.state, TaskState::TASK_FINISHED);
  EXPECT_EQ(slurp(sandbox + "/stdout"),
            "t1 fw-1 t1 agent-1 analytics hello\n" + sandbox + "\n" + sandbox + "\n");
  EXPECT_EQ(slurp(sandbox + "/stderr"), "oops\n");
}

TEST_F(PosixContainerizerTest, TaskLeadsItsOwnSessionAndInheritsNoDescriptors) {
  Result<std::string> c = containerizer().launch(
      command_task("t2", "cut -d' ' -f6 /proc/$$/stat > sid; ls /proc/self/fd > fds"), now());
  ASSERT_TRUE(c) << c.error().message;
  pid_t pid = *containerizer().pid(c.value());
  const std::string sandbox = *containerizer().sandbox(c.value());
  ASSERT_TRUE(wait_for_end(containerizer(), c.value()));
  EXPECT_EQ(std::stoi(slurp(sandbox + "/sid")), pid);
  // ls's own 0, 1, 2 and the directory it reads: nothing of the test process leaked in.
  EXPECT_EQ(slurp(sandbox + "/fds"), "0\n1\n2\n3\n");
}

TEST_F(PosixContainerizerTest, ExitStatusAndKillAreMappedAsMesosDoes) {
  Result<std::string> failing = containerizer().launch(command_task("f", "exit 7"), now());
  Result<std::string> killed = containerizer().launch(command_task("k", "sleep 30"), now());
  ASSERT_TRUE(failing && killed);
  ASSERT_TRUE(containerizer().kill(killed.value(), now()));
  std::map<std::string, ContainerEnded> ends =
      wait_for_all(containerizer(), {failing.value(), killed.value()});
  ASSERT_EQ(ends.size(), 2u);
  const TaskOutcome& f = ends.at(failing.value()).outcome;
  const TaskOutcome& k = ends.at(killed.value()).outcome;
  EXPECT_EQ(f.state, TaskState::TASK_FAILED);
  EXPECT_EQ(f.message, "Command exited with status 7");
  EXPECT_EQ(k.state, TaskState::TASK_KILLED);
  EXPECT_EQ(k.message, "Command terminated with signal Terminated");
}

TEST_F(PosixContainerizerTest, DestroyKillsTheWholeSession) {
  Result<std::string> c =
      containerizer().launch(command_task("s", "sleep 30 & echo $! > child.pid; wait"), now());
  ASSERT_TRUE(c) << c.error().message;
  const std::string pidfile = *containerizer().sandbox(c.value()) + "/child.pid";
  ASSERT_TRUE(eventually([&] { return !trim(slurp(pidfile)).empty(); }));
  pid_t child = std::stoi(slurp(pidfile));
  ASSERT_TRUE(process_alive(child));
  EXPECT_TRUE(containerizer().destroy_all().empty());
  EXPECT_TRUE(eventually([&] { return !process_alive(child); }));
}

TEST_F(PosixContainerizerTest, UsageOfEachCountsEverySessionMemberInTheOrderAsked) {
  Result<std::string> forks =
      containerizer().launch(command_task("f", "sleep 30 & sleep 30 & wait"), now());
  ASSERT_TRUE(forks) << forks.error().message;
  Result<std::string> single = containerizer().launch(command_task("s", "exec sleep 30"), now());
  ASSERT_TRUE(single) << single.error().message;
  auto counts = [&] {
    std::vector<Result<ResourceStatistics>> u =
        containerizer().usage_of_each({forks.value(), "no-such-container", single.value()});
    EXPECT_EQ(u.size(), 3u);
    EXPECT_FALSE(u[1]) << "an unknown container is an error in its place";
    return std::pair<uint64_t, uint64_t>{u[0] ? u[0].value().processes : 0,
                                         u[2] ? u[2].value().processes : 0};
  };
  // The shell and the two children it forked; the other task is one process.
  ASSERT_TRUE(eventually([&] { return counts() == std::pair<uint64_t, uint64_t>{3, 1}; }));
  EXPECT_EQ(containerizer().usage(forks.value()).value().processes, 3u);
}

// The shell holds a 64 MB string (dash keeps a command substitution's output in memory) and then
// spins: its own cpu time and resident memory, as a cgroup would count them.
TEST_F(PosixContainerizerTest, UsageOfABusyTaskHasItsCpuTimeAndResidentMemory) {
  Result<std::string> c = containerizer().launch(
      command_task("busy", "x=$(head -c 64000000 /dev/zero | tr '\\0' a); while :; do :; done"),
      now());
  ASSERT_TRUE(c) << c.error().message;
  ResourceStatistics last;
  ASSERT_TRUE(eventually(
      [&] {
        Result<ResourceStatistics> u = containerizer().usage(c.value());
        if (u) last = u.value();
        // One process: the command substitution's subshell, head and tr are over.
        return u && last.processes == 1 &&
               last.cpus_user_time_secs + last.cpus_system_time_secs >= 0.3 &&
               last.mem_rss_bytes >= 64'000'000;
      },
      10))
      << "user " << last.cpus_user_time_secs << " s, system " << last.cpus_system_time_secs
      << " s, rss " << last.mem_rss_bytes << " bytes, " << last.processes << " processes";
  EXPECT_GT(last.cpus_user_time_secs, 0);
}

// A task's cpu time does not vanish when the child that used it ends: the shell waited for it,
// so the kernel moved its time into the shell's (cutime, cstime), which counts.
TEST_F(PosixContainerizerTest, UsageKeepsTheCpuTimeOfChildrenThatEnded) {
  Result<std::string> c = containerizer().launch(
      command_task("child",
                   "sh -c 'i=0; while [ $i -lt 400000 ]; do i=$((i+1)); done'; touch done; "
                   "exec sleep 30"),
      now());
  ASSERT_TRUE(c) << c.error().message;
  const std::string done = *containerizer().sandbox(c.value()) + "/done";
  ASSERT_TRUE(eventually([&] { return path_exists(done); }, 20));
  // `done` exists once touch has created it, which may be before touch itself has exited.
  Result<ResourceStatistics> u = Error{"not sampled"};
  EXPECT_TRUE(eventually(
      [&] {
        u = containerizer().usage(c.value());
        return u && u.value().processes == 1;
      },
      20))
      << "only the sleep is left";
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_GE(u.value().cpus_user_time_secs + u.value().cpus_system_time_secs, 0.1);
}

TEST_F(PosixContainerizerTest, TasksEndingTogetherHaveTheirLeftoverChildrenKilled) {
  // Each task's shell exits at once and leaves a child behind in its session.
  std::vector<std::string> containers;
  for (const char* id : {"a", "b"}) {
    Result<std::string> c =
        containerizer().launch(command_task(id, "sleep 300 & echo $! > child.pid"), now());
    ASSERT_TRUE(c) << c.error().message;
    containers.push_back(c.value());
  }
  std::vector<pid_t> children;
  for (const std::string& c : containers) {
    const std::string pidfile = *containerizer().sandbox(c) + "/child.pid";
    ASSERT_TRUE(eventually([&] { return !trim(slurp(pidfile)).empty(); }));
    children.push_back(std::stoi(slurp(pidfile)));
    const pid_t leader = *containerizer().pid(c);
    // Exited, not yet reaped: the next poll sees both ends.
    ASSERT_TRUE(eventually([&] {
      Result<ProcStat> st = read_proc_stat(leader);
      return st && st.value().state == 'Z';
    }));
  }
  for (pid_t child : children) ASSERT_TRUE(process_alive(child));
  const Time t = now();
  std::vector<ContainerEnded> ended = containerizer().poll(t);
  ASSERT_EQ(ended.size(), 2u);
  for (const ContainerEnded& e : ended) EXPECT_EQ(e.outcome.state, TaskState::TASK_FINISHED);
  EXPECT_TRUE(containerizer().containers().empty());
  // Reported at once; destroyed together with what else ends within finish_delay, by the
  // poll that deadline calls for (one listing of the machine's processes for all of them).
  ASSERT_EQ(containerizer().next_deadline(), t + options_.finish_delay);
  EXPECT_TRUE(containerizer().poll(t + options_.finish_delay - Duration::micros(1)).empty());
  for (pid_t child : children) EXPECT_TRUE(process_alive(child)) << "killed before the deadline";
  EXPECT_TRUE(containerizer().poll(t + options_.finish_delay).empty());
  for (pid_t child : children) {
    EXPECT_TRUE(eventually([&] { return !process_alive(child); })) << "child " << child;
  }
  EXPECT_EQ(containerizer().next_deadline(), std::nullopt);
  EXPECT_TRUE(read_checkpoints(work_.path()).checkpoints.empty());
}

TEST_F(PosixContainerizerTest, WithoutAFinishDelayEachPollDestroysWhatEndedInIt) {
  options_.finish_delay = Duration::zero();
  Result<std::string> c =
      containerizer().launch(command_task("a", "sleep 300 & echo $! > child.pid"), now());
  ASSERT_TRUE(c) << c.error().message;
  const std::string pidfile = *containerizer().sandbox(c.value()) + "/child.pid";
  ASSERT_TRUE(eventually([&] { return !trim(slurp(pidfile)).empty(); }));
  const pid_t child = std::stoi(slurp(pidfile));
  ASSERT_TRUE(wait_for_end(containerizer(), c.value()));
  EXPECT_TRUE(eventually([&] { return !process_alive(child); }));
  EXPECT_EQ(containerizer().next_deadline(), std::nullopt);
  EXPECT_TRUE(read_checkpoints(work_.path()).checkpoints.empty());
}

TEST_F(PosixContainerizerTest, AContainerizerGoingAwayDestroysWhatEndedAndKeepsWhatRuns) {
  Result<std::string> ended =
      containerizer().launch(command_task("e", "sleep 300 & echo $! > child.pid"), now());
  Result<std::string> running = containerizer().launch(command_task("r", "sleep 30"), now());
  ASSERT_TRUE(ended && running);
  const pid_t running_pid = *containerizer().pid(running.value());
  const std::string pidfile = *containerizer().sandbox(ended.value()) + "/child.pid";
  ASSERT_TRUE(eventually([&] { return !trim(slurp(pidfile)).empty(); }));
  const pid_t child = std::stoi(slurp(pidfile));
  ASSERT_TRUE(wait_for_end(containerizer(), ended.value()));
  containerizer_.reset();  // the agent exits
  EXPECT_TRUE(eventually([&] { return !process_alive(child); }));
  EXPECT_TRUE(process_alive(running_pid));
  CheckpointScan scan = read_checkpoints(work_.path());
  ASSERT_EQ(scan.checkpoints.size(), 1u);
  EXPECT_EQ(scan.checkpoints[0].container, running.value());
  ::kill(running_pid, SIGKILL);
}

TEST_F(PosixContainerizerTest, PidfdBecomesReadableWhenTheTaskEnds) {
  Result<std::string> c = containerizer().launch(command_task("p", "sleep 0.2"), now());
  ASSERT_TRUE(c) << c.error().message;
  std::vector<int> fds = containerizer().pidfds();
  ASSERT_EQ(fds.size(), 1u);
  pollfd pfd{fds[0], POLLIN, 0};
  EXPECT_EQ(::poll(&pfd, 1, 0), 0) << "readable while the task runs";
  EXPECT_EQ(::poll(&pfd, 1, 5000), 1);
  std::vector<ContainerEnded> ended = containerizer().poll(now());
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0].outcome.state, TaskState::TASK_FINISHED);
}

TEST_F(PosixContainerizerTest, WithPidfdsWatchedAPollLooksOnlyAtWhatIsReadableOrDue) {
  Result<std::string> ended = containerizer().launch(command_task("e", "exit 0"), now());
  Result<std::string> killed = containerizer().launch(command_task("k", "sleep 30"), now());
  Result<std::string> other = containerizer().launch(command_task("o", "sleep 30"), now());
  ASSERT_TRUE(ended && killed && other);
  std::vector<Containerizer::WatchedFdChange> changes;
  containerizer().take_watched_fd_changes(changes);  // a loop watches the pidfds from now on
  const pid_t ended_pid = *containerizer().pid(ended.value());
  ASSERT_TRUE(eventually([&] {
    Result<ProcStat> st = read_proc_stat(ended_pid);
    return st && st.value().state == 'Z';
  }));
  // Its end comes through its pidfd, not through the periodic poll.
  EXPECT_TRUE(containerizer().poll(now()).empty());
  int ended_fd = -1;
  for (const auto& change : changes) {
    pollfd pfd{change.fd, POLLIN, 0};
    if (::poll(&pfd, 1, 0) == 1) ended_fd = change.fd;
  }
  ASSERT_NE(ended_fd, -1);
  const Time reaped_at = now();
  std::vector<ContainerEnded> reaped = containerizer().poll_readable({ended_fd}, reaped_at);
  ASSERT_EQ(reaped.size(), 1u);
  EXPECT_EQ(reaped[0].container, ended.value());
  EXPECT_FALSE(containerizer().watches(ended_fd));
  // Its destroy is due finish_delay later: the next deadline, until a poll then does it.
  EXPECT_EQ(containerizer().next_deadline(), reaped_at + options_.finish_delay);
  EXPECT_TRUE(containerizer().poll(reaped_at + options_.finish_delay).empty());
  EXPECT_EQ(containerizer().next_deadline(), std::nullopt);

  // Deadlines: the earliest pending SIGKILL, gone once sent.
  const Time t0 = now();
  ASSERT_TRUE(containerizer().kill(killed.value(), t0, Duration::millis(50)));
  ASSERT_TRUE(containerizer().kill(other.value(), t0, Duration::seconds(60)));
  EXPECT_EQ(containerizer().next_deadline(), t0 + Duration::millis(50));
  // A poll after the first deadline looks at its container; here the SIGTERM was enough, so
  // it is reaped (a destroy then due finish_delay later), and after that the other is next.
  const pid_t killed_pid = *containerizer().pid(killed.value());
  ASSERT_TRUE(eventually([&] {
    Result<ProcStat> st = read_proc_stat(killed_pid);
    return st && st.value().state == 'Z';
  }));
  const Time t = t0 + Duration::millis(60);
  (void)containerizer().poll(t);
  EXPECT_FALSE(containerizer().running(killed.value()));
  EXPECT_EQ(containerizer().next_deadline(), t + options_.finish_delay);
  (void)containerizer().poll(t + options_.finish_delay);
  EXPECT_EQ(containerizer().next_deadline(), t0 + Duration::seconds(60));
  EXPECT_TRUE(containerizer().destroy_all().empty());
  EXPECT_EQ(containerizer().next_deadline(), std::nullopt);
}

TEST_F(PosixContainerizerTest, WatchedFdChangesListEachOpenAndCloseOnceInOrder) {
  using Change = Containerizer::WatchedFdChange;
  Result<std::string> early = containerizer().launch(command_task("e", "sleep 30"), now());
  ASSERT_TRUE(early) << early.error().message;
  std::vector<Change> changes;
  containerizer().take_watched_fd_changes(changes);
  ASSERT_EQ(changes, (std::vector<Change>{{containerizer().pidfds()[0], true}}))
      << "the first call lists what is open";
  const int early_fd = changes[0].fd;

  Result<std::string> quick = containerizer().launch(command_task("q", "exit 0"), now());
  ASSERT_TRUE(quick) << quick.error().message;
  containerizer().take_watched_fd_changes(changes);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_TRUE(changes[0].opened);
  const int quick_fd = changes[0].fd;
  containerizer().take_watched_fd_changes(changes);
  EXPECT_TRUE(changes.empty()) << "nothing changed since";

  // Watched: its end is reaped through its pidfd, as a loop does when it becomes readable.
  pollfd pfd{quick_fd, POLLIN, 0};
  ASSERT_EQ(::poll(&pfd, 1, 5000), 1);
  ASSERT_EQ(containerizer().poll_readable({quick_fd}, now()).size(), 1u);
  // The ended container's fd is closed, so the next launch may reuse its number: the close
  // comes first.
  Result<std::string> next = containerizer().launch(command_task("n", "sleep 30"), now());
  ASSERT_TRUE(next) << next.error().message;
  containerizer().take_watched_fd_changes(changes);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0], (Change{quick_fd, false}));
  EXPECT_TRUE(changes[1].opened);
  const int next_fd = changes[1].fd;

  EXPECT_TRUE(containerizer().destroy_all().empty());
  containerizer().take_watched_fd_changes(changes);
  std::set<int> closed;
  for (const Change& c : changes) {
    EXPECT_FALSE(c.opened);
    closed.insert(c.fd);
  }
  EXPECT_EQ(changes.size(), 2u);
  EXPECT_EQ(closed, (std::set<int>{early_fd, next_fd}));
}

TEST_F(PosixContainerizerTest, RestartedAgentAdoptsLiveTasksAndReportsEndedOnes) {
  std::string alive, dead;
  pid_t dead_pid = 0;
  {
    std::unique_ptr<Isolator> old_isolator = make_posix_isolator();
    Containerizer before(*old_isolator, options_);
    Result<std::string> a = before.launch(command_task("alive", "sleep 30"), now());
    Result<std::string> d = before.launch(command_task("dead", "exit 0"), now());
    ASSERT_TRUE(a && d);
    alive = a.value();
    dead = d.value();
    dead_pid = *before.pid(dead);
  }
  ASSERT_TRUE(eventually([&] { return !process_alive(dead_pid); }));

  RecoveryReport report = containerizer().recover(now());
  EXPECT_TRUE(report.errors.empty());
  EXPECT_EQ(report.adopted, std::vector<std::string>{alive});
  ASSERT_EQ(report.ended.size(), 1u);
  EXPECT_EQ(report.ended[0].container, dead);
  EXPECT_EQ(report.ended[0].outcome.reason, v1::TaskStatusReason::REASON_EXECUTOR_TERMINATED);

  ASSERT_TRUE(containerizer().kill(alive, now()));
  std::optional<ContainerEnded> end = wait_for_end(containerizer(), alive, 5);
  ASSERT_TRUE(end);
  EXPECT_EQ(end->outcome.state, TaskState::TASK_KILLED);
  // Removed with its destroy, by the poll finish_delay after the end.
  EXPECT_TRUE(eventually([&] {
    (void)containerizer().poll(now());
    return read_checkpoints(work_.path()).checkpoints.empty();
  }));
}

TEST_F(PosixContainerizerTest, SwitchUserRunsTheTaskAsTheFrameworkUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "switching users needs root";
  options_.switch_user = true;
  CommandTask task = command_task("u", "id -u > uid; id -g > gid");
  task.user = "nobody";
  Result<std::string> c = containerizer().launch(task, now());
  ASSERT_TRUE(c) << c.error().message;
  const std::string sandbox = *containerizer().sandbox(c.value());
  std::optional<ContainerEnded> end = wait_for_end(containerizer(), c.value());
  ASSERT_TRUE(end);
  EXPECT_EQ(end->outcome.state, TaskState::TASK_FINISHED) << slurp(sandbox + "/stderr");
  EXPECT_EQ(trim(slurp(sandbox + "/uid")), "65534");
  struct stat st;
  ASSERT_EQ(::stat(sandbox.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 65534u);
}

TEST_F(PosixContainerizerTest, UnknownUserFailsTheLaunchAndLeavesNothing) {
  options_.switch_user = true;
  CommandTask task = command_task("u", "true");
  task.user = "no-such-user-mesosim";
  Result<std::string> c = containerizer().launch(task, now());
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("user 'no-such-user-mesosim' does not exist"), std::string::npos)
      << c.error().message;
  EXPECT_TRUE(containerizer().containers().empty());
  EXPECT_TRUE(read_checkpoints(work_.path()).checkpoints.empty());
}

TEST_F(PosixContainerizerTest, SandboxPathRejectsIdsThatWouldEscapeIt) {
  CommandTask task = command_task("x", "true");
  task.framework_id = v1::FrameworkID{".."};
  Result<std::string> c = containerizer().launch(task, now());
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("framework id '..'"), std::string::npos) << c.error().message;
}

}  // namespace
}  // namespace mesosim::live
