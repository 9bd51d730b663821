// HierarchicalAllocator: RESERVE and UNRESERVE within an allocation (update_allocation).

#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "allocator/hierarchical_allocator.hpp"
#include "allocator/hierarchical_allocator_state.hpp"

namespace mesosim {
namespace {

// RESERVE/UNRESERVE touch only dynamic reservations, and only those of the framework's role.
Status validate_reservation_change(std::string_view role, const Resources& from,
                                   const Resources& to) {
  std::optional<Error> bad;
  auto check = [&](const ResourceKey& key) {
    if (bad || !key.reservation.is_reserved()) return;
    if (key.reservation.info().type != ReservationInfo::Type::kDynamic) {
      bad = Error{fmt::format(
          "'{}' is statically reserved: only dynamic reservations can be made or removed",
          to_string(key))};
    } else if (key.reservation.role() != role) {
      // Mesos: a framework reserves for its allocation role, never for an ancestor or sibling.
      bad = Error{
          fmt::format("role '{}' cannot reserve for role '{}'", role, key.reservation.role())};
    }
  };
  for (const Resources* side : {&from, &to}) {
    for (const auto& e : side->scalar_entries()) check(e.key);
    for (const auto& e : side->range_entries()) check(e.key);
  }
  return bad ? Status(*bad) : Status::success();
}

}  // namespace

Status HierarchicalAllocator::update_allocation(FrameworkId fid, AgentId aid, std::string_view role,
                                                const Resources& from, const Resources& to) {
  note_change();
  Framework* f = framework(fid);
  Agent* a = agent(aid);
  const RoleIdx r = find_role(role);
  FrameworkRole* fr = (f && r != kNoRole) ? framework_role(*f, r) : nullptr;
  if (!f || !a || !fr) return Error{"update_allocation: unknown framework, agent or role"};
  // RESERVE and UNRESERVE change who the resources are reserved for, nothing else.
  if (from.empty() || !(from.with_reservation({}) == to.with_reservation({}))) {
    return Error{fmt::format("operation changes quantities: '{}' -> '{}'", from.to_string(),
                             to.to_string())};
  }
  if (Status s = validate_reservation_change(role, from, to); !s.ok()) return s;
  if (!allocated(fid, aid, role).contains(from)) {
    return Error{
        fmt::format("'{}' is not allocated to the framework on that agent", from.to_string())};
  }
  if (!a->total.contains(from)) {
    return Error{fmt::format("agent {} is over-allocated: its total '{}' lacks '{}'", a->hostname,
                             a->total.to_string(), from.to_string())};
  }
  // Same quantities, so shares, free resources and the headroom stay as they are, and the
  // sorters see no allocation event (Mesos: RESERVE is no allocation for DRF's tie-break).
  auto held = std::find_if(a->allocations.begin(), a->allocations.end(),
                           [&](const auto& x) { return x.framework == fid && x.role == r; });
  held->resources -= from;
  held->resources += to;
  a->total -= from;
  a->total += to;
  const RoleIdx top = roles_[r]->top;
  const Quantities before = consumed_of(top);
  const Quantities was = unreserved_nonrevocable(from);
  const Quantities now = unreserved_nonrevocable(to);
  for (RoleIdx x = r; x != kNoRole; x = roles_[x]->parent) {
    roles_[x]->consumed_unreserved -= was;
    roles_[x]->consumed_unreserved += now;
  }
  consumed_changed(top, before);
  add_reserved(from, -1);
  add_reserved(to, +1);
  return Status::success();
}

}  // namespace mesosim
