// SimAgent's status updates: one in flight per task until acknowledged, resent with a doubling
// backoff carrying the task's latest state, and acknowledgements that match only their uuid.

#include <gtest/gtest.h>

#include <vector>

#include "sim/master/uuid.hpp"
#include "sim/sim_agent.hpp"
#include "tests/sim/sim_agent_test_fixture.hpp"

namespace mesosim {
namespace {

using namespace mesosim::sim_agent_testing;
using v1::TaskState;

TEST_F(SimAgentTest, NextUpdateIsSentOnlyOnceThePreviousOneIsAcknowledged) {
  register_agent();
  from_master(run("t1", 10));
  run_until(5);
  auto sent = updates();
  ASSERT_EQ(sent.size(), 1u);  // RUNNING happened at 0.6 but waits behind STARTING
  EXPECT_EQ(sent[0].second.status.state, TaskState::TASK_STARTING);
  EXPECT_EQ(agent->tasks().at(0).state, TaskState::TASK_RUNNING);
  EXPECT_EQ(agent->pending_updates(), 2u);

  ack(sent[0].second);
  sent = updates();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[1].first, at_s(5));
  EXPECT_EQ(sent[1].second.status.state, TaskState::TASK_RUNNING);
  EXPECT_EQ(sent[1].second.status.timestamp, at_s(0.6));  // when it happened, not when sent
}

TEST_F(SimAgentTest, ResentHeadCarriesTheTasksLatestState) {
  register_agent();
  from_master(run("t1", 10));
  run_until(11);  // STARTING sent at 0.5, resent at 10.5; the task is RUNNING since 0.6
  auto sent = updates();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].second.latest_state, TaskState::TASK_STARTING);
  EXPECT_EQ(sent[1].second.status.state, TaskState::TASK_STARTING);
  EXPECT_EQ(sent[1].second.status.uuid, sent[0].second.status.uuid);
  EXPECT_EQ(sent[1].second.latest_state, TaskState::TASK_RUNNING);
}

TEST_F(SimAgentTest, UnacknowledgedUpdateIsRetriedWithDoublingBackoffCappedAtTenMinutes) {
  register_agent();
  from_master(run("t1", -1));
  run_until(2000);
  std::vector<Time> times;
  for (auto& [at, u] : updates()) {
    EXPECT_EQ(u.status.state, TaskState::TASK_STARTING);
    times.push_back(at);
  }
  // Sent at 0.5, then after 10, 20, 40, 80, 160, 320 s, then every 600 s (640 capped).
  const std::vector<Time> want = {at_s(0.5),   at_s(10.5),  at_s(30.5),   at_s(70.5),  at_s(150.5),
                                  at_s(310.5), at_s(630.5), at_s(1230.5), at_s(1830.5)};
  EXPECT_EQ(times, want);
  EXPECT_EQ(agent->updates_sent(), 9u);
  EXPECT_EQ(agent->updates_retried(), 8u);

  ack(updates().front().second);  // the RUNNING update goes out at once
  net.sent.clear();
  run_until(3000);
  // RUNNING (sent at the ack) is unacknowledged, so it alone is retried from 2000 on.
  times.clear();
  for (auto& [at, u] : updates()) {
    EXPECT_EQ(u.status.state, TaskState::TASK_RUNNING);
    times.push_back(at);
  }
  EXPECT_EQ(times, (std::vector<Time>{at_s(2010), at_s(2030), at_s(2070), at_s(2150), at_s(2310),
                                      at_s(2630)}));
}

TEST_F(SimAgentTest, RetriesStopOnceAcknowledged) {
  register_agent();
  from_master(run("t1", -1));
  run_acking_until(1);  // STARTING and RUNNING acknowledged
  net.sent.clear();
  run_until(5000);
  EXPECT_TRUE(updates().empty());
  EXPECT_EQ(agent->updates_retried(), 0u);
  EXPECT_EQ(agent->pending_updates(), 0u);
}

// The update manager reuses an emptied stream for the next new one: that one must start
// afresh, with the first backoff and its first send not counted as a resend.
TEST_F(SimAgentTest, UpdatesOfATaskAfterAnotherTasksRetriedStreamStartAfresh) {
  register_agent();
  from_master(run("t1", -1));
  run_until(100);                 // STARTING at 0.5, resent at 10.5, 30.5, 70.5
  ack(updates().front().second);  // RUNNING goes out at 100
  run_until(115);                 // ... and again at 110
  ack(updates().back().second);   // t1's stream is empty
  EXPECT_EQ(agent->updates_retried(), 4u);
  net.sent.clear();

  from_master(run("t2", -1));
  run_until(140);
  std::vector<Time> times;
  for (auto& [at, u] : updates()) {
    EXPECT_EQ(u.status.task_id, v1::TaskID{"t2"});
    EXPECT_EQ(u.status.state, TaskState::TASK_STARTING);
    times.push_back(at);
  }
  EXPECT_EQ(times, (std::vector<Time>{at_s(115.5), at_s(125.5)}));
  EXPECT_EQ(agent->updates_retried(), 5u);
  EXPECT_EQ(agent->pending_updates(v1::FrameworkID{"f1"}, v1::TaskID{"t1"}), 0u);
  EXPECT_EQ(agent->pending_updates(v1::FrameworkID{"f1"}, v1::TaskID{"t2"}), 2u);
  ack(updates().front().second);
  EXPECT_EQ(agent->pending_updates(), 1u);  // t2's RUNNING, sent at once
  EXPECT_EQ(updates().back().second.status.state, TaskState::TASK_RUNNING);
}

TEST_F(SimAgentTest, AckWithAnotherUuidChangesNothing) {
  register_agent();
  from_master(run("t1", -1));
  run_until(1);
  auto starting = updates().at(0).second;
  from_master(v1::StatusUpdateAcknowledgementMessage{
      {"agent-1"}, {"f1"}, {"t1"}, *Uuid::from_bytes("another-16-bytes")});
  from_master(v1::StatusUpdateAcknowledgementMessage{
      {"agent-1"}, {"f1"}, {"other"}, *starting.status.uuid});
  EXPECT_EQ(updates().size(), 1u);
  EXPECT_EQ(agent->pending_updates(), 2u);
  run_until(11);  // still retried
  ASSERT_EQ(updates().size(), 2u);
  EXPECT_EQ(updates()[1].second.status.uuid, starting.status.uuid);
  ack(starting);
  EXPECT_EQ(updates().back().second.status.state, TaskState::TASK_RUNNING);
  ack(starting);  // a duplicate ack of the old head is ignored: RUNNING stays pending
  EXPECT_EQ(agent->pending_updates(), 1u);
}

}  // namespace
}  // namespace mesosim
