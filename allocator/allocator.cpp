#include "allocator/allocator.hpp"

#include <cmath>
#include <iterator>

#include <fmt/format.h>

namespace mesosim {

std::string_view to_string(SkipReason reason) {
  switch (reason) {
    case SkipReason::kFiltered: return "FILTERED";
    case SkipReason::kSuppressed: return "SUPPRESSED";
    case SkipReason::kFrameworkInactive: return "FRAMEWORK_INACTIVE";
    case SkipReason::kQuotaLimit: return "QUOTA_LIMIT";
    case SkipReason::kHeadroom: return "HEADROOM_RESERVED_FOR_QUOTA";
    case SkipReason::kBelowMinAllocatable: return "BELOW_MIN_ALLOCATABLE";
    case SkipReason::kNotGpuCapable: return "NOT_GPU_CAPABLE";
    case SkipReason::kReservedForOtherRoles: return "RESERVED_FOR_OTHER_ROLES";
    case SkipReason::kLowerInDrfOrder: return "LOWER_IN_DRF_ORDER";
    case SkipReason::kNoQuotaContribution: return "NO_QUOTA_CONTRIBUTION";
  }
  return "UNKNOWN";
}

Result<std::vector<Quantities>> parse_min_allocatable(std::string_view text) {
  std::vector<Quantities> out;
  while (true) {
    const size_t bar = text.find('|');
    const std::string_view part = text.substr(0, bar);
    auto q = Quantities::parse(part);
    if (!q.ok()) {
      return Error{fmt::format("min_allocatable_resources: {}", q.error().message)};
    }
    if (q.value().empty()) {
      return Error{fmt::format("min_allocatable_resources: empty alternative in '{}'", text)};
    }
    out.push_back(std::move(q).value());
    if (bar == std::string_view::npos) break;
    text.remove_prefix(bar + 1);
  }
  return out;
}

std::vector<Quantities> AllocatorOptions::default_min_allocatable() {
  Quantities cpus;
  cpus.set(ResourceName::cpus(), Scalar::from_milli(10));
  Quantities mem;
  mem.set(ResourceName::mem(), Scalar::from_units(32));
  return {cpus, mem};
}

void Allocator::allocate_into(Time now, std::vector<Allocation>& out) {
  out.clear();
  std::vector<Allocation> made = allocate(now);
  if (made.size() > out.capacity()) {
    out = std::move(made);
    return;
  }
  out.insert(out.end(), std::make_move_iterator(made.begin()), std::make_move_iterator(made.end()));
}

std::optional<Duration> refuse_duration(std::optional<double> refuse_seconds) {
  constexpr double kDefault = 5.0;
  constexpr double kMax = 365.0 * 24 * 3600;
  double s = refuse_seconds.value_or(kDefault);
  if (std::isnan(s) || s < 0) s = kDefault;
  if (s > kMax) s = kMax;
  if (s == 0) return std::nullopt;
  return Duration::from_seconds(s);
}

}  // namespace mesosim
