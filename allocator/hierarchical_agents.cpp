// HierarchicalAllocator bookkeeping of agents: add, remove, update, (de)activate, and the
// per-agent introspection.

#include <algorithm>

#include <fmt/format.h>

#include "allocator/check.hpp"
#include "allocator/hierarchical_allocator.hpp"
#include "allocator/hierarchical_allocator_state.hpp"
#include "allocator/role_name.hpp"

namespace mesosim {

// ---- agents ----

Status HierarchicalAllocator::add_agent(AgentId id, const AgentInfo& info,
                                        const std::vector<UsedResources>& used) {
  note_change();
  if (agent(id)) return Error{fmt::format("agent {} is already added", id.value)};
  Resources used_total;
  for (const auto& u : used) {
    Framework* f = framework(u.framework);
    if (!f) return Error{fmt::format("agent {} reports an unknown framework", info.hostname)};
    if (Status s = validate_role(u.role); !s.ok()) return s;
    // allocatable_to(role) == resources, without building the copy (entries hold values > 0).
    const auto allocatable = [&](const auto& e) { return is_allocatable_to(e.key, u.role); };
    if (!std::all_of(u.resources.scalar_entries().begin(), u.resources.scalar_entries().end(),
                     allocatable) ||
        !std::all_of(u.resources.range_entries().begin(), u.resources.range_entries().end(),
                     allocatable)) {
      return Error{fmt::format("agent {}: '{}' in use by role '{}' is reserved to another role",
                               info.hostname, u.resources.to_string(), u.role)};
    }
    used_total += u.resources;
  }
  if (!info.total.contains(used_total)) {
    return Error{fmt::format("agent {} uses '{}' beyond its total '{}'", info.hostname,
                             used_total.to_string(), info.total.to_string())};
  }
  if (agents_.size() <= id.value) agents_.resize(id.value + 1);
  agents_[id.value] = std::make_unique<Agent>();
  Agent& a = *agents_[id.value];
  a.id = id;
  a.hostname = info.hostname;
  a.total = info.total;
  a.free = info.total;
  a.has_gpus = info.total.get(ResourceName::gpus()) > Scalar();
  cluster_total_.add(a.total);
  free_unreserved_ += unreserved_nonrevocable(a.total);
  add_reserved(a.total, +1);
  set_totals_changed();
  for (const auto& u : used) {
    Framework& f = *framework(u.framework);
    const RoleIdx r = role_index(u.role);
    if (!framework_role(f, r)) track(f, r, false, false);
    add_allocation(f, *framework_role(f, r), a, u.resources);
  }
  request_allocation(id);
  return Status::success();
}

void HierarchicalAllocator::remove_agent(AgentId id) {
  note_change();
  Agent* a = agent(id);
  if (!a) return;
  while (!a->allocations.empty()) {
    const AgentAllocation held = a->allocations.back();
    Framework& f = *framework(held.framework);
    FrameworkRole* fr = framework_role(f, held.role);
    remove_allocation(f, *fr, *a, held.resources);
    maybe_untrack(f, static_cast<size_t>(fr - f.roles.data()));
  }
  MESOSIM_CHECK(a->excess.empty(), "an agent's excess outlived its allocations");
  cluster_total_.subtract(a->total);
  free_unreserved_ -= unreserved_nonrevocable(a->total);
  add_reserved(a->total, -1);
  set_totals_changed();
  for (auto& f : frameworks_) {
    if (f && !f->filters.empty()) {
      f->filters.erase_if([id](const OfferFilter& x) { return x.agent == id; });
    }
  }
  if (id.value < requested_flag_.size() && requested_flag_[id.value]) {
    requested_flag_[id.value] = false;
    std::erase(requested_agents_, id);
  }
  agents_[id.value].reset();
}

Status HierarchicalAllocator::update_agent(AgentId id, const Resources& total) {
  note_change();
  Agent* a = agent(id);
  if (!a) return Error{fmt::format("agent {} is not known", id.value)};
  // The new total may be smaller than what is held (Mesos's updateSlaveTotal allows it, e.g. a
  // lowered oversubscription estimate): the agent is then over-allocated, offers nothing of what
  // it lacks, and recovered resources pay off the excess before any of them are free again.
  Resources allocated = a->total - a->free;
  allocated += a->excess;
  cluster_total_.subtract(a->total);
  free_unreserved_ -= unreserved_nonrevocable(a->free);
  add_reserved(a->total, -1);
  const Resources fits = total.common(allocated);
  a->total = total;
  a->free = total - fits;
  a->excess = allocated - fits;
  a->has_gpus = total.get(ResourceName::gpus()) > Scalar();
  cluster_total_.add(a->total);
  free_unreserved_ += unreserved_nonrevocable(a->free);
  add_reserved(a->total, +1);
  set_totals_changed();
  request_allocation(id);
  return Status::success();
}

void HierarchicalAllocator::activate_agent(AgentId id) {
  note_change();
  if (Agent* a = agent(id); a && !a->active) {
    a->active = true;
    unvisited_filters_ = true;  // its filters may not have seen a run yet
    request_allocation(id);
  }
}

void HierarchicalAllocator::deactivate_agent(AgentId id) {
  note_change();
  if (Agent* a = agent(id)) a->active = false;
}

Resources HierarchicalAllocator::allocated(FrameworkId fid, AgentId aid,
                                           std::string_view role) const {
  const Agent* a = agent(aid);
  const RoleIdx r = find_role(role);
  if (!a || r == kNoRole) return {};
  for (const auto& x : a->allocations) {
    if (x.framework == fid && x.role == r) return x.resources;
  }
  return {};
}

Resources HierarchicalAllocator::available(AgentId id) const {
  const Agent* a = agent(id);
  return a ? a->free : Resources();
}

Resources HierarchicalAllocator::total(AgentId id) const {
  const Agent* a = agent(id);
  return a ? a->total : Resources();
}

}  // namespace mesosim
