#include "sim/event_queue.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "allocator/rng.hpp"

namespace mesosim {
namespace {

Time at_us(int64_t us) { return Time::from_micros(us); }

TEST(EventQueueTest, StartsAtTheGivenTimeWithNothingPending) {
  EventQueue q(at_us(500));
  EXPECT_EQ(q.now(), at_us(500));
  EXPECT_EQ(q.pending(), 0u);
  EXPECT_FALSE(q.next_time().has_value());
  EXPECT_FALSE(q.step());
  EXPECT_EQ(q.now(), at_us(500));
  EXPECT_EQ(EventQueue().now(), Time::epoch());
}

TEST(EventQueueTest, TimersRunInDueTimeOrderAndAdvanceNow) {
  EventQueue q;
  std::vector<std::pair<int, Time>> ran;
  for (int delay : {30, 10, 20}) {
    q.schedule(Duration::micros(delay), [&, delay] { ran.emplace_back(delay, q.now()); });
  }
  q.run();
  const std::vector<std::pair<int, Time>> want = {
      {10, at_us(10)}, {20, at_us(20)}, {30, at_us(30)}};
  EXPECT_EQ(ran, want);
  EXPECT_EQ(q.now(), at_us(30));
}

TEST(EventQueueTest, EqualTimeTimersRunInSchedulingOrder) {
  EventQueue q;
  std::vector<int> ran;
  for (int i = 0; i < 100; ++i) {
    q.schedule_at(at_us(i % 2 == 0 ? 7 : 3), [&ran, i] { ran.push_back(i); });
  }
  q.run();
  std::vector<int> want;
  for (int i = 1; i < 100; i += 2) want.push_back(i);
  for (int i = 0; i < 100; i += 2) want.push_back(i);
  EXPECT_EQ(ran, want);
}

TEST(EventQueueTest, RankedTimersRunFirstAtTheirTimeInRankOrderWheneverScheduled) {
  EventQueue q;
  std::vector<std::string> ran;
  q.schedule_at(at_us(5), [&] { ran.push_back("ordinary 1"); });
  q.schedule_ranked(at_us(5), 9, [&] { ran.push_back("rank 9"); });
  q.schedule_at(at_us(5), [&] { ran.push_back("ordinary 2"); });
  q.schedule_ranked(at_us(5), 2, [&] { ran.push_back("rank 2"); });
  q.schedule_ranked(at_us(4), 100, [&] {
    ran.push_back("rank 100 at 4");
    // Scheduled last, still ahead of the ordinary timers and of rank 9 at time 5.
    q.schedule_ranked(at_us(5), 3, [&] { ran.push_back("rank 3"); });
  });
  q.schedule_at(at_us(6), [&] {
    ran.push_back("ordinary at 6");
    // Due now, from an ordinary timer: runs next, before the ordinary timer already due now.
    q.schedule_ranked(at_us(6), 0, [&] { ran.push_back("rank 0 at 6"); });
  });
  q.schedule_at(at_us(6), [&] { ran.push_back("ordinary at 6, second"); });
  q.run();
  EXPECT_EQ(ran, (std::vector<std::string>{"rank 100 at 4", "rank 2", "rank 3", "rank 9",
                                           "ordinary 1", "ordinary 2", "ordinary at 6",
                                           "rank 0 at 6", "ordinary at 6, second"}));
}

TEST(EventQueueTest, RanksAtOrPastTheLimitAreRejected) {
  EventQueue q;
  EXPECT_DEATH(q.schedule_ranked(at_us(1), EventQueue::kRankLimit, [] {}), "kRankLimit");
}

TEST(EventQueueTest, CancelledTimerNeverRunsAndSecondCancelReturnsFalse) {
  EventQueue q;
  bool ran = false;
  const TimerId id = q.schedule(Duration::seconds(1), [&] { ran = true; });
  EXPECT_TRUE(q.cancel(id));
  EXPECT_FALSE(q.cancel(id));
  q.run();
  EXPECT_FALSE(ran);
  EXPECT_EQ(q.executed(), 0u);
}

TEST(EventQueueTest, CancelOfZeroOrUnknownOrAlreadyRunIdReturnsFalse) {
  EventQueue q;
  EXPECT_FALSE(q.cancel(TimerId{}));
  EXPECT_FALSE(q.cancel(TimerId{(uint64_t{1} << 32) | 12345}));
  const TimerId id = q.schedule(Duration::zero(), [] {});
  EXPECT_NE(id.value, 0u);
  q.run();
  EXPECT_FALSE(q.cancel(id));
}

TEST(EventQueueTest, CallbackCanCancelATimerDueAtTheSameTime) {
  EventQueue q;
  std::vector<std::string> ran;
  TimerId victim;
  bool cancelled = false;
  q.schedule_at(at_us(5), [&] {
    ran.push_back("first");
    cancelled = q.cancel(victim);
  });
  victim = q.schedule_at(at_us(5), [&] { ran.push_back("victim"); });
  q.schedule_at(at_us(5), [&] { ran.push_back("last"); });
  q.run();
  EXPECT_TRUE(cancelled);
  EXPECT_EQ(ran, (std::vector<std::string>{"first", "last"}));
}

TEST(EventQueueTest, CallbackCancellingItselfReturnsFalse) {
  EventQueue q;
  TimerId self;
  bool result = true;
  self = q.schedule(Duration::micros(1), [&] { result = q.cancel(self); });
  q.run();
  EXPECT_FALSE(result);
  EXPECT_EQ(q.executed(), 1u);
}

TEST(EventQueueTest, ZeroDelayTimerFromCallbackRunsAfterQueuedSameTimeTimers) {
  EventQueue q;
  std::vector<std::string> ran;
  Time child_time;
  q.schedule_at(at_us(10), [&] {
    ran.push_back("a");
    q.schedule(Duration::zero(), [&] {
      ran.push_back("child");
      child_time = q.now();
    });
  });
  q.schedule_at(at_us(10), [&] { ran.push_back("b"); });
  q.schedule_at(at_us(11), [&] { ran.push_back("later"); });
  q.run();
  EXPECT_EQ(ran, (std::vector<std::string>{"a", "b", "child", "later"}));
  EXPECT_EQ(child_time, at_us(10));
}

TEST(EventQueueTest, TimerFromCallbackRunsAtCallbackTimePlusDelay) {
  EventQueue q;
  Time child_time;
  q.schedule(Duration::seconds(2),
             [&] { q.schedule(Duration::millis(3), [&] { child_time = q.now(); }); });
  q.run();
  EXPECT_EQ(child_time, Time::epoch() + Duration::seconds(2) + Duration::millis(3));
}

TEST(EventQueueTest, RunUntilRunsTimersAtTheDeadlineAndLeavesLaterOnesPending) {
  EventQueue q;
  std::vector<int64_t> ran;
  for (int64_t t : {99, 100, 100, 101, 200}) {
    q.schedule_at(at_us(t), [&ran, t] { ran.push_back(t); });
  }
  q.run_until(at_us(100));
  EXPECT_EQ(ran, (std::vector<int64_t>{99, 100, 100}));
  EXPECT_EQ(q.now(), at_us(100));
  EXPECT_EQ(q.pending(), 2u);
  EXPECT_EQ(q.next_time(), at_us(101));
}

TEST(EventQueueTest, RunUntilAdvancesNowToTheDeadlineWhenNothingIsDue) {
  EventQueue q;
  q.schedule_at(at_us(1000), [] {});
  q.run_until(at_us(400));
  EXPECT_EQ(q.now(), at_us(400));
  EXPECT_EQ(q.executed(), 0u);
  EXPECT_EQ(q.pending(), 1u);
}

TEST(EventQueueTest, RunUntilRunsTimersScheduledByCallbacksWithinTheDeadline) {
  EventQueue q;
  int ticks = 0;
  std::function<void()> tick = [&] {
    ++ticks;
    q.schedule(Duration::micros(10), tick);
  };
  q.schedule(Duration::micros(10), tick);
  q.run_until(at_us(100));
  EXPECT_EQ(ticks, 10);
  EXPECT_EQ(q.pending(), 1u);
}

TEST(EventQueueTest, StopInsideCallbackEndsRunAfterThatCallback) {
  EventQueue q;
  std::vector<int> ran;
  q.schedule_at(at_us(1), [&] { ran.push_back(1); });
  q.schedule_at(at_us(2), [&] {
    ran.push_back(2);
    q.stop();
  });
  q.schedule_at(at_us(3), [&] { ran.push_back(3); });
  q.run();
  EXPECT_EQ(ran, (std::vector<int>{1, 2}));
  EXPECT_EQ(q.now(), at_us(2));
  EXPECT_EQ(q.pending(), 1u);
  q.run();
  EXPECT_EQ(ran, (std::vector<int>{1, 2, 3}));
}

TEST(EventQueueTest, StopInsideRunUntilLeavesNowAtTheStoppingTimer) {
  EventQueue q;
  q.schedule_at(at_us(5), [&] { q.stop(); });
  q.schedule_at(at_us(6), [] {});
  q.run_until(at_us(50));
  EXPECT_EQ(q.now(), at_us(5));
  EXPECT_EQ(q.pending(), 1u);
}

TEST(EventQueueTest, PendingCountsLiveTimersAndExecutedCountsCallbacksRun) {
  EventQueue q;
  std::vector<TimerId> ids;
  for (int i = 0; i < 10; ++i) ids.push_back(q.schedule(Duration::micros(i), [] {}));
  EXPECT_EQ(q.pending(), 10u);
  q.cancel(ids[0]);
  q.cancel(ids[5]);
  EXPECT_EQ(q.pending(), 8u);
  EXPECT_TRUE(q.step());
  EXPECT_EQ(q.now(), at_us(1));
  EXPECT_EQ(q.pending(), 7u);
  EXPECT_EQ(q.executed(), 1u);
  q.run();
  EXPECT_EQ(q.pending(), 0u);
  EXPECT_EQ(q.executed(), 8u);
}

TEST(EventQueueTest, NextTimeSkipsCancelledTimers) {
  EventQueue q;
  const TimerId first = q.schedule_at(at_us(10), [] {});
  q.schedule_at(at_us(20), [] {});
  EXPECT_EQ(q.next_time(), at_us(10));
  q.cancel(first);
  EXPECT_EQ(q.next_time(), at_us(20));
}

TEST(EventQueueTest, CancelDestroysCapturedStateAtOnce) {
  EventQueue q;
  auto token = std::make_shared<int>(0);
  q.schedule_at(at_us(1), [] {});  // keeps the cancelled timer off the top of the heap
  const TimerId id = q.schedule_at(at_us(2), [token] {});
  const TimerId top = q.schedule_at(at_us(0), [token] {});
  EXPECT_EQ(token.use_count(), 3);
  q.cancel(id);
  EXPECT_EQ(token.use_count(), 2);
  q.cancel(top);
  EXPECT_EQ(token.use_count(), 1);
}

TEST(EventQueueTest, CallbackIsDestroyedAfterItRuns) {
  EventQueue q;
  auto token = std::make_shared<int>(0);
  q.schedule(Duration::zero(), [token] {});
  q.run();
  EXPECT_EQ(token.use_count(), 1);
}

TEST(EventQueueTest, StaleIdDoesNotCancelTimerThatReusesItsSlot) {
  EventQueue q;
  const TimerId old_cancelled = q.schedule(Duration::micros(5), [] {});
  q.cancel(old_cancelled);
  bool ran = false;
  const TimerId reuser = q.schedule(Duration::micros(5), [&] { ran = true; });
  // Same slot (low half), new generation: the test would be vacuous otherwise.
  EXPECT_EQ(static_cast<uint32_t>(reuser.value), static_cast<uint32_t>(old_cancelled.value));
  EXPECT_NE(reuser, old_cancelled);
  EXPECT_FALSE(q.cancel(old_cancelled));

  const TimerId old_run = q.schedule(Duration::zero(), [] {});
  ASSERT_TRUE(q.step());
  const TimerId reuser2 = q.schedule(Duration::micros(5), [] {});
  EXPECT_EQ(static_cast<uint32_t>(reuser2.value), static_cast<uint32_t>(old_run.value));
  EXPECT_FALSE(q.cancel(old_run));

  q.run();
  EXPECT_TRUE(ran);
  EXPECT_EQ(q.executed(), 3u);
}

TEST(EventQueueTest, CancellingMostTimersKeepsTheRestInOrder) {
  EventQueue q;
  Rng rng(7);
  std::vector<TimerId> ids;
  std::vector<int64_t> ran;
  for (int i = 0; i < 2000; ++i) {
    const auto t = static_cast<int64_t>(rng.below(500));
    ids.push_back(q.schedule_at(at_us(t), [&ran, t] { ran.push_back(t); }));
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i % 10 != 0) {
      EXPECT_TRUE(q.cancel(ids[i]));
    }
  }
  EXPECT_EQ(q.pending(), 200u);
  q.run();
  ASSERT_EQ(ran.size(), 200u);
  EXPECT_TRUE(std::is_sorted(ran.begin(), ran.end()));
}

// Drives the queue and a plain ordered set with the same random schedule/cancel/step calls and
// checks that they agree after every call.
TEST(EventQueueTest, MatchesAnOrderedSetUnderRandomScheduleCancelAndStep) {
  EventQueue q;
  Rng rng(2024);
  std::set<std::pair<int64_t, size_t>> model;  // (due, label); labels grow with scheduling order
  std::vector<std::pair<TimerId, int64_t>> issued;
  size_t last_run = SIZE_MAX;
  for (int op = 0; op < 60000; ++op) {
    // Alternating phases that grow the population and then cancel most of it, so that cancelled
    // entries come to outnumber live ones and the heap gets compacted.
    const bool growing = (op / 5000) % 2 == 0;
    const uint64_t dice = rng.below(100);
    if (dice < (growing ? 60 : 20)) {
      const int64_t due = q.now().micros() + static_cast<int64_t>(rng.below(300));
      const size_t label = issued.size();
      issued.emplace_back(q.schedule_at(at_us(due), [&last_run, label] { last_run = label; }), due);
      model.emplace(due, label);
    } else if (dice < 80 && !issued.empty()) {
      // Recent timers are more often still pending.
      const size_t label = issued.size() - 1 - rng.below(std::min<size_t>(issued.size(), 3000));
      const bool live = model.erase({issued[label].second, label}) == 1;
      ASSERT_EQ(q.cancel(issued[label].first), live) << "label " << label;
    } else {
      ASSERT_EQ(q.step(), !model.empty());
      if (!model.empty()) {
        ASSERT_EQ(last_run, model.begin()->second);
        ASSERT_EQ(q.now(), at_us(model.begin()->first));
        model.erase(model.begin());
      }
    }
    ASSERT_EQ(q.pending(), model.size());
    ASSERT_EQ(q.next_time().has_value(), !model.empty());
    if (!model.empty()) {
      ASSERT_EQ(q.next_time(), at_us(model.begin()->first));
    }
  }
}

// As above, with due times from zero to three wheel spans ahead, ranked timers among ordinary
// ones, callbacks that schedule more, and run_until() deadlines: timers near enough wait in
// the timing wheel, the others in the heap, and a timer can move from being far (in the heap)
// to due before wheel timers scheduled after it. The order must stay (due, rank, scheduling).
// A plain timer kind that calls `fire` with its label, and checks each hint against the model.
struct PlainFire {
  std::function<void(size_t)>* fire;
  std::function<void(size_t)>* hinted;
  static void run(void* self, uint64_t label) {
    (*static_cast<PlainFire*>(self)->fire)(static_cast<size_t>(label));
  }
  static void hint(void* self, uint64_t label) {
    (*static_cast<PlainFire*>(self)->hinted)(static_cast<size_t>(label));
  }
};

TEST(EventQueueTest, WheelAndHeapTogetherKeepTheOrderOfAnOrderedSet) {
  EventQueue q(at_us(-3 * EventQueue::kWheelSpan));  // bucket indices of negative times too
  Rng rng(77);
  // (due, rank or kRankLimit + label, label)
  std::set<std::tuple<int64_t, uint64_t, size_t>> model;
  // Plain timers have no id (TimerId{}): they cannot be cancelled.
  std::vector<std::tuple<TimerId, int64_t, uint64_t>> issued;
  std::vector<size_t> ran;
  std::function<void(size_t)> fire;
  // A hint names a pending plain timer.
  size_t hints = 0;
  std::function<void(size_t)> hinted = [&](size_t label) {
    const auto& [id, due, key] = issued.at(label);
    ASSERT_EQ(id, TimerId{});
    ASSERT_EQ(model.count({due, key, label}), 1u);
    ++hints;
  };
  PlainFire plain_fire{&fire, &hinted};
  const EventQueue::PlainKind kind =
      q.register_plain(&PlainFire::run, &plain_fire, &PlainFire::hint);
  auto schedule = [&](int64_t due) {
    const size_t label = issued.size();
    const uint64_t dice = rng.below(8);
    const bool ranked = dice == 0;
    const uint64_t key = ranked ? rng.below(1000) * 100000 + label : EventQueue::kRankLimit + label;
    TimerId id;
    if (ranked) {
      id = q.schedule_ranked(at_us(due), key, [&fire, label] { fire(label); });
    } else if (dice < 4) {
      id = q.schedule_at(at_us(due), [&fire, label] { fire(label); });
    } else {
      q.schedule_plain_at(at_us(due), kind, label);
    }
    issued.emplace_back(id, due, key);
    model.emplace(due, key, label);
  };
  auto draw_due = [&] {
    const uint64_t kind = rng.below(4);
    const auto span = static_cast<uint64_t>(EventQueue::kWheelSpan);
    const uint64_t ahead = kind == 0 ? 0 : kind == 1 ? rng.below(span) : rng.below(3 * span);
    return q.now().micros() + static_cast<int64_t>(ahead);
  };
  fire = [&](size_t label) {
    ASSERT_FALSE(model.empty());
    const auto& [due, key, expected] = *model.begin();
    ASSERT_EQ(label, expected);
    ASSERT_EQ(q.now(), at_us(due));
    model.erase(model.begin());
    ran.push_back(label);
    if (rng.below(3) == 0) schedule(draw_due());
  };
  for (int op = 0; op < 60000; ++op) {
    const bool growing = (op / 5000) % 2 == 0;
    const uint64_t dice = rng.below(100);
    if (dice < (growing ? 55 : 20)) {
      schedule(draw_due());
    } else if (dice < 80 && !issued.empty()) {
      const size_t label = issued.size() - 1 - rng.below(std::min<size_t>(issued.size(), 3000));
      const auto& [id, due, key] = issued[label];
      if (id == TimerId{}) continue;  // plain
      const bool live = model.erase({due, key, label}) == 1;
      ASSERT_EQ(q.cancel(id), live) << "label " << label;
    } else if (dice < 95) {
      ASSERT_EQ(q.step(), !model.empty()) << "op " << op;
    } else {
      const Time deadline = at_us(q.now().micros() + static_cast<int64_t>(rng.below(5000)));
      q.run_until(deadline);
      ASSERT_TRUE(model.empty() || std::get<0>(*model.begin()) > deadline.micros());
      ASSERT_EQ(q.now(), deadline);
    }
    ASSERT_EQ(q.pending(), model.size());
    ASSERT_EQ(q.next_time().has_value(), !model.empty());
    if (!model.empty()) {
      ASSERT_EQ(q.next_time(), at_us(std::get<0>(*model.begin())));
    }
  }
  EXPECT_GT(ran.size(), 10000u);
  EXPECT_GT(hints, 1000u);
}

TEST(EventQueueTest, PlainTimersTakeTheOrderOfOrdinaryOnesInAndBeyondTheWheel) {
  EventQueue q;
  std::vector<std::string> log;
  struct Context {
    EventQueue* q;
    std::vector<std::string>* log;
  } context{&q, &log};
  const EventQueue::PlainKind kind = q.register_plain(
      [](void* c, uint64_t arg) {
        auto* ctx = static_cast<Context*>(c);
        ctx->log->push_back("p" + std::to_string(arg) + "@" +
                            std::to_string(ctx->q->now().micros()));
      },
      &context);
  auto ordinary = [&](const std::string& name) {
    return [&log, &q, name] { log.push_back(name + "@" + std::to_string(q.now().micros())); };
  };
  const int64_t far = 2 * EventQueue::kWheelSpan;  // past the wheel: kept in the heap
  q.schedule_at(at_us(10), ordinary("a"));
  q.schedule_plain_at(at_us(10), kind, 1);
  q.schedule_at(at_us(10), ordinary("b"));
  q.schedule_plain_at(at_us(far), kind, 2);
  q.schedule_at(at_us(far), ordinary("c"));
  q.schedule_ranked(at_us(10), 5, ordinary("r"));
  EXPECT_EQ(q.pending(), 6u);
  EXPECT_EQ(q.next_time(), at_us(10));
  q.run();
  const std::string f = std::to_string(far);
  EXPECT_EQ(log, (std::vector<std::string>{"r@10", "a@10", "p1@10", "b@10", "p2@" + f, "c@" + f}));
  EXPECT_EQ(q.executed(), 6u);
  EXPECT_EQ(q.pending(), 0u);
}

// A workload whose callbacks schedule and cancel further timers at random, logging (time, id)
// for every timer that runs.
std::string random_workload_log(uint64_t seed) {
  EventQueue q;
  Rng rng(seed);
  std::string log;
  std::vector<TimerId> ids;  // indexed by label, in scheduling order
  std::function<void(size_t)> fire;
  auto spawn = [&](Duration delay) {
    const size_t label = ids.size();
    ids.push_back(q.schedule(delay, [&fire, label] { fire(label); }));
  };
  fire = [&](size_t label) {
    log += std::to_string(q.now().micros()) + ' ' + std::to_string(label) + ' ' +
           std::to_string(ids[label].value) + '\n';
    const uint64_t children = ids.size() < 20000 ? rng.below(3) : 0;
    for (uint64_t i = 0; i < children; ++i) {
      // Few distinct delays, so that many timers share a due time and tie order matters.
      spawn(Duration::micros(static_cast<int64_t>(rng.below(4)) * 10));
    }
    if (rng.below(4) == 0) {
      const size_t victim = rng.below(ids.size());
      log += "cancel " + std::to_string(victim) + (q.cancel(ids[victim]) ? " ok\n" : " no\n");
    }
  };
  for (int i = 0; i < 100; ++i) spawn(Duration::micros(i % 7));
  q.run();
  return log;
}

TEST(EventQueueTest, SameSeedGivesIdenticalRunAndOtherSeedDoesNot) {
  const std::string first = random_workload_log(42);
  const std::string second = random_workload_log(42);
  EXPECT_GT(first.size(), 10000u);
  EXPECT_EQ(first, second);
  EXPECT_NE(first, random_workload_log(43));
}

TEST(EventQueueDeathTest, ScheduleAtBeforeNowAborts) {
  EventQueue q(at_us(100));
  EXPECT_DEATH(q.schedule_at(at_us(99), [] {}), "before now");
}

TEST(EventQueueDeathTest, PlainTimerOfAnUnknownKindAborts) {
  EventQueue q;
  EXPECT_DEATH(q.schedule_plain_at(at_us(1), 1, 0), "unknown kind");
}

TEST(EventQueueDeathTest, RunFromInsideACallbackAborts) {
  EventQueue q;
  q.schedule(Duration::zero(), [&] { q.run(); });
  EXPECT_DEATH(q.run(), "inside a timer callback");
}

}  // namespace
}  // namespace mesosim
