#pragma once

// The hierarchical DRF allocator, with Mesos's semantics (1.9+):
//
// Each run visits the requested agents in a seeded random order, twice. Stage 1 serves only
// roles whose quota guarantee is unmet: an offer is made only if it holds unreserved
// non-revocable scalars toward the guarantee. Stage 2 is fair share over every role, agents
// reshuffled. On each agent, roles are taken in DRF order (hierarchical, weighted) and within a
// role its frameworks in DRF order; the first framework that qualifies receives everything still
// available to its role on that agent: the unreserved resources and the reservations of the
// role and its ancestors. Unreserved non-revocable scalars are trimmed to the cluster's headroom
// (free unreserved resources beyond what every role's unmet guarantee needs), except in stage 1
// the part that serves the role's own unmet guarantee, and, for a role holding quota, to its
// limit; subroles are not bound by their parent's limit. A framework is passed over if a refusal
// filter covers the offer, if the offer holds less than min_allocatable_resources, or if the
// agent has GPUs and the framework is not GPU-capable. Frameworks that suppressed a role are
// left out of that role's order. A refusal filter expires once its time is up and a run has
// visited its agent since it was set (MESOS-4302). An agent's total may shrink below what it
// holds: it is then over-allocated and offers nothing it lacks.
//
// What counts toward a share: everything offered or allocated to the client, reserved and
// revocable included; reservations nobody holds do not count. Shares divide by the whole
// cluster's totals; only the role order applies weights. Quota consumption of a top-level role
// is its subtree's offered-or-allocated unreserved non-revocable scalars plus every reservation
// of the subtree, held or not.
//
// Quiet runs: a run over every agent that follows a run over every agent which made no offers
// and in which every refusal filter had already been visited by an earlier run, with no change in
// between (no call other than allocate() and the introspection ones) and no filter whose time is
// up by now that was not yet up at that earlier run, makes no offers either: every agent would be
// visited in the same state, so it would also tell an explainer the same skips. Such a run is
// skipped (unless AllocatorOptions::skip_unchanged_runs is off): it returns no offers and tells an
// explainer repeated_last_run() instead of the skips. It draws nothing: each run shuffles with a
// generator of its own, derived from the seed and the run's number (skipped runs are numbered
// too), so the runs after it are unchanged too and a skipped run costs O(1), not O(agents). It
// does not count as a visit for MESOS-4302: every filter set before the earlier run was visited
// by that run already.
//
// Cost: a run costs O(agents visited · (roles + frameworks tried) · log n). Free resources are
// cached per agent so an exhausted agent costs O(1); sorters re-key in O(log n). A run after the
// cluster's totals changed (an agent added, removed or resized) first recomputes every share,
// O(roles + frameworks); the sorters get the totals only then, so changes that cancel out cost
// nothing.

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "allocator/allocator.hpp"
#include "allocator/drf_sorter.hpp"
#include "allocator/offer_filters.hpp"
#include "allocator/rng.hpp"

namespace mesosim {

class HierarchicalAllocator final : public Allocator {
 public:
  explicit HierarchicalAllocator(AllocatorOptions options);
  ~HierarchicalAllocator() override;

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
  void allocate_into(Time now, std::vector<Allocation>& out) override;

  Resources allocated(FrameworkId framework, AgentId agent, std::string_view role) const override;
  Resources available(AgentId agent) const override;
  Resources total(AgentId agent) const override;
  void set_explainer(AllocationExplainer* explainer) override { explainer_ = explainer; }

  // For tests and metrics: the dominant share of a role (weighted) or of a framework in a role.
  double role_share(std::string_view role);
  double framework_share(FrameworkId framework, std::string_view role);
  // Free unreserved non-revocable scalars across the cluster, and what unmet guarantees need.
  const Quantities& available_headroom() const { return free_unreserved_; }
  const Quantities& required_headroom() const { return required_headroom_; }
  // A top-level role's quota consumption.
  Quantities consumed_quota(std::string_view role) const;
  // Runs skipped as quiet (see the header comment); they count among the runs all the same.
  uint64_t skipped_runs() const { return skipped_runs_; }

 private:
  using RoleIdx = uint32_t;
  static constexpr RoleIdx kNoRole = UINT32_MAX;

  struct Role;
  struct FrameworkRole {
    RoleIdx role;
    DrfSorter::ClientId client;
    bool subscribed;  // false: left the role but still holds resources in it
    bool suppressed;
  };
  struct Framework;
  struct AgentAllocation {
    FrameworkId framework;
    RoleIdx role;
    Resources resources;
    uint32_t held_slot;  // its entry in the framework's `held`
  };
  struct Agent;

  // allocator/hierarchical_allocator.cpp: bookkeeping.
  static Status validate_roles(const FrameworkInfo& info, bool allow_no_role);
  void drop_held(Framework& f, uint32_t slot);
  RoleIdx role_index(std::string_view role);
  RoleIdx find_role(std::string_view role) const;
  void track(Framework& f, RoleIdx role, bool subscribed, bool suppressed);
  void maybe_untrack(Framework& f, size_t role_slot);
  FrameworkRole* framework_role(Framework& f, RoleIdx role);
  // `taken_from_free`: `r` was a.free itself, moved out whole (offer_for), so a.free is empty
  // already; otherwise `r` is subtracted from it.
  void add_allocation(Framework& f, FrameworkRole& fr, Agent& a, const Resources& r,
                      bool taken_from_free = false);
  void remove_allocation(Framework& f, FrameworkRole& fr, Agent& a, const Resources& r);
  void add_reserved(const Resources& r, int sign);
  void add_consumed(RoleIdx role, const Resources& r, int sign);
  void consumed_changed(RoleIdx top, const Quantities& before);
  Quantities consumed_of(RoleIdx top) const;
  void set_totals_changed();
  void sync_sorter_totals();
  Framework* framework(FrameworkId id);
  const Framework* framework(FrameworkId id) const;
  Agent* agent(AgentId id);
  const Agent* agent(AgentId id) const;

  // allocator/hierarchical_cycle.cpp: the allocation run.
  struct Run;
  // Visits candidates_ in their order (one stage of a run).
  void run_stage(Run& run, bool quota_stage);
  void visit_agent(Run& run, Agent& a, bool quota_stage);
  bool can_take_nothing(const Role& role, bool cluster_has_revocable) const;
  void park_if_saturated(Run& run, RoleIdx role);
  bool offer_to_role(Run& run, Agent& a, Role& role, bool quota_stage);
  // What `f` would be offered of the role's free resources on `a`, if anything. An offer of
  // everything free is moved out of a.free rather than copied (*taken_from_free is then set):
  // the caller must pass it to add_allocation at once.
  std::optional<Resources> offer_for(Run& run, Agent& a, Framework& f, const Role& role,
                                     bool quota_stage, bool* taken_from_free);
  // The last checks of an offer (non-empty, min_allocatable, filters); `limited`/`held` say
  // whether quota or headroom trimmed it, for the explanation.
  std::optional<Resources> checked_offer(Run& run, Agent& a, Framework& f, const Role& role,
                                         Resources offer, bool limited, bool held);
  // Whether a filter of (f, a, role) holds an offer back: covered(refused) says whether a
  // filter's refused resources contain all of the offer. Drops filters that have expired, and
  // the (f, role) entry of a.filtered once none is left.
  template <typename Covered>
  bool is_filtered(Time now, Framework& f, Agent& a, RoleIdx role, const Covered& covered);
  static uint64_t filtered_key(FrameworkId f, RoleIdx role) {
    return (uint64_t{f.value} << 32) | role;
  }
  const std::vector<Quantities>& min_allocatable(const Framework& f, RoleIdx role) const;
  bool meets_min_allocatable(const Framework& f, RoleIdx role, const Resources& offer) const;
  void explain(const Framework& f, const Role& role, AgentId agent, SkipReason reason) const;
  void explain_role(const Role& role, AgentId agent, SkipReason reason) const;

  AllocatorOptions options_;
  // Runs so far, skipped ones included: a run's agent order is drawn from a generator derived
  // from the seed and this number (Rng::derived), so no run's draws depend on an earlier run's.
  uint64_t runs_ = 0;
  std::vector<std::unique_ptr<Role>> roles_;
  std::unordered_map<std::string, RoleIdx> role_by_name_;  // lookups only, never iterated
  DrfSorter role_sorter_{true};
  std::vector<RoleIdx> role_of_client_;  // role sorter client -> role
  std::vector<std::unique_ptr<Framework>> frameworks_;  // by FrameworkId
  std::vector<std::unique_ptr<Agent>> agents_;          // by AgentId
  std::vector<RoleIdx> quota_roles_;                    // top-level roles with a quota, sorted
  // Recovered AgentAllocation resources kept for their capacity (at most one per agent; what
  // they hold is stale): a new allocation record copies its resources into one instead of
  // allocating memory.
  std::vector<Resources> spare_resources_;

  Quantities cluster_total_;     // scalars of every agent
  Quantities free_unreserved_;   // available headroom: free unreserved non-revocable scalars
  Quantities required_headroom_; // sum over quota roles of max(0, guarantee - consumed)
  // cluster_total_ changed since the sorters were last given it (set_totals_changed); they get
  // it before their next walk or share (sync_sorter_totals).
  bool sorter_totals_behind_ = false;

  bool all_agents_requested_ = false;
  std::vector<AgentId> requested_agents_;
  std::vector<Agent*> candidates_;  // the agents of the current run (kept for its capacity)
  std::vector<DrfSorter::ClientId> parked_;  // Run::parked between runs: empty, kept for capacity
  std::vector<bool> requested_flag_;
  AllocationExplainer* explainer_ = nullptr;

  // Quiet runs (see the header comment). `quiet_since_` is the time of the last run over every
  // agent, set only if it made no offers, every filter had been visited by an earlier run, and
  // nothing changed since. `unvisited_filters_`: a filter may exist that no run has visited (one
  // was set, or an agent activated, since the last run over every agent).
  void note_change() { quiet_since_.reset(); }
  bool can_skip(Time now);
  std::optional<Time> quiet_since_;
  uint64_t skipped_runs_ = 0;
  bool unvisited_filters_ = false;
  // Expiry times of the refusal filters set so far (a min-heap, std::greater). Entries of filters
  // that were erased stay until their time passes: at worst a run is not skipped.
  std::vector<Time> filter_expiries_;
};

}  // namespace mesosim
