// MasterBook: what /master/state reports of completed tasks, kept from the event stream.

#include "sim/live/master_book.hpp"

#include <gtest/gtest.h>

#include <string>

namespace mesosim::live {
namespace {

namespace me = master_event;
using v1::TaskState;
using v1::TaskStatusSource;

MasterEvent at(int64_t second, MasterEventBody body) {
  return MasterEvent{Time::epoch() + Duration::seconds(second), std::move(body)};
}

me::TaskStateChanged task_state(const std::string& task, TaskState state,
                                TaskStatusSource source) {
  me::TaskStateChanged e;
  e.task = v1::TaskID{task};
  e.framework = v1::FrameworkID{"fw"};
  e.agent = v1::AgentID{"a1"};
  e.role = "r";
  e.state = state;
  e.source = source;
  return e;
}

std::vector<std::string> completed_ids(const MasterBook& book) {
  std::vector<std::string> ids;
  for (const auto& c : book.frameworks().at("fw").completed_tasks) {
    ids.push_back(c.task.task_id.value);
  }
  return ids;
}

MasterBook book_with_framework(size_t max_completed_tasks) {
  MasterBook book(max_completed_tasks, 50);
  me::FrameworkAdded added;
  added.framework = v1::FrameworkID{"fw"};
  added.name = "fw";
  book.on_event(at(0, added));
  return book;
}

TEST(MasterBook, KeepsAtMostMaxCompletedTasksPerFrameworkOldestDroppedFirst) {
  MasterBook book = book_with_framework(2);
  for (int i = 1; i <= 3; ++i) {
    book.on_event(at(i, task_state("t" + std::to_string(i), TaskState::TASK_FINISHED,
                                   TaskStatusSource::SOURCE_EXECUTOR)));
  }
  EXPECT_EQ(completed_ids(book), (std::vector<std::string>{"t2", "t3"}));
  EXPECT_EQ(book.reached(TaskState::TASK_FINISHED), 3u) << "counts are not bounded";
}

// Mesos MESOS-9940: a task reported again by its re-registering agent (after the master
// had marked it lost) is active again, not also completed.
TEST(MasterBook, ATaskItsReregisteringAgentReportsLeavesTheCompletedOnes) {
  MasterBook book = book_with_framework(10);
  book.on_event(at(1, task_state("t1", TaskState::TASK_LOST, TaskStatusSource::SOURCE_MASTER)));
  book.on_event(at(1, task_state("t2", TaskState::TASK_LOST, TaskStatusSource::SOURCE_MASTER)));
  ASSERT_EQ(completed_ids(book), (std::vector<std::string>{"t1", "t2"}));
  book.on_event(at(2, task_state("t1", TaskState::TASK_RUNNING, TaskStatusSource::SOURCE_AGENT)));
  EXPECT_EQ(completed_ids(book), (std::vector<std::string>{"t2"}));
}

// Mesos keeps a completed task when its framework launches another under the same id: both
// are listed.
TEST(MasterBook, ATaskLaunchedAgainUnderACompletedIdLeavesTheOldOneCompleted) {
  MasterBook book = book_with_framework(10);
  book.on_event(
      at(1, task_state("t1", TaskState::TASK_FINISHED, TaskStatusSource::SOURCE_EXECUTOR)));
  book.on_event(at(2, task_state("t1", TaskState::TASK_STAGING, TaskStatusSource::SOURCE_MASTER)));
  book.on_event(
      at(2, task_state("t1", TaskState::TASK_RUNNING, TaskStatusSource::SOURCE_EXECUTOR)));
  EXPECT_EQ(completed_ids(book), (std::vector<std::string>{"t1"}));
}

}  // namespace
}  // namespace mesosim::live
