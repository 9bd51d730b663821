#pragma once

// The clock through which the master and every simulated component read time and set timers.
//
// The simulator provides an EventQueue (simulated time that jumps from event to event); live
// mode provides a real clock on an event loop. Code written against this interface never knows
// which one it runs under.
//
// Threading: a Clock belongs to one thread, the one that runs its loop. now(), schedule() and
// cancel() are called only from that thread, and every callback runs on it, one at a time and
// never from inside schedule() or cancel(). Code on another thread posts work onto the loop
// (live mode's clock offers that); it never calls a Clock directly.

#include <cstdint>
#include <functional>

#include "allocator/time.hpp"

namespace mesosim {

struct TimerId {
  uint64_t value = 0;  // 0 is never a live timer
  auto operator<=>(const TimerId&) const = default;
};

using TimerCallback = std::function<void()>;

class Clock {
 public:
  virtual ~Clock() = default;

  virtual Time now() const = 0;
  // Runs `fn` once at now() + delay (delay >= 0). Timers due at the same time run in the order
  // they were scheduled.
  virtual TimerId schedule(Duration delay, TimerCallback fn) = 0;
  // Cancels a pending timer in O(1). Returns false if it already ran or was cancelled (or the id
  // is 0), so cancelling twice is harmless.
  virtual bool cancel(TimerId id) = 0;
};

}  // namespace mesosim
