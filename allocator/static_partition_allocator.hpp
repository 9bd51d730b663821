#pragma once

// Static partitioning: the baseline that Mesos's DRF sharing is compared with (the Mesos paper's
// macrobenchmark ran the same workloads on a cluster statically split among the frameworks).
//
// The cluster is split among a fixed list of partitions, each a role and a share of the cluster.
// Each partition is served by its own HierarchicalAllocator (same options, a seed derived from
// the options' seed and the partition's position) that sees only the partition's slice of each
// agent. So a framework is never offered more than its partition owns, even while every other
// partition sits idle: that is the difference from DRF, which gives the idle share away.
//
// Routing. The partition of a role is the partition of that role or, failing that, of its
// nearest ancestor that has one ("eng/web" falls in the partition of "eng"). A framework is
// registered in the inner allocator of each of its roles' partitions, with the roles that fall
// there; a role with no partition is an error. Every call that names a role (recover,
// update_allocation, allocated) goes to that role's partition; agents and frameworks go to the
// partitions they are in. A run's offers are the inner allocators' offers, partitions in order.
//
// Slicing, recomputed from the agent's total by add_agent and update_agent:
//   - Reserved resources (static or dynamic) go whole to the partition of their role; if the
//     role has no partition they are unowned.
//   - kSliceEveryAgent: each partition owns floor(total * share) of each unreserved scalar, in
//     milli-units (gpus in whole units), and of each unreserved range resource (ports) a
//     contiguous run of floor(count * share) values, partitions in order from the lowest value.
//   - kWholeAgents: an agent's unreserved resources go whole to one partition, chosen when the
//     agent is added: the one furthest below its share of the agents (largest n * share - held,
//     n counting the new agent; ties by partition order). If the shares sum below 1, the rest
//     is an idle pseudo-partition that takes its share of agents the same way (last on ties).
//     Four partitions of 0.25 thus get agents round-robin: 96 agents split 24/24/24/24.
//   What no partition owns is unowned: never offered, never double-counted. Shares are taken to
//   nine decimal places, so slices are exact integers and sum to at most the agent's total.
//   RESERVE/UNRESERVE (update_allocation) keep their resources in the partition that made them
//   until the next re-split; a reservation for a role of another partition is refused.
//
// Introspection: total(agent) is the agent's whole total; available(agent) is what is free in
// the partitions plus what is unowned, so total = available + everything allocated, the
// invariant the owner checks. slice() and unowned() tell the parts apart.
//
// Policy calls: set_weight applies to every inner allocator, so weights order the roles that
// share a partition (subroles); no weight moves resources across partitions. set_quota is
// refused: size the partition instead.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "allocator/allocator.hpp"

namespace mesosim {

class HierarchicalAllocator;

class StaticPartitionAllocator final : public Allocator {
 public:
  enum class Mode { kSliceEveryAgent, kWholeAgents };

  struct Partition {
    std::string role;
    double share = 0;  // fraction of the cluster, in (0, 1]
  };

  // Errors name the bad partition: an invalid or duplicate role, a share that is not positive
  // (or below 1e-9), shares summing over 1, or no partition at all.
  static Result<std::unique_ptr<StaticPartitionAllocator>> create(AllocatorOptions options,
                                                                  std::vector<Partition> partitions,
                                                                  Mode mode);
  ~StaticPartitionAllocator() override;

  Status add_framework(FrameworkId id, const FrameworkInfo& info, bool active) override;
  void remove_framework(FrameworkId id) override;
  void activate_framework(FrameworkId id) override;
  void deactivate_framework(FrameworkId id) override;
  Status update_framework(FrameworkId id, const FrameworkInfo& info) override;

  Status add_agent(AgentId id, const AgentInfo& info,
                   const std::vector<UsedResources>& used) override;
  void remove_agent(AgentId id) override;
  // Unlike HierarchicalAllocator, refuses a total whose slice of a partition would no longer
  // cover what that partition holds: slices are recomputed from totals and must stay whole.
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
  void set_explainer(AllocationExplainer* explainer) override;

  Mode mode() const { return mode_; }
  const std::vector<Partition>& partitions() const { return partitions_; }
  // What the partition of exactly `partition_role` owns on the agent (empty if none).
  Resources slice(AgentId agent, std::string_view partition_role) const;
  // What no partition owns on the agent.
  Resources unowned(AgentId agent) const;

 private:
  static constexpr size_t kNone = SIZE_MAX;
  static constexpr int64_t kBillion = 1'000'000'000;  // shares are held in parts per billion
  struct Agent;
  struct Framework;
  struct Split {
    std::vector<Resources> slices;  // by partition
    Resources unowned;
  };

  StaticPartitionAllocator(const AllocatorOptions& options, std::vector<Partition> partitions,
                           std::vector<int64_t> share_ppb, Mode mode);

  // The partition of `role` or of its nearest ancestor that has one; kNone if none has.
  size_t partition_of(std::string_view role) const;
  std::string partition_list() const;
  Status validate(const FrameworkInfo& info) const;
  FrameworkInfo part_of(const FrameworkInfo& info, size_t partition) const;
  // Adds the framework to the partitions of info's roles it is not in yet: all or none.
  Status join_partitions(FrameworkId id, Framework& f, const FrameworkInfo& info);
  // kWholeAgents: the partition (partitions_.size() for the idle remainder) of the next agent.
  size_t next_whole_owner() const;
  Split split(const Resources& total, size_t owner) const;
  Resources allocated_in(size_t partition, AgentId agent) const;
  // Calls fn on the inner allocator of every partition p with in[p] set.
  template <typename F>
  void each(const std::vector<bool>& in, F fn) {
    for (size_t p = 0; p < inner_.size(); ++p) {
      if (in[p]) fn(*inner_[p]);
    }
  }
  Framework* framework(FrameworkId id);
  const Agent* agent(AgentId id) const;
  Agent* agent(AgentId id);

  Mode mode_;
  std::vector<Partition> partitions_;
  std::vector<int64_t> share_ppb_;                             // by partition, parts per billion
  int64_t idle_ppb_ = 0;                                       // 1e9 minus the partitions' shares
  std::vector<std::unique_ptr<HierarchicalAllocator>> inner_;  // by partition
  std::vector<std::unique_ptr<Framework>> frameworks_;         // by FrameworkId
  std::vector<std::unique_ptr<Agent>> agents_;                 // by AgentId
  std::vector<uint64_t> whole_agents_;  // kWholeAgents: agents per partition, then idle
};

}  // namespace mesosim
