// TimeSeries and StepSeriesBuilder: minimal change points, exact integrals over any window,
// sampling on a grid.

#include "analysis/time_series.hpp"

#include <gtest/gtest.h>

namespace mesosim::analysis {
namespace {

Time s(int64_t seconds) { return Time::from_micros(seconds * 1'000'000); }

TEST(TimeSeriesTest, ChangesAtOneInstantKeepOnlyTheLastAndRepeatsAreDropped) {
  StepSeriesBuilder b;
  b.set(s(0), 0);  // the value before the first change is 0 anyway
  b.set(s(1), 2);
  b.set(s(1), 3);
  b.set(s(2), 3);  // no change
  b.set(s(4), 1);
  b.set(s(5), 5);
  b.set(s(5), 1);  // back to the value before: the change at 5 disappears
  const TimeSeries t = b.build();
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t.times()[0], 1'000'000);
  EXPECT_EQ(t.values()[0], 3);
  EXPECT_EQ(t.times()[1], 4'000'000);
  EXPECT_EQ(t.values()[1], 1);
}

// take() is build() that empties the builder: the collector's finish() uses it so that a long
// run's change points are not held twice.
TEST(TimeSeriesTest, TakeBuildsTheSameSeriesAndEmptiesTheBuilder) {
  StepSeriesBuilder b;
  for (int64_t i = 1; i <= 1000; ++i) b.set(s(i), static_cast<double>(i % 7));
  const TimeSeries built = b.build();
  const TimeSeries taken = b.take();
  ASSERT_EQ(taken.size(), built.size());
  EXPECT_TRUE((taken.times() == built.times()).all());
  EXPECT_TRUE((taken.values() == built.values()).all());
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.current(), 0.0);
  EXPECT_EQ(b.build().size(), 0u);
}

TEST(TimeSeriesTest, IntegralsAreExactOverAnyWindow) {
  StepSeriesBuilder b;
  b.set(s(10), 4);
  b.set(s(20), 1);
  const TimeSeries t = b.build();
  EXPECT_DOUBLE_EQ(t.at(s(5)), 0);
  EXPECT_DOUBLE_EQ(t.at(s(10)), 4);
  EXPECT_DOUBLE_EQ(t.at(s(25)), 1);
  EXPECT_DOUBLE_EQ(t.integral(s(0), s(30)), 4 * 10 + 1 * 10);
  EXPECT_DOUBLE_EQ(t.integral(s(15), s(22)), 4 * 5 + 1 * 2);
  EXPECT_DOUBLE_EQ(t.integral(s(22), s(15)), 0);
  EXPECT_DOUBLE_EQ(t.mean(s(10), s(20)), 4);
  EXPECT_DOUBLE_EQ(t.max(), 4);
  EXPECT_DOUBLE_EQ(TimeSeries().integral(s(0), s(10)), 0);
}

TEST(TimeSeriesTest, SamplesTakeTheValueInForceAtEachInstant) {
  StepSeriesBuilder b;
  b.set(s(10), 4);
  b.set(s(20), 1);
  const Eigen::ArrayXd x = b.build().sample(s(0), Duration::seconds(10), 4);
  ASSERT_EQ(x.size(), 4);
  EXPECT_DOUBLE_EQ(x[0], 0);
  EXPECT_DOUBLE_EQ(x[1], 4);
  EXPECT_DOUBLE_EQ(x[2], 1);
  EXPECT_DOUBLE_EQ(x[3], 1);
}

}  // namespace
}  // namespace mesosim::analysis
