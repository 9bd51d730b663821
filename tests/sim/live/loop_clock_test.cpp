// LoopClock: real timers on an io_context, in order, cancellable; Unix epoch time.

#include "sim/live/loop_clock.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "sim/live/mesos_flags.hpp"

namespace mesosim::live {
namespace {

TEST(LoopClock, NowIsUnixEpochMicrosecondsAndAdvances) {
  boost::asio::io_context io;
  LoopClock clock(io);
  const auto wall = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
  const Time t0 = clock.now();
  EXPECT_LT(std::abs(t0.micros() - wall), 1'000'000);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_GE((clock.now() - t0).micros(), 5000);
}

TEST(LoopClock, TimersRunInDueOrderAndTiesInScheduleOrder) {
  boost::asio::io_context io;
  LoopClock clock(io);
  std::vector<int> order;
  const Time start = clock.now();
  Time fired_at;
  clock.schedule(Duration::millis(30), [&] {
    order.push_back(3);
    fired_at = clock.now();
  });
  clock.schedule(Duration::millis(10), [&] { order.push_back(1); });
  clock.schedule(Duration::millis(10), [&] { order.push_back(2); });
  clock.schedule(Duration::zero(), [&] {
    order.push_back(0);
    // Scheduled from inside a callback: runs later, not inside this one.
    clock.schedule(Duration::zero(), [&] { order.push_back(10); });
  });
  io.run();  // returns once no timer is left
  EXPECT_EQ(order, (std::vector<int>{0, 10, 1, 2, 3}));
  EXPECT_GE((fired_at - start).micros(), 30'000);
  EXPECT_EQ(clock.pending_timers(), 0u);
}

// Zero-delay timers are posted to the loop rather than waited for on the steady timer: they
// still run in (due, schedule) order with the timed ones, and each on a later turn than the work
// queued before it.
TEST(LoopClock, ZeroDelayTimersRunInDueOrderWithTimedOnesAndAfterQueuedWork) {
  boost::asio::io_context io;
  LoopClock clock(io);
  std::vector<std::string> order;
  clock.schedule(Duration::millis(1), [&] { order.push_back("timed"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(5));  // due before the zero-delay one
  clock.schedule(Duration::zero(), [&] {
    order.push_back("zero");
    clock.schedule(Duration::zero(), [&] { order.push_back("zero, next turn"); });
    clock.post([&] { order.push_back("posted"); });
  });
  const TimerId cancelled = clock.schedule(Duration::zero(), [&] { order.push_back("x"); });
  EXPECT_TRUE(clock.cancel(cancelled));
  io.run();
  EXPECT_EQ(order, (std::vector<std::string>{"timed", "zero", "zero, next turn", "posted"}));
  EXPECT_EQ(clock.pending_timers(), 0u);

  // A zero-delay turn after work already queued runs after it.
  io.restart();
  order.clear();
  clock.post([&] { order.push_back("queued first"); });
  clock.schedule(Duration::zero(), [&] { order.push_back("zero"); });
  io.run();
  EXPECT_EQ(order, (std::vector<std::string>{"queued first", "zero"}));
}

TEST(LoopClock, CancelledTimersNeverRunAndCancellingTwiceIsHarmless) {
  boost::asio::io_context io;
  LoopClock clock(io);
  bool ran = false, other = false;
  const TimerId id = clock.schedule(Duration::millis(5), [&] { ran = true; });
  clock.schedule(Duration::millis(10), [&] { other = true; });
  EXPECT_TRUE(clock.cancel(id));
  EXPECT_FALSE(clock.cancel(id));
  EXPECT_FALSE(clock.cancel(TimerId{}));
  io.run();
  EXPECT_FALSE(ran);
  EXPECT_TRUE(other);
}

TEST(LoopClock, AnIdleClockLeavesNoWorkOnTheLoop) {
  boost::asio::io_context io;
  LoopClock clock(io);
  const TimerId id = clock.schedule(Duration::hours(1), [] {});
  clock.cancel(id);
  const auto start = std::chrono::steady_clock::now();
  io.run();  // would wait an hour if the steady timer were still armed
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
}

TEST(LoopClock, PostRunsWorkFromAnotherThreadOnTheLoop) {
  boost::asio::io_context io;
  LoopClock clock(io);
  std::thread::id ran_on;
  std::thread other([&] { clock.post([&] { ran_on = std::this_thread::get_id(); }); });
  other.join();
  io.run();
  EXPECT_EQ(ran_on, std::this_thread::get_id());
}

// Two clocks' timers come due in the same loop turn; the first one's callback destroys the
// second clock (a daemon stopping as it handles a timer). The second clock's wait completed
// before its destructor ran, so it still runs: it must not touch the freed clock (the
// AddressSanitizer build, which runs this suite, fails here if it does).
TEST(LoopClock, AClockDestroyedAfterItsTimerFiredIsNotTouched) {
  boost::asio::io_context io;
  auto first = std::make_unique<LoopClock>(io);
  auto second = std::make_unique<LoopClock>(io);
  int ran = 0;
  first->schedule(Duration::micros(0), [&] {
    ++ran;
    second.reset();
  });
  second->schedule(Duration::micros(0), [&] { ++ran; });
  std::this_thread::sleep_for(std::chrono::milliseconds(5));  // both due before the loop runs
  io.run_for(std::chrono::seconds(1));
  EXPECT_EQ(ran, 1);
  EXPECT_EQ(second, nullptr);
}

TEST(MesosFlags, DurationsInMesosUnits) {
  EXPECT_EQ(parse_mesos_duration("1secs").value(), Duration::seconds(1));
  EXPECT_EQ(parse_mesos_duration("500ms").value(), Duration::millis(500));
  EXPECT_EQ(parse_mesos_duration("0.5secs").value(), Duration::millis(500));
  EXPECT_EQ(parse_mesos_duration("10mins").value(), Duration::minutes(10));
  EXPECT_EQ(parse_mesos_duration("2hrs").value(), Duration::hours(2));
  EXPECT_EQ(parse_mesos_duration("1weeks").value(), Duration::days(7));
  auto bad = parse_mesos_duration("5 seconds");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message,
            "'5 seconds' is not a duration (unknown unit; expected a number and one of the units "
            "ns, us, ms, secs, mins, hrs, days, weeks, e.g. '1secs')");
  EXPECT_FALSE(parse_mesos_duration("secs").ok());
  EXPECT_FALSE(parse_mesos_duration("10").ok());
  EXPECT_FALSE(parse_mesos_duration("-1secs").ok());
}

}  // namespace
}  // namespace mesosim::live
