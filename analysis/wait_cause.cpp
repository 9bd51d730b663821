#include "analysis/wait_cause.hpp"

#include <algorithm>

namespace mesosim::analysis {

std::string_view to_string(WaitCause cause) {
  switch (cause) {
    case WaitCause::kNoFreeResources:
      return "no_free_resources";
    case WaitCause::kLowerInDrfOrder:
      return "lower_in_drf_order";
    case WaitCause::kQuotaLimit:
      return "quota_limit";
    case WaitCause::kHeadroom:
      return "quota_headroom";
    case WaitCause::kFiltered:
      return "filtered";
    case WaitCause::kSuppressed:
      return "suppressed";
    case WaitCause::kFrameworkDeclined:
      return "framework_declined";
    case WaitCause::kGangHold:
      return "gang_hold";
    case WaitCause::kLocalityWait:
      return "locality_wait";
    case WaitCause::kExecutorSlot:
      return "executor_slot";
    case WaitCause::kFrameworkInactive:
      return "framework_inactive";
    case WaitCause::kReservedForOtherRoles:
      return "reserved_for_other_roles";
    case WaitCause::kOther:
      return "other";
    case WaitCause::kUnexplained:
      return "unexplained";
    case WaitCause::kEarlierAttempts:
      return "earlier_attempts";
  }
  return "?";
}

WaitCause cause_of(SkipReason reason) {
  switch (reason) {
    case SkipReason::kFiltered:
      return WaitCause::kFiltered;
    case SkipReason::kSuppressed:
      return WaitCause::kSuppressed;
    case SkipReason::kFrameworkInactive:
      return WaitCause::kFrameworkInactive;
    case SkipReason::kQuotaLimit:
      return WaitCause::kQuotaLimit;
    case SkipReason::kHeadroom:
      return WaitCause::kHeadroom;
    case SkipReason::kReservedForOtherRoles:
      return WaitCause::kReservedForOtherRoles;
    case SkipReason::kLowerInDrfOrder:
      return WaitCause::kLowerInDrfOrder;
    case SkipReason::kBelowMinAllocatable:
    case SkipReason::kNotGpuCapable:
    case SkipReason::kNoQuotaContribution:
      return WaitCause::kOther;
  }
  return WaitCause::kOther;
}

void CauseTimeline::set(Time t, WaitCause cause) {
  if (!causes.empty() && causes.back() == cause) return;
  if (!times.empty() && times.back() >= t.micros()) {
    causes.back() = cause;
    if (causes.size() >= 2 && causes[causes.size() - 2] == cause) {
      times.pop_back();
      causes.pop_back();
    }
    return;
  }
  times.push_back(t.micros());
  causes.push_back(cause);
}

void CauseTimeline::attribute(Time from, Time to, WaitBreakdown& out) const {
  if (to <= from) return;
  const auto first = std::upper_bound(times.begin(), times.end(), from.micros());
  size_t i = static_cast<size_t>(first - times.begin());  // change points after `from`
  int64_t cursor = from.micros();
  WaitCause current = i == 0 ? WaitCause::kFrameworkInactive : causes[i - 1];
  while (cursor < to.micros()) {
    const int64_t next = i < times.size() ? std::min(times[i], to.micros()) : to.micros();
    out[static_cast<size_t>(current)] += static_cast<double>(next - cursor) / 1e6;
    cursor = next;
    if (i < times.size()) current = causes[i++];
  }
}

CauseTimeline CauseTimeline::replaced(WaitCause from, WaitCause to) const {
  CauseTimeline out;
  out.times.reserve(times.size());
  out.causes.reserve(causes.size());
  for (size_t i = 0; i < times.size(); ++i) {
    out.set(Time::from_micros(times[i]), causes[i] == from ? to : causes[i]);
  }
  return out;
}

void ExecutorPresence::set(Time t, bool now_up) {
  if (now_up == up()) return;
  if (!times.empty() && times.back() >= t.micros()) {
    times.pop_back();  // a change back at the same instant: the interval between is empty
    return;
  }
  times.push_back(t.micros());
}

}  // namespace mesosim::analysis
