// The agent's status update manager on its own: one stream per task, only the head in flight,
// retries with backoff, and what an acknowledgement reports back to the agent.

#include "sim/master/status_update_manager.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "allocator/rng.hpp"
#include "sim/event_queue.hpp"

namespace mesosim {
namespace {

using v1::TaskState;

class StatusUpdateManagerTest : public ::testing::Test {
 protected:
  StatusUpdateManagerTest()
      : manager_(queue_, Duration::seconds(10), Duration::seconds(40),
                 [this](v1::StatusUpdate&& u) { sent_.push_back(std::move(u)); }) {}

  // A reliable update of task `task` of framework "f" in `state`; returns its uuid.
  Uuid add(const std::string& task, TaskState state) {
    v1::StatusUpdate u;
    u.framework_id = v1::FrameworkID{"f"};
    u.status.task_id = v1::TaskID{task};
    u.status.state = state;
    u.status.uuid = Uuid::random(rng_);
    const Uuid uuid = *u.status.uuid;
    manager_.add(std::move(u));
    return uuid;
  }
  StatusUpdateManager::Acknowledged ack(const std::string& task, const Uuid& uuid) {
    return manager_.acknowledge(v1::FrameworkID{"f"}, v1::TaskID{task}, uuid);
  }

  EventQueue queue_;
  Rng rng_{5};
  std::vector<v1::StatusUpdate> sent_;
  StatusUpdateManager manager_;
};

TEST_F(StatusUpdateManagerTest, SendsOnlyTheHeadAndTheNextOnceTheHeadIsAcknowledged) {
  const Uuid starting = add("t", TaskState::TASK_STARTING);
  const Uuid running = add("t", TaskState::TASK_RUNNING);
  manager_.resume();
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0].status.state, TaskState::TASK_STARTING);
  EXPECT_EQ(sent_[0].latest_state, TaskState::TASK_RUNNING);  // the newest state added
  EXPECT_EQ(manager_.pending(v1::FrameworkID{"f"}, v1::TaskID{"t"}), 2u);

  const auto first = ack("t", starting);
  EXPECT_TRUE(first.matched);
  EXPECT_FALSE(first.stream_done);
  EXPECT_FALSE(first.terminal);
  ASSERT_EQ(sent_.size(), 2u);
  EXPECT_EQ(sent_[1].status.uuid, running);
}

TEST_F(StatusUpdateManagerTest, AnAcknowledgementOfAnythingButTheHeadChangesNothing) {
  manager_.resume();
  add("t", TaskState::TASK_STARTING);
  const Uuid running = add("t", TaskState::TASK_RUNNING);
  const auto result = ack("t", running);  // not the head
  EXPECT_FALSE(result.matched);
  EXPECT_FALSE(result.stream_done);
  EXPECT_EQ(manager_.pending(), 2u);
  EXPECT_EQ(sent_.size(), 1u);
  EXPECT_FALSE(ack("unknown", running).matched);
}

// The agent forgets a task when the acknowledgement of its terminal update empties its stream,
// and reads the task's record only then: `terminal` says which update was acknowledged.
TEST_F(StatusUpdateManagerTest, AcknowledgedSaysWhetherTheUpdateRemovedWasTerminal) {
  manager_.resume();
  const Uuid running = add("t", TaskState::TASK_RUNNING);
  const auto r = ack("t", running);
  EXPECT_TRUE(r.matched);
  EXPECT_TRUE(r.stream_done);
  EXPECT_FALSE(r.terminal);

  const Uuid finished = add("t", TaskState::TASK_FINISHED);
  const auto f = ack("t", finished);
  EXPECT_TRUE(f.matched);
  EXPECT_TRUE(f.stream_done);
  EXPECT_TRUE(f.terminal);

  // A terminal head with an update behind it (a task id whose launch was dropped twice): not
  // done, and terminal.
  const Uuid dropped = add("u", TaskState::TASK_DROPPED);
  add("u", TaskState::TASK_DROPPED);
  const auto d = ack("u", dropped);
  EXPECT_TRUE(d.matched);
  EXPECT_FALSE(d.stream_done);
  EXPECT_TRUE(d.terminal);
  EXPECT_EQ(manager_.pending(), 1u);
}

TEST_F(StatusUpdateManagerTest, ResendsTheHeadWithBackoffUntilAcknowledged) {
  manager_.resume();
  const Uuid running = add("t", TaskState::TASK_RUNNING);
  queue_.run_until(Time::epoch() + Duration::seconds(75));  // sent at 0, then 10, 30, 70
  ASSERT_EQ(sent_.size(), 4u);
  EXPECT_EQ(manager_.resent(), 3u);
  for (const auto& u : sent_) EXPECT_EQ(u.status.uuid, running);
  ack("t", running);
  queue_.run_until(Time::epoch() + Duration::seconds(500));
  EXPECT_EQ(sent_.size(), 4u);
  EXPECT_EQ(queue_.pending(), 0u);
}

TEST_F(StatusUpdateManagerTest, PausedItOnlyQueuesAndResumeSendsEveryHead) {
  add("b", TaskState::TASK_RUNNING);
  add("a", TaskState::TASK_RUNNING);
  queue_.run_until(Time::epoch() + Duration::seconds(100));
  EXPECT_TRUE(sent_.empty());
  EXPECT_EQ(queue_.pending(), 0u);
  manager_.resume();
  ASSERT_EQ(sent_.size(), 2u);
  EXPECT_EQ(sent_[0].status.task_id.value, "a");  // in stream order
  EXPECT_EQ(sent_[1].status.task_id.value, "b");
}

}  // namespace
}  // namespace mesosim
