// Real tasks in real cgroups v1 on this machine (skipped where cgroups cannot be created).

#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "live_test_util.hpp"
#include "sim/live/containerizer.hpp"
#include "watching_loop.hpp"

namespace mesosim::live {
namespace {

using namespace mesosim::live::testing;
using v1::TaskState;
using v1::TaskStatusReason;

using CgroupsV1ContainerizerTest = CgroupsV1Test;

// The end Mesos reports for a container the kernel OOM-killed at a 64 MB limit.
void expect_memory_limitation(const ContainerEnded& end) {
  EXPECT_EQ(end.outcome.state, TaskState::TASK_FAILED);
  EXPECT_EQ(end.outcome.reason, TaskStatusReason::REASON_CONTAINER_LIMITATION_MEMORY);
  EXPECT_EQ(end.outcome.message.rfind("Memory limit exceeded: Requested: 64MB ", 0), 0u)
      << end.outcome.message;
}

TEST_F(CgroupsV1ContainerizerTest, SleepTaskFinishesInACgroupHoldingMesosValues) {
  Result<std::string> c =
      containerizer().launch(command_task("sleeper", "sleep 0.3", "cpus:0.5;mem:64"), now());
  ASSERT_TRUE(c) << c.error().message;
  const std::string& id = c.value();

  EXPECT_EQ(trim(slurp(cgroup("cpu", id) + "/cpu.shares")), "512");
  EXPECT_EQ(trim(slurp(cgroup("cpu", id) + "/cpu.cfs_period_us")), "100000");
  EXPECT_EQ(trim(slurp(cgroup("cpu", id) + "/cpu.cfs_quota_us")), "50000");
  EXPECT_EQ(trim(slurp(cgroup("memory", id) + "/memory.limit_in_bytes")), "67108864");
  EXPECT_EQ(trim(slurp(cgroup("memory", id) + "/memory.soft_limit_in_bytes")), "67108864");
  EXPECT_EQ(trim(slurp(cgroup("pids", id) + "/pids.max")), "max");
  // The task process itself is in every controller's cgroup.
  std::string pid = std::to_string(*containerizer().pid(id));
  for (const char* controller : kV1Controllers) {
    EXPECT_NE(slurp(cgroup(controller, id) + "/cgroup.procs").find(pid), std::string::npos)
        << controller;
  }
  EXPECT_TRUE(path_exists(work_.path() + "/containers/" + id + ".json"));

  std::optional<ContainerEnded> end = wait_for_end(containerizer(), id);
  ASSERT_TRUE(end);
  EXPECT_EQ(end->outcome.state, TaskState::TASK_FINISHED);
  EXPECT_EQ(end->outcome.message, "Command exited with status 0");
  EXPECT_EQ(end->task_id.value, "sleeper");
  for (const char* controller : kV1Controllers) {
    EXPECT_FALSE(path_exists(cgroup(controller, id))) << controller;
  }
  EXPECT_FALSE(path_exists(work_.path() + "/containers/" + id + ".json"));
}

// The child writes its own pid to the four cgroup.procs files before it execs the shell, so the
// shell's first command already finds the shell ($$, the task's process) in every one of its
// cgroups; the agent itself never moves (it wrote no pid of its own).
TEST_F(CgroupsV1ContainerizerTest, TheShellIsInItsCgroupsFromItsFirstCommand) {
  const std::string own_cgroups = slurp("/proc/self/cgroup");
  Result<std::string> c = containerizer().launch(
      command_task("early", "cat /proc/$$/cgroup; sleep 30", "cpus:0.5;mem:64"), now());
  ASSERT_TRUE(c) << c.error().message;
  const std::string sandbox = *containerizer().sandbox(c.value());
  ASSERT_TRUE(eventually([&] { return !slurp(sandbox + "/stdout").empty(); }));
  const std::string seen = slurp(sandbox + "/stdout");
  for (const char* controller : kV1Controllers) {
    // A line "<n>:<controllers>:/<root>/<container>" whose controller list has this one.
    bool found = false;
    std::istringstream lines(seen);
    for (std::string line; std::getline(lines, line);) {
      const size_t a = line.find(':'), b = line.find(':', a + 1);
      const std::string list = "," + line.substr(a + 1, b - a - 1) + ",";
      if (list.find("," + std::string(controller) + ",") != std::string::npos) {
        found = line.substr(b + 1) == "/" + root_ + "/" + c.value();
      }
    }
    EXPECT_TRUE(found) << controller << " in\n" << seen;
  }
  EXPECT_EQ(slurp("/proc/self/cgroup"), own_cgroups);
}

TEST_F(CgroupsV1ContainerizerTest, MemoryHogOverItsLimitFailsWithMemoryLimitation) {
  // The shell keeps 200 MB of 'a's in a variable: far over the 64 MB hard limit, and with no
  // swap the OOM killer must act. The trailing sleep would let the shell exit 0 if the task
  // were not killed as a whole.
  Result<std::string> c = containerizer().launch(
      command_task("hog", "x=$(head -c 200000000 /dev/zero | tr '\\0' a); sleep 1; exit 0",
                   "cpus:1;mem:64"),
      now());
  ASSERT_TRUE(c) << c.error().message;
  std::optional<ContainerEnded> end = wait_for_end(containerizer(), c.value(), 20);
  ASSERT_TRUE(end);
  expect_memory_limitation(*end);
  EXPECT_FALSE(path_exists(cgroup("memory", c.value())));
}

TEST_F(CgroupsV1ContainerizerTest, OomKillOfAChildIsSeenThroughTheOomEventfdAlone) {
  // The OOM killer kills the inner shell that holds the 'a's; the task's own process then
  // sleeps for an hour, so its pidfd says nothing. The loop never calls poll(): only the
  // memory cgroup's eventfd can tell the containerizer to look.
  Result<std::string> c = containerizer().launch(
      command_task("hog-child",
                   "sh -c 'x=$(head -c 200000000 /dev/zero | tr \"\\0\" a)'; sleep 3600",
                   "cpus:1;mem:64"),
      now());
  ASSERT_TRUE(c) << c.error().message;
  WatchingLoop loop(containerizer());
  EXPECT_EQ(loop.fds().size(), 2u) << "the task's pidfd and its OOM eventfd";
  EXPECT_EQ(containerizer().polled_containers(), 0u) << "both watched: nothing left to poll";

  std::optional<ContainerEnded> end = loop.run_until_end(c.value(), 30);
  ASSERT_TRUE(end);
  expect_memory_limitation(*end);
  EXPECT_FALSE(path_exists(cgroup("memory", c.value())));
  EXPECT_TRUE(loop.fds().empty());
}

TEST_F(CgroupsV1ContainerizerTest, ManyContainersLeaveNoFdOpen) {
  constexpr int kTasks = 40;
  const size_t before = open_fds();
  WatchingLoop loop(containerizer());
  std::vector<std::string> ids;
  for (int i = 0; i < kTasks; ++i) {
    Result<std::string> c =
        containerizer().launch(command_task("t" + std::to_string(i), "true"), now());
    ASSERT_TRUE(c) << c.error().message;
    ids.push_back(c.value());
  }
  loop.take();
  EXPECT_EQ(loop.fds().size(), 2u * kTasks) << "a pidfd and an OOM eventfd each";
  for (const std::string& id : ids) {
    if (containerizer().running(id)) {
      ASSERT_TRUE(loop.run_until_end(id)) << id;
    }
  }
  EXPECT_TRUE(containerizer().containers().empty());
  EXPECT_TRUE(loop.fds().empty());
  EXPECT_EQ(open_fds(), before);
}

TEST_F(CgroupsV1ContainerizerTest, NonZeroExitFailsWithTheStatus) {
  Result<std::string> c = containerizer().launch(command_task("bad", "exit 3"), now());
  ASSERT_TRUE(c) << c.error().message;
  std::optional<ContainerEnded> end = wait_for_end(containerizer(), c.value());
  ASSERT_TRUE(end);
  EXPECT_EQ(end->outcome.state, TaskState::TASK_FAILED);
  EXPECT_FALSE(end->outcome.reason.has_value());
  EXPECT_EQ(end->outcome.message, "Command exited with status 3");
}

TEST_F(CgroupsV1ContainerizerTest, KillEndsTheTaskWithSigtermAsKilled) {
  Result<std::string> c = containerizer().launch(command_task("long", "sleep 30"), now());
  ASSERT_TRUE(c) << c.error().message;
  Time start = now();
  ASSERT_TRUE(containerizer().kill(c.value(), start, Duration::seconds(20)));
  std::optional<ContainerEnded> end = wait_for_end(containerizer(), c.value(), 5);
  ASSERT_TRUE(end);
  EXPECT_EQ(end->outcome.state, TaskState::TASK_KILLED);
  EXPECT_EQ(end->outcome.message, "Command terminated with signal Terminated");
  EXPECT_LT(now() - start, Duration::seconds(5));  // SIGTERM did it, not the 20 s SIGKILL
}

TEST_F(CgroupsV1ContainerizerTest, TaskThatIgnoresSigtermIsSigkilledAfterTheGracePeriod) {
  Result<std::string> c =
      containerizer().launch(command_task("stubborn", "trap '' TERM; echo ready; sleep 30"), now());
  ASSERT_TRUE(c) << c.error().message;
  const std::string out = *containerizer().sandbox(c.value()) + "/stdout";
  ASSERT_TRUE(eventually([&] { return slurp(out).find("ready") != std::string::npos; }));

  Time start = now();
  const Duration grace = Duration::millis(300);
  ASSERT_TRUE(containerizer().kill(c.value(), start, grace));
  EXPECT_EQ(containerizer().next_deadline(), start + grace);
  sleep_ms(100);
  EXPECT_TRUE(containerizer().poll(now()).empty()) << "ended before the grace period";
  std::optional<ContainerEnded> end = wait_for_end(containerizer(), c.value(), 5);
  ASSERT_TRUE(end);
  EXPECT_GE(now() - start, grace);
  EXPECT_EQ(end->outcome.state, TaskState::TASK_KILLED);
  EXPECT_EQ(end->outcome.message, "Command terminated with signal Killed");
}

TEST_F(CgroupsV1ContainerizerTest, DestroyKillsEveryProcessAndRemovesTheCgroups) {
  Result<std::string> c = containerizer().launch(
      command_task("forker", "sleep 30 & sleep 30 & (sleep 30 &) ; echo up; wait"), now());
  ASSERT_TRUE(c) << c.error().message;
  std::vector<pid_t> pids;
  ASSERT_TRUE(eventually([&] {
    Result<std::vector<pid_t>> p = isolator_->pids(c.value());
    if (p) pids = p.value();
    return pids.size() >= 4;
  })) << "the task's children never appeared in its cgroup";

  EXPECT_TRUE(containerizer().destroy_all().empty());
  for (pid_t pid : pids) EXPECT_FALSE(process_alive(pid)) << pid;
  for (const char* controller : kV1Controllers) {
    EXPECT_FALSE(path_exists(cgroup(controller, c.value()))) << controller;
  }
  EXPECT_FALSE(containerizer().running(c.value()));
}

TEST_F(CgroupsV1ContainerizerTest, TaskEndingLeavesNoBackgroundProcessBehind) {
  // The shell exits at once; its background child would outlive it without the container.
  Result<std::string> c =
      containerizer().launch(command_task("leaver", "sleep 30 & echo $! > child.pid"), now());
  ASSERT_TRUE(c) << c.error().message;
  const std::string sandbox = *containerizer().sandbox(c.value());
  std::optional<ContainerEnded> end = wait_for_end(containerizer(), c.value());
  ASSERT_TRUE(end);
  EXPECT_EQ(end->outcome.state, TaskState::TASK_FINISHED);
  pid_t child = std::stoi(slurp(sandbox + "/child.pid"));
  EXPECT_TRUE(eventually([&] { return !process_alive(child); }));
}

TEST_F(CgroupsV1ContainerizerTest, UsageReportsCpuTimeMemoryAndProcesses) {
  Result<std::string> c =
      containerizer().launch(command_task("busy", "while :; do :; done", "cpus:1;mem:128"), now());
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_TRUE(eventually([&] {
    Result<ResourceStatistics> u = containerizer().usage(c.value());
    return u && u.value().cpus_user_time_secs + u.value().cpus_system_time_secs >= 0.05;
  })) << "no cpu time accounted";
  Result<ResourceStatistics> u = containerizer().usage(c.value());
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(u.value().mem_limit_bytes, 128u << 20);
  EXPECT_EQ(u.value().mem_soft_limit_bytes, 128u << 20);
  EXPECT_DOUBLE_EQ(u.value().cpus_limit, 1.0);
  EXPECT_GT(u.value().mem_total_bytes, 0u);
  EXPECT_EQ(u.value().processes, 1u);
}

}  // namespace
}  // namespace mesosim::live
