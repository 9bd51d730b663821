// QuincyAllocator::allocate: one run of the centralized placer.

#include <algorithm>
#include <cstdint>
#include <map>

#include "allocator/min_cost_placement.hpp"
#include "allocator/quincy_allocator.hpp"

namespace mesosim {
namespace {

// `count` values of the range resource `name` from `pool` (lowest first), taken out of it.
std::optional<Resources> take_ranges(Resources& pool, ResourceName name, uint64_t count) {
  for (const auto& entry : pool.range_entries()) {
    if (entry.key.name != name || entry.value.count() < count) continue;
    Resources taken = Resources::ranges(name, entry.value.take_first(count), entry.key.reservation,
                                        entry.key.revocable);
    pool -= taken;
    return taken;
  }
  return std::nullopt;
}

// One task's worth of a demand, as unreserved resources drawn from the agent's free ranges.
std::optional<Resources> task_resources(const Resources& demand, Resources& ranges_free) {
  Resources out;
  for (const auto& e : demand.scalar_entries()) out += Resources::scalar(e.key.name, e.value);
  for (const auto& e : demand.range_entries()) {
    std::optional<Resources> taken = take_ranges(ranges_free, e.key.name, e.value.count());
    if (!taken) return std::nullopt;
    out += *taken;
  }
  return out;
}

}  // namespace

std::vector<Allocation> QuincyAllocator::allocate(Time now) {
  pending_ = false;

  // The agents taking part, in id order, and what each has free to place.
  constexpr uint32_t kAbsent = UINT32_MAX;
  std::vector<AgentId> agent_ids;
  std::vector<uint32_t> index_of(agents_.size(), kAbsent);
  std::vector<Resources> ranges_free;
  PlacementProblem problem;
  for (uint32_t i = 0; i < agents_.size(); ++i) {
    if (!agents_[i] || !agents_[i]->active) continue;
    const Resources free = available(AgentId{i}).unreserved().non_revocable();
    index_of[i] = static_cast<uint32_t>(agent_ids.size());
    agent_ids.push_back(AgentId{i});
    problem.free.push_back(Quantities::of(free));
    ranges_free.push_back(free.non_scalars());
  }

  // Every task of every demand that may be placed now, frameworks in id order.
  struct Origin {
    FrameworkId framework;
    size_t demand;  // index in the framework's demands
  };
  std::vector<Origin> origin;
  for (uint32_t f = 0; f < frameworks_.size(); ++f) {
    if (!frameworks_[f] || !frameworks_[f]->active) continue;
    const Framework& fw = *frameworks_[f];
    std::vector<uint32_t> out_already(fw.demands.size(), 0);  // placed in unanswered offers
    for (const auto& [where, tasks] : fw.placed) {
      for (auto [demand, n] : tasks) out_already[demand] += n;
    }
    for (size_t di = 0; di < fw.demands.size(); ++di) {
      const Demand& d = fw.demands[di];
      if (std::find(fw.info.roles.begin(), fw.info.roles.end(), d.role) == fw.info.roles.end() ||
          std::find(fw.suppressed.begin(), fw.suppressed.end(), d.role) != fw.suppressed.end()) {
        continue;
      }
      PlacementTask task;
      task.demand = Quantities::of(d.resources);
      for (auto [agent, cost] : d.preferred) {
        if (agent.value < index_of.size() && index_of[agent.value] != kAbsent) {
          task.preferred.emplace_back(index_of[agent.value], std::max<int64_t>(cost, 0));
        }
      }
      task.any_cost = d.preferred.empty() ? 0 : quincy_.remote_cost;
      const int64_t waited = now > d.since ? (now - d.since).micros() / 1'000'000 : 0;
      task.wait_cost = quincy_.wait_cost + quincy_.wait_cost_per_second * waited;
      for (uint32_t k = out_already[di]; k < d.count; ++k) {
        problem.tasks.push_back(task);
        origin.push_back({FrameworkId{f}, di});
      }
    }
  }
  if (problem.tasks.empty() || agent_ids.empty()) return {};
  const Placement placement = place_min_cost(problem);

  // One offer per (framework, agent, role): the sum of what was placed there.
  std::map<Key, Resources> offers;
  for (size_t t = 0; t < problem.tasks.size(); ++t) {
    if (!placement.agent_of[t]) continue;
    const uint32_t index = *placement.agent_of[t];
    const AgentId agent_id = agent_ids[index];
    Framework& fw = *frameworks_[origin[t].framework.value];
    const Demand& demand = fw.demands[origin[t].demand];
    if (filtered(fw, agent_id, demand.role, now)) {
      if (explainer_) {
        explainer_->skipped(origin[t].framework, demand.role, agent_id, SkipReason::kFiltered);
      }
      continue;
    }
    std::optional<Resources> resources = task_resources(demand.resources, ranges_free[index]);
    if (!resources) continue;  // its ports are taken: it waits for the next run
    offers[Key{origin[t].framework.value, agent_id.value, demand.role}] += *resources;
    auto& placed = fw.placed[{agent_id.value, demand.role}];
    if (!placed.empty() && placed.back().first == origin[t].demand) {
      ++placed.back().second;
    } else {
      placed.emplace_back(origin[t].demand, 1);
    }
  }
  std::vector<Allocation> out;
  out.reserve(offers.size());
  for (auto& [key, resources] : offers) {
    const auto& [framework_value, agent_value, role] = key;
    add_allocation(FrameworkId{framework_value}, AgentId{agent_value}, role, resources);
    out.push_back({FrameworkId{framework_value}, AgentId{agent_value}, role, std::move(resources)});
  }
  return out;
}

}  // namespace mesosim
