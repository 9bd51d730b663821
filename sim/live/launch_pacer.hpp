#pragma once

// LaunchPacer: when a live agent's next queued launch may run on its one loop, so that neither
// the launches nor the messages that keep arriving starve the other.
//
// The agent calls turn(now) once per turn of its loop while launches are queued, message() for
// every message it handles, and launched(start, end) after each launch it ran. The rule:
// - Messages come first while they arrive, but only for as long as the last launch took: after a
//   launch that took d, messages have the loop until d after it ended. Under a backlog and a
//   steady stream of messages, launches and messages each get about half of the loop's time, so
//   a ping or an acknowledgement waits behind at most one launch and a share of messages, and
//   launches go on at about half the agent's speed at worst.
// - A quiet loop launches without waiting: kQuietTurns turns in a row without a message (a
//   pipelined message takes the loop about three turns to read: header, body, reply) and the
//   next launch runs.
// - Otherwise the agent takes another turn (a zero-delay timer): turns cost microseconds, and
//   they are taken only while messages keep the loop busy or for the few quiet ones. (Waiting
//   on a timer for the share to end instead idled the loop whenever a message had come during
//   a launch, which under load is after nearly every launch.)
// Times are the agent's Clock's. Pure: no clock, no I/O.

#include <cstdint>

#include "allocator/time.hpp"

namespace mesosim::live {

class LaunchPacer {
 public:
  static constexpr int kQuietTurns = 4;

  enum class Next { kLaunch, kNextTurn };

  void message() { ++messages_; }
  Next turn(Time now);
  void launched(Time start, Time end);

 private:
  uint64_t messages_ = 0;
  uint64_t seen_ = 0;  // messages_ at the previous turn
  int quiet_ = 0;      // turns in a row without a message
  Time messages_until_;
};

}  // namespace mesosim::live
