#include "workloads/job.hpp"

#include <gtest/gtest.h>

namespace mesosim {
namespace {

TEST(TaskOutcomeTest, EveryOutcomeParsesBackFromItsName) {
  for (TaskOutcome o : {TaskOutcome::kFinished, TaskOutcome::kFailed, TaskOutcome::kKilled,
                        TaskOutcome::kLost}) {
    EXPECT_EQ(parse_task_outcome(to_string(o)), o);
  }
  EXPECT_EQ(parse_task_outcome("done"), std::nullopt);
  EXPECT_EQ(parse_task_outcome("FINISHED"), std::nullopt);
}

}  // namespace
}  // namespace mesosim
