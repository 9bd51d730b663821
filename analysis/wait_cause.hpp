#pragma once

// "Why did my task wait?": the causes a pending task's wait is split into, and the per-framework
// timeline of the current cause that the collector builds from the stream. How an interval is
// attributed is documented precisely in analysis/README.md ("Why did my task wait?").

#include <algorithm>
#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "allocator/allocator.hpp"
#include "allocator/time.hpp"
#include "analysis/time_series.hpp"

namespace mesosim::analysis {

// What the framework models put on the stream for analysis to read (workloads/README.md): a
// gang member's TaskInfo label `gang` (its gang's size) and the DECLINE reason of a gang's hold
// released at its timeout; a long-lived executor's labels `kind: executor` and `app: <name>`.
inline constexpr std::string_view kGangLabel = "gang";
inline constexpr std::string_view kGangHoldReleased = "gang_hold_released";
inline constexpr std::string_view kKindLabel = "kind";
inline constexpr std::string_view kExecutorKind = "executor";
inline constexpr std::string_view kAppLabel = "app";

enum class WaitCause : uint8_t {
  kNoFreeResources,        // runs made no offer to it and explained nothing for it
  kLowerInDrfOrder,        // SkipReason kLowerInDrfOrder
  kQuotaLimit,             // kQuotaLimit
  kHeadroom,               // kHeadroom (held back for other roles' guarantees)
  kFiltered,               // kFiltered (its own refusal filters)
  kSuppressed,             // OFFERS_SUPPRESSED in every role, or kSuppressed
  kFrameworkDeclined,      // it was offered resources and did not launch the task
  kGangHold,               // a gang framework held offers while its gang was incomplete
  kLocalityWait,           // it declined for locality (DECLINE reason "locality"), or its
                           // filter from such a decline held the resources back
  kExecutorSlot,           // queued inside its application's running executor(s) for a slot
  kFrameworkInactive,      // kFrameworkInactive, disconnected, or not subscribed
  kReservedForOtherRoles,  // kReservedForOtherRoles
  kOther,                  // kBelowMinAllocatable, kNotGpuCapable, kNoQuotaContribution
  kUnexplained,            // no explanations on the stream, and no offer
  kEarlierAttempts,        // wait of attempts before the last (not on a timeline)
};
inline constexpr size_t kWaitCauseCount = 15;
std::string_view to_string(WaitCause cause);

// Seconds per cause.
using WaitBreakdown = std::array<double, kWaitCauseCount>;

WaitCause cause_of(SkipReason reason);

// The cause per framework over time: change points of the WaitCause index.
struct CauseTimeline {
  std::vector<int64_t> times;  // strictly increasing
  std::vector<WaitCause> causes;

  void set(Time t, WaitCause cause);
  // Adds the seconds of [from, to) to `out`, split by the cause in force. Before the first
  // change point the cause is kFrameworkInactive (the framework had not subscribed).
  void attribute(Time from, Time to, WaitBreakdown& out) const;
  // A copy with every `from` read as `to` (a gang framework's kFrameworkDeclined: kGangHold).
  CauseTimeline replaced(WaitCause from, WaitCause to) const;
};

// When an application of a framework had at least one executor running (a task of the framework
// labelled `kind: executor`, `app: <name>`, in TASK_RUNNING): the intervals its work units could
// only wait for a slot inside them. Change points alternate: up from times[0], down from
// times[1], up from times[2], ...; up to the end after an odd count.
struct ExecutorPresence {
  std::vector<int64_t> times;

  bool up() const { return times.size() % 2 == 1; }
  void set(Time t, bool up);
  // Splits [from, to) into the pieces with an executor up, added to `out` as kExecutorSlot,
  // and the pieces without, handed to `elsewhere(from, to)`.
  template <typename Elsewhere>
  void attribute(Time from, Time to, WaitBreakdown& out, Elsewhere&& elsewhere) const;
};

template <typename Elsewhere>
void ExecutorPresence::attribute(Time from, Time to, WaitBreakdown& out,
                                 Elsewhere&& elsewhere) const {
  const auto first = std::upper_bound(times.begin(), times.end(), from.micros());
  size_t i = static_cast<size_t>(first - times.begin());  // change points after `from`
  int64_t cursor = from.micros();
  while (cursor < to.micros()) {
    const int64_t next = i < times.size() ? std::min(times[i], to.micros()) : to.micros();
    if (next > cursor) {
      if (i % 2 == 1) {  // an odd number of change points at or before `cursor`: up
        out[static_cast<size_t>(WaitCause::kExecutorSlot)] +=
            static_cast<double>(next - cursor) / 1e6;
      } else {
        elsewhere(Time::from_micros(cursor), Time::from_micros(next));
      }
    }
    cursor = next;
    ++i;
  }
}

}  // namespace mesosim::analysis
