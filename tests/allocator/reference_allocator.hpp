#pragma once

// A deliberately plain reference for HierarchicalAllocator (issue #15): the semantics of
// allocator/README.md and hierarchical_allocator.hpp, written for obviousness, not speed.
//
// It keeps only the facts (agents and their totals, frameworks and what they subscribed to,
// what each framework holds where, filters, weights, quotas, pending requests) and derives
// everything else from them whenever it is needed: free resources, cluster totals, dominant
// shares, role and framework order, quota consumption, headroom. No sorter, no caches, no
// incremental counters, except the two things the semantics themselves make stateful:
//   - the DRF tie-break counts allocation *events* (Mesos's Sorter counts allocate() calls), so
//     counts are kept per sorter node, and forgotten when that node would cease to exist;
//   - the seeded random agent order, drawn from the same derived Rng per run (seed, run number).
//
// Where allocator/README.md leaves a choice open, this mirrors the real allocator on purpose
// (each is marked "mirrors" where it is made): the agent order (ids ascending, then the seeded
// shuffles), which entries of a name a headroom or limit trim cuts first (key order), that
// deactivated agents count toward headroom, that update_framework resets suppression to the
// info's suppressed_roles, that the last per-role min_allocatable override wins, and that a
// fair-share offer merges into the quota-stage offer of the same (framework, role, agent) in
// place.
//
// Used by tests/allocator/allocator_differential_test.cpp only. It implements what the random
// driver there exercises; it has no explainer (set_explainer is ignored) and ignores demands.

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "allocator/allocator.hpp"
#include "allocator/rng.hpp"

namespace mesosim::testing {

class ReferenceAllocator final : public Allocator {
 public:
  explicit ReferenceAllocator(AllocatorOptions options);

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

  void request_allocation() override;
  void request_allocation(AgentId agent) override;
  bool allocation_pending() const override;
  std::vector<Allocation> allocate(Time now) override;

  Resources allocated(FrameworkId framework, AgentId agent, std::string_view role) const override;
  Resources available(AgentId agent) const override;
  Resources total(AgentId agent) const override;
  void set_explainer(AllocationExplainer* /*explainer*/) override {}

 private:
  struct Agent {
    Resources total;
    bool active = true;
    uint64_t runs = 0;  // allocation runs that visited it while active (MESOS-4302)
  };
  struct Framework {
    FrameworkInfo info;
    bool active = false;
    std::set<std::string> suppressed;  // among info.roles
  };
  struct Filter {
    uint32_t framework;
    uint32_t agent;
    std::string role;
    Resources refused;
    Time expires;
    uint64_t agent_runs;  // the agent's run count when the filter was set
  };
  using HeldKey = std::tuple<uint32_t, uint32_t, std::string>;  // framework, agent, role

  // Derived, from scratch.
  Resources held_on(uint32_t agent) const;
  Resources free_on(uint32_t agent) const;
  Quantities cluster_total() const;
  Quantities held_in_role(const std::string& role) const;  // exactly this role
  Quantities held_in_subtree(const std::string& path) const;
  Quantities held_by(uint32_t framework, const std::string& role) const;
  bool tracked(uint32_t framework, const std::string& role) const;
  std::set<std::string> tracked_roles() const;
  Quantities consumed(const std::string& top) const;
  Quantities required_headroom() const;
  Quantities available_headroom() const;
  double dominant_share(const Quantities& allocation, const Quantities& total) const;
  std::vector<std::string> role_order() const;
  std::vector<uint32_t> framework_order(const std::string& role) const;
  bool filtered(Time now, uint32_t framework, uint32_t agent, const std::string& role,
                const Resources& offer) const;
  bool meets_min_allocatable(const Framework& f, const std::string& role,
                             const Resources& offer) const;
  std::optional<Resources> offer_for(Time now, uint32_t agent, uint32_t framework,
                                     const std::string& role, const Resources& role_free,
                                     bool quota_stage) const;

  void hold(uint32_t framework, uint32_t agent, const std::string& role, const Resources& r);
  void forget_untracked();

  AllocatorOptions options_;
  uint64_t runs_ = 0;  // runs so far: a run's agent order is drawn from Rng::derived(seed, runs_)
  std::map<uint32_t, Agent> agents_;
  std::map<uint32_t, Framework> frameworks_;
  std::map<HeldKey, Resources> held_;  // offered or allocated, never empty
  std::vector<Filter> filters_;
  std::map<std::string, double> weights_;
  std::map<std::string, Quota> quotas_;  // top-level roles
  bool all_requested_ = false;
  std::set<uint32_t> requested_;

  // DRF tie-break: allocation events per sorter node. A role sorter leaf lives while its role
  // is tracked; an inner node `p` while some tracked role is `p` or below it; a framework
  // sorter client while the framework is tracked in the role.
  std::map<std::string, uint64_t> role_leaf_events_;
  std::map<std::string, uint64_t> role_inner_events_;
  std::map<std::pair<std::string, uint32_t>, uint64_t> framework_events_;
};

}  // namespace mesosim::testing
