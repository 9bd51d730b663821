// Master: UPDATE_FRAMEWORK (Mesos 1.9+), a subscribed framework replacing its FrameworkInfo and
// suppressed roles without re-subscribing. As Mesos's Master::updateFramework: the allocator
// takes the new roles (the framework joins the added ones and leaves the removed ones, whose
// filters go with them), offers in removed roles are rescinded, and tasks keep running in
// whatever role they were launched in.

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "allocator/check.hpp"
#include "sim/master/master_state.hpp"

namespace mesosim {

namespace sched = v1::scheduler;

std::optional<CallError> Master::State::validate_update(const Framework& f,
                                                        const v1::FrameworkID& caller,
                                                        const sched::UpdateFramework& update) {
  const auto bad = [](std::string message) {
    return CallError{CallError::Code::kBadRequest, std::move(message)};
  };
  const v1::FrameworkInfo& info = update.framework_info;
  // Mesos's scheduler call validation.
  if (!info.id || *info.id != caller) {
    return bad("'framework_id' differs from 'update_framework.framework_info.id'");
  }
  if (auto error = validate_framework_info(info, update.suppressed_roles)) {
    return bad("Supplied FrameworkInfo is not valid: " + error->message);
  }
  // Mesos's validation::framework::validateUpdate: what a framework may not change.
  const v1::FrameworkInfo& old = f.info;
  if (info.principal != old.principal) {
    return bad("FrameworkInfo update is not valid: Changing framework's principal is not allowed.");
  }
  if (info.user != old.user) {
    return bad(
        fmt::format("FrameworkInfo update is not valid: Updating 'FrameworkInfo.user' is "
                    "unsupported; attempted to update from '{}' to '{}'",
                    old.user, info.user));
  }
  if (info.checkpoint != old.checkpoint) {
    return bad(
        fmt::format("FrameworkInfo update is not valid: Updating 'FrameworkInfo."
                    "checkpoint' is unsupported; attempted to update from '{}' to '{}'",
                    old.checkpoint, info.checkpoint));
  }
  return std::nullopt;
}

void Master::State::update_framework(Framework& f, const sched::UpdateFramework& update) {
  v1::FrameworkInfo info = update.framework_info;
  info.id = f.info.id;
  Status updated =
      m.allocator_->update_framework(f.handle, allocator_info(info, update.suppressed_roles));
  MESOSIM_CHECK(updated.ok(), updated.ok() ? "" : updated.error().message.c_str());
  const std::set<std::string> roles(info.roles.begin(), info.roles.end());
  for (OfferRef ref : offers_of(f.offers)) {
    Offer& o = offer_at(ref);
    if (!roles.count(o.role)) rescind_offer(o, OfferRescindedReason::kFrameworkRoleRemoved);
  }
  // Mesos clears the offer filters of roles that leave the suppressed set (a revive of them).
  std::vector<std::string> unsuppressed;
  for (const std::string& r : f.suppressed_roles) {
    if (roles.count(r) && std::find(update.suppressed_roles.begin(), update.suppressed_roles.end(),
                                    r) == update.suppressed_roles.end()) {
      unsuppressed.push_back(r);
    }
  }
  if (!unsuppressed.empty()) m.allocator_->revive(f.handle, unsuppressed);
  f.info = std::move(info);
  f.suppressed_roles = update.suppressed_roles;
  // Roles joined or no longer suppressed may be offered at once.
  m.allocator_->request_allocation();
  // The stream has no event of its own for this: the framework's new name, roles and suppressed
  // roles are published as a re-subscription, which is what its readers need to know.
  publish(master_event::FrameworkAdded{*f.info.id, f.info.name, f.info.roles, true,
                                       f.suppressed_roles});
}

}  // namespace mesosim
