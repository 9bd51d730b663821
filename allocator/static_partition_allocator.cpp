// StaticPartitionAllocator: routing to the per-partition HierarchicalAllocators. The partition
// arithmetic is in static_partition_slicing.cpp; semantics are in static_partition_allocator.hpp.

#include "allocator/static_partition_allocator.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "allocator/check.hpp"
#include "allocator/hierarchical_allocator.hpp"
#include "allocator/rng.hpp"
#include "allocator/role_name.hpp"

namespace mesosim {
namespace {

bool contains_role(const std::vector<std::string>& roles, std::string_view role) {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

}  // namespace

struct StaticPartitionAllocator::Agent {
  std::string hostname;
  bool active = true;
  Resources total;
  Resources unowned;
  size_t owner = kNone;  // kWholeAgents: partition of its unreserved resources, or the idle one
  std::vector<bool> present;  // by partition: added to that inner allocator
};

struct StaticPartitionAllocator::Framework {
  FrameworkInfo info;
  bool active = false;
  std::vector<bool> member;  // by partition: added to that inner allocator
};

StaticPartitionAllocator::StaticPartitionAllocator(const AllocatorOptions& options,
                                                   std::vector<Partition> partitions,
                                                   std::vector<int64_t> share_ppb, Mode mode)
    : mode_(mode), partitions_(std::move(partitions)), share_ppb_(std::move(share_ppb)) {
  idle_ppb_ = kBillion;
  for (int64_t s : share_ppb_) idle_ppb_ -= s;
  // Distinct seeds, so that partitions do not shuffle their agents in lockstep.
  Rng seeds(options.seed);
  for (size_t p = 0; p < partitions_.size(); ++p) {
    AllocatorOptions inner = options;
    inner.seed = seeds.next();
    inner_.push_back(std::make_unique<HierarchicalAllocator>(std::move(inner)));
  }
  whole_agents_.assign(partitions_.size() + 1, 0);
}

StaticPartitionAllocator::~StaticPartitionAllocator() = default;

StaticPartitionAllocator::Framework* StaticPartitionAllocator::framework(FrameworkId id) {
  return id.value < frameworks_.size() ? frameworks_[id.value].get() : nullptr;
}
const StaticPartitionAllocator::Agent* StaticPartitionAllocator::agent(AgentId id) const {
  return id.value < agents_.size() ? agents_[id.value].get() : nullptr;
}
StaticPartitionAllocator::Agent* StaticPartitionAllocator::agent(AgentId id) {
  return id.value < agents_.size() ? agents_[id.value].get() : nullptr;
}

Resources StaticPartitionAllocator::allocated_in(size_t p, AgentId id) const {
  const Agent* a = agent(id);
  if (!a || !a->present[p]) return {};
  return inner_[p]->total(id) - inner_[p]->available(id);
}

Resources StaticPartitionAllocator::slice(AgentId id, std::string_view partition_role) const {
  const Agent* a = agent(id);
  for (size_t p = 0; a && p < partitions_.size(); ++p) {
    if (partitions_[p].role == partition_role) {
      return a->present[p] ? inner_[p]->total(id) : Resources();
    }
  }
  return {};
}

Resources StaticPartitionAllocator::unowned(AgentId id) const {
  const Agent* a = agent(id);
  return a ? a->unowned : Resources();
}

// ---- frameworks ----

Status StaticPartitionAllocator::validate(const FrameworkInfo& info) const {
  if (info.roles.empty()) return Error{fmt::format("framework '{}' has no role", info.name)};
  for (size_t i = 0; i < info.roles.size(); ++i) {
    const std::string& role = info.roles[i];
    if (Status s = validate_role(role); !s.ok()) return s;
    if (std::find(info.roles.begin(), info.roles.begin() + static_cast<ptrdiff_t>(i), role) !=
        info.roles.begin() + static_cast<ptrdiff_t>(i)) {
      return Error{fmt::format("framework '{}' lists role '{}' twice", info.name, role)};
    }
    if (partition_of(role) == kNone) {
      return Error{fmt::format("framework '{}': role '{}' has no partition (partitions: {})",
                               info.name, role, partition_list())};
    }
  }
  for (const auto& r : info.suppressed_roles) {
    if (!contains_role(info.roles, r)) {
      return Error{
          fmt::format("framework '{}' suppresses role '{}' it is not subscribed to", info.name, r)};
    }
  }
  return Status::success();
}

FrameworkInfo StaticPartitionAllocator::part_of(const FrameworkInfo& info, size_t p) const {
  FrameworkInfo out;
  out.name = info.name;
  out.gpu_resources = info.gpu_resources;
  out.revocable_resources = info.revocable_resources;
  for (const auto& r : info.roles) {
    if (partition_of(r) == p) out.roles.push_back(r);
  }
  for (const auto& r : info.suppressed_roles) {
    if (partition_of(r) == p) out.suppressed_roles.push_back(r);
  }
  for (const auto& m : info.min_allocatable) {
    if (partition_of(m.first) == p) out.min_allocatable.push_back(m);
  }
  return out;
}

Status StaticPartitionAllocator::join_partitions(FrameworkId id, Framework& f,
                                                 const FrameworkInfo& info) {
  std::vector<bool> joined(partitions_.size(), false);
  for (size_t p = 0; p < partitions_.size(); ++p) {
    const FrameworkInfo part = part_of(info, p);
    if (f.member[p] || part.roles.empty()) continue;
    if (Status s = inner_[p]->add_framework(id, part, f.active); !s.ok()) {
      each(joined, [&](HierarchicalAllocator& inner) { inner.remove_framework(id); });
      return s;
    }
    joined[p] = true;
  }
  for (size_t p = 0; p < partitions_.size(); ++p) f.member[p] = f.member[p] || joined[p];
  return Status::success();
}

Status StaticPartitionAllocator::add_framework(FrameworkId id, const FrameworkInfo& info,
                                               bool active) {
  if (framework(id)) return Error{fmt::format("framework {} is already added", id.value)};
  if (Status s = validate(info); !s.ok()) return s;
  auto f = std::make_unique<Framework>();
  f->info = info;
  f->active = active;
  f->member.assign(partitions_.size(), false);
  if (Status s = join_partitions(id, *f, info); !s.ok()) return s;
  if (frameworks_.size() <= id.value) frameworks_.resize(id.value + 1);
  frameworks_[id.value] = std::move(f);
  return Status::success();
}

Status StaticPartitionAllocator::update_framework(FrameworkId id, const FrameworkInfo& info) {
  Framework* f = framework(id);
  if (!f) return Error{fmt::format("framework {} is not known", id.value)};
  if (info.name != f->info.name) {
    return Error{fmt::format("framework '{}' cannot be renamed to '{}'", f->info.name, info.name)};
  }
  if (Status s = validate(info); !s.ok()) return s;
  const std::vector<bool> before = f->member;
  if (Status s = join_partitions(id, *f, info); !s.ok()) return s;
  f->info = info;
  // A partition the framework leaves keeps it, role-less, while it still holds resources there.
  for (size_t p = 0; p < partitions_.size(); ++p) {
    if (before[p]) {
      MESOSIM_CHECK(inner_[p]->update_framework(id, part_of(info, p)).ok(),
                    "validated framework refused");
    }
  }
  return Status::success();
}

void StaticPartitionAllocator::remove_framework(FrameworkId id) {
  if (Framework* f = framework(id)) {
    each(f->member, [&](HierarchicalAllocator& inner) { inner.remove_framework(id); });
    frameworks_[id.value].reset();
  }
}

void StaticPartitionAllocator::activate_framework(FrameworkId id) {
  if (Framework* f = framework(id)) {
    f->active = true;
    each(f->member, [&](HierarchicalAllocator& inner) { inner.activate_framework(id); });
  }
}

void StaticPartitionAllocator::deactivate_framework(FrameworkId id) {
  if (Framework* f = framework(id)) {
    f->active = false;
    each(f->member, [&](HierarchicalAllocator& inner) { inner.deactivate_framework(id); });
  }
}

void StaticPartitionAllocator::suppress(FrameworkId id, const std::vector<std::string>& roles) {
  if (Framework* f = framework(id)) {
    each(f->member, [&](HierarchicalAllocator& inner) { inner.suppress(id, roles); });
  }
}

void StaticPartitionAllocator::revive(FrameworkId id, const std::vector<std::string>& roles) {
  if (Framework* f = framework(id)) {
    each(f->member, [&](HierarchicalAllocator& inner) { inner.revive(id, roles); });
  }
}

// ---- agents ----

Status StaticPartitionAllocator::add_agent(AgentId id, const AgentInfo& info,
                                           const std::vector<UsedResources>& used) {
  if (agent(id)) return Error{fmt::format("agent {} is already added", id.value)};
  const size_t owner = mode_ == Mode::kWholeAgents ? next_whole_owner() : kNone;
  Split s = split(info.total, owner);
  std::vector<std::vector<UsedResources>> used_by(partitions_.size());
  for (const auto& u : used) {
    if (Status st = validate_role(u.role); !st.ok()) return st;
    const size_t p = partition_of(u.role);
    Framework* f = framework(u.framework);
    if (p == kNone) {
      return Error{
          fmt::format("agent {}: framework {} uses resources in role '{}', which has no "
                      "partition (partitions: {})",
                      info.hostname, u.framework.value, u.role, partition_list())};
    }
    if (!f || !f->member[p]) {
      return Error{
          fmt::format("agent {}: framework {} uses resources in role '{}' but is not "
                      "registered in partition '{}'",
                      info.hostname, u.framework.value, u.role, partitions_[p].role)};
    }
    used_by[p].push_back(u);
  }
  for (size_t p = 0; p < partitions_.size(); ++p) {
    Resources sum;
    for (const auto& u : used_by[p]) sum += u.resources;
    if (!s.slices[p].contains(sum)) {
      return Error{fmt::format(
          "agent {}: resources used in partition '{}' ('{}') exceed its slice '{}'", info.hostname,
          partitions_[p].role, sum.to_string(), s.slices[p].to_string())};
    }
  }
  if (agents_.size() <= id.value) agents_.resize(id.value + 1);
  agents_[id.value] = std::make_unique<Agent>();
  Agent& a = *agents_[id.value];
  a.hostname = info.hostname;
  a.total = info.total;
  a.unowned = std::move(s.unowned);
  a.owner = owner;
  a.present.assign(partitions_.size(), false);
  if (owner != kNone) ++whole_agents_[owner];
  for (size_t p = 0; p < partitions_.size(); ++p) {
    if (s.slices[p].empty()) continue;
    MESOSIM_CHECK(inner_[p]->add_agent(id, AgentInfo{info.hostname, s.slices[p]}, used_by[p]).ok(),
                  "validated agent refused");
    a.present[p] = true;
  }
  return Status::success();
}

void StaticPartitionAllocator::remove_agent(AgentId id) {
  Agent* a = agent(id);
  if (!a) return;
  each(a->present, [&](HierarchicalAllocator& inner) { inner.remove_agent(id); });
  if (a->owner != kNone) --whole_agents_[a->owner];
  agents_[id.value].reset();
}

Status StaticPartitionAllocator::update_agent(AgentId id, const Resources& total) {
  Agent* a = agent(id);
  if (!a) return Error{fmt::format("agent {} is not known", id.value)};
  Split s = split(total, a->owner);
  for (size_t p = 0; p < partitions_.size(); ++p) {
    const Resources held = allocated_in(p, id);
    if (!s.slices[p].contains(held)) {
      return Error{
          fmt::format("agent {}: new slice '{}' of partition '{}' does not cover what is "
                      "allocated in it '{}'",
                      a->hostname, s.slices[p].to_string(), partitions_[p].role, held.to_string())};
    }
  }
  for (size_t p = 0; p < partitions_.size(); ++p) {
    if (a->present[p]) {
      MESOSIM_CHECK(inner_[p]->update_agent(id, s.slices[p]).ok(), "validated slice refused");
    } else if (!s.slices[p].empty()) {
      MESOSIM_CHECK(inner_[p]->add_agent(id, AgentInfo{a->hostname, s.slices[p]}, {}).ok(),
                    "validated agent refused");
      if (!a->active) inner_[p]->deactivate_agent(id);
      a->present[p] = true;
    }
  }
  a->total = total;
  a->unowned = std::move(s.unowned);
  return Status::success();
}

void StaticPartitionAllocator::activate_agent(AgentId id) {
  if (Agent* a = agent(id)) {
    a->active = true;
    each(a->present, [&](HierarchicalAllocator& inner) { inner.activate_agent(id); });
  }
}

void StaticPartitionAllocator::deactivate_agent(AgentId id) {
  if (Agent* a = agent(id)) {
    a->active = false;
    each(a->present, [&](HierarchicalAllocator& inner) { inner.deactivate_agent(id); });
  }
}

// ---- allocations ----

void StaticPartitionAllocator::recover(Time now, FrameworkId fid, AgentId aid,
                                       std::string_view role, const Resources& resources,
                                       std::optional<Duration> refuse) {
  const size_t p = partition_of(role);
  const Framework* f = framework(fid);
  if (p == kNone || !f || !f->member[p]) return;
  inner_[p]->recover(now, fid, aid, role, resources, refuse);
}

Status StaticPartitionAllocator::update_allocation(FrameworkId fid, AgentId aid,
                                                   std::string_view role, const Resources& from,
                                                   const Resources& to) {
  const size_t p = partition_of(role);
  const Framework* f = framework(fid);
  Agent* a = agent(aid);
  if (p == kNone || !f || !f->member[p] || !a) {
    return Error{"update_allocation: unknown framework, agent or role"};
  }
  auto check = [&](const ResourceKey& key) -> Status {
    if (!key.reservation.is_reserved() || partition_of(key.reservation.role()) == p) {
      return Status::success();
    }
    return Error{fmt::format("a reservation for role '{}' would leave partition '{}'",
                             key.reservation.role(), partitions_[p].role)};
  };
  for (const auto& e : to.scalar_entries()) {
    if (Status s = check(e.key); !s.ok()) return s;
  }
  for (const auto& e : to.range_entries()) {
    if (Status s = check(e.key); !s.ok()) return s;
  }
  if (Status s = inner_[p]->update_allocation(fid, aid, role, from, to); !s.ok()) return s;
  a->total -= from;
  a->total += to;
  return Status::success();
}

Status StaticPartitionAllocator::set_weight(std::string_view role, double weight) {
  for (auto& inner : inner_) {
    if (Status s = inner->set_weight(role, weight); !s.ok()) return s;
  }
  return Status::success();
}

Status StaticPartitionAllocator::set_quota(std::string_view role, const Quota&) {
  return Error{fmt::format(
      "cannot set quota of role '{}': static partitioning has no quota; size the partition "
      "instead",
      role)};
}

void StaticPartitionAllocator::request_allocation() {
  for (auto& inner : inner_) inner->request_allocation();
}

void StaticPartitionAllocator::request_allocation(AgentId id) {
  if (const Agent* a = agent(id)) {
    each(a->present, [&](HierarchicalAllocator& inner) { inner.request_allocation(id); });
  }
}

bool StaticPartitionAllocator::allocation_pending() const {
  return std::any_of(inner_.begin(), inner_.end(),
                     [](const auto& inner) { return inner->allocation_pending(); });
}

std::vector<Allocation> StaticPartitionAllocator::allocate(Time now) {
  std::vector<Allocation> out;
  for (auto& inner : inner_) {
    std::vector<Allocation> part = inner->allocate(now);
    out.insert(out.end(), std::make_move_iterator(part.begin()),
               std::make_move_iterator(part.end()));
  }
  return out;
}

Resources StaticPartitionAllocator::allocated(FrameworkId fid, AgentId aid,
                                              std::string_view role) const {
  const size_t p = partition_of(role);
  return p == kNone ? Resources() : inner_[p]->allocated(fid, aid, role);
}

Resources StaticPartitionAllocator::available(AgentId id) const {
  const Agent* a = agent(id);
  if (!a) return {};
  Resources out = a->unowned;
  for (size_t p = 0; p < partitions_.size(); ++p) {
    if (a->present[p]) out += inner_[p]->available(id);
  }
  return out;
}

Resources StaticPartitionAllocator::total(AgentId id) const {
  const Agent* a = agent(id);
  return a ? a->total : Resources();
}

void StaticPartitionAllocator::set_explainer(AllocationExplainer* explainer) {
  for (auto& inner : inner_) inner->set_explainer(explainer);
}

}  // namespace mesosim
