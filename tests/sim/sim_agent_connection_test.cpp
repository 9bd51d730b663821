// SimAgent and its master: pings and re-registration, updates held while disconnected, a
// leader's exit, crashes, restarts and machine loss, shutdowns, and uuids by seed.

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

TEST_F(SimAgentTest, AnswersPingsAndReregistersWhenPingsStop) {
  make_agent(7, pinged_options());
  register_agent();
  run_until(60);
  from_master(v1::PingAgentMessage{});
  EXPECT_EQ(net.all<v1::PongAgentMessage>().size(), 1u);
  EXPECT_EQ(net.all<v1::PongAgentMessage>()[0].first, at_s(60));
  run_until(134);
  EXPECT_TRUE(agent->registered());  // 75 s from the last ping, not from registration
  EXPECT_TRUE(net.all<v1::ReregisterAgentMessage>().empty());
  run_until(136);
  EXPECT_FALSE(agent->registered());
  auto rereg = net.all<v1::ReregisterAgentMessage>();
  ASSERT_EQ(rereg.size(), 2u);  // at 135, retried at 136
  EXPECT_EQ(rereg[0].first, at_s(135));
  EXPECT_EQ(rereg[0].second.agent.id, v1::AgentID{"agent-1"});
  from_master(v1::AgentReregisteredMessage{{"agent-1"}, {}});
  EXPECT_TRUE(agent->registered());
}

TEST_F(SimAgentTest, PingSayingDisconnectedForcesReregistration) {
  register_agent();
  from_master(v1::PingAgentMessage{.connected = false});
  EXPECT_EQ(net.all<v1::PongAgentMessage>().size(), 1u);
  EXPECT_FALSE(agent->registered());
  EXPECT_EQ(net.all<v1::ReregisterAgentMessage>().size(), 1u);
}

TEST_F(SimAgentTest, UpdatesWaitWhileDisconnectedAndHeadsAreResentOnReregistration) {
  make_agent(7, pinged_options());
  register_agent();
  from_master(run("a", -1));
  from_master(run("b", -1, std::nullopt, "cpus:1", framework("f0")));
  run_until(100);  // no pings: disconnected at 75
  EXPECT_FALSE(agent->registered());
  const size_t before = updates().size();
  run_until(200);
  EXPECT_EQ(updates().size(), before);  // no retries while not registered
  from_master(v1::AgentReregisteredMessage{{"agent-1"}, {}});
  auto sent = updates();
  ASSERT_EQ(sent.size(), before + 2);
  // In stream order (framework id, task id), at once.
  EXPECT_EQ(sent[before].first, at_s(200));
  EXPECT_EQ(sent[before].second.framework_id, v1::FrameworkID{"f0"});
  EXPECT_EQ(sent[before + 1].second.framework_id, v1::FrameworkID{"f1"});
  EXPECT_EQ(sent[before + 1].second.status.state, TaskState::TASK_STARTING);
  EXPECT_EQ(sent[before + 1].second.latest_state, TaskState::TASK_RUNNING);
  // Backoff was reset: the next retry is 10 s later.
  run_until(210);
  EXPECT_EQ(updates().size(), before + 4);
}

TEST_F(SimAgentTest, ReregistrationListsUnacknowledgedTasksWithLatestStatesAndFrameworks) {
  register_agent();
  from_master(run("done", 3, std::nullopt, "cpus:1", framework("f1")));
  from_master(run("running", -1, std::nullopt, "cpus:1", framework("f2")));
  run_acking_until(2);
  from_master(run("late", -1, "ex2", "cpus:1", framework("f1")));
  // Unacknowledged from here: "late"'s STARTING is in flight and its RUNNING (2.6) waits;
  // "done" finished at 3.6 and its terminal update is in flight.
  run_until(5);
  ASSERT_EQ(agent->tasks().size(), 3u);
  EXPECT_EQ(agent->tasks()[0].task_id, v1::TaskID{"done"});
  EXPECT_EQ(agent->tasks()[0].state, TaskState::TASK_FINISHED);
  net.sent.clear();
  acked_ = 0;

  agent->receive(kDetector, MasterDetectedMessage{kNewMaster});
  EXPECT_EQ(net.links.back(), std::make_pair(kAgent, kNewMaster));
  EXPECT_FALSE(agent->registered());
  auto rereg = net.all<v1::ReregisterAgentMessage>();
  ASSERT_EQ(rereg.size(), 1u);
  EXPECT_EQ(net.sent[0].to, kNewMaster);
  const auto& m = rereg[0].second;
  EXPECT_EQ(m.agent.id, v1::AgentID{"agent-1"});
  std::vector<std::tuple<std::string, std::string, TaskState>> got;
  for (const v1::Task& t : m.tasks) {
    got.emplace_back(t.framework_id.value, t.task_id.value, t.state);
    EXPECT_EQ(t.agent_id, v1::AgentID{"agent-1"});
    EXPECT_EQ(t.role, "r");
  }
  // "done" is terminal but its update is unacknowledged: it is listed, as Mesos lists
  // terminated tasks, so the master does not call it lost.
  const std::vector<std::tuple<std::string, std::string, TaskState>> want = {
      {"f1", "done", TaskState::TASK_FINISHED},
      {"f1", "late", TaskState::TASK_RUNNING},
      {"f2", "running", TaskState::TASK_RUNNING}};
  EXPECT_EQ(got, want);
  ASSERT_EQ(m.frameworks.size(), 2u);
  EXPECT_EQ(m.frameworks[0].id, v1::FrameworkID{"f1"});
  EXPECT_EQ(m.frameworks[1].id, v1::FrameworkID{"f2"});
  EXPECT_EQ(m.frameworks[1].name, "framework f2");

  // The old master is no longer listened to.
  from_master(v1::AgentReregisteredMessage{{"agent-1"}, {}});
  EXPECT_FALSE(agent->registered());
  agent->receive(kNewMaster, v1::AgentReregisteredMessage{{"agent-1"}, {}});
  EXPECT_TRUE(agent->registered());
}

TEST_F(SimAgentTest, LeaderExitWaitsForTheDetector) {
  register_agent();
  agent->receive(kMaster, ExitedMessage{kMaster});
  EXPECT_FALSE(agent->registered());
  EXPECT_FALSE(agent->leader().has_value());
  run_until(500);
  EXPECT_TRUE(net.sent.empty());
  agent->receive(kDetector, MasterDetectedMessage{kNewMaster});
  EXPECT_EQ(net.all<v1::ReregisterAgentMessage>().size(), 1u);
}

TEST_F(SimAgentTest, CrashAndRestartKeepsTasksAndResendsUnacknowledgedUpdates) {
  register_agent();
  from_master(run("short", 10));
  from_master(run("long", 100));
  run_until(5);  // both STARTING sent, unacknowledged; both RUNNING since 0.6
  agent->crash(false);
  net.sent.clear();
  from_master(v1::PingAgentMessage{});  // a dead agent answers nothing
  run_until(50);
  EXPECT_TRUE(net.sent.empty());
  EXPECT_FALSE(agent->alive());

  agent->restart();  // "short" finished at 10.6 while the agent was down
  EXPECT_EQ(net.links.back(), std::make_pair(kAgent, kMaster));
  auto rereg = net.all<v1::ReregisterAgentMessage>();
  ASSERT_EQ(rereg.size(), 1u);
  // "short" ended while the agent was down; its update is unacknowledged, so it is listed.
  ASSERT_EQ(rereg[0].second.tasks.size(), 2u);
  EXPECT_EQ(rereg[0].second.tasks[0].task_id, v1::TaskID{"long"});
  EXPECT_EQ(rereg[0].second.tasks[0].state, TaskState::TASK_RUNNING);
  EXPECT_EQ(rereg[0].second.tasks[1].task_id, v1::TaskID{"short"});
  EXPECT_EQ(rereg[0].second.tasks[1].state, TaskState::TASK_FINISHED);
  EXPECT_TRUE(updates().empty());  // nothing before re-registration
  EXPECT_EQ(agent->live_tasks(), 1u);

  from_master(v1::AgentReregisteredMessage{{"agent-1"}, {}});
  auto sent = updates();
  ASSERT_EQ(sent.size(), 2u);  // the two STARTING heads, resent
  for (auto& [at, u] : sent) {
    EXPECT_EQ(at, at_s(50));
    EXPECT_EQ(u.status.state, TaskState::TASK_STARTING);
  }
  EXPECT_EQ(sent[1].second.status.task_id, v1::TaskID{"short"});
  EXPECT_EQ(sent[1].second.latest_state, TaskState::TASK_FINISHED);
  run_acking_until(200);
  std::vector<std::tuple<std::string, TaskState, Time>> finals;
  for (auto& [at, u] : updates()) {
    if (v1::is_terminal(u.status.state)) {
      finals.emplace_back(u.status.task_id.value, u.status.state, u.status.timestamp);
    }
  }
  const std::vector<std::tuple<std::string, TaskState, Time>> want = {
      {"short", TaskState::TASK_FINISHED, at_s(10.6)},
      {"long", TaskState::TASK_FINISHED, at_s(100.6)}};
  EXPECT_EQ(finals, want);
  EXPECT_TRUE(agent->tasks().empty());
}

TEST_F(SimAgentTest, TransitionsDueWhileDownAreReplayedInOrder) {
  register_agent();
  from_master(run("t1", 5));
  agent->crash(false);  // before the executor is up
  run_until(30);
  agent->restart();
  from_master(v1::AgentReregisteredMessage{{"agent-1"}, {}});
  run_acking_until(31);
  std::vector<std::pair<TaskState, Time>> got;
  for (auto& [at, u] : updates()) got.emplace_back(u.status.state, u.status.timestamp);
  const std::vector<std::pair<TaskState, Time>> want = {{TaskState::TASK_STARTING, at_s(0.5)},
                                                        {TaskState::TASK_RUNNING, at_s(0.6)},
                                                        {TaskState::TASK_FINISHED, at_s(5.6)}};
  EXPECT_EQ(got, want);
}

TEST_F(SimAgentTest, MachineLossRestartsWithNoTasksAndTheSameAgentId) {
  register_agent();
  from_master(run("t1", 100));
  run_until(5);
  agent->crash(true);
  run_until(10);
  net.sent.clear();
  agent->restart();
  EXPECT_EQ(agent->live_tasks(), 0u);
  EXPECT_TRUE(agent->tasks().empty());
  EXPECT_EQ(agent->pending_updates(), 0u);
  auto rereg = net.all<v1::ReregisterAgentMessage>();
  ASSERT_EQ(rereg.size(), 1u);
  EXPECT_EQ(rereg[0].second.agent.id, v1::AgentID{"agent-1"});
  EXPECT_TRUE(rereg[0].second.tasks.empty());
  EXPECT_TRUE(rereg[0].second.frameworks.empty());
  from_master(v1::AgentReregisteredMessage{{"agent-1"}, {}});
  run_until(1000);
  EXPECT_TRUE(updates().empty());
}

TEST_F(SimAgentTest, ShutdownFrameworkEndsItsTasksAndForgetsItsUpdates) {
  register_agent();
  from_master(run("a", -1, "ex", "cpus:1", framework("f1")));
  from_master(run("b", -1, std::nullopt, "cpus:1", framework("f2")));
  run_until(1);
  from_master(v1::ShutdownFrameworkMessage{{"f1"}});
  EXPECT_EQ(agent->live_tasks(), 1u);
  ASSERT_EQ(agent->tasks().size(), 1u);
  EXPECT_EQ(agent->tasks()[0].framework_id, v1::FrameworkID{"f2"});
  EXPECT_EQ(agent->pending_updates(), 2u);  // f2's STARTING and RUNNING only
  net.sent.clear();
  run_until(100);
  for (auto& [at, u] : updates()) EXPECT_EQ(u.framework_id, v1::FrameworkID{"f2"});
}

TEST_F(SimAgentTest, ShutdownAgentSilencesItUntilRestartedAsANewAgent) {
  register_agent();
  from_master(run("a", -1));
  run_until(1);
  from_master(v1::ShutdownAgentMessage{"bye"});
  EXPECT_EQ(agent->live_tasks(), 0u);
  EXPECT_FALSE(agent->alive());
  net.sent.clear();
  from_master(v1::PingAgentMessage{});
  agent->receive(kDetector, MasterDetectedMessage{kNewMaster});
  run_until(1000);
  EXPECT_TRUE(net.sent.empty());
  agent->restart();
  auto reg = net.all<v1::RegisterAgentMessage>();
  ASSERT_EQ(reg.size(), 1u);
  EXPECT_EQ(net.sent[0].to, kNewMaster);
  EXPECT_FALSE(agent->agent_id().has_value());
}

TEST_F(SimAgentTest, UuidsAreDeterministicPerSeed) {
  auto uuids_for = [&](uint64_t seed) {
    net.sent.clear();
    make_agent(seed);
    register_agent();
    from_master(run("t1", 1));
    run_acking_until(clock.now().seconds_f() + 10);
    std::vector<Uuid> out;
    for (auto& [at, u] : updates()) out.push_back(*u.status.uuid);
    acked_ = 0;
    return out;
  };
  const auto a = uuids_for(42);
  const auto b = uuids_for(42);
  const auto c = uuids_for(43);
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_NE(a[0], a[1]);
  for (const Uuid& uuid : a) {
    EXPECT_EQ(uuid.bytes[6] >> 4, 4) << uuid.to_string() << ": version 4";
    EXPECT_EQ(uuid.bytes[8] & 0xc0, 0x80) << uuid.to_string() << ": variant 10xx";
  }
  // The Rng serves uuids alone, two draws each: another draw anywhere would shift every
  // simulation that follows.
  Rng rng(42);
  for (const Uuid& uuid : a) EXPECT_EQ(uuid, Uuid::random(rng));
}

}  // namespace
}  // namespace mesosim
