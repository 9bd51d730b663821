// A LiveAgent restarted on the same work dir, and a LiveAgent on real cgroups v1.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <string>
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
  EXPECT_TRUE(read_checkpoints(work_.path()).checkpoints.empty());
}

TEST_F(LiveAgentTest, UnreadableAgentCheckpointStopsTheStartNamingTheFile) {
  ASSERT_TRUE(make_directories(work_.path() + "/meta"));
  ASSERT_TRUE(write_file_atomically(agent_checkpoint_path(work_.path()),
                                    R"({"agent_id":"a1","frameworks":[{"id":3}]})"));
  isolator_ = make_isolator();
  ContainerizerOptions options;
  options.work_dir = work_.path();
  containerizer_ = std::make_unique<Containerizer>(*isolator_, options);
  agent_ =
      std::make_unique<LiveAgent>(kAgent, clock_, transport_, *containerizer_, Rng(7), config());
  Status started = agent_->start();
  ASSERT_FALSE(started);
  EXPECT_NE(started.error().message.find("meta/agent.json"), std::string::npos);
  EXPECT_NE(started.error().message.find("expected a string at 'frameworks[0].id'"),
            std::string::npos)
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
