#include "workloads/job_dag.hpp"

#include <gtest/gtest.h>

namespace mesosim {
namespace {

TEST(JobDagTest, AJobIsReadyOnlyWhenEveryParentFinished) {
  JobDag dag;
  EXPECT_TRUE(dag.add("a", {}));
  EXPECT_TRUE(dag.add("b", {}));
  EXPECT_FALSE(dag.add("c", {"a", "b"}));
  EXPECT_FALSE(dag.add("d", {"c"}));
  EXPECT_TRUE(dag.finish(0).empty()) << "c still waits for b";
  EXPECT_EQ(dag.finish(1), std::vector<size_t>{2});
  EXPECT_EQ(dag.finish(2), std::vector<size_t>{3});
  EXPECT_EQ(dag.parents(2), (std::vector<size_t>{0, 1}));
}

TEST(JobDagTest, AFinishedParentDoesNotHoldBackALaterChild) {
  JobDag dag;
  dag.add("a", {});
  dag.finish(0);
  EXPECT_TRUE(dag.add("b", {"a"}));
}

TEST(JobDagTest, UnknownParentsAreCountedAndIgnored) {
  JobDag dag;
  EXPECT_TRUE(dag.add("a", {"elsewhere", "a"}));
  EXPECT_EQ(dag.unknown_parents(), 2u);
}

TEST(JobDagTest, FinishingTwiceReleasesNothingMore) {
  JobDag dag;
  dag.add("a", {});
  dag.add("b", {"a"});
  EXPECT_EQ(dag.finish(0).size(), 1u);
  EXPECT_TRUE(dag.finish(0).empty());
}

TEST(JobDagTest, ForgottenJobsLeaveTheGraphAndHoldNoLaterChildBack) {
  JobDag dag;
  dag.add("a", {});
  dag.add("b", {"a"});
  dag.add("c", {"a"});
  EXPECT_EQ(dag.finish(0), (std::vector<size_t>{1, 2}));
  dag.forget(0);
  EXPECT_EQ(dag.held(), 2u);
  EXPECT_EQ(dag.size(), 3u);
  EXPECT_TRUE(dag.finished(0));
  EXPECT_TRUE(dag.parents(1).empty()) << "the edge went with its parent";
  EXPECT_TRUE(dag.add("d", {"a", "b"}) == false) << "b has not finished";
  EXPECT_EQ(dag.finish(1), std::vector<size_t>{3});
  EXPECT_EQ(dag.unknown_parents(), 1u) << "d named the forgotten a";
  EXPECT_TRUE(dag.add("e", {"a"}));
}

}  // namespace
}  // namespace mesosim
