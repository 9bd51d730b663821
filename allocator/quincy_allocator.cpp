#include "allocator/quincy_allocator.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "allocator/min_cost_placement.hpp"

namespace mesosim {
namespace {

bool has(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

template <typename T, typename Id>
std::optional<T>& slot(std::vector<std::optional<T>>& v, Id id) {
  if (id.value >= v.size()) v.resize(id.value + 1);
  return v[id.value];
}

}  // namespace

QuincyAllocator::QuincyAllocator(AllocatorOptions options, QuincyOptions quincy)
    : options_(std::move(options)), quincy_(quincy) {}

QuincyAllocator::~QuincyAllocator() = default;

QuincyAllocator::Framework* QuincyAllocator::framework(FrameworkId id) {
  return id.value < frameworks_.size() && frameworks_[id.value] ? &*frameworks_[id.value] : nullptr;
}

QuincyAllocator::Agent* QuincyAllocator::agent(AgentId id) {
  return id.value < agents_.size() && agents_[id.value] ? &*agents_[id.value] : nullptr;
}

Status QuincyAllocator::add_framework(FrameworkId id, const FrameworkInfo& info, bool active) {
  if (framework(id)) return Error{fmt::format("framework {} is already added", id.value)};
  Framework& fw = slot(frameworks_, id).emplace();
  fw.info = info;
  fw.active = active;
  fw.suppressed = info.suppressed_roles;
  pending_ = true;
  return Status::success();
}

void QuincyAllocator::remove_framework(FrameworkId id) {
  if (id.value < frameworks_.size()) frameworks_[id.value].reset();
}

void QuincyAllocator::activate_framework(FrameworkId id) {
  if (Framework* fw = framework(id)) fw->active = true;
  pending_ = true;
}

void QuincyAllocator::deactivate_framework(FrameworkId id) {
  if (Framework* fw = framework(id)) {
    fw->active = false;
    fw->filters.clear();
  }
}

Status QuincyAllocator::update_framework(FrameworkId id, const FrameworkInfo& info) {
  Framework* fw = framework(id);
  if (!fw) return Error{fmt::format("unknown framework {}", id.value)};
  fw->info = info;
  std::erase_if(fw->suppressed, [&](const std::string& r) { return !has(info.roles, r); });
  for (const std::string& role : info.suppressed_roles) {
    if (!has(fw->suppressed, role)) fw->suppressed.push_back(role);
  }
  pending_ = true;
  return Status::success();
}

Status QuincyAllocator::add_agent(AgentId id, const AgentInfo& info,
                                  const std::vector<UsedResources>& used) {
  if (agent(id)) return Error{fmt::format("agent {} is already added", id.value)};
  Agent& a = slot(agents_, id).emplace();
  a.hostname = info.hostname;
  a.total = info.total;
  for (const UsedResources& u : used) add_allocation(u.framework, id, u.role, u.resources);
  pending_ = true;
  return Status::success();
}

void QuincyAllocator::remove_agent(AgentId id) {
  if (id.value < agents_.size()) agents_[id.value].reset();
  std::erase_if(allocations_, [&](const auto& kv) { return std::get<1>(kv.first) == id.value; });
}

Status QuincyAllocator::update_agent(AgentId id, const Resources& total) {
  Agent* a = agent(id);
  if (!a) return Error{fmt::format("unknown agent {}", id.value)};
  a->total = total;
  pending_ = true;
  return Status::success();
}

void QuincyAllocator::activate_agent(AgentId id) {
  if (Agent* a = agent(id)) a->active = true;
  pending_ = true;
}

void QuincyAllocator::deactivate_agent(AgentId id) {
  if (Agent* a = agent(id)) a->active = false;
}

void QuincyAllocator::add_allocation(FrameworkId framework, AgentId agent_id, std::string_view role,
                                     const Resources& resources) {
  allocations_[Key{framework.value, agent_id.value, std::string(role)}] += resources;
  if (Agent* a = agent(agent_id)) a->allocated += resources;
}

void QuincyAllocator::recover(Time now, FrameworkId framework_id, AgentId agent_id,
                              std::string_view role, const Resources& resources,
                              std::optional<Duration> refuse) {
  Framework* fw = framework(framework_id);
  Agent* a = agent(agent_id);
  if (!fw || !a) return;
  auto it = allocations_.find(Key{framework_id.value, agent_id.value, std::string(role)});
  if (it == allocations_.end()) return;
  fw->placed.erase({agent_id.value, std::string(role)});
  const Resources back = it->second.common(resources);
  it->second -= back;
  if (it->second.empty()) allocations_.erase(it);
  a->allocated -= a->allocated.common(back);
  if (refuse && *refuse > Duration()) {
    fw->filters.push_back(
        {agent_id, std::string(role), now + std::max(*refuse, options_.allocation_interval)});
  }
  pending_ = true;
}

Status QuincyAllocator::update_allocation(FrameworkId framework_id, AgentId agent_id,
                                          std::string_view role, const Resources& from,
                                          const Resources& to) {
  Agent* a = agent(agent_id);
  auto it = allocations_.find(Key{framework_id.value, agent_id.value, std::string(role)});
  if (!a || it == allocations_.end() || !it->second.contains(from)) {
    return Error{fmt::format("{} is not allocated to framework {} on agent {} in role '{}'",
                             from.to_string(), framework_id.value, agent_id.value, role)};
  }
  it->second = it->second - from + to;
  a->allocated = a->allocated - from + to;
  a->total = a->total - from + to;
  return Status::success();
}

void QuincyAllocator::suppress(FrameworkId id, const std::vector<std::string>& roles) {
  Framework* fw = framework(id);
  if (!fw) return;
  for (const std::string& role : roles.empty() ? fw->info.roles : roles) {
    if (!has(fw->suppressed, role)) fw->suppressed.push_back(role);
  }
}

void QuincyAllocator::revive(FrameworkId id, const std::vector<std::string>& roles) {
  Framework* fw = framework(id);
  if (!fw) return;
  const std::vector<std::string>& which = roles.empty() ? fw->info.roles : roles;
  std::erase_if(fw->suppressed, [&](const std::string& r) { return has(which, r); });
  std::erase_if(fw->filters, [&](const Filter& f) { return has(which, f.role); });
  pending_ = true;
}

Status QuincyAllocator::set_weight(std::string_view role, double weight) {
  if (weight == 1.0) return Status::success();  // every role's weight: nothing to apply
  return Error{fmt::format(
      "the quincy policy has no role weights (role '{}'): its costs decide placement", role)};
}

Status QuincyAllocator::set_quota(std::string_view role, const Quota& /*quota*/) {
  return Error{
      fmt::format("the quincy policy has no quota (role '{}'): its costs decide placement", role)};
}

void QuincyAllocator::set_demands(FrameworkId id, std::vector<Demand> demands) {
  if (Framework* fw = framework(id)) {
    fw->demands = std::move(demands);
    fw->placed.clear();
    pending_ = true;
  }
}

bool QuincyAllocator::filtered(const Framework& fw, AgentId agent_id, std::string_view role,
                               Time now) const {
  return std::any_of(fw.filters.begin(), fw.filters.end(), [&](const Filter& f) {
    return f.agent == agent_id && f.role == role && now < f.until;
  });
}

Resources QuincyAllocator::allocated(FrameworkId framework_id, AgentId agent_id,
                                     std::string_view role) const {
  auto it = allocations_.find(Key{framework_id.value, agent_id.value, std::string(role)});
  return it == allocations_.end() ? Resources() : it->second;
}

Resources QuincyAllocator::available(AgentId id) const {
  if (id.value >= agents_.size() || !agents_[id.value]) return {};
  const Agent& a = *agents_[id.value];
  return a.total - a.total.common(a.allocated);
}

Resources QuincyAllocator::total(AgentId id) const {
  return id.value < agents_.size() && agents_[id.value] ? agents_[id.value]->total : Resources();
}

}  // namespace mesosim
