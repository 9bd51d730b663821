// SimAgent: registration, tasks under command and custom executors with their timed states,
// kills, launches it must refuse, and usage. Its status updates are in
// sim_agent_updates_test.cpp; its connection to the master (pings, re-registration, crashes,
// shutdown) in sim_agent_connection_test.cpp.

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/master/uuid.hpp"
#include "sim/sim_agent.hpp"
#include "tests/sim/sim_agent_test_fixture.hpp"

namespace mesosim {
namespace {

using namespace mesosim::sim_agent_testing;
using v1::TaskState;
using v1::TaskStatusReason;
using v1::TaskStatusSource;

TEST_F(SimAgentTest, RegistersOnMasterDetectedAndRetriesWithDoublingBackoff) {
  agent->receive(kDetector, MasterDetectedMessage{kMaster});
  EXPECT_EQ(net.links, (std::vector<std::pair<Endpoint, Endpoint>>{{kAgent, kMaster}}));
  run_until(200);
  std::vector<Time> times;
  for (auto& [at, m] : net.all<v1::RegisterAgentMessage>()) {
    times.push_back(at);
    EXPECT_EQ(m.agent.hostname, "host1");
    EXPECT_FALSE(m.agent.id.has_value());
    EXPECT_EQ(m.agent.resources, res("cpus:4;mem:1024"));
    EXPECT_EQ(m.agent.attributes, (std::vector<v1::Attribute>{{"rack", "r1"}}));
  }
  // 1 s doubling, the interval capped at one minute.
  const std::vector<Time> want = {at_s(0),  at_s(1),  at_s(3),   at_s(7),  at_s(15),
                                  at_s(31), at_s(63), at_s(123), at_s(183)};
  EXPECT_EQ(times, want);
  EXPECT_EQ(net.sent.size(), want.size());

  agent->receive(kStranger, v1::AgentRegisteredMessage{{"agent-x"}});
  EXPECT_FALSE(agent->registered());
  from_master(v1::AgentRegisteredMessage{{"agent-1"}});
  EXPECT_TRUE(agent->registered());
  EXPECT_EQ(agent->agent_id(), v1::AgentID{"agent-1"});
  net.sent.clear();
  run_until(1000);
  EXPECT_TRUE(net.all<v1::RegisterAgentMessage>().empty());
}

TEST_F(SimAgentTest, IgnoresMessagesFromEndpointsOtherThanTheLeader) {
  register_agent();
  agent->receive(kStranger, run("t1", 5));
  agent->receive(kStranger, v1::PingAgentMessage{});
  agent->receive(kStranger, v1::ShutdownAgentMessage{"no"});
  run_until(10);
  EXPECT_TRUE(net.sent.empty());
  EXPECT_EQ(agent->live_tasks(), 0u);
  EXPECT_TRUE(agent->alive());
}

TEST_F(SimAgentTest, CommandTaskGoesStartingRunningFinishedAtTheRightTimes) {
  register_agent();
  from_master(run("t1", 10));
  EXPECT_EQ(agent->used(), res("cpus:1;mem:128"));
  EXPECT_EQ(agent->live_tasks(), 1u);
  run_acking_until(100);

  auto sent = updates();
  ASSERT_EQ(sent.size(), 3u);
  const std::vector<std::pair<Time, TaskState>> want = {{at_s(0.5), TaskState::TASK_STARTING},
                                                        {at_s(0.6), TaskState::TASK_RUNNING},
                                                        {at_s(10.6), TaskState::TASK_FINISHED}};
  for (size_t i = 0; i < sent.size(); ++i) {
    const v1::StatusUpdate& u = sent[i].second;
    EXPECT_EQ(sent[i].first, want[i].first);
    EXPECT_EQ(u.status.state, want[i].second);
    EXPECT_EQ(u.status.timestamp, want[i].first);
    EXPECT_EQ(u.status.source, TaskStatusSource::SOURCE_EXECUTOR);
    EXPECT_EQ(u.status.executor_id, v1::ExecutorID{"t1"});  // command executor id = task id
    EXPECT_EQ(u.status.agent_id, v1::AgentID{"agent-1"});
    EXPECT_EQ(u.framework_id, v1::FrameworkID{"f1"});
    EXPECT_EQ(u.latest_state, want[i].second);
  }
  EXPECT_EQ(agent->live_tasks(), 0u);
  EXPECT_TRUE(agent->used().empty());
  EXPECT_TRUE(agent->tasks().empty());  // the terminal update was acknowledged
  EXPECT_EQ(agent->pending_updates(), 0u);
}

TEST_F(SimAgentTest, FailingWorkEndsInTaskFailed) {
  register_agent();
  auto m = run("t1", 2);
  m.task.work->final_state = TaskState::TASK_FAILED;
  from_master(std::move(m));
  run_acking_until(10);
  EXPECT_EQ(states(), (std::vector<TaskState>{TaskState::TASK_STARTING, TaskState::TASK_RUNNING,
                                              TaskState::TASK_FAILED}));
  EXPECT_EQ(updates().back().first, at_s(2.6));
}

TEST_F(SimAgentTest, LaterTasksOfACustomExecutorSkipTheLaunchDelay) {
  register_agent();
  from_master(run("a", 20, "ex"));
  run_acking_until(0.2);
  from_master(run("b", 20, "ex"));  // queued while the executor comes up
  run_acking_until(2);
  from_master(run("c", 20, "ex"));  // the executor is up
  run_acking_until(3);

  std::vector<std::tuple<Time, std::string, TaskState>> got;
  for (auto& [at, u] : updates()) {
    got.emplace_back(at, u.status.task_id.value, u.status.state);
    EXPECT_EQ(u.status.executor_id, v1::ExecutorID{"ex"});
  }
  const std::vector<std::tuple<Time, std::string, TaskState>> want = {
      {at_s(0.5), "a", TaskState::TASK_STARTING}, {at_s(0.5), "b", TaskState::TASK_STARTING},
      {at_s(0.6), "a", TaskState::TASK_RUNNING},  {at_s(0.6), "b", TaskState::TASK_RUNNING},
      {at_s(2), "c", TaskState::TASK_STARTING},   {at_s(2.1), "c", TaskState::TASK_RUNNING}};
  EXPECT_EQ(got, want);
}

TEST_F(SimAgentTest, ExecutorEndsWithItsLastTaskSoTheNextTaskWaitsForALaunchAgain) {
  register_agent();
  from_master(run("a", 1, "ex"));
  run_acking_until(5);  // a finished at 1.6: executor gone
  net.sent.clear();
  acked_ = 0;
  from_master(run("b", 1, "ex"));
  run_acking_until(10);
  ASSERT_FALSE(updates().empty());
  EXPECT_EQ(updates().front().first, at_s(5.5));
}

TEST_F(SimAgentTest, KillWithoutKillingStateReportsKilledAfterTheGrace) {
  register_agent();
  from_master(run("t1", 100));
  run_acking_until(10);
  from_master(v1::KillTaskMessage{{"f1"}, {"t1"}});
  from_master(v1::KillTaskMessage{{"f1"}, {"t1"}});  // a second kill changes nothing
  run_acking_until(200);
  auto sent = updates();
  EXPECT_EQ(states(), (std::vector<TaskState>{TaskState::TASK_STARTING, TaskState::TASK_RUNNING,
                                              TaskState::TASK_KILLED}));
  EXPECT_EQ(sent.back().first, at_s(13));
  EXPECT_EQ(sent.back().second.status.source, TaskStatusSource::SOURCE_EXECUTOR);
  EXPECT_EQ(agent->live_tasks(), 0u);
}

TEST_F(SimAgentTest, KillWithKillingStateReportsKillingAtOnce) {
  register_agent();
  from_master(run("t1", 100, std::nullopt, "cpus:1", framework("f1", true)));
  run_acking_until(10);
  from_master(v1::KillTaskMessage{{"f1"}, {"t1"}});
  ack_new();
  EXPECT_EQ(agent->tasks().at(0).state, TaskState::TASK_KILLING);
  EXPECT_EQ(agent->usage(), res("cpus:1"));  // still running during the grace period
  run_acking_until(200);
  auto sent = updates();
  ASSERT_EQ(sent.size(), 4u);
  EXPECT_EQ(sent[2].first, at_s(10));
  EXPECT_EQ(sent[2].second.status.state, TaskState::TASK_KILLING);
  EXPECT_EQ(sent[3].first, at_s(13));
  EXPECT_EQ(sent[3].second.status.state, TaskState::TASK_KILLED);
  EXPECT_TRUE(agent->usage().empty());
}

TEST_F(SimAgentTest, KillDuringLaunchReportsKilledAtOnce) {
  register_agent();
  from_master(run("t1", 100, "ex", "cpus:1", framework("f1", true)));
  run_until(0.2);
  from_master(v1::KillTaskMessage{{"f1"}, {"t1"}});
  run_acking_until(10);
  auto sent = updates();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].first, at_s(0.2));
  EXPECT_EQ(sent[0].second.status.state, TaskState::TASK_KILLED);
  EXPECT_EQ(sent[0].second.status.reason, TaskStatusReason::REASON_TASK_KILLED_DURING_LAUNCH);
  EXPECT_EQ(sent[0].second.status.source, TaskStatusSource::SOURCE_AGENT);
  EXPECT_EQ(agent->live_tasks(), 0u);
  // Its executor never came up and is gone: the next task launches one anew.
  from_master(run("t2", 100, "ex"));
  run_acking_until(20);
  EXPECT_EQ(updates().at(1).first, at_s(10.5));
}

// Not in Mesos (its agent ignores a kill for a framework it does not know): see sim/README.md.
TEST_F(SimAgentTest, KillOfATaskOfAnUnknownFrameworkIsDropped) {
  register_agent();
  from_master(v1::KillTaskMessage{{"f1"}, {"ghost"}});
  auto sent = updates();
  ASSERT_EQ(sent.size(), 1u);
  const v1::TaskStatus& s = sent[0].second.status;
  EXPECT_EQ(s.task_id, v1::TaskID{"ghost"});
  EXPECT_EQ(s.state, TaskState::TASK_DROPPED);
  EXPECT_EQ(s.reason, TaskStatusReason::REASON_TASK_UNKNOWN);
  EXPECT_EQ(s.source, TaskStatusSource::SOURCE_AGENT);
  EXPECT_TRUE(s.uuid.has_value());  // reliable like any other update
  EXPECT_TRUE(agent->tasks().empty());
}

// Mesos's Slave::killTask: "Cannot find executor", TASK_LOST to a framework that is not
// partition-aware, TASK_DROPPED to one that is.
TEST_F(SimAgentTest, KillOfAnUnknownTaskOfAKnownFrameworkIsLostOrDroppedAsMesos) {
  register_agent();
  v1::FrameworkInfo aware = framework("f2");
  aware.capabilities.push_back(v1::FrameworkCapability::PARTITION_AWARE);
  from_master(run("t1", -1));
  from_master(run("t2", -1, std::nullopt, "cpus:1;mem:128", aware));
  const size_t before = updates().size();
  from_master(v1::KillTaskMessage{{"f1"}, {"ghost"}});
  from_master(v1::KillTaskMessage{{"f2"}, {"ghost"}});
  auto sent = updates();
  ASSERT_EQ(sent.size(), before + 2);
  const v1::TaskStatus& lost = sent[before].second.status;
  EXPECT_EQ(lost.state, TaskState::TASK_LOST);
  EXPECT_EQ(lost.reason, TaskStatusReason::REASON_EXECUTOR_TERMINATED);
  EXPECT_EQ(lost.message, "Cannot find executor");
  const v1::TaskStatus& dropped = sent[before + 1].second.status;
  EXPECT_EQ(dropped.state, TaskState::TASK_DROPPED);
  EXPECT_EQ(dropped.reason, TaskStatusReason::REASON_EXECUTOR_TERMINATED);
  EXPECT_EQ(agent->live_tasks(), 2u);  // the running tasks are untouched
}

TEST_F(SimAgentTest, DuplicateTaskIdIsDroppedWithoutTouchingTheFirstTask) {
  register_agent();
  from_master(run("t1", 10));
  run_acking_until(1);
  from_master(run("t1", 10));
  auto sent = updates();
  ASSERT_EQ(sent.size(), 3u);
  const v1::StatusUpdate& dropped = sent[2].second;
  EXPECT_EQ(dropped.status.state, TaskState::TASK_DROPPED);
  EXPECT_EQ(dropped.status.reason, TaskStatusReason::REASON_TASK_INVALID);
  EXPECT_EQ(dropped.status.source, TaskStatusSource::SOURCE_AGENT);
  EXPECT_FALSE(dropped.status.uuid.has_value());
  EXPECT_EQ(dropped.latest_state, TaskState::TASK_RUNNING);
  EXPECT_EQ(agent->live_tasks(), 1u);
  EXPECT_EQ(agent->used(), res("cpus:1;mem:128"));
  run_acking_until(20);
  EXPECT_EQ(updates().back().second.status.state, TaskState::TASK_FINISHED);
  EXPECT_EQ(updates().back().first, at_s(10.6));
}

TEST_F(SimAgentTest, TaskThatDoesNotFitInTheFreeResourcesIsDropped) {
  register_agent();
  from_master(run("big", 10, std::nullopt, "cpus:3;mem:512"));
  from_master(run("too-big", 10, std::nullopt, "cpus:2;mem:128"));
  auto sent = updates();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].second.status.task_id, v1::TaskID{"too-big"});
  EXPECT_EQ(sent[0].second.status.state, TaskState::TASK_DROPPED);
  EXPECT_EQ(sent[0].second.status.reason, TaskStatusReason::REASON_RESOURCES_UNKNOWN);
  EXPECT_EQ(sent[0].second.status.source, TaskStatusSource::SOURCE_AGENT);
  EXPECT_EQ(agent->used(), res("cpus:3;mem:512"));
  EXPECT_EQ(agent->live_tasks(), 1u);
  // Reserved resources count by quantity: the master may have reserved them dynamically.
  from_master(run("reserved", 10, std::nullopt, "cpus(r):1;mem(r):128"));
  EXPECT_EQ(agent->live_tasks(), 2u);
  run_acking_until(20);  // both finish, freeing their resources
  from_master(run("fits-now", 10, std::nullopt, "cpus:2;mem:128"));
  EXPECT_EQ(agent->live_tasks(), 1u);
}

TEST_F(SimAgentTest, UsageCountsRunningTasksByTheirWorkUsage) {
  register_agent();
  auto light = run("light", 10, std::nullopt, "cpus:2;mem:256");
  light.task.work->usage = res("cpus:0.5;mem:100");
  from_master(std::move(light));
  from_master(run("plain", 10, std::nullopt, "cpus:1;mem:128"));
  EXPECT_TRUE(agent->usage().empty());  // not running yet
  run_acking_until(1);
  EXPECT_EQ(agent->usage(), res("cpus:1.5;mem:228"));
  EXPECT_EQ(agent->used(), res("cpus:3;mem:384"));
}

}  // namespace
}  // namespace mesosim
