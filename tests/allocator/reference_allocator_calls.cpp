// ReferenceAllocator's calls that change or read its books: frameworks, agents, allocations,
// weights, quota and run requests (reference_allocator.cpp has the offers it makes from them).

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "allocator/role_name.hpp"
#include "tests/allocator/reference_allocator.hpp"

namespace mesosim::testing {
namespace {

bool has_role(const std::vector<std::string>& roles, std::string_view role) {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

}  // namespace

// ---- frameworks ----

Status ReferenceAllocator::add_framework(FrameworkId id, const FrameworkInfo& info, bool active) {
  if (frameworks_.count(id.value)) return Error{"framework already added"};
  if (info.roles.empty()) return Error{"no role"};
  for (const auto& r : info.roles) {
    if (Status s = validate_role(r); !s.ok()) return s;
    if (std::count(info.roles.begin(), info.roles.end(), r) > 1) return Error{"role twice"};
    for (const auto& [other, g] : frameworks_) {
      if (g.info.name == info.name && tracked(other, r)) return Error{"name used in role"};
    }
  }
  for (const auto& r : info.suppressed_roles) {
    if (!has_role(info.roles, r)) return Error{"suppresses a role it does not subscribe to"};
  }
  Framework& f = frameworks_[id.value];
  f.info = info;
  f.active = active;
  f.suppressed.insert(info.suppressed_roles.begin(), info.suppressed_roles.end());
  if (active) request_allocation();
  return Status::success();
}

void ReferenceAllocator::remove_framework(FrameworkId id) {
  if (!frameworks_.count(id.value)) return;
  std::erase_if(held_, [&](const auto& e) { return std::get<0>(e.first) == id.value; });
  frameworks_.erase(id.value);
  forget_untracked();
}

void ReferenceAllocator::activate_framework(FrameworkId id) {
  auto it = frameworks_.find(id.value);
  if (it == frameworks_.end() || it->second.active) return;
  it->second.active = true;
  request_allocation();
}

void ReferenceAllocator::deactivate_framework(FrameworkId id) {
  auto it = frameworks_.find(id.value);
  if (it == frameworks_.end() || !it->second.active) return;
  it->second.active = false;
  std::erase_if(filters_, [&](const Filter& x) { return x.framework == id.value; });
}

Status ReferenceAllocator::update_framework(FrameworkId id, const FrameworkInfo& info) {
  auto it = frameworks_.find(id.value);
  if (it == frameworks_.end()) return Error{"unknown framework"};
  if (info.name != it->second.info.name) return Error{"renamed"};
  for (const auto& r : info.roles) {
    if (Status s = validate_role(r); !s.ok()) return s;
    if (std::count(info.roles.begin(), info.roles.end(), r) > 1) return Error{"role twice"};
    for (const auto& [other, g] : frameworks_) {
      if (other != id.value && g.info.name == info.name && tracked(other, r)) {
        return Error{"name used in role"};
      }
    }
  }
  for (const auto& r : info.suppressed_roles) {
    if (!has_role(info.roles, r)) return Error{"suppresses a role it does not subscribe to"};
  }
  Framework& f = it->second;
  f.info = info;
  // Suppression is what the new info says (undocumented; mirrors the real allocator, which
  // re-tracks every subscribed role with the info's suppressed_roles); leaving a role drops its
  // filters (documented).
  f.suppressed = std::set<std::string>(info.suppressed_roles.begin(), info.suppressed_roles.end());
  std::erase_if(filters_, [&](const Filter& x) {
    return x.framework == id.value && !has_role(info.roles, x.role);
  });
  forget_untracked();
  return Status::success();
}

void ReferenceAllocator::suppress(FrameworkId id, const std::vector<std::string>& roles) {
  auto it = frameworks_.find(id.value);
  if (it == frameworks_.end()) return;
  for (const auto& r : it->second.info.roles) {
    if (roles.empty() || has_role(roles, r)) it->second.suppressed.insert(r);
  }
}

void ReferenceAllocator::revive(FrameworkId id, const std::vector<std::string>& roles) {
  auto it = frameworks_.find(id.value);
  if (it == frameworks_.end()) return;
  for (const auto& r : it->second.info.roles) {
    if (roles.empty() || has_role(roles, r)) it->second.suppressed.erase(r);
  }
  std::erase_if(filters_, [&](const Filter& x) {
    return x.framework == id.value && (roles.empty() || has_role(roles, x.role));
  });
  request_allocation();
}

// ---- agents ----

Status ReferenceAllocator::add_agent(AgentId id, const AgentInfo& info,
                                     const std::vector<UsedResources>& used) {
  if (agents_.count(id.value)) return Error{"agent already added"};
  Resources used_total;
  for (const auto& u : used) {
    if (!frameworks_.count(u.framework.value)) return Error{"unknown framework"};
    if (Status s = validate_role(u.role); !s.ok()) return s;
    if (!(u.resources.allocatable_to(u.role) == u.resources)) return Error{"reserved elsewhere"};
    used_total += u.resources;
  }
  if (!info.total.contains(used_total)) return Error{"used beyond total"};
  agents_[id.value] = Agent{info.total, true, 0};
  for (const auto& u : used) hold(u.framework.value, id.value, u.role, u.resources);
  request_allocation(id);
  return Status::success();
}

void ReferenceAllocator::remove_agent(AgentId id) {
  if (!agents_.count(id.value)) return;
  std::erase_if(held_, [&](const auto& e) { return std::get<1>(e.first) == id.value; });
  std::erase_if(filters_, [&](const Filter& x) { return x.agent == id.value; });
  requested_.erase(id.value);
  agents_.erase(id.value);
  forget_untracked();
}

Status ReferenceAllocator::update_agent(AgentId id, const Resources& total) {
  auto it = agents_.find(id.value);
  if (it == agents_.end()) return Error{"unknown agent"};
  it->second.total = total;
  request_allocation(id);
  return Status::success();
}

void ReferenceAllocator::activate_agent(AgentId id) {
  auto it = agents_.find(id.value);
  if (it == agents_.end() || it->second.active) return;
  it->second.active = true;
  request_allocation(id);
}

void ReferenceAllocator::deactivate_agent(AgentId id) {
  auto it = agents_.find(id.value);
  if (it != agents_.end()) it->second.active = false;
}

// ---- allocations ----

void ReferenceAllocator::recover(Time now, FrameworkId framework, AgentId agent,
                                 std::string_view role, const Resources& resources,
                                 std::optional<Duration> refuse) {
  if (!frameworks_.count(framework.value) || !agents_.count(agent.value) || resources.empty()) {
    return;
  }
  const HeldKey key{framework.value, agent.value, std::string(role)};
  Resources& held = held_.at(key);
  held -= resources;
  if (held.empty()) held_.erase(key);
  if (refuse && *refuse > Duration::zero()) {
    filters_.push_back(Filter{framework.value, agent.value, std::string(role), resources,
                              now + std::max(*refuse, options_.allocation_interval),
                              agents_.at(agent.value).runs});
  }
  forget_untracked();
}

Status ReferenceAllocator::update_allocation(FrameworkId framework, AgentId agent,
                                             std::string_view role, const Resources& from,
                                             const Resources& to) {
  if (!frameworks_.count(framework.value) || !agents_.count(agent.value) ||
      !tracked(framework.value, std::string(role))) {
    return Error{"unknown framework, agent or role"};
  }
  if (from.empty() || !(from.with_reservation({}) == to.with_reservation({}))) {
    return Error{"changes quantities"};
  }
  for (const Resources* side : {&from, &to}) {
    for (const auto& e : side->scalar_entries()) {
      if (!e.key.reservation.is_reserved()) continue;
      if (e.key.reservation.info().type != ReservationInfo::Type::kDynamic) {
        return Error{"static reservation"};
      }
      if (e.key.reservation.role() != role) return Error{"reserves for another role"};
    }
    for (const auto& e : side->range_entries()) {
      if (!e.key.reservation.is_reserved()) continue;
      if (e.key.reservation.info().type != ReservationInfo::Type::kDynamic) {
        return Error{"static reservation"};
      }
      if (e.key.reservation.role() != role) return Error{"reserves for another role"};
    }
  }
  const HeldKey key{framework.value, agent.value, std::string(role)};
  if (!allocated(framework, agent, role).contains(from)) return Error{"not allocated"};
  Agent& a = agents_.at(agent.value);
  if (!a.total.contains(from)) return Error{"over-allocated"};
  held_[key] = held_[key] - from + to;
  a.total = a.total - from + to;
  return Status::success();  // not an allocation event: no DRF count moves
}

Status ReferenceAllocator::set_weight(std::string_view role, double weight) {
  if (Status s = validate_role(role); !s.ok()) return s;
  if (!(weight > 0) || weight > 1e9) return Error{"bad weight"};
  weights_[std::string(role)] = weight;
  return Status::success();
}

Status ReferenceAllocator::set_quota(std::string_view role, const Quota& quota) {
  if (Status s = validate_role(role); !s.ok()) return s;
  if (role.find('/') != std::string_view::npos) return Error{"nested role"};
  for (const auto& [name, limit] : quota.limits) {
    if (quota.guarantees.get(name) > limit) return Error{"guarantee above limit"};
  }
  if (quota.guarantees.empty() && quota.limits.empty()) {
    quotas_.erase(std::string(role));
  } else {
    quotas_[std::string(role)] = quota;
  }
  return Status::success();
}

void ReferenceAllocator::request_allocation() { all_requested_ = true; }
void ReferenceAllocator::request_allocation(AgentId agent) { requested_.insert(agent.value); }
bool ReferenceAllocator::allocation_pending() const {
  return all_requested_ || !requested_.empty();
}

Resources ReferenceAllocator::allocated(FrameworkId framework, AgentId agent,
                                        std::string_view role) const {
  auto it = held_.find({framework.value, agent.value, std::string(role)});
  return it == held_.end() ? Resources() : it->second;
}

Resources ReferenceAllocator::available(AgentId agent) const {
  return agents_.count(agent.value) ? free_on(agent.value) : Resources();
}

Resources ReferenceAllocator::total(AgentId agent) const {
  auto it = agents_.find(agent.value);
  return it == agents_.end() ? Resources() : it->second.total;
}

}  // namespace mesosim::testing
