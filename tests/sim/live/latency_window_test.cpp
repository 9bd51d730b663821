// The window behind the master's timer metrics: nearest-rank percentiles over the last samples.

#include "sim/live/latency_window.hpp"

#include <gtest/gtest.h>

namespace mesosim::live {
namespace {

TEST(LatencyWindow, NothingBeforeTheFirstSample) {
  LatencyWindow w(8);
  EXPECT_FALSE(w.summary().has_value());
}

TEST(LatencyWindow, PercentilesAreNearestRankOverTheSamples) {
  LatencyWindow w(1000);
  // 1..100 us, each once, out of order (37 is prime to 100).
  for (int i = 0; i < 100; ++i) w.record(Duration::micros((i * 37) % 100 + 1));
  const auto s = w.summary();
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->count, 100u);
  EXPECT_EQ(s->window, 100u);
  EXPECT_EQ(s->min, Duration::micros(1));
  EXPECT_EQ(s->max, Duration::micros(100));
  EXPECT_EQ(s->p50, Duration::micros(50));
  EXPECT_EQ(s->p90, Duration::micros(90));
  EXPECT_EQ(s->p99, Duration::micros(99));
  EXPECT_EQ(s->p999, Duration::micros(100));
  EXPECT_EQ(s->last, Duration::micros(64));  // i = 99
}

TEST(LatencyWindow, OnlyTheLastCapacitySamplesCountButEveryOneIsCounted) {
  LatencyWindow w(4);
  for (int i = 1; i <= 6; ++i) w.record(Duration::millis(i));
  const auto s = w.summary();
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->count, 6u);
  EXPECT_EQ(s->window, 4u);
  EXPECT_EQ(s->min, Duration::millis(3));  // 1 and 2 left the window
  EXPECT_EQ(s->max, Duration::millis(6));
  EXPECT_EQ(s->p50, Duration::millis(4));
  EXPECT_EQ(s->last, Duration::millis(6));
}

}  // namespace
}  // namespace mesosim::live
