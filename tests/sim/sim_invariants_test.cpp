// Randomized runs of a whole cluster under a random fault schedule, checking after every event
// that the books balance, and at the end that nothing was lost: every task a framework launched
// ended in exactly one terminal state that it was told of, or still runs on a live agent
// (DESIGN.md, "Invariants"). Also: a run is a function of its seed.

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "allocator/rng.hpp"
#include "sim/master/event_log.hpp"
#include "sim/master/master.hpp"
#include "tests/sim/sim_test_util.hpp"

namespace mesosim {
namespace {

using namespace mesosim::testing;
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

struct RunResult {
  std::vector<std::string> log;
  std::string json;  // the same stream in the event log format
  std::vector<std::string> violations;    // books out of balance, tasks lost or run twice
  std::vector<std::string> several_ends;  // tasks reported in more than one terminal state
  size_t events = 0;
  size_t tasks = 0;
  size_t faults = 0;
  size_t allocation_checks = 0;
};

// One randomized run: a cluster of 5-10 agents and 2-4 frameworks, random faults during the
// first ten minutes, then a long quiet period.
class RandomRun {
 public:
  static constexpr double kFaultsUntil = 600;
  static constexpr double kEnd = 2400;

  explicit RandomRun(uint64_t seed) : rng_(seed * 7919 + 13), cluster_(options(seed)) {
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
      schedulers_.push_back(std::make_unique<RandomFramework>(name, rng_.fork(), 40));
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
    check_every_task_ended_once();
    result_.log = log_.lines;
    result_.json = json_.str();
    for (const auto& s : schedulers_) result_.tasks += s->launched.size();
    return std::move(result_);
  }

 private:
  static SimClusterOptions options(uint64_t seed) {
    SimClusterOptions o;
    o.seed = seed;
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
          break;
        case 1:
          cluster_.schedule(at, fault::AgentCrash{agent_name, false, back});
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
    for (const auto& e : books_.errors) violation("stream: " + e);
    books_.errors.clear();
    const Master* leader = cluster_.leader();
    const auto actual = leader ? leader->allocations() : std::map<Master::AllocationKey, Resources>{};
    if (books_.held != actual) {
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
    ++result_.allocation_checks;
    for (size_t i = 0; i < cluster_.agent_count(); ++i) {
      SimAgent& a = cluster_.agent(i);
      if (!a.options().resources.contains(a.used())) {
        violation(fmt::format("agent {} uses {} of {}", a.options().hostname, a.used().to_string(),
                              a.options().resources.to_string()));
      }
    }
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

  void check_every_task_ended_once() {
    for (const auto& s : schedulers_) {
      if (!s->id) continue;
      // No task ran twice: each started (its STARTING update, by uuid) at most once.
      std::map<std::string, std::set<std::string>> starts;
      for (const auto& u : s->updates) {
        if (u.state == TaskState::TASK_STARTING && u.uuid) starts[u.task_id.value].insert(*u.uuid);
      }
      for (const auto& [id, uuids] : starts) {
        if (uuids.size() > 1)
          violation(fmt::format("task {} of {} started twice", id, s->id->value));
      }
      const bool gone = removed(*s->id);
      const auto ended = s->terminal_states();
      for (const auto& [id, agent_id] : s->launched) {
        auto it = ended.find(id);
        if (it != ended.end() && it->second.size() > 1) {
          std::string states;
          for (TaskState st : it->second) states += std::string(v1::to_string(st)) + " ";
          violation(
              fmt::format("task {} of {} ended in several states: {}", id, s->id->value, states),
              &result_.several_ends);
        }
        if (gone) {
          // Nobody is left to tell, but nothing of it may keep running.
          if (running_somewhere(*s->id, id)) {
            violation(fmt::format("task {} of removed framework {} still runs", id, s->id->value));
          }
          continue;
        }
        if (it == ended.end() && !running_somewhere(*s->id, id)) {
          violation(fmt::format("task {} of {} neither ended nor runs", id, s->id->value));
        }
      }
    }
  }

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

constexpr uint64_t kSeeds = 20;

TEST(SimInvariantsTest, RandomFaultsNeverUnbalanceTheBooksNorLoseATask) {
  size_t events = 0, tasks = 0, faults = 0, several_ends = 0;
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    RunResult r = RandomRun(seed).run();
    events += r.events;
    tasks += r.tasks;
    faults += r.faults;
    several_ends += r.several_ends.size();
    EXPECT_GT(r.tasks, 0u) << "seed " << seed;
    for (const auto& v : r.violations) ADD_FAILURE() << "seed " << seed << ": " << v;
  }
  RecordProperty("events", std::to_string(events));
  RecordProperty("tasks", std::to_string(tasks));
  RecordProperty("faults", std::to_string(faults));
  RecordProperty("tasks_with_several_ends", std::to_string(several_ends));
}

TEST(SimInvariantsTest, RandomFaultsEndEveryTaskInExactlyOneTerminalState) {
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    RunResult r = RandomRun(seed).run();
    for (const auto& v : r.several_ends) ADD_FAILURE() << "seed " << seed << ": " << v;
  }
}

TEST(SimInvariantsTest, SameSeedGivesTheSameEventLogAndAnotherSeedAnother) {
  const RunResult a = RandomRun(7).run();
  const RunResult b = RandomRun(7).run();
  const RunResult c = RandomRun(8).run();
  ASSERT_FALSE(a.log.empty());
  EXPECT_EQ(a.log, b.log);
  EXPECT_NE(a.log, c.log);
  ASSERT_GT(a.json.size(), 1000u);
  EXPECT_TRUE(a.json == b.json) << "the JSON event log of one seed is byte-identical";
  EXPECT_FALSE(a.json == c.json);
}

// The stream's allocation changes (OfferMade, ResourcesAdopted, ResourcesRecovered,
// ReservationApplied; resets at MasterCrashed and LeaderElected) sum, after every event of runs
// with agent crashes, partitions, scheduler crashes and master failovers, to what the leading
// master's allocator holds per framework, agent and role (checked in check_books()).
TEST(SimInvariantsTest, StreamAllocationsEqualTheLeadersAfterEveryEvent) {
  size_t checks = 0, adoptions = 0, crashes = 0;
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    RunResult r = RandomRun(seed).run();
    checks += r.allocation_checks;
    for (const auto& l : r.log) {
      adoptions += l.find("RESOURCES_ADOPTED") != std::string::npos;
      crashes += l.find("MASTER_CRASHED") != std::string::npos;
    }
    for (const auto& v : r.violations) ADD_FAILURE() << "seed " << seed << ": " << v;
  }
  EXPECT_GT(checks, 10000u);
  EXPECT_GT(adoptions, 0u) << "the runs must exercise adoption by a new leader";
  EXPECT_GT(crashes, 0u) << "the runs must exercise master failover";
}

}  // namespace
}  // namespace mesosim
