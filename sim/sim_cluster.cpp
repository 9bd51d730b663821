#include "sim/sim_cluster.hpp"

#include <fmt/format.h>

#include "allocator/check.hpp"
#include "allocator/hierarchical_allocator.hpp"

namespace mesosim {

SimCluster::SimCluster(SimClusterOptions options)
    : options_(std::move(options)),
      rng_(options_.seed),
      network_(queue_, rng_.fork(), options_.latency),
      detector_(network_),
      // Its own hash seed, drawn from nothing: health traffic never shifts another draw.
      health_(queue_, network_, options_.latency, options_.seed ^ 0x6865616c7468ULL,
              options_.lazy_pings) {
  MESOSIM_CHECK(options_.masters >= 1, "a cluster needs a master");
  if (!options_.make_allocator) {
    options_.make_allocator = [](const AllocatorOptions& o) {
      return std::make_unique<HierarchicalAllocator>(o);
    };
  }
  for (int i = 0; i < options_.masters; ++i) {
    const Endpoint e{static_cast<uint32_t>(network_.size())};
    masters_.push_back(MasterSlot{e, make_master(e)});
    const Endpoint added = network_.add(fmt::format("master{}", i + 1), masters_.back().master.get());
    MESOSIM_CHECK(added == e, "endpoints are assigned densely");
  }
}

SimCluster::~SimCluster() = default;

std::unique_ptr<Master> SimCluster::make_master(Endpoint endpoint) {
  MasterOptions mo = options_.master;
  mo.master_id = fmt::format("M{}", ++master_generation_);
  AllocatorOptions ao = options_.allocator;
  ao.seed = rng_.next();
  AgentHealth& health =
      health_.master_side(endpoint, mo.agent_ping_timeout, mo.max_agent_ping_timeouts);
  auto master = std::make_unique<Master>(endpoint, queue_, network_, options_.make_allocator(ao),
                                         registry_, std::move(mo), &health);
  for (MasterObserver* o : observers_) master->add_observer(o);
  return master;
}

size_t SimCluster::add_agent(SimAgentOptions options) {
  const Endpoint e{static_cast<uint32_t>(network_.size())};
  const std::string name = options.hostname;
  agents_.push_back(std::make_unique<SimAgent>(e, queue_, network_, rng_.fork(), std::move(options)));
  agents_.back()->use_health(health_);
  MESOSIM_CHECK(network_.add(name, agents_.back().get()) == e, "endpoints are assigned densely");
  if (started_) detector_.subscribe(e);
  return agents_.size() - 1;
}

size_t SimCluster::add_framework(v1::FrameworkInfo info, Scheduler* scheduler,
                                 SchedulerDriverOptions options) {
  const Endpoint e{static_cast<uint32_t>(network_.size())};
  const std::string name = info.name;
  drivers_.push_back(std::make_unique<SchedulerDriver>(e, queue_, network_, std::move(info),
                                                       scheduler, std::move(options)));
  schedulers_.push_back(scheduler);
  MESOSIM_CHECK(network_.add(name, drivers_.back().get()) == e, "endpoints are assigned densely");
  if (started_) detector_.subscribe(e);
  return drivers_.size() - 1;
}

void SimCluster::start() {
  MESOSIM_CHECK(!started_, "started twice");
  started_ = true;
  leader_ = 0;
  masters_[0].master->elect();
  detector_.elect(masters_[0].endpoint);
  for (auto& a : agents_) detector_.subscribe(a->endpoint());
  for (auto& d : drivers_) detector_.subscribe(d->endpoint());
}

Master* SimCluster::leader() { return leader_ ? masters_[*leader_].master.get() : nullptr; }

void SimCluster::add_observer(MasterObserver* observer) {
  observers_.push_back(observer);
  for (auto& slot : masters_) slot.master->add_observer(observer);
}

void SimCluster::fail_over_master() {
  if (!leader_) return;
  const size_t failed = *leader_;
  leader_.reset();
  masters_[failed].master->crash();
  network_.crash(masters_[failed].endpoint);
  detector_.elect(std::nullopt);
  // A standby wins the election after the delay; the failed master comes back as a standby.
  queue_.schedule(options_.election_delay, [this, failed] {
    const size_t next = (failed + 1) % masters_.size();
    if (next == failed) {
      masters_[failed].master = make_master(masters_[failed].endpoint);
      network_.restart(masters_[failed].endpoint, masters_[failed].master.get());
    }
    leader_ = next;
    masters_[next].master->elect();
    detector_.elect(masters_[next].endpoint);
    if (next != failed) {
      masters_[failed].master = make_master(masters_[failed].endpoint);
      network_.restart(masters_[failed].endpoint, masters_[failed].master.get());
    }
  });
}

size_t SimCluster::agent_index(const std::string& name) {
  for (size_t i = 0; i < agents_.size(); ++i) {
    if (agents_[i]->options().hostname == name) return i;
  }
  MESOSIM_CHECK(false, ("no agent named " + name).c_str());
  return 0;
}

size_t SimCluster::framework_index(const std::string& name) {
  for (size_t i = 0; i < drivers_.size(); ++i) {
    if (drivers_[i]->info().name == name) return i;
  }
  MESOSIM_CHECK(false, ("no framework named " + name).c_str());
  return 0;
}

std::vector<Endpoint> SimCluster::resolve(const std::vector<std::string>& names) {
  std::vector<Endpoint> out;
  for (const auto& n : names) {
    if (n == "masters") {
      for (auto& slot : masters_) out.push_back(slot.endpoint);
      continue;
    }
    auto e = network_.find(n);
    MESOSIM_CHECK(e.has_value(), ("no party named " + n).c_str());
    out.push_back(*e);
  }
  return out;
}

void SimCluster::set_restart_scheduler(const std::string& framework, Scheduler* scheduler) {
  schedulers_[framework_index(framework)] = scheduler;
}

void SimCluster::inject(const Fault& f) {
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, fault::AgentCrash>) {
          const size_t i = agent_index(x.agent);
          agents_[i]->crash(x.machine_lost);
          if (network_.up(agents_[i]->endpoint())) network_.crash(agents_[i]->endpoint());
          if (x.restart_after) {
            queue_.schedule(*x.restart_after, [this, name = x.agent] {
              inject(fault::AgentRestart{name});
            });
          }
        } else if constexpr (std::is_same_v<T, fault::AgentRestart>) {
          const size_t i = agent_index(x.agent);
          if (agents_[i]->alive()) return;
          network_.restart(agents_[i]->endpoint(), agents_[i].get());
          agents_[i]->restart();
          detector_.subscribe(agents_[i]->endpoint());
        } else if constexpr (std::is_same_v<T, fault::Partition>) {
          network_.partition_groups(resolve(x.side_a), resolve(x.side_b));
        } else if constexpr (std::is_same_v<T, fault::Heal>) {
          if (x.side_a.empty() && x.side_b.empty()) {
            network_.heal_all();
          } else {
            for (Endpoint a : resolve(x.side_a)) {
              for (Endpoint b : resolve(x.side_b)) network_.heal(a, b);
            }
          }
        } else if constexpr (std::is_same_v<T, fault::MasterFailover>) {
          fail_over_master();
        } else if constexpr (std::is_same_v<T, fault::SchedulerCrash>) {
          const size_t i = framework_index(x.framework);
          if (!network_.up(drivers_[i]->endpoint())) return;
          drivers_[i]->crash();
          network_.crash(drivers_[i]->endpoint());
          if (x.restart_after) {
            queue_.schedule(*x.restart_after, [this, i] {
              if (network_.up(drivers_[i]->endpoint())) return;
              network_.restart(drivers_[i]->endpoint(), drivers_[i].get());
              drivers_[i]->restart(schedulers_[i]);
              detector_.subscribe(drivers_[i]->endpoint());
            });
          }
        }
      },
      f);
}

void SimCluster::schedule(Time at, Fault f) {
  queue_.schedule_at(at, [this, f = std::move(f)] { inject(f); });
}

std::optional<std::string> SimCluster::check_invariants() {
  Master* m = leader();
  if (!m) return std::nullopt;
  if (auto e = m->check_invariants()) return e;
  // Every non-terminal task the leader places on a registered, connected agent is there.
  for (const auto& view : m->tasks()) {
    if (view.unreachable || v1::is_terminal(view.task.state)) continue;
    if (view.task.state == v1::TaskState::TASK_STAGING) continue;  // RunTask may be in flight
    for (auto& a : agents_) {
      if (!a->alive() || a->agent_id() != view.task.agent_id) continue;
      bool found = false;
      for (const auto& t : a->tasks()) {
        if (t.task_id == view.task.task_id && t.framework_id == view.task.framework_id) found = true;
      }
      // A task the agent does not have but has an update for (its reconciliation answer to
      // the master, on its way) is accounted for too.
      if (!found && a->pending_updates(view.task.framework_id, view.task.task_id) == 0) {
        // The agent may have ended it with the update still on its way: only a task the agent
        // never heard of, on an agent that is up and connected, is a discrepancy.
        bool connected = false;
        for (const auto& av : m->agents()) {
          if (av.info.id == view.task.agent_id) connected = av.connected;
        }
        if (connected && a->registered() && a->leader().has_value()) {
          // Terminal updates are dropped from the agent once acknowledged; master completes the
          // task on the same acknowledgement, so a running task missing here is a real loss.
          if (view.task.state == v1::TaskState::TASK_RUNNING && !view.last_sent) {
            return fmt::format("task {} is RUNNING at the master but unknown to agent {}",
                               view.task.task_id.value, view.task.agent_id.value);
          }
        }
      }
    }
  }
  return std::nullopt;
}

std::string to_string(const Fault& f) {
  return std::visit(
      [](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, fault::AgentCrash>) {
          return fmt::format("agent_crash({}, machine_lost={})", x.agent, x.machine_lost);
        } else if constexpr (std::is_same_v<T, fault::AgentRestart>) {
          return fmt::format("agent_restart({})", x.agent);
        } else if constexpr (std::is_same_v<T, fault::Partition>) {
          return fmt::format("partition([{}] | [{}])", fmt::join(x.side_a, ","),
                             fmt::join(x.side_b, ","));
        } else if constexpr (std::is_same_v<T, fault::Heal>) {
          return fmt::format("heal([{}] | [{}])", fmt::join(x.side_a, ","),
                             fmt::join(x.side_b, ","));
        } else if constexpr (std::is_same_v<T, fault::MasterFailover>) {
          return "master_failover";
        } else {
          return fmt::format("scheduler_crash({})", x.framework);
        }
      },
      f);
}

}  // namespace mesosim
