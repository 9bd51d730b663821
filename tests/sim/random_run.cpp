// The randomized fault run shared by sim_invariants_test and sim_soak (random_run.hpp).

#include "tests/sim/random_run.hpp"

#include <fmt/format.h>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "allocator/hierarchical_allocator.hpp"
#include "allocator/rng.hpp"
#include "sim/master/event_log.hpp"
#include "sim/master/master.hpp"
#include "tests/sim/sim_test_util.hpp"

namespace mesosim::testing {
namespace {

using v1::TaskState;

// A framework that launches up to `budget` random tasks (random sizes, durations and ends) on
// the offers it likes, declines the rest with a random filter, and reconciles what it has not
// seen end every minute. Like Marathon's task_launch_timeout, it kills a task that the master
// still reports STAGING a minute after the launch: a RunTaskMessage lost to a short partition
// (one neither side noticed) leaves the task there, in Mesos as here.
class RandomFramework : public ScriptedScheduler {
 public:
  RandomFramework(std::string name, Rng rng, int budget)
      : name_(std::move(name)), rng_(rng), budget_(budget) {
    on_offers = [this](SchedulerDriver& d, const std::vector<v1::Offer>& offers) {
      for (const auto& o : offers) place(d, o);
    };
    on_update = [this](SchedulerDriver& d, const v1::TaskStatus& status) {
      if (status.reason != v1::TaskStatusReason::REASON_RECONCILIATION ||
          status.state != TaskState::TASK_STAGING) {
        return;
      }
      auto it = launched_at_.find(status.task_id.value);
      if (it != launched_at_.end() && d.clock().now() - it->second > Duration::seconds(60)) {
        d.kill(status.task_id, status.agent_id);
      }
    };
  }

  std::map<std::string, v1::AgentID> launched;
  bool checkpoint = false;  // its FrameworkInfo's
  Time launched_at(const std::string& id) const { return launched_at_.at(id); }

  void reconcile_unfinished(SchedulerDriver& d) const {
    const auto ended = terminal_states();
    std::vector<v1::scheduler::Reconcile::Task> ask;
    for (const auto& [id, agent_id] : launched) {
      if (!ended.count(id)) ask.push_back({v1::TaskID{id}, agent_id});
    }
    if (!ask.empty()) d.reconcile(std::move(ask));
  }

 private:
  v1::Filters random_filters() {
    static constexpr double kRefuse[] = {0, 1, 5, 30};
    const uint64_t pick = rng_.below(5);
    return pick == 4 ? v1::Filters{} : v1::Filters{kRefuse[pick]};
  }

  void place(SchedulerDriver& d, const v1::Offer& o) {
    Resources left = o.resources;
    std::vector<v1::TaskInfo> tasks;
    const uint64_t want = rng_.below(4);
    for (uint64_t k = 0; k < want && budget_ > 0; ++k) {
      const std::string res =
          fmt::format("cpus:{};mem:{}", 0.5 * double(1 + rng_.below(4)), 128 * (1 + rng_.below(8)));
      if (!left.contains(Res(res))) break;
      const std::string id = fmt::format("{}-t{}", name_, next_++);
      v1::TaskInfo t = task(id, o, res, Duration::seconds(int64_t(1 + rng_.below(200))));
      if (rng_.below(10) == 0) t.work->final_state = TaskState::TASK_FAILED;
      left -= Res(res);
      launched[id] = o.agent_id;
      launched_at_[id] = d.clock().now();
      tasks.push_back(std::move(t));
      --budget_;
    }
    if (tasks.empty()) {
      d.decline({o.id}, random_filters());
    } else {
      d.launch(o, std::move(tasks), random_filters());
    }
  }

  std::string name_;
  Rng rng_;
  int budget_;
  std::map<std::string, Time> launched_at_;
  int next_ = 0;
};


// One randomized run: a cluster of 5-10 agents and 2-4 frameworks, random faults during the
// first ten minutes, then a long quiet period.
class RandomRun {
 public:
  static constexpr double kFaultsUntil = 600;
  static constexpr double kEnd = 2400;

  RandomRun(uint64_t seed, PeriodicWork periodic, bool explain)
      : rng_(seed * 7919 + 13), cluster_(options(seed, periodic, explain)) {
    cluster_.add_observer(&log_);
    cluster_.add_observer(&books_);
    cluster_.add_observer(&json_writer_);
    const uint64_t agents = 5 + rng_.below(6);
    for (uint64_t i = 0; i < agents; ++i) {
      const std::string res =
          fmt::format("cpus:{};mem:{}", 4 + 2 * rng_.below(3), 4096 * (1 + rng_.below(3)));
      cluster_.add_agent(agent(fmt::format("a{}", i), res));
    }
    const uint64_t frameworks = 2 + rng_.below(3);
    for (uint64_t i = 0; i < frameworks; ++i) {
      static constexpr double kFailover[] = {0, 30, 300};
      const std::string name = fmt::format("f{}", i);
      v1::FrameworkInfo info = framework(name, {"r"}, kFailover[rng_.below(3)]);
      if (rng_.below(2) == 0) info = partition_aware(info);
      // About one framework in four does not checkpoint (chosen without drawing from rng_, so
      // that a seed's cluster and faults stay what they were before this choice existed).
      info.checkpoint = (seed + i) % 4 != 0;
      schedulers_.push_back(std::make_unique<RandomFramework>(name, rng_.fork(), 40));
      schedulers_.back()->checkpoint = info.checkpoint;
      cluster_.add_framework(info, schedulers_.back().get());
    }
    schedule_faults();
    reconcile_every_minute();
  }

  RunResult run() {
    cluster_.start();
    const Time end = secs(kEnd);
    while (cluster_.queue().next_time() && *cluster_.queue().next_time() <= end) {
      cluster_.queue().step();
      ++result_.events;
      check_books();
    }
    cluster_.run_until(end);
    if (const Master* leader = cluster_.leader()) {
      const auto* allocator = dynamic_cast<const HierarchicalAllocator*>(&leader->allocator());
      if (allocator) result_.skipped_allocation_runs = allocator->skipped_runs();
      result_.lazy_pairs_rebuilt = cluster_.health().rebuilt();
    }
    check_every_task_ended_once();
    result_.log = log_.lines;
    result_.json = json_.str();
    for (const auto& s : schedulers_) result_.tasks += s->launched.size();
    return std::move(result_);
  }

 private:
  static SimClusterOptions options(uint64_t seed, PeriodicWork periodic, bool explain) {
    SimClusterOptions o;
    o.seed = seed;
    o.master.explain_allocation = explain;
    o.allocator.skip_unchanged_runs = periodic != PeriodicWork::kEager;
    o.lazy_pings = periodic != PeriodicWork::kEager;
    o.masters = 2;
    o.election_delay = Duration::seconds(10);
    return o;
  }

  void violation(std::string what, std::vector<std::string>* list = nullptr) {
    if (!list) list = &result_.violations;
    if (list->size() < 20) list->push_back(cluster_.now().to_string() + " " + std::move(what));
  }

  void schedule_faults() {
    const uint64_t count = 4 + rng_.below(5);
    for (uint64_t i = 0; i < count; ++i) {
      const Time at = secs(20 + double(rng_.below(uint64_t(kFaultsUntil) - 170)));
      const Duration back = Duration::seconds(int64_t(5 + rng_.below(146)));
      const std::string agent_name = fmt::format("a{}", rng_.below(cluster_.agent_count()));
      const std::string fw_name = fmt::format("f{}", rng_.below(cluster_.framework_count()));
      switch (rng_.below(5)) {
        case 0:
          cluster_.schedule(at, fault::AgentCrash{agent_name, true, back});
          machine_losses_[agent_name].insert(at);
          crashes_[agent_name].insert(at);
          break;
        case 1:
          cluster_.schedule(at, fault::AgentCrash{agent_name, false, back});
          crashes_[agent_name].insert(at);
          break;
        case 2:
          cluster_.schedule(at, fault::Partition{{agent_name}, {"masters"}});
          cluster_.schedule(at + back, fault::Heal{{agent_name}, {"masters"}});
          break;
        case 3:
          cluster_.schedule(at, fault::MasterFailover{});
          break;
        default:
          cluster_.schedule(at, fault::SchedulerCrash{fw_name, back});
          break;
      }
      ++result_.faults;
    }
  }

  void reconcile_every_minute() {
    cluster_.queue().schedule(Duration::seconds(60), [this] {
      for (size_t i = 0; i < schedulers_.size(); ++i) {
        schedulers_[i]->reconcile_unfinished(cluster_.framework(i));
      }
      reconcile_every_minute();
    });
  }

  // After every event: the master's books against the allocator's and the agents', and the
  // allocations the event stream accounts against the leader's allocator.
  void check_books() {
    if (auto e = cluster_.check_invariants()) violation("books: " + *e);
    check_stream_allocations();
    for (size_t i = 0; i < cluster_.agent_count(); ++i) {
      SimAgent& a = cluster_.agent(i);
      if (!a.options().resources.contains(a.used())) {
        violation(fmt::format("agent {} uses {} of {}", a.options().hostname, a.used().to_string(),
                              a.options().resources.to_string()));
      }
      // used() is kept as tasks come and go: it must be what its live tasks add up to.
      Resources live;
      for (const v1::Task& t : a.tasks()) {
        if (!v1::is_terminal(t.state)) live += t.resources;
      }
      if (live != a.used()) {
        violation(fmt::format("agent {} counts {} used, its live tasks hold {}",
                              a.options().hostname, a.used().to_string(), live.to_string()));
      }
    }
  }

  void check_stream_allocations() {
    for (const auto& e : books_.errors) violation("stream: " + e);
    books_.errors.clear();
    const Master* leader = cluster_.leader();
    const auto actual =
        leader ? leader->allocations() : std::map<Master::AllocationKey, Resources>{};
    ++result_.allocation_checks;
    if (books_.held == actual) return;
    std::string diff;
    for (const auto& [key, r] : actual) {
      auto it = books_.held.find(key);
      if (it == books_.held.end() || !(it->second == r)) {
        diff += fmt::format(" [{} {} {}: master {} stream {}]", std::get<0>(key),
                            std::get<1>(key), std::get<2>(key), r.to_string(),
                            it == books_.held.end() ? "none" : it->second.to_string());
      }
    }
    for (const auto& [key, r] : books_.held) {
      if (!actual.count(key)) {
        diff += fmt::format(" [{} {} {}: master none stream {}]", std::get<0>(key),
                            std::get<1>(key), std::get<2>(key), r.to_string());
      }
    }
    violation("stream allocations differ from the leader's:" + diff);
    books_.held = actual;  // report each divergence once
  }

  std::string hostname_of(const v1::AgentID& id) {
    for (size_t i = 0; i < cluster_.agent_count(); ++i) {
      if (cluster_.agent(i).agent_id() == id) return cluster_.agent(i).options().hostname;
    }
    return {};  // shut down and registered anew under another ID
  }

  bool removed(const v1::FrameworkID& id) const {
    return log_.count("FRAMEWORK_REMOVED framework=" + id.value + " ") > 0;
  }

  // Live on an agent that is up and registered.
  bool running_somewhere(const v1::FrameworkID& fw, const std::string& task) {
    for (size_t i = 0; i < cluster_.agent_count(); ++i) {
      SimAgent& a = cluster_.agent(i);
      if (!a.alive() || !a.registered()) continue;
      for (const auto& t : a.tasks()) {
        if (t.framework_id == fw && t.task_id.value == task && !v1::is_terminal(t.state)) {
          return true;
        }
      }
    }
    return false;
  }

  // What Mesos guarantees a framework about one task's updates, checked at the end of a run:
  // - Reconciliation answers (REASON_RECONCILIATION from the master) may come at any time, late
  //   ones even after a terminal state: they never count as an end.
  // - A TASK_LOST the master sends when it removes an agent (REASON_AGENT_REMOVED) is undone
  //   when the agent comes back with the task (Mesos 1.5 and later): by the master's
  //   REASON_AGENT_REREGISTERED update, or, if the framework missed that one, by the agent's own
  //   updates that follow.
  // - Otherwise a task ends once: the terminal updates that are not reconciliation answers name
  //   one state.
  // - An end only the agent knows (FINISHED, FAILED or KILLED, or any state the agent or an
  //   executor is the source of) reaches the framework as the agent's own reliable update, with
  //   a uuid, however the framework learned of it first. Only the loss of the agent's pending
  //   updates excuses that: a lost machine (its disk gone), or any agent crash for a framework
  //   that does not checkpoint (its updates were never written to disk).
  // - A task that did not end still runs on a live agent.
  void check_task_updates(const RandomFramework& s, const std::string& id, Time launched_at,
                          const std::string& hostname) {
    std::set<TaskState> ends;
    std::set<TaskState> agent_ends;     // states only the agent can have reported
    std::set<TaskState> reliable_ends;  // carried by the agent's own update (with a uuid)
    bool ended = false;
    bool lost_with_agent = false;  // the latest end is a TASK_LOST that an agent's return undoes
    for (const auto& u : s.updates_of(id)) {
      const bool from_master = u.source == v1::TaskStatusSource::SOURCE_MASTER;
      const bool terminal = v1::is_terminal(u.state);
      if (terminal && (!from_master || u.state == TaskState::TASK_FINISHED ||
                       u.state == TaskState::TASK_FAILED || u.state == TaskState::TASK_KILLED)) {
        agent_ends.insert(u.state);
      }
      if (terminal) ended = true;
      if (from_master && u.reason == v1::TaskStatusReason::REASON_RECONCILIATION) continue;
      if (lost_with_agent) {
        ends.erase(TaskState::TASK_LOST);
        lost_with_agent = false;
      }
      if (u.reason == v1::TaskStatusReason::REASON_AGENT_REREGISTERED) continue;
      if (!terminal) continue;
      if (u.uuid) reliable_ends.insert(u.state);
      ends.insert(u.state);
      lost_with_agent = from_master && u.state == TaskState::TASK_LOST &&
                        u.reason == v1::TaskStatusReason::REASON_AGENT_REMOVED;
    }
    const std::string& fw = s.id->value;
    if (ends.size() > 1) {
      std::string states;
      for (TaskState st : ends) states += std::string(v1::to_string(st)) + " ";
      violation(fmt::format("task {} of {} ended in several states: {}({})", id, fw, states,
                            history(s, id)),
                &result_.several_ends);
    }
    const auto& losses = s.checkpoint ? machine_losses_ : crashes_;
    if (!happened_after(losses, hostname, launched_at)) {
      for (TaskState st : agent_ends) {
        if (!reliable_ends.count(st)) {
          violation(fmt::format("task {} of {} ended {} but the agent's update never came ({})",
                                id, fw, v1::to_string(st), history(s, id)));
        }
      }
    }
    if (!ended && !running_somewhere(*s.id, id)) {
      violation(fmt::format("task {} of {} neither ended nor runs ({})", id, fw, history(s, id)));
    }
  }

  static bool happened_after(const std::map<std::string, std::set<Time>>& faults,
                             const std::string& hostname, Time t) {
    auto it = faults.find(hostname);
    return it != faults.end() && it->second.lower_bound(t) != it->second.end();
  }

  static std::string history(const RandomFramework& s, const std::string& id) {
    std::string out;
    for (const auto& u : s.updates_of(id)) {
      if (!out.empty()) out += ", ";
      out += v1::to_string(u.state);
      if (u.reason) out += fmt::format("({})", v1::to_string(*u.reason));
      if (u.uuid) out += "*";
    }
    return out;
  }

  void check_every_task_ended_once() {
    for (const auto& s : schedulers_) {
      if (!s->id) continue;
      // No task ran twice: each started (its STARTING update, by uuid) at most once.
      std::map<std::string, std::set<Uuid>> starts;
      for (const auto& u : s->updates) {
        if (u.state == TaskState::TASK_STARTING && u.uuid) starts[u.task_id.value].insert(*u.uuid);
      }
      for (const auto& [id, uuids] : starts) {
        if (uuids.size() > 1)
          violation(fmt::format("task {} of {} started twice", id, s->id->value));
      }
      const bool gone = removed(*s->id);
      for (const auto& [id, agent_id] : s->launched) {
        if (gone) {
          // Nobody is left to tell, but nothing of it may keep running.
          if (running_somewhere(*s->id, id)) {
            violation(fmt::format("task {} of removed framework {} still runs", id, s->id->value));
          }
          continue;
        }
        check_task_updates(*s, id, s->launched_at(id), hostname_of(agent_id));
      }
    }
  }

  std::map<std::string, std::set<Time>> machine_losses_;  // by hostname
  std::map<std::string, std::set<Time>> crashes_;         // by hostname, machine lost or not
  Rng rng_;
  SimCluster cluster_;
  EventLines log_;
  AllocationBooks books_;
  std::ostringstream json_;
  EventLogWriter json_writer_{json_, EventLogHeader{kEventLogVersion, "sim_invariants_test",
                                                    TimeBase::kSimulated}};
  std::vector<std::unique_ptr<RandomFramework>> schedulers_;
  RunResult result_;
};

}  // namespace

RunResult random_run(uint64_t seed, PeriodicWork periodic, bool explain) {
  return RandomRun(seed, periodic, explain).run();
}

}  // namespace mesosim::testing
