#pragma once

// "Why did my task wait?": the causes a pending task's wait is split into, and the per-framework
// timeline of the current cause that the collector builds from the stream. How an interval is
// attributed is documented precisely in analysis/README.md ("Why did my task wait?").

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "allocator/allocator.hpp"
#include "allocator/time.hpp"
#include "analysis/time_series.hpp"

namespace mesosim::analysis {

enum class WaitCause : uint8_t {
  kNoFreeResources,        // runs made no offer to it and explained nothing for it
  kLowerInDrfOrder,        // SkipReason kLowerInDrfOrder
  kQuotaLimit,             // kQuotaLimit
  kHeadroom,               // kHeadroom (held back for other roles' guarantees)
  kFiltered,               // kFiltered (its own refusal filters)
  kSuppressed,             // OFFERS_SUPPRESSED in every role, or kSuppressed
  kFrameworkDeclined,      // it was offered resources and did not launch the task
  kLocalityWait,           // it declined for locality (DECLINE reason "locality"), or its
                           // filter from such a decline held the resources back
  kFrameworkInactive,      // kFrameworkInactive, disconnected, or not subscribed
  kReservedForOtherRoles,  // kReservedForOtherRoles
  kOther,                  // kBelowMinAllocatable, kNotGpuCapable, kNoQuotaContribution
  kUnexplained,            // no explanations on the stream, and no offer
  kEarlierAttempts,        // wait of attempts before the last (not on a timeline)
};
inline constexpr size_t kWaitCauseCount = 13;
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
};

}  // namespace mesosim::analysis
