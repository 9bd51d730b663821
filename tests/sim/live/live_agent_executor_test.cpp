// The live agent's executor messages: ShutdownExecutorMessage (a scheduler's SHUTDOWN) and
// FrameworkToExecutorMessage (its MESSAGE), for command tasks run as real processes.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "live_agent_test_util.hpp"
#include "sim/live/live_agent.hpp"

namespace mesosim::live {
namespace {

using namespace mesosim::live::testing;
using v1::TaskState;

bool logged(const std::vector<std::string>& log, const std::string& needle) {
  return std::any_of(log.begin(), log.end(), [&](const std::string& line) {
    return line.find(needle) != std::string::npos;
  });
}

// Mesos's command executor turns a shutdown into a kill of its task: SIGTERM, TASK_KILLED.
TEST_F(LiveAgentTest, ShutdownOfACommandExecutorKillsItsTask) {
  start_agent();
  detect_and_register();
  run_task("t1", "sleep 30");
  ASSERT_TRUE(ack_until("t1", TaskState::TASK_RUNNING));
  const pid_t pid = *containerizer_->pid(held("fw-1", "t1")->container);
  agent_->receive(kMaster,
                  v1::ShutdownExecutorMessage{v1::FrameworkID{"fw-1"}, v1::ExecutorID{"t1"}});
  ASSERT_TRUE(ack_until("t1", TaskState::TASK_KILLED, 5));
  EXPECT_FALSE(updates_of("t1").back().status.reason.has_value());
  EXPECT_EQ(updates_of("t1").back().status.message, "Command terminated with signal Terminated");
  EXPECT_TRUE(eventually([&] { return !process_alive(pid); }));
  EXPECT_TRUE(logged(log_, "Shutting down executor 't1' of framework fw-1"));
}

TEST_F(LiveAgentTest, ShutdownOfAnUnknownExecutorIsLoggedAndIgnored) {
  start_agent();
  detect_and_register();
  run_task("t1", "sleep 30");
  ASSERT_TRUE(ack_until("t1", TaskState::TASK_RUNNING));
  const size_t sent = transport_.sent_besides_usage_reports();
  agent_->receive(kMaster,
                  v1::ShutdownExecutorMessage{v1::FrameworkID{"fw-1"}, v1::ExecutorID{"nope"}});
  agent_->receive(kMaster,
                  v1::ShutdownExecutorMessage{v1::FrameworkID{"fw-9"}, v1::ExecutorID{"t1"}});
  clock_.run_for(0.3);
  EXPECT_EQ(transport_.sent_besides_usage_reports(), sent);
  EXPECT_TRUE(logged(log_, "Ignoring shutdown of unknown executor 'nope' of framework fw-1"));
  EXPECT_TRUE(logged(log_, "Cannot shut down executor 't1' of framework fw-9"));
  EXPECT_EQ(states_of("t1").back(), TaskState::TASK_RUNNING);
  EXPECT_EQ(containerizer_->containers().size(), 1u);
}

// Mesos's command executor ignores framework messages; the task runs on.
TEST_F(LiveAgentTest, AFrameworkMessageIsLoggedAndIgnoredByTheCommandExecutor) {
  start_agent();
  detect_and_register();
  run_task("t1", "sleep 30");
  ASSERT_TRUE(ack_until("t1", TaskState::TASK_RUNNING));
  const size_t sent = transport_.sent_besides_usage_reports();
  agent_->receive(kMaster,
                  v1::FrameworkToExecutorMessage{*agent_->agent_id(), v1::FrameworkID{"fw-1"},
                                                 v1::ExecutorID{"t1"}, "hello"});
  agent_->receive(kMaster,
                  v1::FrameworkToExecutorMessage{*agent_->agent_id(), v1::FrameworkID{"fw-1"},
                                                 v1::ExecutorID{"nope"}, "hello"});
  EXPECT_TRUE(logged(log_, "Ignoring a framework message of 5 bytes for executor 't1'"));
  EXPECT_TRUE(logged(log_, "Dropping a framework message for unknown executor 'nope'"));
  EXPECT_EQ(transport_.sent_besides_usage_reports(), sent);
  EXPECT_EQ(states_of("t1").back(), TaskState::TASK_RUNNING);
}

}  // namespace
}  // namespace mesosim::live
