// A LiveAgent restarted on the same work dir, and a LiveAgent on real cgroups v1.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "live_agent_test_util.hpp"
#include "sim/live/agent_checkpoint.hpp"
#include "sim/live/live_agent.hpp"
#include "sim/live/live_agent_json.hpp"

namespace mesosim::live {
namespace {

using namespace mesosim::live::testing;
using v1::TaskState;
using v1::TaskStatusReason;

const v1::Task* find(const std::vector<v1::Task>& tasks, const std::string& id) {
  for (const v1::Task& t : tasks) {
    if (t.task_id.value == id) return &t;
  }
  return nullptr;
}

TEST_F(LiveAgentTest, RestartReadoptsCheckpointedTasksReportsDeadOnesAndKillsTheRest) {
  start_agent();
  detect_and_register();
  run_task("long", "sleep 30", framework_info("fw-1"), "cpus:0.5;mem:64;ports:[31000-31001]");
  run_task("short", "sleep 0.3", framework_info("fw-1"), "cpus:0.5;mem:64;ports:[31002-31002]");
  run_task("volatile", "sleep 30", framework_info("fw-2", /*checkpoint=*/false));
  ASSERT_TRUE(ack_until("long", TaskState::TASK_RUNNING));
  ASSERT_TRUE(ack_until("short", TaskState::TASK_STARTING));  // RUNNING left unacknowledged
  const pid_t long_pid = *containerizer_->pid(held("fw-1", "long")->container);
  const pid_t short_pid = *containerizer_->pid(held("fw-1", "short")->container);
  const pid_t volatile_pid = *containerizer_->pid(held("fw-2", "volatile")->container);

  stop_agent();  // the agent process dies; its tasks do not
  ASSERT_TRUE(eventually([&] { return !process_alive(short_pid); }));
  EXPECT_TRUE(process_alive(long_pid));
  transport_.sent.clear();

  start_agent();
  EXPECT_EQ(agent_->agent_id(), v1::AgentID{"agent-1"});
  // The task of the framework that does not checkpoint is killed, not adopted.
  ASSERT_TRUE(clock_.run_until([&] { return !process_alive(volatile_pid); }, 5));
  EXPECT_TRUE(process_alive(long_pid));

  agent_->receive(kMaster, MasterDetectedMessage{kMaster});
  std::vector<v1::ReregisterAgentMessage> rereg = transport_.all<v1::ReregisterAgentMessage>();
  ASSERT_EQ(rereg.size(), 1u);
  EXPECT_TRUE(transport_.all<v1::RegisterAgentMessage>().empty());
  EXPECT_EQ(rereg[0].agent.id, v1::AgentID{"agent-1"});
  ASSERT_EQ(rereg[0].tasks.size(), 2u);
  ASSERT_NE(find(rereg[0].tasks, "long"), nullptr);
  EXPECT_EQ(find(rereg[0].tasks, "long")->state, TaskState::TASK_RUNNING);
  EXPECT_EQ(find(rereg[0].tasks, "long")->resources, res("cpus:0.5;mem:64;ports:[31000-31001]"));
  ASSERT_NE(find(rereg[0].tasks, "short"), nullptr);
  EXPECT_EQ(find(rereg[0].tasks, "short")->state, TaskState::TASK_FAILED);
  EXPECT_EQ(find(rereg[0].tasks, "volatile"), nullptr);
  ASSERT_EQ(rereg[0].frameworks.size(), 1u);
  EXPECT_EQ(rereg[0].frameworks[0].id, v1::FrameworkID{"fw-1"});
  EXPECT_TRUE(rereg[0].frameworks[0].checkpoint);

  // Once re-registered: the unacknowledged RUNNING of "short" first, then its end.
  agent_->receive(kMaster, v1::AgentReregisteredMessage{v1::AgentID{"agent-1"}, {}});
  ASSERT_TRUE(ack_until("short", TaskState::TASK_FAILED));
  EXPECT_EQ(states_of("short"),
            (std::vector<TaskState>{TaskState::TASK_RUNNING, TaskState::TASK_FAILED}));
  EXPECT_EQ(updates_of("short").back().status.reason, TaskStatusReason::REASON_EXECUTOR_TERMINATED);

  // The adopted task is the agent's again: it can be killed.
  agent_->receive(kMaster, v1::KillTaskMessage{v1::FrameworkID{"fw-1"}, v1::TaskID{"long"}});
  ASSERT_TRUE(ack_until("long", TaskState::TASK_KILLED, 5));
  EXPECT_FALSE(process_alive(long_pid));
  EXPECT_TRUE(containerizer_->containers().empty());
  // The container checkpoint goes with its destroy, which the agent's poll does finish_delay
  // after the end.
  EXPECT_TRUE(
      clock_.run_until([&] { return read_checkpoints(work_.path()).checkpoints.empty(); }, 5));
}

TEST_F(LiveAgentTest, ForgottenTasksAndFrameworksLeaveNoCheckpointAndOthersAreNotRewritten) {
  start_agent();
  detect_and_register();
  run_task("kept", "sleep 30");
  run_task("done", "sleep 30");
  run_task("other", "sleep 30", framework_info("fw-2"));
  for (const char* task : {"kept", "done", "other"}) {
    ASSERT_TRUE(ack_until(task, TaskState::TASK_RUNNING)) << task;
  }
  const v1::FrameworkID fw1{"fw-1"};
  const std::string kept_dir = task_checkpoint_dir(work_.path(), fw1, v1::TaskID{"kept"});
  const std::string done_dir = task_checkpoint_dir(work_.path(), fw1, v1::TaskID{"done"});
  ASSERT_TRUE(is_directory(done_dir));
  const auto identity = [](const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return std::make_tuple(st.st_ino, st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
  };
  const auto kept_info = identity(kept_dir + "/task.json");
  const auto kept_log = identity(kept_dir + "/task.updates");

  agent_->receive(kMaster, v1::KillTaskMessage{fw1, v1::TaskID{"done"}});
  ASSERT_TRUE(ack_until("done", TaskState::TASK_KILLED, 5));
  EXPECT_FALSE(path_exists(done_dir));
  EXPECT_EQ(identity(kept_dir + "/task.json"), kept_info);
  EXPECT_EQ(identity(kept_dir + "/task.updates"), kept_log);

  agent_->receive(kMaster, v1::ShutdownFrameworkMessage{v1::FrameworkID{"fw-2"}});
  EXPECT_FALSE(path_exists(framework_checkpoint_dir(work_.path(), v1::FrameworkID{"fw-2"})));

  const LiveTask before = *held("fw-1", "kept");
  stop_agent();
  start_agent();
  ASSERT_EQ(agent_->frameworks().size(), 1u);
  ASSERT_EQ(agent_->frameworks().at(fw1).tasks.size(), 1u);
  const LiveTask* kept = held("fw-1", "kept");
  ASSERT_NE(kept, nullptr);
  EXPECT_EQ(kept->state, TaskState::TASK_RUNNING);
  EXPECT_EQ(kept->statuses, before.statuses);
  EXPECT_EQ(kept->container, before.container);
  EXPECT_EQ(kept->sandbox, before.sandbox);
  EXPECT_EQ(kept->acknowledged, 2u);
  EXPECT_TRUE(kept->unacknowledged.empty());
  EXPECT_EQ(identity(kept_dir + "/task.updates"), kept_log);  // recovery changed nothing

  // Its last task forgotten, the framework's directory goes.
  agent_->receive(kMaster, MasterDetectedMessage{kMaster});
  agent_->receive(kMaster, v1::AgentReregisteredMessage{v1::AgentID{"agent-1"}, {}});
  agent_->receive(kMaster, v1::KillTaskMessage{fw1, v1::TaskID{"kept"}});
  ASSERT_TRUE(ack_until("kept", TaskState::TASK_KILLED, 5));
  EXPECT_FALSE(path_exists(framework_checkpoint_dir(work_.path(), fw1)));
  EXPECT_TRUE(path_exists(agent_checkpoint_path(work_.path())));
}

TEST_F(LiveAgentTest, UnreadableAgentCheckpointStopsTheStartNamingTheFileAndLine) {
  LiveFramework framework;
  framework.info = framework_info("fw-1");
  LiveTask task;
  task.framework_id = *framework.info.id;
  task.info.task_id = v1::TaskID{"t1"};
  task.statuses = {{TaskState::TASK_STARTING, Time::from_micros(1)}};
  ASSERT_TRUE(write_framework_checkpoint(work_.path(), framework));
  ASSERT_TRUE(write_task_checkpoint(work_.path(), task));
  task.statuses.emplace_back(TaskState::TASK_RUNNING, Time::from_micros(2));
  ASSERT_TRUE(write_task_checkpoint(work_.path(), task));
  const std::string log =
      task_checkpoint_dir(work_.path(), task.framework_id, task.info.task_id) + "/task.updates";
  const std::string lines = testing::slurp(log);
  ASSERT_TRUE(write_file_atomically(
      log, lines.substr(0, lines.find('\n') + 1) + "{\"x\n" + lines.substr(lines.find('\n') + 1)));
  isolator_ = make_isolator();
  ContainerizerOptions options;
  options.work_dir = work_.path();
  containerizer_ = std::make_unique<Containerizer>(*isolator_, options);
  agent_ =
      std::make_unique<LiveAgent>(kAgent, clock_, transport_, *containerizer_, Rng(7), config());
  Status started = agent_->start();
  ASSERT_FALSE(started);
  EXPECT_NE(started.error().message.find(log + ":2: not a JSON object"), std::string::npos)
      << started.error().message;
}

// The same agent on real cgroups v1, under a root of its own that is removed afterwards.
class LiveAgentCgroupsV1Test : public LiveAgentTest {
 protected:
  void SetUp() override {
    if (std::optional<std::string> reason = v1_unavailable_reason()) {
      GTEST_SKIP() << "cgroups v1 not usable: " << *reason;
    }
    root_ = "mesosim-test-agent-" + std::to_string(::getpid());
  }
  void TearDown() override {
    LiveAgentTest::TearDown();
    if (!root_.empty()) remove_v1_root(root_);
  }
  std::unique_ptr<Isolator> make_isolator() override {
    return make_cgroups_v1_isolator(CgroupsV1Layout{"/sys/fs/cgroup", root_});
  }
  std::string root_;
};

TEST_F(LiveAgentCgroupsV1Test, MemoryHogFailsWithTheMemoryLimitationReason) {
  start_agent();
  detect_and_register();
  run_task("hog", "x=$(head -c 200000000 /dev/zero | tr '\\0' a); sleep 1; exit 0",
           framework_info("fw-1"), "cpus:1;mem:64");
  ASSERT_TRUE(ack_until("hog", TaskState::TASK_FAILED, 20));
  const v1::StatusUpdate failed = updates_of("hog").back();
  EXPECT_EQ(failed.status.reason, TaskStatusReason::REASON_CONTAINER_LIMITATION_MEMORY);
  EXPECT_EQ(failed.status.message.rfind("Memory limit exceeded: Requested: 64MB ", 0), 0u)
      << failed.status.message;
  EXPECT_TRUE(containerizer_->containers().empty());
}

TEST_F(LiveAgentCgroupsV1Test, UsageReportsCarryTheTasksMemory) {
  start_agent();
  detect_and_register();
  run_task("t1", "x=$(head -c 20000000 /dev/zero | tr '\\0' a); sleep 30", framework_info("fw-1"),
           "cpus:1;mem:128");
  ASSERT_TRUE(ack_until("t1", TaskState::TASK_RUNNING));
  ASSERT_TRUE(clock_.run_until(
      [&] {
        for (const auto& report : transport_.all<v1::UsageReportMessage>()) {
          for (const auto& sample : report.samples) {
            if (sample.task_id.value == "t1" &&
                sample.usage.get(ResourceName::mem()) > Scalar::from_units(10)) {
              return true;
            }
          }
        }
        return false;
      },
      10));
  nlohmann::json stats = monitor_statistics_json(*agent_, clock_.now());
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_EQ(stats[0]["statistics"]["mem_limit_bytes"].get<uint64_t>(), 128u << 20);
  EXPECT_DOUBLE_EQ(stats[0]["statistics"]["cpus_limit"].get<double>(), 1.0);
}

TEST_F(LiveAgentCgroupsV1Test, RestartLeavesNoCgroupOrProcessBehind) {
  start_agent();
  detect_and_register();
  run_task("kept", "sleep 30");
  run_task("dropped", "sleep 30", framework_info("fw-2", /*checkpoint=*/false));
  ASSERT_TRUE(ack_until("kept", TaskState::TASK_RUNNING));
  const std::string kept = held("fw-1", "kept")->container;
  const std::string dropped = held("fw-2", "dropped")->container;
  const pid_t dropped_pid = *containerizer_->pid(dropped);
  const std::string memory = "/sys/fs/cgroup/memory/" + root_ + "/";
  ASSERT_TRUE(path_exists(memory + dropped));

  stop_agent();
  start_agent();
  ASSERT_TRUE(clock_.run_until([&] { return !path_exists(memory + dropped); }, 5));
  EXPECT_FALSE(process_alive(dropped_pid));
  EXPECT_TRUE(path_exists(memory + kept));

  agent_->receive(kMaster, MasterDetectedMessage{kMaster});
  agent_->receive(kMaster, v1::AgentReregisteredMessage{v1::AgentID{"agent-1"}, {}});
  agent_->receive(kMaster, v1::KillTaskMessage{v1::FrameworkID{"fw-1"}, v1::TaskID{"kept"}});
  ASSERT_TRUE(ack_until("kept", TaskState::TASK_KILLED, 5)) << ::testing::PrintToString(log_);
  EXPECT_FALSE(path_exists(memory + kept));
  Result<std::vector<std::string>> left = isolator_->containers();
  ASSERT_TRUE(left);
  EXPECT_TRUE(left.value().empty());
}

}  // namespace
}  // namespace mesosim::live
