#pragma once

// A centralized, omniscient placer in the style of Quincy (SOSP 2009): the baseline two-level
// scheduling is measured against. Frameworks declare what they want placed (set_demands: Mesos's
// REQUEST call); every run solves the placement of all outstanding demands on all free
// resources at once as min-cost max-flow (min_cost_placement.hpp) and offers each framework
// exactly what was placed for it, one offer per (framework, agent, role). Frameworks that
// declare nothing are offered nothing.
//
// Costs (all integers, per task): running on a preferred agent costs what the demand says;
// anywhere else costs `remote_cost` (nothing, for a demand with no preferred agent); not running
// this time costs `wait_cost` plus `wait_cost_per_second` times how long the demand has waited. So
// a task waits for a preferred agent while that is cheaper than running remotely, as Quincy trades
// locality against delay.
//
// What the placer sees of an agent is its free unreserved scalar resources; range resources
// (ports) are given from the agent's free ranges, lowest first, and a task whose ranges do not
// fit waits. Reserved resources are never offered. Refusal filters: an assignment to an agent
// that the framework filtered (a DECLINE's refuse_seconds, in that role) is dropped for that
// run (the task waits; the explainer hears kFiltered). Suppressed roles' demands are ignored;
// inactive frameworks and agents take no part. Weights other than 1 and quota are refused:
// fairness here is what the costs make it.
//
// Placed tasks are not placed again while their offer is out: a run counts what it placed for
// each (framework, agent, role) against the framework's demands until the framework answers
// (resources of that offer recovered: declined or left unused) or sends new demands (a REQUEST
// after it launched). A framework that re-declares while an offer is still out may be placed
// twice; what it does not use it declines.
//
// Bookkeeping (totals, allocations, recover, RESERVE/UNRESERVE) follows the Allocator contract,
// so the master drives it like any other policy.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "allocator/allocator.hpp"

namespace mesosim {

struct QuincyOptions {
  int64_t remote_cost = 100;          // a task on a non-preferred agent
  int64_t wait_cost = 50;             // a task left unplaced by a run
  int64_t wait_cost_per_second = 10;  // added per second a demand has waited
};

class QuincyAllocator final : public Allocator {
 public:
  QuincyAllocator(AllocatorOptions options, QuincyOptions quincy);
  ~QuincyAllocator() override;

  Status add_framework(FrameworkId id, const FrameworkInfo& info, bool active) override;
  void remove_framework(FrameworkId id) override;
  void activate_framework(FrameworkId id) override;
  void deactivate_framework(FrameworkId id) override;
  Status update_framework(FrameworkId id, const FrameworkInfo& info) override;

  Status add_agent(AgentId id, const AgentInfo& info,
                   const std::vector<UsedResources>& used) override;
  void remove_agent(AgentId id) override;
  Status update_agent(AgentId id, const Resources& total) override;
  void activate_agent(AgentId id) override;
  void deactivate_agent(AgentId id) override;

  void recover(Time now, FrameworkId framework, AgentId agent, std::string_view role,
               const Resources& resources, std::optional<Duration> refuse) override;
  Status update_allocation(FrameworkId framework, AgentId agent, std::string_view role,
                           const Resources& from, const Resources& to) override;

  void suppress(FrameworkId framework, const std::vector<std::string>& roles) override;
  void revive(FrameworkId framework, const std::vector<std::string>& roles) override;

  Status set_weight(std::string_view role, double weight) override;
  Status set_quota(std::string_view role, const Quota& quota) override;

  void request_allocation() override { pending_ = true; }
  void request_allocation(AgentId /*agent*/) override { pending_ = true; }
  bool allocation_pending() const override { return pending_; }
  std::vector<Allocation> allocate(Time now) override;

  Resources allocated(FrameworkId framework, AgentId agent, std::string_view role) const override;
  Resources available(AgentId agent) const override;
  Resources total(AgentId agent) const override;
  void set_explainer(AllocationExplainer* explainer) override { explainer_ = explainer; }

  void set_demands(FrameworkId framework, std::vector<Demand> demands) override;

 private:
  struct Agent {
    std::string hostname;
    Resources total;
    Resources allocated;  // sum over frameworks and roles
    bool active = true;
  };
  struct Filter {
    AgentId agent;
    std::string role;
    Time until;
  };
  struct Framework {
    FrameworkInfo info;
    bool active = true;
    std::vector<std::string> suppressed;
    std::vector<Demand> demands;
    std::vector<Filter> filters;
    // Tasks placed in offers not yet answered, by (agent, role): (demand index, tasks).
    std::map<std::pair<uint32_t, std::string>, std::vector<std::pair<size_t, uint32_t>>> placed;
  };
  using Key = std::tuple<uint32_t, uint32_t, std::string>;  // framework, agent, role

  Framework* framework(FrameworkId id);
  Agent* agent(AgentId id);
  bool filtered(const Framework& fw, AgentId agent, std::string_view role, Time now) const;
  void add_allocation(FrameworkId framework, AgentId agent, std::string_view role,
                      const Resources& resources);

  AllocatorOptions options_;
  QuincyOptions quincy_;
  std::vector<std::optional<Framework>> frameworks_;  // by FrameworkId
  std::vector<std::optional<Agent>> agents_;          // by AgentId
  std::map<Key, Resources> allocations_;
  AllocationExplainer* explainer_ = nullptr;
  bool pending_ = false;
};

}  // namespace mesosim
