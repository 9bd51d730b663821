#include "sim/live/loop_clock.hpp"

#include <boost/asio/post.hpp>

namespace mesosim::live {

namespace {
// Far enough for any timer the master sets (a year's filter) and far from overflowing.
constexpr auto kMaxDelay = std::chrono::hours(24 * 365 * 100);
}  // namespace

LoopClock::LoopClock(boost::asio::io_context& io)
    : io_(io), timer_(io), steady_start_(std::chrono::steady_clock::now()) {
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  epoch_start_ =
      Time::from_micros(std::chrono::duration_cast<std::chrono::microseconds>(since_epoch).count());
}

LoopClock::~LoopClock() { timer_.cancel(); }

Time LoopClock::now() const {
  const auto elapsed = std::chrono::steady_clock::now() - steady_start_;
  return epoch_start_ +
         Duration::micros(std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count());
}

TimerId LoopClock::schedule(Duration delay, TimerCallback fn) {
  std::chrono::microseconds d{delay.micros() < 0 ? 0 : delay.micros()};
  if (d > kMaxDelay) d = kMaxDelay;
  const uint64_t id = next_id_++;
  const Key key{std::chrono::steady_clock::now() + d, id};
  if (d.count() == 0) {
    // Due now: run on the loop's next turn, after the work already queued (and a look at the
    // fds), without the steady timer. Arming it is a timerfd_settime, which reprograms the
    // CPU's timer (on a VM, an exit to the hypervisor), and a live agent takes a zero-delay
    // turn several times per launch (LaunchPacer).
    by_id_.emplace(id, Entry{true, ready_.emplace(key, std::move(fn)).first});
    post_fire();
    return TimerId{id};
  }
  auto it = due_.emplace(key, std::move(fn)).first;
  by_id_.emplace(id, Entry{false, it});
  if (!armed_for_ || key.first < *armed_for_) arm();
  return TimerId{id};
}

void LoopClock::post_fire() {
  if (fire_posted_) return;
  fire_posted_ = true;
  boost::asio::post(io_, [this, alive = std::weak_ptr<char>(alive_)] {
    if (alive.expired()) return;
    fire_posted_ = false;
    fire();
  });
}

bool LoopClock::cancel(TimerId id) {
  auto it = by_id_.find(id.value);
  if (it == by_id_.end()) return false;
  (it->second.ready ? ready_ : due_).erase(it->second.at);
  by_id_.erase(it);
  if (due_.empty() && armed_for_) {
    // Nothing left to wait for: an idle clock keeps no work on the loop, so a stopped daemon's
    // io_context can run out of work and return. (A posted fire() runs once and finds nothing.)
    armed_for_.reset();
    timer_.cancel();
  }
  return true;  // the steady timer may fire for nothing; fire() then finds nothing due
}

void LoopClock::post(std::function<void()> fn) { boost::asio::post(io_, std::move(fn)); }

void LoopClock::arm() {
  if (due_.empty()) {
    armed_for_.reset();
    timer_.cancel();
    return;
  }
  const SteadyTime when = due_.begin()->first.first;
  if (armed_for_ == when) return;  // the steady timer waits for it already
  armed_for_ = when;
  timer_.expires_at(when);
  timer_.async_wait(
      [this, when, alive = std::weak_ptr<char>(alive_)](const boost::system::error_code& ec) {
        if (ec || alive.expired()) return;
        if (armed_for_ != when) return;  // re-armed for an earlier timer, or cancelled
        armed_for_.reset();
        fire();
      });
}

void LoopClock::fire() {
  // One due timer per loop turn at most would starve nothing, but the master sets many timers
  // for one instant (a batch of offers); run every timer due now, both kinds merged in (due, id)
  // order. Callbacks may schedule or cancel; the maps stay valid because each entry is removed
  // before it runs. A zero-delay timer scheduled by a callback is due after `now`: it runs on
  // the next turn (post_fire), never inside this one.
  const SteadyTime now = std::chrono::steady_clock::now();
  for (;;) {
    const bool ready = !ready_.empty() && ready_.begin()->first.first <= now;
    const bool due = !due_.empty() && due_.begin()->first.first <= now;
    if (!ready && !due) break;
    std::map<Key, TimerCallback>& from =
        ready && (!due || ready_.begin()->first < due_.begin()->first) ? ready_ : due_;
    auto it = from.begin();
    TimerCallback fn = std::move(it->second);
    by_id_.erase(it->first.second);
    from.erase(it);
    fn();
  }
  if (!ready_.empty()) post_fire();  // due after `now`: the next turn
  arm();  // for the earliest timed one left, whatever the callbacks scheduled
}

}  // namespace mesosim::live
