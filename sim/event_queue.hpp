#pragma once

// The discrete-event engine: the Clock of a simulation, whose time jumps from one timer to the
// next instead of passing.
//
// What it promises:
// - Order. Timers run in order of due time; timers due at the same time run in the order they
//   were scheduled. A callback that schedules at delay zero therefore runs its new timer after
//   every timer already due at that time. Ranked timers (schedule_ranked) are the exception:
//   at equal due times they run before every ordinary timer, in ascending rank, whenever they
//   were scheduled. Their order at a time therefore depends only on their ranks, which lets a
//   component model some of its events lazily and create them late with the order they would
//   have had (sim/sim_health.hpp).
// - Determinism. The order depends only on the sequence of calls made on the queue, never on
//   addresses, hashing or the wall clock, so the same calls give the same run on every platform.
// - Time. now() starts at the start time given to the constructor and never decreases. While a
//   callback runs, now() is its due time.
// - Cancellation. cancel() takes amortized O(1) time, plus one heap pop if the cancelled timer
//   was the next one due; the callback and everything it captured is destroyed before cancel()
//   returns. Cancelled timers leave behind no more heap entries than there are pending timers
//   (plus a small constant), so cancel churn does not grow memory. A
//   TimerId is never reused by the same queue, so a stale id (already run, already cancelled,
//   or from a timer whose storage a newer timer now uses) cancels nothing and returns false.
// - Reentrancy. Callbacks may schedule and cancel any timer, including ones due at the same time
//   as themselves. A running timer counts as already run: cancelling it returns false. A
//   callback may not call step(), run() or run_until().
// - Cost. In steady state nothing is allocated per timer beyond what std::function needs for
//   captures larger than its small buffer (two pointers in libstdc++). An ordinary timer due
//   within kWheelSpan of now() (a simulated network delivery, a zero-delay timer) is scheduled
//   and run in O(1); others take O(log n) in a heap. A plain timer (schedule_plain_at) in the
//   wheel allocates nothing and has no callback slot.
//
// Pending callbacks are destroyed, without running, when the queue is destroyed. An EventQueue
// is used from one thread only.

#include <cstddef>
#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "allocator/time.hpp"
#include "sim/master/clock.hpp"

namespace mesosim {

class EventQueue final : public Clock {
 public:
  explicit EventQueue(Time start = Time::epoch());
  ~EventQueue() override;
  EventQueue(const EventQueue&) = delete;
  EventQueue& operator=(const EventQueue&) = delete;

  Time now() const override { return now_; }
  // Runs `fn` once at now() + delay. Requires delay >= 0 and a non-empty fn. Due times past
  // Time::max() saturate to it.
  TimerId schedule(Duration delay, TimerCallback fn) override;
  // Runs `fn` once at `at`. Requires at >= now() and a non-empty fn.
  TimerId schedule_at(Time at, TimerCallback fn);
  // Runs `fn` once at `at` (>= now()), before every ordinary timer due at the same time and in
  // ascending `rank` among ranked ones. Requires rank < kRankLimit; ranked timers due at the
  // same time should have distinct ranks (equal ones run in an unspecified, though
  // deterministic, order).
  static constexpr uint64_t kRankLimit = uint64_t{1} << 63;
  // Ordinary timers due less than this many microseconds after now() wait in a timing wheel
  // rather than the heap (the order is the same).
  static constexpr int64_t kWheelSpan = 4096;
  TimerId schedule_ranked(Time at, uint64_t rank, TimerCallback fn);
  bool cancel(TimerId id) override;

  // Plain timers: timers that cannot be cancelled, whose callback is a function registered once
  // with its context, `fn(ctx, arg)`, and a 64-bit argument given per timer. A plain timer due
  // within kWheelSpan is kept whole in its timing-wheel bucket, so that neither scheduling nor
  // running it touches a callback slot: the simulated network's deliveries, one per message,
  // which would otherwise each read a slot last written a wave of messages earlier.
  using PlainCallback = void (*)(void* ctx, uint64_t arg);
  using PlainKind = uint32_t;
  // Requires a non-null fn; `ctx` must outlive every timer of the kind. `hint`, if given, is
  // called as hint(ctx, arg) when a timer of the kind becomes the wheel's next, while the timer
  // before it runs: a chance to prefetch what fn will read. It must change nothing.
  PlainKind register_plain(PlainCallback fn, void* ctx, PlainCallback hint = nullptr);
  // Runs the kind's fn(ctx, arg) once at `at` (>= now()), ordered exactly as schedule_at(at, ...)
  // called now would order it.
  void schedule_plain_at(Time at, PlainKind kind, uint64_t arg);

  // Advances now() to the next timer's due time and runs it. Returns false, changing nothing,
  // when no timer is pending.
  bool step();
  // Runs every timer due at or before `deadline` (including those that running timers schedule
  // within it), then sets now() to `deadline`. Requires deadline >= now(). If a callback calls
  // stop(), returns right after that callback with now() at its due time.
  void run_until(Time deadline);
  // Runs timers until none is pending or a callback calls stop().
  void run();
  // Makes the run() or run_until() in progress return once the current callback finishes. Has
  // no effect outside them: the next run() or run_until() starts afresh.
  void stop() { stop_requested_ = true; }

  // Timers scheduled and not yet run or cancelled.
  size_t pending() const { return live_; }
  // Callbacks run so far.
  uint64_t executed() const { return executed_; }
  // Due time of the next timer that will run, if any.
  std::optional<Time> next_time() const;

 private:
  // A heap entry names its timer by slot and generation; it is dead (cancelled) when the slot's
  // generation has moved on. Dead entries are dropped when they reach the top, or all at once
  // when they outnumber live ones.
  // seq is the rank for ranked timers and kRankLimit + the scheduling count for ordinary ones,
  // so (at, seq) orders both as promised.
  struct Entry {
    int64_t at;
    uint64_t seq;
    uint32_t slot;
    uint32_t generation;
  };
  struct Slot {
    TimerCallback fn;
    uint32_t generation = 1;
  };
  // An entry of the wheel, due at its bucket's time. kind 0: a timer with a slot, payload = slot
  // | generation << 32. kind k > 0: a plain timer of plain_[k - 1], payload = its argument; always
  // live.
  struct WheelEntry {
    uint64_t seq;
    uint64_t payload;
    uint32_t kind;
  };
  struct Plain {
    PlainCallback fn;
    void* ctx;
    PlainCallback hint;
  };
  // The timing wheel's bucket for one microsecond: every timer in it is due at the same time,
  // `at` (all are due within kWheelSpan of now()), and entries are appended in scheduling order,
  // so its entries from `head` on are in (at, seq) order.
  struct Bucket {
    std::vector<WheelEntry> entries;
    int64_t at = 0;
    uint32_t head = 0;
  };
  static constexpr uint32_t kNoBucket = UINT32_MAX;
  static constexpr size_t kWheelWords = static_cast<size_t>(kWheelSpan) / 64;
  static_assert(kWheelSpan % 64 == 0 && kWheelWords <= 64 && (kWheelSpan & (kWheelSpan - 1)) == 0);

  bool is_live(const Entry& e) const { return slots_[e.slot].generation == e.generation; }
  bool is_live(const WheelEntry& e) const {
    return e.kind != 0 || slots_[static_cast<uint32_t>(e.payload)].generation == (e.payload >> 32);
  }
  TimerId push(Time at, uint64_t seq, TimerCallback fn);
  uint32_t acquire_slot();
  void release_slot(uint32_t slot);
  // The timer to run next, the earlier of the two fronts (both live): the heap's top, or the
  // head of the wheel's `bucket`; both null when nothing is pending.
  struct Next {
    const Entry* heap;
    const WheelEntry* wheel;
    uint32_t bucket;
    int64_t wheel_at;
    bool empty() const { return heap == nullptr && wheel == nullptr; }
    int64_t at() const { return heap != nullptr ? heap->at : wheel_at; }
  };
  Next next() const;
  // Runs n (from next(), nothing changed since).
  void run_next(const Next& n);
  // Drops dead entries from the fronts of both structures (the heap's top, the wheel's head).
  void drop_dead_top();
  void compact_if_mostly_dead();

  void wheel_push(int64_t at, const WheelEntry& e);
  // The bucket holding the wheel's earliest entry, or kNoBucket when the wheel is empty.
  uint32_t wheel_first() const;
  void wheel_pop(uint32_t bucket);
  // Clears an emptied bucket's bit (and its word's, if it was the word's last).
  void wheel_unmark(uint32_t bucket);
  void wheel_drop_dead_front();
  // Calls the hint of the wheel's next timer, if it is a plain one with a hint.
  void hint_wheel_front() const;
  void wheel_compact();

  void heap_push(const Entry& e);
  void heap_pop();
  void heap_drop_dead_top();
  void heap_sift_down(size_t i);

  Time now_;
  uint64_t next_seq_ = kRankLimit;
  uint64_t executed_ = 0;
  size_t live_ = 0;
  bool running_ = false;
  bool stop_requested_ = false;
  // A 4-ary min-heap on (at, seq) whose top is always live.
  std::vector<Entry> heap_;
  // The timing wheel: bucket (at mod kWheelSpan), allocated at its first use. A bit per
  // non-empty bucket, and a bit per non-zero word of those. The entry at the head of the
  // earliest non-empty bucket is always live.
  std::vector<Bucket> wheel_;
  std::array<uint64_t, kWheelWords> wheel_bits_{};
  uint64_t wheel_words_ = 0;
  size_t wheel_size_ = 0;  // entries in the wheel, dead ones included
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_slots_;
  std::vector<Plain> plain_;  // by kind - 1
};

}  // namespace mesosim
