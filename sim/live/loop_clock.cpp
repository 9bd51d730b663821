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
  auto [it, inserted] = due_.emplace(Key{std::chrono::steady_clock::now() + d, id}, std::move(fn));
  by_id_.emplace(id, it);
  if (!armed_for_ || it->first.first < *armed_for_) arm();
  return TimerId{id};
}

bool LoopClock::cancel(TimerId id) {
  auto it = by_id_.find(id.value);
  if (it == by_id_.end()) return false;
  due_.erase(it->second);
  by_id_.erase(it);
  if (due_.empty() && armed_for_) {
    // Nothing left to wait for: an idle clock keeps no work on the loop, so a stopped daemon's
    // io_context can run out of work and return.
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
  armed_for_ = when;
  timer_.expires_at(when);
  timer_.async_wait([this, when, alive = std::weak_ptr<char>(alive_)](
                        const boost::system::error_code& ec) {
    if (ec || alive.expired()) return;
    if (armed_for_ != when) return;  // re-armed for an earlier timer, or cancelled
    armed_for_.reset();
    fire();
  });
}

void LoopClock::fire() {
  // One due timer per loop turn at most would starve nothing, but the master sets many timers
  // for one instant (a batch of offers); run every timer due now, in (due, id) order. Callbacks
  // may schedule or cancel; the map stays valid because each entry is removed before it runs.
  const SteadyTime now = std::chrono::steady_clock::now();
  while (!due_.empty() && due_.begin()->first.first <= now) {
    auto it = due_.begin();
    TimerCallback fn = std::move(it->second);
    by_id_.erase(it->first.second);
    due_.erase(it);
    fn();
  }
  arm();  // for the earliest timer left, whatever the callbacks scheduled
}

}  // namespace mesosim::live
