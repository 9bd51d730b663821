// An agent restart on real cgroups v1: a new Containerizer recovers what an earlier one left.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <string>

#include "live_test_util.hpp"
#include "sim/live/containerizer.hpp"

namespace mesosim::live {
namespace {

using namespace mesosim::live::testing;
using v1::TaskState;
using v1::TaskStatusReason;

using RecoveryTest = CgroupsV1Test;

TEST_F(RecoveryTest, LiveTasksAreAdoptedDeadOnesReportedAndOrphansDestroyed) {
  std::string alive, dead;
  pid_t alive_pid = 0, dead_pid = 0;
  {
    Containerizer before(*isolator_, options_);  // the agent before it restarts
    Result<std::string> a = before.launch(command_task("alive", "sleep 30"), now());
    Result<std::string> d = before.launch(command_task("dead", "sleep 0.1"), now());
    ASSERT_TRUE(a && d);
    alive = a.value();
    dead = d.value();
    alive_pid = *before.pid(alive);
    dead_pid = *before.pid(dead);
  }
  ASSERT_TRUE(eventually([&] { return !process_alive(dead_pid); }));

  // A checkpoint whose pid now belongs to another process (this one): it must not be adopted.
  ASSERT_TRUE(
      isolator_->prepare("recycled", ContainerLimits::from_resources(res("cpus:1;mem:64"))));
  Result<ProcStat> self = read_proc_stat(::getpid());
  ASSERT_TRUE(self);
  ContainerCheckpoint recycled{"recycled",
                               "old-task",
                               "fw-1",
                               "old-task",
                               "agent-1",
                               ::getpid(),
                               self.value().start_ticks + 1,
                               "",
                               work_.path(),
                               now(),
                               "cgroups/v1",
                               false};
  ASSERT_TRUE(write_checkpoint(work_.path(), recycled));

  // A cgroup with a process in it and no checkpoint at all.
  ASSERT_TRUE(isolator_->prepare("orphan", ContainerLimits::from_resources(res("cpus:1;mem:64"))));
  LaunchSpec spec{"sleep 30", work_.path(), {{"PATH", "/usr/bin:/bin"}}, std::nullopt};
  Result<TaskProcess> orphan = TaskProcess::launch(spec, *isolator_, "orphan");
  ASSERT_TRUE(orphan) << orphan.error().message;
  pid_t orphan_pid = orphan.value().pid();

  // An agent that died half-way through prepare(): the container exists in one hierarchy only.
  ASSERT_EQ(::mkdir(cgroup("cpu", "half").c_str(), 0755), 0);

  RecoveryReport report = containerizer().recover(now());
  for (const Error& e : report.errors) ADD_FAILURE() << e.message;
  EXPECT_EQ(report.adopted, std::vector<std::string>{alive});
  ASSERT_EQ(report.ended.size(), 2u);
  std::sort(report.ended.begin(), report.ended.end(),
            [](const ContainerEnded& x, const ContainerEnded& y) { return x.task_id < y.task_id; });
  EXPECT_EQ(report.ended[0].task_id.value, "dead");
  EXPECT_EQ(report.ended[0].outcome.state, TaskState::TASK_FAILED);
  EXPECT_EQ(report.ended[0].outcome.reason, TaskStatusReason::REASON_EXECUTOR_TERMINATED);
  EXPECT_EQ(report.ended[1].task_id.value, "old-task");
  EXPECT_EQ(report.orphans_destroyed, (std::vector<std::string>{"half", "orphan"}));
  EXPECT_FALSE(path_exists(cgroup("cpu", "half")));

  EXPECT_TRUE(process_alive(alive_pid));
  EXPECT_TRUE(path_exists(cgroup("memory", alive)));
  EXPECT_FALSE(process_alive(orphan_pid));
  for (const std::string& gone : {dead, std::string("recycled"), std::string("orphan")}) {
    for (const char* controller : kV1Controllers) {
      EXPECT_FALSE(path_exists(cgroup(controller, gone))) << controller << "/" << gone;
    }
  }
  CheckpointScan left = read_checkpoints(work_.path());
  ASSERT_EQ(left.checkpoints.size(), 1u);
  EXPECT_EQ(left.checkpoints[0].container, alive);

  // The adopted task is watched and killed like any other.
  ASSERT_TRUE(containerizer().running(alive));
  ASSERT_TRUE(containerizer().kill(alive, now(), Duration::seconds(5)));
  std::optional<ContainerEnded> end = wait_for_end(containerizer(), alive, 5);
  ASSERT_TRUE(end);
  EXPECT_EQ(end->outcome.state, TaskState::TASK_KILLED);
  EXPECT_FALSE(path_exists(cgroup("memory", alive)));
  EXPECT_TRUE(read_checkpoints(work_.path()).checkpoints.empty());
}

// Two agents on one machine share the cgroup root; each names its containers with its own
// prefix, and a restarted agent destroys only its own orphans. (Before prefixes, an agent that
// started swept the containers of every other agent on the machine as orphans.)
TEST_F(RecoveryTest, ARestartedAgentDestroysOnlyItsOwnOrphans) {
  ContainerizerOptions other = options_;
  other.container_prefix = "wbbbbbbbb-";
  TempDir other_work;
  other.work_dir = other_work.path();
  Containerizer neighbour(*isolator_, other);
  Result<std::string> theirs = neighbour.launch(command_task("theirs", "sleep 30"), now());
  ASSERT_TRUE(theirs) << theirs.error().message;
  EXPECT_EQ(theirs.value().rfind("wbbbbbbbb-c", 0), 0u) << theirs.value();

  options_.container_prefix = "waaaaaaaa-";
  ASSERT_TRUE(isolator_->prepare("waaaaaaaa-c1-1",
                                 ContainerLimits::from_resources(res("cpus:1;mem:64"))));
  RecoveryReport report = containerizer().recover(now());
  for (const Error& e : report.errors) ADD_FAILURE() << e.message;
  EXPECT_EQ(report.orphans_destroyed, std::vector<std::string>{"waaaaaaaa-c1-1"});
  EXPECT_TRUE(path_exists(cgroup("memory", theirs.value())));
  ASSERT_TRUE(neighbour.running(theirs.value()));

  Result<std::string> mine = containerizer().launch(command_task("mine", "sleep 30"), now());
  ASSERT_TRUE(mine) << mine.error().message;
  EXPECT_EQ(mine.value().rfind("waaaaaaaa-c", 0), 0u) << mine.value();
  (void)neighbour.destroy_all();
}

}  // namespace
}  // namespace mesosim::live
