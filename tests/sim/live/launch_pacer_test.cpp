// When a live agent's queued launch may run (sim/live/launch_pacer.hpp).

#include "sim/live/launch_pacer.hpp"

#include <gtest/gtest.h>

namespace mesosim::live {
namespace {

using Kind = LaunchPacer::Next;

const Time kStart = Time::from_micros(1'000'000);

TEST(LaunchPacerTest, TheFirstLaunchRunsAtOnceAndAQuietLoopLaunchesAfterFourQuietTurns) {
  LaunchPacer pacer;
  pacer.message();  // the RunTaskMessage itself
  EXPECT_EQ(pacer.turn(kStart), Kind::kLaunch) << "no launch has taken any time yet";
  pacer.launched(kStart, kStart + Duration::millis(2));
  Time t = kStart + Duration::millis(2);
  for (int turn = 1; turn < LaunchPacer::kQuietTurns; ++turn) {
    t = t + Duration::micros(10);
    EXPECT_EQ(pacer.turn(t), Kind::kNextTurn) << "quiet turn " << turn;
  }
  EXPECT_EQ(pacer.turn(t + Duration::micros(10)), Kind::kLaunch)
      << "four quiet turns: nothing is being read, so the loop need not wait for its share";
}

TEST(LaunchPacerTest, MessagesHaveTheLoopForAsLongAsTheLastLaunchTookAndNoLonger) {
  LaunchPacer pacer;
  const Time end = kStart + Duration::millis(3);
  pacer.launched(kStart, end);
  // A message on every turn: the turns are the messages' until the share is over.
  for (Time t = end; t < end + Duration::millis(3); t = t + Duration::micros(250)) {
    pacer.message();
    EXPECT_EQ(pacer.turn(t), Kind::kNextTurn) << (t - end).to_string();
  }
  // Messages still arrive, but their share is used: the launch runs.
  pacer.message();
  EXPECT_EQ(pacer.turn(end + Duration::millis(3)), Kind::kLaunch);
}

TEST(LaunchPacerTest, AMessageAmongQuietTurnsStartsTheCountAgain) {
  LaunchPacer pacer;
  pacer.launched(kStart, kStart + Duration::seconds(1));  // a long share: only quiet launches
  Time t = kStart + Duration::seconds(1);
  for (int turn = 1; turn < LaunchPacer::kQuietTurns; ++turn) {
    EXPECT_EQ(pacer.turn(t), Kind::kNextTurn);
  }
  pacer.message();
  EXPECT_EQ(pacer.turn(t), Kind::kNextTurn);
  for (int turn = 1; turn < LaunchPacer::kQuietTurns; ++turn) {
    EXPECT_EQ(pacer.turn(t), Kind::kNextTurn);
  }
  EXPECT_EQ(pacer.turn(t), Kind::kLaunch);
}

}  // namespace
}  // namespace mesosim::live
