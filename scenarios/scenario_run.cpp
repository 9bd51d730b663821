// ScenarioRun: the cluster, the allocator policy and the run loop. Frameworks, workloads,
// machines from a trace and faults are in scenario_run_parts.cpp.

#include "scenarios/scenario_run.hpp"

#include <time.h>

#include <set>

#include <fmt/format.h>

#include "allocator/hierarchical_allocator.hpp"
#include "allocator/static_partition_allocator.hpp"
#include "scenarios/scenario_parse.hpp"

namespace mesosim {
namespace {

// CPU time of the calling thread: what an allocation run costs, little disturbed by other
// processes on a loaded machine (wall time would count their turns on the CPU too).
class ThreadCpuStopwatch final : public Stopwatch {
 public:
  Duration elapsed() override {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return Duration::micros(static_cast<int64_t>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000);
  }
};

AllocatorOptions allocator_options(const AllocatorSpec& a) {
  AllocatorOptions o = AllocatorOptions::mesos_defaults();
  o.allocation_interval = a.allocation_interval;
  o.min_allocatable =
      parse_min_allocatable(a.min_allocatable_resources).value();  // checked at load
  for (const auto& name : a.fair_sharing_excluded_resource_names) {
    o.fair_sharing_excluded.push_back(ResourceName::of(name));
  }
  return o;
}

// The static policy's partitions: as given, or the frameworks' roles in equal shares.
std::vector<StaticPartitionAllocator::Partition> partitions(const Scenario& s) {
  std::vector<StaticPartitionAllocator::Partition> out;
  for (const auto& [role, share] : s.allocator.partitions) out.push_back({role, share});
  if (!out.empty()) return out;
  std::vector<std::string> roles;
  for (const auto& f : s.frameworks) {
    if (std::find(roles.begin(), roles.end(), f.role) == roles.end()) roles.push_back(f.role);
  }
  for (const auto& r : roles) out.push_back({r, 1.0 / static_cast<double>(roles.size())});
  return out;
}

Result<Quota> quota_of(const RoleSpec& role) {
  Quota q;
  if (!role.quota_guarantees.empty())
    q.guarantees = Quantities::parse(role.quota_guarantees).value();
  if (!role.quota_limits.empty()) {
    const Quantities limits = Quantities::parse(role.quota_limits).value();
    for (ResourceName n : limits.names()) q.limits.emplace_back(n, limits.get(n));
  }
  return q;
}

}  // namespace

std::string_view to_string(RunOutcome::Ending ending) {
  switch (ending) {
    case RunOutcome::Ending::kDuration:
      return "duration reached";
    case RunOutcome::Ending::kCompleted:
      return "every job finished";
    case RunOutcome::Ending::kCap:
      return "max_duration reached before every job finished";
    case RunOutcome::Ending::kStopped:
      return "stopped";
  }
  return "?";
}

ScenarioRun::ScenarioRun(const Scenario& scenario)
    : scenario_(scenario), rng_(scenario.seed), fault_rng_(0) {}

ScenarioRun::~ScenarioRun() = default;

Result<std::unique_ptr<ScenarioRun>> ScenarioRun::create(const Scenario& scenario) {
  std::unique_ptr<ScenarioRun> run(new ScenarioRun(scenario));
  if (Status s = run->build_policy(); !s.ok()) return s.error();
  if (Status s = run->build_cluster(); !s.ok()) return s.error();
  if (Status s = run->build_machines(); !s.ok()) return s.error();
  if (Status s = run->build_frameworks(); !s.ok()) return s.error();
  run->schedule_faults();
  return run;
}

Status ScenarioRun::build_policy() {
  const Scenario& s = scenario_;
  SimClusterOptions o;
  o.seed = rng_.next();
  o.latency = s.latency;
  o.masters = s.masters;
  o.election_delay = s.election_delay;
  o.allocator = allocator_options(s.allocator);
  o.master.allocation_interval = s.allocator.allocation_interval;
  o.master.offer_timeout = s.allocator.offer_timeout;
  o.master.allocate_on_task_end = s.allocator.allocate_on_task_end;
  if (s.allocator.charge_cycle_time) {
    stopwatch_ = std::make_unique<ThreadCpuStopwatch>();
    o.master.stopwatch = stopwatch_.get();
    o.master.charge_allocation_time = true;
  }
  o.master.explain_allocation = s.explain_waits;
  const auto parts = partitions(s);
  const auto mode = s.allocator.static_mode == StaticMode::kWholeAgents
                        ? StaticPartitionAllocator::Mode::kWholeAgents
                        : StaticPartitionAllocator::Mode::kSliceEveryAgent;
  if (s.allocator.policy == "static") {
    // A partition the allocator refuses is an error here, before any master makes one.
    if (auto trial = StaticPartitionAllocator::create(o.allocator, parts, mode); !trial.ok()) {
      return Error{fmt::format("allocator.static.partitions: {}", trial.error().message)};
    }
    o.make_allocator = [parts, mode](const AllocatorOptions& ao) -> std::unique_ptr<Allocator> {
      return StaticPartitionAllocator::create(ao, parts, mode).value();  // checked below
    };
  } else if (s.allocator.policy == "quincy") {
    o.make_allocator = [q = s.allocator.quincy](const AllocatorOptions& ao) {
      return std::unique_ptr<Allocator>(std::make_unique<QuincyAllocator>(ao, q));
    };
  } else {
    o.make_allocator = [](const AllocatorOptions& ao) -> std::unique_ptr<Allocator> {
      return std::make_unique<HierarchicalAllocator>(ao);
    };
  }
  // A master applies the registry's weights and quotas silently at election; try them on a
  // trial allocator first so that a refused one is an error here.
  std::unique_ptr<Allocator> trial = o.make_allocator(o.allocator);
  cluster_ = std::make_unique<SimCluster>(std::move(o));
  for (const auto& role : s.allocator.roles) {
    if (Status st = trial->set_weight(role.name, role.weight); !st.ok()) {
      return Error{fmt::format("allocator.roles.{}.weight: {}", role.name, st.error().message)};
    }
    cluster_->registry().weights[role.name] = role.weight;
    if (role.quota_guarantees.empty() && role.quota_limits.empty()) continue;
    const Quota q = quota_of(role).value();
    if (Status st = trial->set_quota(role.name, q); !st.ok()) {
      return Error{fmt::format("allocator.roles.{}.quota: {} (policy {})", role.name,
                               st.error().message, s.allocator.policy)};
    }
    cluster_->registry().quotas[role.name] = q;
  }
  return Status::success();
}

Status ScenarioRun::build_cluster() {
  const std::vector<std::string> names = scenario_yaml::group_hostnames(scenario_.cluster);
  size_t next = 0;
  std::map<std::string, int> index_in_prefix;
  for (const auto& g : scenario_.cluster.groups) {
    const Resources resources = Resources::parse(g.resources).value();  // checked at load
    for (int i = 0; i < g.count; ++i) {
      const std::string& host = names[next++];
      const int k = index_in_prefix[g.name_prefix]++;
      const std::string rack = fmt::format("{}{}", g.rack_prefix, k % g.racks);
      if (Status st = place(host, rack, g.zone); !st.ok()) {
        return Error{fmt::format("cluster.groups ({}): {}", g.name.empty() ? host : g.name,
                                 st.error().message)};
      }
      SimAgentOptions a;
      a.hostname = host;
      a.resources = resources;
      a.attributes = {{"rack", rack}, {"zone", g.zone}};
      for (const auto& [k2, v] : g.attributes) a.attributes.push_back({k2, v});
      cluster_->add_agent(std::move(a));
      hostnames_.push_back(host);
      added_.insert(host);
    }
  }
  return Status::success();
}

void ScenarioRun::add_observer(MasterObserver* observer) {
  MESOSIM_CHECK(!ran_, "observers are added before run()");
  cluster_->add_observer(observer);
}

bool ScenarioRun::complete() const {
  for (size_t i = 0; i < models_.size(); ++i) {
    if (!feeders_[i]->done() || models_[i]->unfinished_jobs() > 0) return false;
  }
  return true;
}

RunOutcome ScenarioRun::run(const RunControl& control) {
  MESOSIM_CHECK(!ran_, "a ScenarioRun runs once");
  ran_ = true;
  EventQueue& queue = cluster_->queue();
  cluster_->start();
  for (auto& f : feeders_) f->start();
  const Time end = Time::epoch() + scenario_.horizon();
  const bool to_completion = scenario_.run_to_completion;
  auto report = [&] {
    if (control.progress) {
      control.progress(
          RunProgress{queue.now(), queue.executed(), scenario_.horizon(), to_completion});
    }
  };
  RunOutcome out;
  const uint64_t every = std::max<uint64_t>(1, control.progress_every);
  while (true) {
    if (control.stop && control.stop->load(std::memory_order_relaxed)) {
      out.ending = RunOutcome::Ending::kStopped;
      break;
    }
    if (to_completion && complete()) {
      out.ending = RunOutcome::Ending::kCompleted;
      break;
    }
    const auto next = queue.next_time();
    if (!next || *next > end) {
      queue.run_until(end);
      out.ending = to_completion ? RunOutcome::Ending::kCap : RunOutcome::Ending::kDuration;
      break;
    }
    queue.step();
    if (queue.executed() % every == 0) report();
  }
  report();
  out.end = queue.now();
  out.events = queue.executed();
  for (size_t i = 0; i < feeders_.size(); ++i) {
    if (const auto& e = feeders_[i]->error()) {
      out.workload_errors.push_back(
          fmt::format("framework {}: {}", scenario_.frameworks[i].name, e->message));
    }
  }
  out.notes = notes_;
  return out;
}

}  // namespace mesosim
