// The per-framework cause timeline and an application's executor presence: change points,
// same-instant changes, and how an interval is split over them.

#include "analysis/wait_cause.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace mesosim::analysis {
namespace {

Time at(double seconds) { return Time::from_micros(static_cast<int64_t>(seconds * 1e6)); }
double of(const WaitBreakdown& b, WaitCause c) { return b[static_cast<size_t>(c)]; }

TEST(CauseTimelineTest, ReplacedReadsOneCauseAsAnotherAndKeepsTheRest) {
  CauseTimeline line;
  line.set(at(0), WaitCause::kLowerInDrfOrder);
  line.set(at(1), WaitCause::kFrameworkDeclined);
  line.set(at(3), WaitCause::kFiltered);
  line.set(at(4), WaitCause::kFrameworkDeclined);
  const CauseTimeline gang = line.replaced(WaitCause::kFrameworkDeclined, WaitCause::kGangHold);
  WaitBreakdown w{};
  gang.attribute(at(0), at(6), w);
  EXPECT_DOUBLE_EQ(of(w, WaitCause::kLowerInDrfOrder), 1);
  EXPECT_DOUBLE_EQ(of(w, WaitCause::kGangHold), 2 + 2);
  EXPECT_DOUBLE_EQ(of(w, WaitCause::kFiltered), 1);
  EXPECT_DOUBLE_EQ(of(w, WaitCause::kFrameworkDeclined), 0);
  EXPECT_EQ(gang.times, line.times);
}

TEST(ExecutorPresenceTest, UpIntervalsGoToExecutorSlotAndTheGapsElsewhere) {
  ExecutorPresence p;
  p.set(at(2), true);
  p.set(at(2), true);  // no change
  p.set(at(5), false);
  p.set(at(7), true);
  p.set(at(9), false);
  p.set(at(9), true);  // down and up at one instant: no gap
  EXPECT_EQ(p.times, (std::vector<int64_t>{at(2).micros(), at(5).micros(), at(7).micros()}));
  EXPECT_TRUE(p.up());
  WaitBreakdown w{};
  std::vector<std::pair<double, double>> gaps;
  p.attribute(at(1), at(12), w,
              [&](Time from, Time to) { gaps.emplace_back(from.seconds_f(), to.seconds_f()); });
  EXPECT_DOUBLE_EQ(of(w, WaitCause::kExecutorSlot), 3 + 5);  // [2, 5) and [7, 12)
  EXPECT_EQ(gaps, (std::vector<std::pair<double, double>>{{1, 2}, {5, 7}}));
  // An interval inside one piece, and one starting exactly on a change point.
  WaitBreakdown inside{};
  p.attribute(at(3), at(4), inside, [](Time, Time) { FAIL() << "no gap in [3, 4)"; });
  EXPECT_DOUBLE_EQ(of(inside, WaitCause::kExecutorSlot), 1);
  WaitBreakdown edge{};
  double elsewhere = 0;
  p.attribute(at(5), at(8), edge,
              [&](Time from, Time to) { elsewhere += (to - from).seconds_f(); });
  EXPECT_DOUBLE_EQ(elsewhere, 2);                           // [5, 7)
  EXPECT_DOUBLE_EQ(of(edge, WaitCause::kExecutorSlot), 1);  // [7, 8)
}

}  // namespace
}  // namespace mesosim::analysis
