#pragma once

// The allocator interface: what a master (simulated or live) drives, and what every policy
// (hierarchical DRF, static partitioning, ...) implements.
//
// An allocator decides which framework is offered which free resources. It knows nothing of
// clocks, threads or I/O: time arrives as a value, and offers leave as the return value of
// allocate(). The owner assigns dense AgentId/FrameworkId handles and keeps external names.
//
// Driving it (Mesos's allocator protocol):
//   - tell it about agents and frameworks as they come, change and go;
//   - when events make an allocation worthwhile, the allocator records which agents a run should
//     visit and allocation_pending() turns true; the owner then calls allocate(now) soon, once,
//     so triggers that arrive together are served by one run (Mesos batches the same way);
//     a periodic run every allocation_interval calls request_allocation() then allocate(now);
//   - offered resources stay allocated until the owner recovers them (declined, rescinded,
//     or the task that used them ended).

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "allocator/ids.hpp"
#include "allocator/quantities.hpp"
#include "allocator/resources.hpp"
#include "allocator/result.hpp"
#include "allocator/time.hpp"

namespace mesosim {

// What the allocator needs to know of a framework.
struct FrameworkInfo {
  // Breaks ties between equal shares within a role; the owner passes the framework's external
  // ID (Mesos orders frameworks by ID string).
  std::string name;
  std::vector<std::string> roles;
  // Roles subscribed but suppressed from the start (SUBSCRIBE's suppressed_roles).
  std::vector<std::string> suppressed_roles;
  bool gpu_resources = false;        // GPU_RESOURCES: may be offered agents that have GPUs
  bool revocable_resources = false;  // REVOCABLE_RESOURCES: may be offered revocable resources
  // Per-role override of the cluster's min_allocatable_resources (OfferFilters in Mesos).
  std::vector<std::pair<std::string, std::vector<Quantities>>> min_allocatable;
};

struct AgentInfo {
  std::string hostname;
  Resources total;
};

// Resources a framework already uses on an agent, reported when the agent (re-)registers.
struct UsedResources {
  FrameworkId framework;
  std::string role;
  Resources resources;
};

// One offer's worth: resources on one agent for one framework in one role.
struct Allocation {
  FrameworkId framework;
  AgentId agent;
  std::string role;
  Resources resources;
};

// What a framework says it wants placed: `count` tasks of `resources` each, in `role`, preferring
// some agents. Mesos's REQUEST call carries the same (`requests`: resources and an optional agent
// id); Mesos's own allocator ignores it. A centralized placer (QuincyAllocator) places exactly
// these. `preferred` costs are the framework's (e.g. 0 where its input data is, more on the same
// rack); `since` is when the oldest of these tasks became pending, so waiting grows dearer.
struct Demand {
  std::string role;
  Resources resources;
  uint32_t count = 1;
  std::vector<std::pair<AgentId, int64_t>> preferred;
  Time since;
};

// Quota of a top-level role, `*` included (Mesos 1.9+): guarantees are served before fair share
// and kept available through headroom; limits cap what is offered to the role, counting its
// subroles' consumption, though the subroles themselves are not capped (as in Mesos). Names
// absent from `limits` are unlimited. Every guarantee must be at most its limit.
struct Quota {
  Quantities guarantees;
  std::vector<std::pair<ResourceName, Scalar>> limits;
};

// Why a framework was not offered (more of) an agent's resources in a run. Reported only when
// an explainer is installed; free otherwise.
enum class SkipReason {
  kFiltered,               // a refusal filter of (framework, role, agent) covers the offer
  kSuppressed,             // the framework suppressed offers for the role
  kFrameworkInactive,      // the framework is disconnected or not yet resubscribed
  kQuotaLimit,             // the role's quota limit leaves nothing to offer
  kHeadroom,               // what is left is held back for other roles' unmet guarantees
  kBelowMinAllocatable,    // what is left is less than min_allocatable_resources
  kNotGpuCapable,          // the agent has GPUs and the framework lacks GPU_RESOURCES
  kReservedForOtherRoles,  // what is free on the agent is reserved to other roles
  kLowerInDrfOrder,        // clients earlier in DRF order took what the role could use
  kNoQuotaContribution,    // quota stage: the offer would not help the role's guarantee
};
std::string_view to_string(SkipReason reason);

// Told, during allocate(), why each (framework, role) was not offered each agent it was tried on.
class AllocationExplainer {
 public:
  virtual ~AllocationExplainer() = default;
  virtual void skipped(FrameworkId framework, std::string_view role, AgentId agent,
                       SkipReason reason) = 0;
  // Instead of skipped() calls: this run was skipped as quiet (nothing changed since the last
  // run, which visited every agent and made no offers), so its skips are that run's again.
  virtual void repeated_last_run() {}
};

struct AllocatorOptions {
  Duration allocation_interval = Duration::seconds(1);
  // An offer must contain at least one of these sets (Mesos: --min_allocatable_resources,
  // default "cpus:0.01|mem:32"). Empty: any non-empty offer.
  std::vector<Quantities> min_allocatable = default_min_allocatable();
  std::vector<ResourceName> fair_sharing_excluded;  // --fair_sharing_excluded_resource_names
  uint64_t seed = 0;                                // shuffles the agent order of each run
  // Skip a periodic run that cannot offer anything (nothing changed since a run that offered
  // nothing, and no filter expired): the outcome is the same, only cheaper. Off: every run
  // visits every agent, for tests that compare the two. Policies other than the hierarchical
  // one (and those built on it) ignore it.
  bool skip_unchanged_runs = true;

  // Mesos's defaults; the same as a default-constructed AllocatorOptions.
  static AllocatorOptions mesos_defaults() { return {}; }
  static std::vector<Quantities> default_min_allocatable();
};

// Parses "cpus:0.01|mem:32" ('|' between alternatives, ';' within one).
Result<std::vector<Quantities>> parse_min_allocatable(std::string_view text);

// Refusal filters (Mesos Filters.refuse_seconds): default 5 s when unset or negative, capped at
// 365 days, none at 0. Returns the filter duration or nullopt for "no filter".
std::optional<Duration> refuse_duration(std::optional<double> refuse_seconds);

class Allocator {
 public:
  virtual ~Allocator() = default;

  virtual Status add_framework(FrameworkId id, const FrameworkInfo& info, bool active) = 0;
  // Its allocations must have been recovered first (the owner knows what it offered).
  virtual void remove_framework(FrameworkId id) = 0;
  // Inactive frameworks keep their allocations but get no offers; deactivation clears filters.
  virtual void activate_framework(FrameworkId id) = 0;
  virtual void deactivate_framework(FrameworkId id) = 0;
  virtual Status update_framework(FrameworkId id, const FrameworkInfo& info) = 0;

  virtual Status add_agent(AgentId id, const AgentInfo& info,
                           const std::vector<UsedResources>& used) = 0;
  virtual void remove_agent(AgentId id) = 0;
  // New total. It may be less than what is offered or allocated on the agent (Mesos allows it,
  // e.g. a lowered oversubscription estimate): the agent is then over-allocated, nothing it lacks
  // is offered, and recovered resources pay off the excess before any become free again.
  virtual Status update_agent(AgentId id, const Resources& total) = 0;
  virtual void activate_agent(AgentId id) = 0;
  virtual void deactivate_agent(AgentId id) = 0;

  // Returns resources to the free pool. With a refusal (a DECLINE's filter) the framework is not
  // offered a subset of them again on that agent in that role until it expires
  // (max(refuse, allocation_interval) after now, and not before a run has visited the agent
  // since: Mesos MESOS-4302). Unknown framework or agent: ignored.
  virtual void recover(Time now, FrameworkId framework, AgentId agent, std::string_view role,
                       const Resources& resources, std::optional<Duration> refuse) = 0;
  // RESERVE/UNRESERVE within an allocation: `from` (allocated to the framework) becomes `to`,
  // same quantities, different reservation; the agent's total changes accordingly.
  virtual Status update_allocation(FrameworkId framework, AgentId agent, std::string_view role,
                                   const Resources& from, const Resources& to) = 0;

  // Empty roles: every role of the framework.
  virtual void suppress(FrameworkId framework, const std::vector<std::string>& roles) = 0;
  // Also clears the framework's filters for those roles and requests a run over all agents.
  virtual void revive(FrameworkId framework, const std::vector<std::string>& roles) = 0;

  virtual Status set_weight(std::string_view role, double weight) = 0;
  virtual Status set_quota(std::string_view role, const Quota& quota) = 0;

  // Ask for a run over every agent / over one agent.
  virtual void request_allocation() = 0;
  virtual void request_allocation(AgentId agent) = 0;
  virtual bool allocation_pending() const = 0;
  // Runs one allocation over the requested agents and returns the offers it made, in a
  // deterministic order. The resources in them count as allocated from now on.
  virtual std::vector<Allocation> allocate(Time now) = 0;
  // The same run, its offers put in `out` (cleared first, its capacity kept). An owner that runs
  // often and keeps `out` spares each run a large block of its own; the offers are the same.
  virtual void allocate_into(Time now, std::vector<Allocation>& out);

  // Introspection for the owner's invariant checks and for metrics.
  virtual Resources allocated(FrameworkId framework, AgentId agent,
                              std::string_view role) const = 0;
  virtual Resources available(AgentId agent) const = 0;
  virtual Resources total(AgentId agent) const = 0;

  // nullptr turns explanations off (the default).
  virtual void set_explainer(AllocationExplainer* explainer) = 0;

  // The framework's outstanding demands, replacing what it said before (empty: none). Policies
  // that do not place tasks centrally ignore them, as Mesos's allocator ignores REQUEST.
  virtual void set_demands(FrameworkId /*framework*/, std::vector<Demand> /*demands*/) {}
};

}  // namespace mesosim
