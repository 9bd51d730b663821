#pragma once

// Live mode's Clock: real time on a boost::asio::io_context (the daemon's event loop).
//
// Time: microseconds since the Unix epoch, as the event log's `unix_epoch` time base says. The
// epoch offset is read from the system clock once, at construction; from then on now() advances
// with the monotonic (steady) clock, so it never jumps back when the system clock is set, and
// timers are steady timers. Over a long run now() may drift from the system clock by however
// much the system clock was adjusted.
//
// Threading: as Clock promises. now(), schedule() and cancel() are called only on the thread
// that runs the io_context, and callbacks run there, one at a time, never inside schedule() or
// cancel(). post() is the one member any thread may call: it queues work onto the loop.
// Timers due at the same instant run in the order they were scheduled. A zero-delay timer runs on
// the loop's next turn (a posted handler, after the work already queued), never through the
// steady timer: arming that is a timerfd_settime, on a VM an exit to the hypervisor, and a live
// agent takes several zero-delay turns per launch.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "sim/master/clock.hpp"

namespace mesosim::live {

class LoopClock final : public Clock {
 public:
  explicit LoopClock(boost::asio::io_context& io);
  ~LoopClock() override;
  LoopClock(const LoopClock&) = delete;
  LoopClock& operator=(const LoopClock&) = delete;

  Time now() const override;
  TimerId schedule(Duration delay, TimerCallback fn) override;
  bool cancel(TimerId id) override;

  // Thread-safe: runs `fn` on the loop thread soon, after the work already queued.
  void post(std::function<void()> fn);

  size_t pending_timers() const { return by_id_.size(); }
  boost::asio::io_context& io_context() { return io_; }

 private:
  using SteadyTime = std::chrono::steady_clock::time_point;
  using Key = std::pair<SteadyTime, uint64_t>;  // (due, id): ids grow, so ties keep order
  void arm();
  void fire();
  // fire() on the loop's next turn (once, however many zero-delay timers ask for it).
  void post_fire();

  boost::asio::io_context& io_;
  boost::asio::steady_timer timer_;
  SteadyTime steady_start_;
  Time epoch_start_;
  uint64_t next_id_ = 1;
  // Timers with a delay, which the steady timer waits for; and zero-delay ones, which a posted
  // fire() runs on the loop's next turn.
  std::map<Key, TimerCallback> due_;
  std::map<Key, TimerCallback> ready_;
  struct Entry {
    bool ready;  // in ready_, else in due_
    std::map<Key, TimerCallback>::iterator at;
  };
  std::unordered_map<uint64_t, Entry> by_id_;
  std::optional<SteadyTime> armed_for_;
  bool fire_posted_ = false;
  // Expires with the clock: a wait that completed before the destructor cancelled the timer
  // still runs, after the clock is gone.
  std::shared_ptr<char> alive_ = std::make_shared<char>();
};

}  // namespace mesosim::live
