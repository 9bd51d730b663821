// Task ids are unique per framework only (Mesos): the Collector keeps two frameworks' tasks with
// the same id apart, as happens when two frameworks replay one trace.

#include <gtest/gtest.h>

#include "tests/analysis/analysis_test_util.hpp"

namespace mesosim::analysis {
namespace {

using namespace testing;
using v1::TaskState;

TEST(TaskIdentityTest, TasksWithTheSameIdInTwoFrameworksAreTwoTasks) {
  Stream s;
  s.agent(0, "a1", "cpus:4;mem:4096").framework(0, "f1", "one").framework(0, "f2", "two");
  s.task(1, "job/0.1", "f1", "a1", TaskState::TASK_RUNNING, "cpus:1");
  s.usage(1, "job/0.1", "f1", "a1", "cpus:1");
  s.task(1, "job/0.1", "f2", "a1", TaskState::TASK_RUNNING, "cpus:1");
  s.usage(1, "job/0.1", "f2", "a1", "cpus:1");
  s.task(3, "job/0.1", "f1", "a1", TaskState::TASK_FINISHED, "cpus:1");
  const RunResult r = s.run(5);
  const size_t cpus = resource_index(r, "cpus");
  // Both use 1 cpu over [1, 3); f2's goes on to the end.
  EXPECT_DOUBLE_EQ(r.total.used[cpus].at(at(2)), 2.0);
  EXPECT_DOUBLE_EQ(r.total.used[cpus].at(at(4)), 1.0);
  EXPECT_EQ(r.task_states.at("TASK_RUNNING"), 1u);
  EXPECT_EQ(r.task_states.at("TASK_FINISHED"), 1u);
}

}  // namespace
}  // namespace mesosim::analysis
