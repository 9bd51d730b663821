// The live agent's launch queue: a RunTaskMessage records the task and queues its launch, and
// every other message is handled before the launches queued ahead of it (live_agent.hpp). When
// a launch runs is LaunchPacer's rule, tested in launch_pacer_test.cpp.

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "live_agent_test_util.hpp"
#include "sim/live/agent_checkpoint.hpp"
#include "sim/live/control_files.hpp"
#include "sim/live/live_agent.hpp"
#include "sim/live/live_agent_json.hpp"

namespace mesosim::live {
namespace {

using namespace mesosim::live::testing;
using v1::TaskState;
using v1::TaskStatusReason;
using v1::TaskStatusSource;

// A loop whose turns the test takes one at a time: turn() runs the timers due at the clock's
// time that were scheduled before the turn began (as LoopClock::fire does), and time does not
// move. So zero-delay timers advance one turn per turn(), a launch takes no time (the pacer
// then gives messages no share: a launch a turn) and nothing periodic fires.
class TurnClock final : public Clock {
 public:
  Time now() const override { return now_; }
  TimerId schedule(Duration delay, TimerCallback fn) override {
    const uint64_t id = ++next_id_;
    timers_.emplace(std::make_pair(now_ + delay, id), std::move(fn));
    return TimerId{id};
  }
  bool cancel(TimerId id) override {
    for (auto it = timers_.begin(); it != timers_.end(); ++it) {
      if (it->first.second == id.value) {
        timers_.erase(it);
        return true;
      }
    }
    return false;
  }
  void turn() {
    const uint64_t last = next_id_;
    while (!timers_.empty() && timers_.begin()->first.first <= now_ &&
           timers_.begin()->first.second <= last) {
      auto it = timers_.begin();
      TimerCallback fn = std::move(it->second);
      timers_.erase(it);
      fn();
    }
  }

 private:
  Time now_ = Time::from_micros(1'700'000'000'000'000);
  std::map<std::pair<Time, uint64_t>, TimerCallback> timers_;
  uint64_t next_id_ = 0;
};

class LaunchQueueTest : public LiveAgentTest {
 protected:
  // The fixture's agent, on the turn clock.
  void start_agent_on_turns() {
    isolator_ = make_isolator();
    ContainerizerOptions options;
    options.work_dir = work_.path();
    containerizer_ = std::make_unique<Containerizer>(*isolator_, options);
    agent_ =
        std::make_unique<LiveAgent>(kAgent, turns_, transport_, *containerizer_, Rng(7), config(),
                                    [this](const std::string& line) { log_.push_back(line); });
    ASSERT_TRUE(agent_->start());
    agent_->receive(kMaster, MasterDetectedMessage{kMaster});
    agent_->receive(kMaster, v1::AgentRegisteredMessage{v1::AgentID{"agent-1"}});
    ASSERT_TRUE(agent_->registered());
  }
  size_t launched() const { return containerizer_->containers().size(); }

  TurnClock turns_;
};

TEST_F(LaunchQueueTest, PingsAndAcknowledgementsBehindABurstOfLaunchesAreHandledFirst) {
  start_agent_on_turns();
  run_task("first", "sleep 30");
  while (agent_->queued_launches() > 0) turns_.turn();
  ASSERT_EQ(updates_of("first").size(), 1u);  // STARTING; RUNNING waits for its ack
  constexpr int kBurst = 40;
  for (int i = 0; i < kBurst; ++i) {
    run_task("b" + std::to_string(i), "sleep 30", framework_info("fw-1"), "cpus:0.01;mem:1");
  }
  // What the master sent after the burst, on one connection and in order.
  agent_->receive(kMaster, v1::PingAgentMessage{});
  ack(updates_of("first")[0]);

  EXPECT_EQ(transport_.all<v1::PongAgentMessage>().size(), 1u);
  ASSERT_EQ(updates_of("first").size(), 2u);  // the acknowledgement let RUNNING out
  EXPECT_EQ(updates_of("first")[1].status.state, TaskState::TASK_RUNNING);
  EXPECT_EQ(launched(), 1u);
  EXPECT_EQ(agent_->queued_launches(), size_t{kBurst});
  for (int i = 0; i < kBurst; ++i) {
    EXPECT_EQ(held("fw-1", "b" + std::to_string(i))->state, TaskState::TASK_STAGING);
  }
  // Everything runs in the end, in the order it came.
  while (agent_->queued_launches() > 0) turns_.turn();
  EXPECT_EQ(launched(), size_t{kBurst} + 1);
  EXPECT_LT(held("fw-1", "b0")->container, held("fw-1", "b1")->container);
}

TEST_F(LaunchQueueTest, AQueuedLaunchKilledBeforeItRunsEndsKilledAndNeverForks) {
  start_agent_on_turns();
  v1::FrameworkInfo framework = framework_info("fw-1");
  framework.capabilities = {v1::FrameworkCapability::TASK_KILLING_STATE};
  run_task("t1", "sleep 30", framework);
  agent_->receive(kMaster, v1::KillTaskMessage{v1::FrameworkID{"fw-1"}, v1::TaskID{"t1"}});

  ASSERT_EQ(updates_of("t1").size(), 1u);  // no TASK_KILLING: there is nothing to kill
  const v1::StatusUpdate killed = updates_of("t1")[0];
  EXPECT_EQ(killed.status.state, TaskState::TASK_KILLED);
  EXPECT_EQ(killed.status.source, TaskStatusSource::SOURCE_AGENT);
  EXPECT_EQ(killed.status.reason, TaskStatusReason::REASON_TASK_KILLED_DURING_LAUNCH);
  EXPECT_TRUE(agent_->used().empty());
  for (int turn = 0; turn < 3 * LaunchPacer::kQuietTurns; ++turn) turns_.turn();
  EXPECT_EQ(agent_->queued_launches(), 0u);
  EXPECT_EQ(launched(), 0u);
  // Never forked: no sandbox was made for it.
  EXPECT_FALSE(path_exists(work_.path() + "/slaves"));
  EXPECT_EQ(updates_of("t1").size(), 1u);
}

TEST_F(LaunchQueueTest, ShutdownsDropQueuedLaunchesWithMesossTerminalStates) {
  start_agent_on_turns();
  run_task("a", "sleep 30", framework_info("fw-1"));
  run_task("b", "sleep 30", framework_info("fw-2"));
  run_task("c", "sleep 30", framework_info("fw-2"));
  agent_->receive(kMaster,
                  v1::ShutdownExecutorMessage{v1::FrameworkID{"fw-1"}, v1::ExecutorID{"a"}});
  ASSERT_EQ(updates_of("a").size(), 1u);
  EXPECT_EQ(updates_of("a")[0].status.state, TaskState::TASK_FAILED);
  EXPECT_EQ(updates_of("a")[0].status.reason, TaskStatusReason::REASON_EXECUTOR_TERMINATED);

  agent_->receive(kMaster, v1::ShutdownFrameworkMessage{v1::FrameworkID{"fw-2"}});
  // No update: no scheduler is left to acknowledge it.
  EXPECT_TRUE(updates_of("b").empty());
  EXPECT_EQ(agent_->frameworks().count(v1::FrameworkID{"fw-2"}), 0u);
  EXPECT_EQ(agent_->completed_frameworks().back().completed.back().state, TaskState::TASK_KILLED);
  EXPECT_TRUE(agent_->used().empty());
  for (int turn = 0; turn < 4 * LaunchPacer::kQuietTurns; ++turn) turns_.turn();
  EXPECT_EQ(agent_->queued_launches(), 0u);
  EXPECT_EQ(launched(), 0u);
}

TEST_F(LaunchQueueTest, ReregistrationAndStateListQueuedTasksAsStaging) {
  start_agent_on_turns();
  run_task("q", "sleep 30");
  // The master thinks the agent disconnected: it re-registers with what it holds.
  agent_->receive(kMaster, v1::PingAgentMessage{false});
  ASSERT_EQ(transport_.all<v1::ReregisterAgentMessage>().size(), 1u);
  const auto tasks = transport_.all<v1::ReregisterAgentMessage>()[0].tasks;
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].task_id, v1::TaskID{"q"});
  EXPECT_EQ(tasks[0].state, TaskState::TASK_STAGING);

  const nlohmann::json state = agent_state_json(*agent_, "test", nlohmann::json::object());
  const nlohmann::json& executor = state["frameworks"][0]["executors"][0];
  EXPECT_TRUE(executor["tasks"].empty());
  ASSERT_EQ(executor["queued_tasks"].size(), 1u);
  EXPECT_EQ(executor["queued_tasks"][0]["state"], "TASK_STAGING");
  EXPECT_TRUE(monitor_statistics_json(*agent_, turns_.now()).empty());

  // A queued launch goes on while the agent re-registers.
  while (agent_->queued_launches() > 0) turns_.turn();
  EXPECT_EQ(launched(), 1u);
  const nlohmann::json after = agent_state_json(*agent_, "test", nlohmann::json::object());
  EXPECT_EQ(after["frameworks"][0]["executors"][0]["tasks"].size(), 1u);
  EXPECT_TRUE(after["frameworks"][0]["executors"][0]["queued_tasks"].empty());
}

TEST_F(LaunchQueueTest, ACheckpointedTaskThatNeverLaunchedIsLostAfterARestart) {
  start_agent_on_turns();
  v1::FrameworkInfo aware = framework_info("fw-2");
  aware.capabilities = {v1::FrameworkCapability::PARTITION_AWARE};
  run_task("never", "sleep 30", framework_info("fw-1"));
  run_task("never-aware", "sleep 30", aware);
  // The daemon is stopped (SIGTERM) with both launches queued.
  agent_->stop_launching();
  EXPECT_EQ(agent_->queued_launches(), 0u);
  stop_agent();
  Result<std::optional<AgentCheckpoint>> saved = read_agent_checkpoint(work_.path());
  ASSERT_TRUE(saved && saved.value());
  EXPECT_EQ(saved.value()->frameworks.at(0).tasks.at(v1::TaskID{"never"}).state,
            TaskState::TASK_STAGING);

  start_agent();
  EXPECT_EQ(held("fw-1", "never")->state, TaskState::TASK_LOST);
  EXPECT_EQ(held("fw-2", "never-aware")->state, TaskState::TASK_DROPPED);
  EXPECT_TRUE(agent_->used().empty());
  agent_->receive(kMaster, MasterDetectedMessage{kMaster});
  agent_->receive(kMaster, v1::AgentReregisteredMessage{v1::AgentID{"agent-1"}, {}});
  ASSERT_TRUE(ack_until("never", TaskState::TASK_LOST));
  const v1::StatusUpdate lost = updates_of("never").back();
  EXPECT_EQ(lost.status.reason, TaskStatusReason::REASON_AGENT_RESTARTED);
  EXPECT_EQ(lost.status.source, TaskStatusSource::SOURCE_AGENT);
  ASSERT_TRUE(ack_until("never-aware", TaskState::TASK_DROPPED));
  clock_.run_for(0.1);
  EXPECT_TRUE(containerizer_->containers().empty());
  EXPECT_FALSE(path_exists(work_.path() + "/slaves"));
}

TEST_F(LaunchQueueTest, UsageCarriesTheTasksAllocationAsItsLimits) {
  start_agent_on_turns();
  run_task("t1", "sleep 30", framework_info("fw-1"), "cpus:0.5;mem:64");
  while (agent_->queued_launches() > 0) turns_.turn();
  const nlohmann::json stats = monitor_statistics_json(*agent_, turns_.now());
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_DOUBLE_EQ(stats[0]["statistics"]["cpus_limit"].get<double>(), 0.5);
  EXPECT_EQ(stats[0]["statistics"]["mem_limit_bytes"].get<uint64_t>(), 64u << 20);
}

}  // namespace
}  // namespace mesosim::live
