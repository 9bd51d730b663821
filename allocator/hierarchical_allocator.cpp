// HierarchicalAllocator bookkeeping: frameworks, roles, quota, recovery. The allocation run is
// in hierarchical_cycle.cpp, agents in hierarchical_agents.cpp, RESERVE/UNRESERVE in
// hierarchical_operations.cpp.

#include "allocator/hierarchical_allocator.hpp"

#include <algorithm>
#include <functional>

#include <fmt/format.h>

#include "allocator/check.hpp"
#include "allocator/hierarchical_allocator_state.hpp"
#include "allocator/role_name.hpp"

namespace mesosim {
namespace {

template <typename T>
T* slot(std::vector<std::unique_ptr<T>>& v, uint32_t id) {
  return id < v.size() ? v[id].get() : nullptr;
}

// Takes the (framework, role) pairs of `filters` out of their agents' filter indexes (Agent::
// filtered), before every filter of a framework goes: the index would only drop them at a
// look-up for that framework, which a removed framework never gets.
template <typename Agents, typename KeyOf>
void unindex_filters(Agents& agents, const OfferFilters& filters, const KeyOf& key_of) {
  filters.for_each([&](const OfferFilter& x) {
    auto* a = slot(agents, x.agent.value);
    if (a == nullptr) return;
    const uint64_t key = key_of(x.role);
    const auto entry = std::lower_bound(a->filtered.begin(), a->filtered.end(), key);
    if (entry != a->filtered.end() && *entry == key) a->filtered.erase(entry);
  });
}

}  // namespace

HierarchicalAllocator::HierarchicalAllocator(AllocatorOptions options)
    : options_(std::move(options)) {
  role_sorter_.set_excluded(options_.fair_sharing_excluded);
}

HierarchicalAllocator::~HierarchicalAllocator() = default;

HierarchicalAllocator::Framework* HierarchicalAllocator::framework(FrameworkId id) {
  return slot(frameworks_, id.value);
}
const HierarchicalAllocator::Framework* HierarchicalAllocator::framework(FrameworkId id) const {
  return id.value < frameworks_.size() ? frameworks_[id.value].get() : nullptr;
}
HierarchicalAllocator::Agent* HierarchicalAllocator::agent(AgentId id) {
  return slot(agents_, id.value);
}
const HierarchicalAllocator::Agent* HierarchicalAllocator::agent(AgentId id) const {
  return id.value < agents_.size() ? agents_[id.value].get() : nullptr;
}

// ---- roles ----

HierarchicalAllocator::RoleIdx HierarchicalAllocator::find_role(std::string_view role) const {
  auto it = role_by_name_.find(std::string(role));
  return it == role_by_name_.end() ? kNoRole : it->second;
}

HierarchicalAllocator::RoleIdx HierarchicalAllocator::role_index(std::string_view role) {
  if (RoleIdx found = find_role(role); found != kNoRole) return found;
  const auto ancestors = role_ancestors(role);
  const RoleIdx parent = ancestors.empty() ? kNoRole : role_index(ancestors.front());
  const auto idx = static_cast<RoleIdx>(roles_.size());
  auto r = std::make_unique<Role>();
  r->name = std::string(role);
  r->idx = idx;
  r->parent = parent;
  r->top = parent == kNoRole ? idx : roles_[parent]->top;
  r->frameworks->set_excluded(options_.fair_sharing_excluded);
  r->frameworks->set_total(cluster_total_);
  roles_.push_back(std::move(r));
  role_by_name_.emplace(std::string(role), idx);
  return idx;
}

Quantities HierarchicalAllocator::consumed_of(RoleIdx top) const {
  Quantities q = roles_[top]->consumed_unreserved;
  q += roles_[top]->reserved;
  return q;
}

Quantities HierarchicalAllocator::consumed_quota(std::string_view role) const {
  const RoleIdx r = find_role(role);
  return r == kNoRole ? Quantities() : consumed_of(roles_[r]->top);
}

void HierarchicalAllocator::consumed_changed(RoleIdx top, const Quantities& before) {
  const Role& t = *roles_[top];
  if (!t.quota) return;
  required_headroom_ -= t.quota->guarantees.minus_floor_zero(before);
  required_headroom_ += t.quota->guarantees.minus_floor_zero(consumed_of(top));
}

void HierarchicalAllocator::add_reserved(const Resources& r, int sign) {
  for (const auto& e : r.scalar_entries()) {
    if (!e.key.reservation.is_reserved()) continue;
    const RoleIdx role = role_index(e.key.reservation.role());
    const RoleIdx top = roles_[role]->top;
    const Quantities before = consumed_of(top);
    const Resources one = Resources::scalar(e.key.name, e.value);
    for (RoleIdx x = role; x != kNoRole; x = roles_[x]->parent) {
      if (sign > 0) {
        roles_[x]->reserved.add(one);
      } else {
        roles_[x]->reserved.subtract(one);
      }
    }
    consumed_changed(top, before);
  }
}

void HierarchicalAllocator::set_totals_changed() { sorter_totals_behind_ = true; }

void HierarchicalAllocator::sync_sorter_totals() {
  // Deferred to the next use of the orders, so that changes which cancel out (an agent removed
  // and added again, a total updated to what it was) leave the sorters' shares as they are: a
  // sorter given its current total keeps its order (DrfSorter::set_total).
  if (!sorter_totals_behind_) return;
  sorter_totals_behind_ = false;
  role_sorter_.set_total(cluster_total_);
  for (auto& r : roles_) r->frameworks->set_total(cluster_total_);
}

Status HierarchicalAllocator::set_weight(std::string_view role, double weight) {
  note_change();
  if (Status s = validate_role(role); !s.ok()) return s;
  if (!(weight > 0) || weight > 1e9) {
    return Error{fmt::format("weight of role '{}' must be positive, found {}", role, weight)};
  }
  role_sorter_.set_weight(role, weight);
  return Status::success();
}

Status HierarchicalAllocator::set_quota(std::string_view role, const Quota& quota) {
  note_change();
  if (Status s = validate_role(role); !s.ok()) return s;
  // `*` is a top-level role like any other here (Mesos MESOS-3938); nested roles get none, as
  // the Mesos master refuses quota on them.
  if (role.find('/') != std::string_view::npos) {
    return Error{fmt::format("quota can be set only on a top-level role, not on '{}'", role)};
  }
  for (const auto& [name, limit] : quota.limits) {
    if (quota.guarantees.get(name) > limit) {
      return Error{fmt::format("quota of role '{}': guarantee {} of {} exceeds its limit {}", role,
                               quota.guarantees.get(name).to_string(), name.str(),
                               limit.to_string())};
    }
  }
  const RoleIdx idx = role_index(role);
  Role& r = *roles_[idx];
  const Quantities consumed = consumed_of(idx);
  if (r.quota) required_headroom_ -= r.quota->guarantees.minus_floor_zero(consumed);
  const bool clear = quota.guarantees.empty() && quota.limits.empty();
  if (clear) {
    r.quota.reset();
    std::erase(quota_roles_, idx);
  } else {
    r.quota = quota;
    required_headroom_ += quota.guarantees.minus_floor_zero(consumed);
    if (std::find(quota_roles_.begin(), quota_roles_.end(), idx) == quota_roles_.end()) {
      quota_roles_.insert(std::upper_bound(quota_roles_.begin(), quota_roles_.end(), idx), idx);
    }
  }
  return Status::success();
}

double HierarchicalAllocator::role_share(std::string_view role) {
  const RoleIdx r = find_role(role);
  if (r == kNoRole || roles_[r]->client == DrfSorter::kNoClient) return 0;
  sync_sorter_totals();
  return role_sorter_.share(roles_[r]->client);
}

double HierarchicalAllocator::framework_share(FrameworkId id, std::string_view role) {
  Framework* f = framework(id);
  const RoleIdx r = find_role(role);
  if (!f || r == kNoRole) return 0;
  FrameworkRole* fr = framework_role(*f, r);
  sync_sorter_totals();
  return fr ? roles_[r]->frameworks->share(fr->client) : 0;
}

// ---- frameworks ----

HierarchicalAllocator::FrameworkRole* HierarchicalAllocator::framework_role(Framework& f,
                                                                            RoleIdx role) {
  for (auto& fr : f.roles) {
    if (fr.role == role) return &fr;
  }
  return nullptr;
}

void HierarchicalAllocator::track(Framework& f, RoleIdx idx, bool subscribed, bool suppressed) {
  Role& role = *roles_[idx];
  FrameworkRole* fr = framework_role(f, idx);
  if (!fr) {
    if (role.tracked++ == 0) {
      role.client = role_sorter_.add(role.name);
      if (role_of_client_.size() <= role.client) role_of_client_.resize(role.client + 1, kNoRole);
      role_of_client_[role.client] = idx;
    }
    const DrfSorter::ClientId client = role.frameworks->add(f.info.name);
    if (role.framework_of_client.size() <= client) role.framework_of_client.resize(client + 1);
    role.framework_of_client[client] = f.id;
    f.roles.push_back(FrameworkRole{idx, client, subscribed, suppressed});
    f.holdings.push_back(0);
    fr = &f.roles.back();
  }
  fr->subscribed = subscribed;
  fr->suppressed = suppressed;
  if (f.active && fr->subscribed && !fr->suppressed) {
    role.frameworks->activate(fr->client);
  } else {
    role.frameworks->deactivate(fr->client);
  }
}

void HierarchicalAllocator::maybe_untrack(Framework& f, size_t i) {
  FrameworkRole& fr = f.roles[i];
  if (fr.subscribed || f.holdings[i] > 0) return;
  Role& role = *roles_[fr.role];
  role.frameworks->remove(fr.client);
  if (--role.tracked == 0) {
    role_sorter_.remove(role.client);
    role.client = DrfSorter::kNoClient;
  }
  f.filters.erase_if([&](const OfferFilter& x) { return x.role == fr.role; });
  f.roles.erase(f.roles.begin() + static_cast<ptrdiff_t>(i));
  f.holdings.erase(f.holdings.begin() + static_cast<ptrdiff_t>(i));
}

Status HierarchicalAllocator::validate_roles(const FrameworkInfo& info, bool allow_no_role) {
  if (info.roles.empty() && !allow_no_role) return Error{fmt::format("framework '{}' has no role", info.name)};
  for (size_t i = 0; i < info.roles.size(); ++i) {
    if (Status s = validate_role(info.roles[i]); !s.ok()) return s;
    for (size_t j = 0; j < i; ++j) {
      if (info.roles[i] == info.roles[j]) {
        return Error{fmt::format("framework '{}' lists role '{}' twice", info.name, info.roles[i])};
      }
    }
  }
  for (const auto& r : info.suppressed_roles) {
    if (std::find(info.roles.begin(), info.roles.end(), r) == info.roles.end()) {
      return Error{fmt::format("framework '{}' suppresses role '{}' it is not subscribed to",
                               info.name, r)};
    }
  }
  return Status::success();
}

Status HierarchicalAllocator::add_framework(FrameworkId id, const FrameworkInfo& info,
                                            bool active) {
  note_change();
  if (framework(id)) return Error{fmt::format("framework {} is already added", id.value)};
  if (Status s = validate_roles(info, false); !s.ok()) return s;
  for (const auto& r : info.roles) {
    // The name orders frameworks within a role, so it must be unique there.
    const RoleIdx idx = find_role(r);
    if (idx != kNoRole && roles_[idx]->frameworks->find(info.name) != DrfSorter::kNoClient) {
      return Error{fmt::format("framework name '{}' is already used in role '{}'", info.name, r)};
    }
  }
  if (frameworks_.size() <= id.value) frameworks_.resize(id.value + 1);
  frameworks_[id.value] = std::make_unique<Framework>();
  Framework& f = *frameworks_[id.value];
  f.id = id;
  f.info = info;
  f.active = active;
  for (const auto& r : info.roles) {
    const bool suppressed = std::find(info.suppressed_roles.begin(), info.suppressed_roles.end(),
                                      r) != info.suppressed_roles.end();
    track(f, role_index(r), true, suppressed);
  }
  if (active) request_allocation();
  return Status::success();
}

Status HierarchicalAllocator::update_framework(FrameworkId id, const FrameworkInfo& info) {
  note_change();
  Framework* f = framework(id);
  if (!f) return Error{fmt::format("framework {} is not known", id.value)};
  if (info.name != f->info.name) {
    return Error{fmt::format("framework '{}' cannot be renamed to '{}'", f->info.name, info.name)};
  }
  // A framework may leave every role while it still holds resources in them (the static
  // partitioning policy relies on that); it gets no offers until it joins one again.
  if (Status s = validate_roles(info, true); !s.ok()) return s;
  for (const auto& r : info.roles) {
    const RoleIdx idx = find_role(r);
    if (idx != kNoRole && !framework_role(*f, idx) &&
        roles_[idx]->frameworks->find(info.name) != DrfSorter::kNoClient) {
      return Error{fmt::format("framework name '{}' is already used in role '{}'", info.name, r)};
    }
  }
  f->info = info;
  for (const auto& r : info.roles) {
    const bool suppressed = std::find(info.suppressed_roles.begin(), info.suppressed_roles.end(),
                                      r) != info.suppressed_roles.end();
    track(*f, role_index(r), true, suppressed);
  }
  for (size_t i = f->roles.size(); i-- > 0;) {
    const std::string& name = roles_[f->roles[i].role]->name;
    if (std::find(info.roles.begin(), info.roles.end(), name) == info.roles.end()) {
      // Mesos: the filters of a role the framework leaves go with it, even while it still holds
      // resources in that role.
      const RoleIdx left = f->roles[i].role;
      f->filters.erase_if([left](const OfferFilter& x) { return x.role == left; });
      track(*f, left, false, false);
      maybe_untrack(*f, i);
    }
  }
  return Status::success();
}

void HierarchicalAllocator::remove_framework(FrameworkId id) {
  note_change();
  Framework* f = framework(id);
  if (!f) return;
  // Release whatever it still holds, agent by agent in id order.
  std::vector<AgentId> holding;
  holding.reserve(f->held.size());
  for (const auto& [aid, role] : f->held) holding.push_back(aid);
  std::sort(holding.begin(), holding.end());
  holding.erase(std::unique(holding.begin(), holding.end()), holding.end());
  for (AgentId aid : holding) {
    Agent* a = agent(aid);
    if (!a) continue;
    for (size_t k = a->allocations.size(); k-- > 0;) {
      if (a->allocations[k].framework != id) continue;
      const Resources held = a->allocations[k].resources;
      FrameworkRole* fr = framework_role(*f, a->allocations[k].role);
      remove_allocation(*f, *fr, *a, held);
    }
  }
  for (auto& fr : f->roles) fr.subscribed = false;
  for (size_t i = f->roles.size(); i-- > 0;) maybe_untrack(*f, i);
  unindex_filters(agents_, f->filters, [id](uint32_t role) { return filtered_key(id, role); });
  frameworks_[id.value].reset();
}

void HierarchicalAllocator::activate_framework(FrameworkId id) {
  note_change();
  Framework* f = framework(id);
  if (!f || f->active) return;
  f->active = true;
  for (auto& fr : f->roles) track(*f, fr.role, fr.subscribed, fr.suppressed);
  request_allocation();
}

void HierarchicalAllocator::deactivate_framework(FrameworkId id) {
  note_change();
  Framework* f = framework(id);
  if (!f || !f->active) return;
  f->active = false;
  for (auto& fr : f->roles) track(*f, fr.role, fr.subscribed, fr.suppressed);
  unindex_filters(agents_, f->filters, [id](uint32_t role) { return filtered_key(id, role); });
  f->filters.clear();  // Mesos: filters do not survive a deactivation
}

void HierarchicalAllocator::suppress(FrameworkId id, const std::vector<std::string>& roles) {
  note_change();
  Framework* f = framework(id);
  if (!f) return;
  for (auto& fr : f->roles) {
    const std::string& name = roles_[fr.role]->name;
    if (roles.empty() || std::find(roles.begin(), roles.end(), name) != roles.end()) {
      track(*f, fr.role, fr.subscribed, true);
    }
  }
}

void HierarchicalAllocator::revive(FrameworkId id, const std::vector<std::string>& roles) {
  note_change();
  Framework* f = framework(id);
  if (!f) return;
  for (auto& fr : f->roles) {
    const std::string& name = roles_[fr.role]->name;
    if (roles.empty() || std::find(roles.begin(), roles.end(), name) != roles.end()) {
      track(*f, fr.role, fr.subscribed, false);
      const RoleIdx r = fr.role;
      f->filters.erase_if([r](const OfferFilter& x) { return x.role == r; });
    }
  }
  request_allocation();
}

// ---- allocations ----

void HierarchicalAllocator::drop_held(Framework& f, uint32_t slot) {
  // The last entry takes the dropped one's slot, and its allocation record is told so.
  const auto last = f.held.back();
  f.held.pop_back();
  if (slot == f.held.size()) return;
  f.held[slot] = last;
  Agent& a = *agent(last.first);
  auto it = std::find_if(a.allocations.begin(), a.allocations.end(), [&](const auto& x) {
    return x.framework == f.id && x.role == last.second;
  });
  MESOSIM_CHECK(it != a.allocations.end(), "a framework's held entry has no allocation record");
  it->held_slot = slot;
}

void HierarchicalAllocator::add_allocation(Framework& f, FrameworkRole& fr, Agent& a,
                                           const Resources& r, bool taken_from_free) {
  if (!taken_from_free) a.free -= r;
  auto it = std::find_if(a.allocations.begin(), a.allocations.end(), [&](const auto& x) {
    return x.framework == f.id && x.role == fr.role;
  });
  if (it == a.allocations.end()) {
    Resources copy;
    if (!spare_resources_.empty()) {
      copy = std::move(spare_resources_.back());
      spare_resources_.pop_back();
    }
    copy = r;  // into the spare's capacity, if there was one
    a.allocations.push_back(
        AgentAllocation{f.id, fr.role, std::move(copy), static_cast<uint32_t>(f.held.size())});
    f.held.emplace_back(a.id, fr.role);
    ++f.holdings[static_cast<size_t>(&fr - f.roles.data())];
  } else {
    it->resources += r;
  }
  Role& role = *roles_[fr.role];
  role_sorter_.allocated(role.client, r);
  role.frameworks->allocated(fr.client, r);
  const bool quota = roles_[role.top]->quota.has_value();
  const Quantities before = quota ? consumed_of(role.top) : Quantities();
  add_consumed(fr.role, r, +1);
  if (quota) consumed_changed(role.top, before);
}

void HierarchicalAllocator::add_consumed(RoleIdx role, const Resources& r, int sign) {
  // The unreserved non-revocable scalars of `r` (unreserved_nonrevocable) added to (sign +1) or
  // taken from (-1) what `role` and its ancestors consume; an allocation also takes them from
  // the free headroom. Entry by entry, without building a Quantities per allocation.
  for (const auto& e : r.scalar_entries()) {
    if (e.key.reservation.is_reserved() || e.key.revocable) continue;
    const ResourceName n = e.key.name;
    const int64_t v = sign * e.value.milli();
    for (RoleIdx x = role; x != kNoRole; x = roles_[x]->parent) {
      Quantities& c = roles_[x]->consumed_unreserved;
      c.set(n, Scalar::from_milli(c.get(n).milli() + v));
      MESOSIM_CHECK(c.get(n) >= Scalar(), "quantity went negative");
    }
    if (sign > 0) {
      free_unreserved_.set(n, Scalar::from_milli(free_unreserved_.get(n).milli() - v));
      MESOSIM_CHECK(free_unreserved_.get(n) >= Scalar(), "quantity went negative");
    }
  }
}

void HierarchicalAllocator::remove_allocation(Framework& f, FrameworkRole& fr, Agent& a,
                                              const Resources& r) {
  auto it = std::find_if(a.allocations.begin(), a.allocations.end(), [&](const auto& x) {
    return x.framework == f.id && x.role == fr.role;
  });
  MESOSIM_CHECK(it != a.allocations.end() && it->resources.contains(r),
                "recovering resources that were not allocated");
  // A record recovered whole (the usual case: an offer declined or a task's resources freed
  // together) is kept as a spare as it stands, not emptied first: emptying would free the
  // buffers of its ranges, which the next record copied into the spare needs again.
  const bool whole = it->resources == r;
  if (!whole) it->resources -= r;
  if (whole || it->resources.empty()) {
    const uint32_t slot = it->held_slot;
    if (spare_resources_.size() < agents_.size()) {
      spare_resources_.push_back(std::move(it->resources));
    }
    a.allocations.erase(it);
    --f.holdings[static_cast<size_t>(&fr - f.roles.data())];
    drop_held(f, slot);
  }
  if (a.excess.empty()) {
    a.free += r;
    free_unreserved_ += unreserved_nonrevocable(r);
  } else {
    // An over-allocated agent: what was held beyond the total disappears instead of coming back.
    const Resources absorbed = a.excess.common(r);
    a.excess -= absorbed;
    const Resources back = r - absorbed;
    a.free += back;
    free_unreserved_ += unreserved_nonrevocable(back);
  }
  Role& role = *roles_[fr.role];
  role_sorter_.unallocated(role.client, r);
  role.frameworks->unallocated(fr.client, r);
  const bool quota = roles_[role.top]->quota.has_value();
  const Quantities before = quota ? consumed_of(role.top) : Quantities();
  add_consumed(fr.role, r, -1);
  if (quota) consumed_changed(role.top, before);
}

void HierarchicalAllocator::recover(Time now, FrameworkId fid, AgentId aid, std::string_view role,
                                    const Resources& resources, std::optional<Duration> refuse) {
  note_change();
  Framework* f = framework(fid);
  Agent* a = agent(aid);
  if (!f || !a || resources.empty()) return;
  const RoleIdx r = find_role(role);
  FrameworkRole* fr = r == kNoRole ? nullptr : framework_role(*f, r);
  MESOSIM_CHECK(fr != nullptr, "recovering resources of a role the framework does not hold");
  remove_allocation(*f, *fr, *a, resources);
  if (refuse && *refuse > Duration::zero()) {
    const Duration d = std::max(*refuse, options_.allocation_interval);
    f->filters.insert(OfferFilter{aid, r, resources, now + d, a->runs});
    const uint64_t key = filtered_key(fid, r);
    const auto entry = std::lower_bound(a->filtered.begin(), a->filtered.end(), key);
    if (entry == a->filtered.end() || *entry != key) a->filtered.insert(entry, key);
    filter_expiries_.push_back(now + d);
    unvisited_filters_ = true;
    std::push_heap(filter_expiries_.begin(), filter_expiries_.end(), std::greater<>());
  }
  maybe_untrack(*f, static_cast<size_t>(fr - f->roles.data()));
}

}  // namespace mesosim
