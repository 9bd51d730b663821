// The master under faults: agents that crash (with or without losing the machine) or are
// partitioned away, master failover, schedulers that crash and fail over, offers that time out
// (MESOS-REFERENCE.md, "Master": agent health, framework failover, master failover).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sim/master/master.hpp"
#include "tests/sim/sim_test_util.hpp"

namespace mesosim {
namespace {

using namespace mesosim::testing;
using ::testing::ElementsAre;
using v1::TaskState;
using v1::TaskStatusReason;

bool has_state(const ScriptedScheduler& s, const std::string& task, TaskState state) {
  const auto states = s.states_of(task);
  return std::find(states.begin(), states.end(), state) != states.end();
}

// First time `task` was reported in `state` to `s`.
std::optional<Time> first_seen(const ScriptedScheduler& s, const std::string& task,
                               TaskState state) {
  for (size_t i = 0; i < s.updates.size(); ++i) {
    if (s.updates[i].task_id.value == task && s.updates[i].state == state) {
      return s.update_times[i];
    }
  }
  return std::nullopt;
}

const Master::AgentView* find_agent(const std::vector<Master::AgentView>& agents,
                                    const v1::AgentID& id) {
  for (const auto& a : agents) {
    if (a.info.id == id) return &a;
  }
  return nullptr;
}

const Master::FrameworkView* find_framework(const std::vector<Master::FrameworkView>& fws,
                                            const v1::FrameworkID& id) {
  for (const auto& f : fws) {
    if (f.info.id == id) return &f;
  }
  return nullptr;
}

bool agent_has(SimAgent& a, const std::string& task) {
  for (const auto& t : a.tasks()) {
    if (t.task_id.value == task) return true;
  }
  return false;
}

// Two agents; a partition-aware and a plain framework each run one long task on a1.
class MasterAgentFaultTest : public ::testing::Test {
 protected:
  MasterAgentFaultTest() : cluster(SimClusterOptions{}) {
    cluster.add_observer(&log);
    cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
    cluster.add_agent(agent("a2", "cpus:4;mem:4096"));
    pa.add({"pa-task", "cpus:1;mem:128", std::nullopt, "a1"});
    plain.add({"plain-task", "cpus:1;mem:128", std::nullopt, "a1"});
    // Both checkpoint: their tasks survive an agent restart.
    cluster.add_framework(checkpointing(partition_aware(framework("pa"))), &pa);
    cluster.add_framework(checkpointing(framework("plain")), &plain);
  }
  void start_and_run_tasks() {
    cluster.start();
    cluster.run_until(secs(5));
    ASSERT_EQ(pa.states_of("pa-task").back(), TaskState::TASK_RUNNING);
    ASSERT_EQ(plain.states_of("plain-task").back(), TaskState::TASK_RUNNING);
    a1 = *cluster.agent(0).agent_id();
  }
  Master& leader() { return *cluster.leader(); }

  SimCluster cluster;
  EventLines log;
  QueueScheduler pa, plain;
  v1::AgentID a1;
};

TEST_F(MasterAgentFaultTest, LostMachineMakesTasksLostOrUnreachableAfterFiveMissedPings) {
  start_and_run_tasks();
  // From now on both frameworks keep the offers they get, so some are outstanding at the crash.
  pa.hold_unused = true;
  plain.hold_unused = true;
  cluster.run_until(secs(9.5));
  std::vector<v1::OfferID> held;
  for (const QueueScheduler* s : {&pa, &plain}) {
    for (const auto& [at, o] : s->offers_on(a1)) {
      if (at > secs(5)) held.push_back(o.id);
    }
  }
  ASSERT_EQ(held.size(), 1u) << "a1's remaining resources are held by one framework";

  const Time crash = secs(10);
  cluster.schedule(crash, fault::AgentCrash{"a1", true, Duration::seconds(200)});
  cluster.run_until(crash + Duration::seconds(1));
  // The master hears of the crash at once: a1's offers are rescinded, the agent disconnected.
  std::vector<v1::OfferID> rescinded = pa.rescinded;
  rescinded.insert(rescinded.end(), plain.rescinded.begin(), plain.rescinded.end());
  EXPECT_EQ(rescinded, held);
  EXPECT_EQ(leader().outstanding_offers(), 1u) << "the offer of a2 stays";
  ASSERT_NE(find_agent(leader().agents(), a1), nullptr);
  EXPECT_FALSE(find_agent(leader().agents(), a1)->connected);

  cluster.run_until(crash + Duration::seconds(74));
  EXPECT_FALSE(has_state(plain, "plain-task", TaskState::TASK_LOST)) << "too early";
  EXPECT_FALSE(has_state(pa, "pa-task", TaskState::TASK_UNREACHABLE)) << "too early";
  EXPECT_NE(find_agent(leader().agents(), a1), nullptr);

  cluster.run_until(crash + Duration::millis(90100));
  const auto lost = plain.updates_of("plain-task");
  ASSERT_EQ(lost.back().state, TaskState::TASK_LOST);
  EXPECT_EQ(lost.back().reason, TaskStatusReason::REASON_AGENT_REMOVED);
  EXPECT_GE(*first_seen(plain, "plain-task", TaskState::TASK_LOST), crash + Duration::seconds(75));
  ASSERT_EQ(pa.updates_of("pa-task").back().state, TaskState::TASK_UNREACHABLE);
  for (const QueueScheduler* s : {&pa, &plain}) {
    ASSERT_EQ(s->failures.size(), 1u);
    EXPECT_EQ(s->failures[0].agent_id, std::optional(a1));
  }
  // Its resources are recovered: the agent is gone from the master and the allocator.
  EXPECT_EQ(find_agent(leader().agents(), a1), nullptr);
  EXPECT_EQ(cluster.registry().agents.at(a1.value).state, Registry::AgentState::kUnreachable);
  // Both tasks are kept as unreachable: they may come back with the agent (Mesos 1.5+).
  for (const auto& [s, id] : {std::pair{&plain, "plain-task"}, std::pair{&pa, "pa-task"}}) {
    const auto unreachable = leader().task(*s->id, v1::TaskID{id});
    ASSERT_TRUE(unreachable.has_value()) << id;
    EXPECT_TRUE(unreachable->unreachable) << id;
  }
  EXPECT_EQ(log.count("AGENT_REMOVED agent=" + a1.value + " unreachable=true"), 1u);
  EXPECT_EQ(cluster.check_invariants(), std::nullopt);

  // The machine comes back empty, with its agent ID, and is offered again.
  cluster.run_until(crash + Duration::seconds(215));
  EXPECT_EQ(cluster.agent(0).agent_id(), std::optional(a1));
  ASSERT_NE(find_agent(leader().agents(), a1), nullptr);
  EXPECT_TRUE(find_agent(leader().agents(), a1)->connected);
  // The machine lost the task: the master forgets it without an update, as Mesos does, and a
  // framework that asks is told TASK_GONE.
  EXPECT_FALSE(leader().task(*pa.id, v1::TaskID{"pa-task"}).has_value());
  EXPECT_FALSE(leader().task(*plain.id, v1::TaskID{"plain-task"}).has_value());
  EXPECT_EQ(pa.updates_of("pa-task").back().state, TaskState::TASK_UNREACHABLE);
  pa.reconcile_unfinished(cluster.framework(0));
  cluster.run_for(Duration::seconds(1));
  const auto gone = pa.updates_of("pa-task");
  EXPECT_EQ(gone.back().state, TaskState::TASK_GONE);
  EXPECT_EQ(gone.back().reason, TaskStatusReason::REASON_RECONCILIATION);
  size_t offered_again = 0;
  for (const QueueScheduler* s : {&pa, &plain}) {
    for (const auto& [at, o] : s->offers_on(a1)) {
      offered_again += at > crash + Duration::seconds(200);
    }
  }
  EXPECT_GT(offered_again, 0u);
  EXPECT_EQ(plain.terminal_states()["plain-task"], std::set{TaskState::TASK_LOST});
  EXPECT_EQ(pa.terminal_states()["pa-task"], std::set{TaskState::TASK_GONE});
  EXPECT_EQ(cluster.check_invariants(), std::nullopt);
}

TEST_F(MasterAgentFaultTest, AgentCrashShorterThanThePingTimeoutLosesNoTask) {
  start_and_run_tasks();
  cluster.schedule(secs(10), fault::AgentCrash{"a1", false, Duration::seconds(40)});
  cluster.run_until(secs(200));

  EXPECT_THAT(pa.states_of("pa-task"),
              ElementsAre(TaskState::TASK_STARTING, TaskState::TASK_RUNNING));
  EXPECT_THAT(plain.states_of("plain-task"),
              ElementsAre(TaskState::TASK_STARTING, TaskState::TASK_RUNNING));
  EXPECT_TRUE(pa.failures.empty());
  EXPECT_TRUE(plain.failures.empty());
  EXPECT_EQ(cluster.agent(0).agent_id(), std::optional(a1));
  ASSERT_NE(find_agent(leader().agents(), a1), nullptr);
  EXPECT_TRUE(find_agent(leader().agents(), a1)->connected);
  EXPECT_EQ(find_agent(leader().agents(), a1)->used, Res("cpus:2;mem:256"));
  EXPECT_EQ(leader().task(*pa.id, v1::TaskID{"pa-task"})->task.state, TaskState::TASK_RUNNING);
  EXPECT_EQ(log.count("AGENT_DISCONNECTED agent=" + a1.value), 1u);
  EXPECT_EQ(log.count("AGENT_REMOVED"), 0u);
  EXPECT_EQ(cluster.check_invariants(), std::nullopt);
}

TEST_F(MasterAgentFaultTest, AgentCrashedAgainAfterARestartIsSeenDisconnectedAtOnce) {
  start_and_run_tasks();
  cluster.schedule(secs(10), fault::AgentCrash{"a1", false, Duration::seconds(20)});
  cluster.schedule(secs(60), fault::AgentCrash{"a1", false, Duration::seconds(20)});
  cluster.run_until(secs(61));
  // The master must have linked to the restarted agent to hear of its second crash.
  EXPECT_EQ(log.count("AGENT_DISCONNECTED agent=" + a1.value), 2u);
  ASSERT_NE(find_agent(leader().agents(), a1), nullptr);
  EXPECT_FALSE(find_agent(leader().agents(), a1)->connected);
  cluster.run_until(secs(200));
  EXPECT_TRUE(find_agent(leader().agents(), a1)->connected);
  EXPECT_EQ(cluster.check_invariants(), std::nullopt);
}

TEST_F(MasterAgentFaultTest, TransitionsThatFellDueWhileTheAgentWasDownArriveAfterItsRestart) {
  start_and_run_tasks();
  // The agent crashes once it has the task and before its executor is up, so the task starts
  // while the agent is down.
  QueueScheduler& late = plain;
  late.add({"late-task", "cpus:1;mem:128", std::nullopt, "a1"});
  while (!late.launched.count("late-task") && cluster.now() < secs(30)) {
    cluster.run_for(Duration::millis(1));
  }
  ASSERT_TRUE(late.launched.count("late-task"));
  cluster.run_for(Duration::millis(100));
  ASSERT_TRUE(agent_has(cluster.agent(0), "late-task"));
  const Time crash = cluster.now();
  cluster.inject(fault::AgentCrash{"a1", false, Duration::seconds(30)});
  cluster.run_for(Duration::seconds(60));

  const auto updates = late.updates_of("late-task");
  ASSERT_EQ(updates.size(), 2u);
  EXPECT_EQ(updates[0].state, TaskState::TASK_STARTING);
  EXPECT_EQ(updates[1].state, TaskState::TASK_RUNNING);
  EXPECT_LT(updates[1].timestamp, crash + Duration::seconds(1)) << "stamped when it happened";
  const auto starting = first_seen(late, "late-task", TaskState::TASK_STARTING);
  ASSERT_TRUE(starting.has_value());
  EXPECT_GE(*starting, crash + Duration::seconds(30)) << "delivered after the restart";
  EXPECT_FALSE(has_state(pa, "pa-task", TaskState::TASK_LOST));
  EXPECT_EQ(leader().task(*late.id, v1::TaskID{"late-task"})->task.state, TaskState::TASK_RUNNING);
  EXPECT_EQ(cluster.check_invariants(), std::nullopt);
}

TEST_F(MasterAgentFaultTest, TaskThatFinishedWhileTheAgentWasDownIsFinishedNotLost) {
  QueueScheduler quick;
  quick.add({"quick", "cpus:1;mem:128", Duration::seconds(20), "a1"});
  cluster.add_framework(checkpointing(framework("quick")), &quick);
  start_and_run_tasks();
  cluster.schedule(secs(10), fault::AgentCrash{"a1", false, Duration::seconds(40)});
  cluster.run_until(secs(100));

  EXPECT_THAT(
      quick.states_of("quick"),
      ElementsAre(TaskState::TASK_STARTING, TaskState::TASK_RUNNING, TaskState::TASK_FINISHED));
  EXPECT_EQ(cluster.check_invariants(), std::nullopt);
}

TEST_F(MasterAgentFaultTest, PartitionHealReadoptsEveryFrameworksTasksWithReasonAgentReregistered) {
  start_and_run_tasks();
  const Time cut = secs(10);
  cluster.schedule(cut, fault::Partition{{"a1"}, {"masters"}});
  cluster.schedule(cut + Duration::minutes(2), fault::Heal{{"a1"}, {"masters"}});
  cluster.run_until(cut + Duration::millis(90100));

  EXPECT_EQ(pa.updates_of("pa-task").back().state, TaskState::TASK_UNREACHABLE);
  EXPECT_EQ(plain.updates_of("plain-task").back().state, TaskState::TASK_LOST);
  EXPECT_EQ(find_agent(leader().agents(), a1), nullptr);
  EXPECT_TRUE(agent_has(cluster.agent(0), "plain-task")) << "it still runs behind the partition";

  cluster.run_until(cut + Duration::minutes(5));
  ASSERT_NE(find_agent(leader().agents(), a1), nullptr) << "re-registered after the heal";
  EXPECT_EQ(cluster.agent(0).agent_id(), std::optional(a1));
  // The partition-aware task is back and its framework is told.
  EXPECT_EQ(pa.updates_of("pa-task").back().state, TaskState::TASK_RUNNING);
  const auto back = leader().task(*pa.id, v1::TaskID{"pa-task"});
  ASSERT_TRUE(back.has_value());
  EXPECT_FALSE(back->unreachable);
  EXPECT_EQ(back->task.state, TaskState::TASK_RUNNING);
  EXPECT_TRUE(agent_has(cluster.agent(0), "pa-task"));
  EXPECT_EQ(pa.updates_of("pa-task").back().reason, TaskStatusReason::REASON_AGENT_REREGISTERED);
  // Since Mesos 1.5 the task of the framework that is not partition-aware comes back too: it
  // was told TASK_LOST, and now that the task runs after all.
  EXPECT_TRUE(agent_has(cluster.agent(0), "plain-task"));
  const auto plain_back = leader().task(*plain.id, v1::TaskID{"plain-task"});
  ASSERT_TRUE(plain_back.has_value());
  EXPECT_EQ(plain_back->task.state, TaskState::TASK_RUNNING);
  EXPECT_THAT(plain.states_of("plain-task"),
              ElementsAre(TaskState::TASK_STARTING, TaskState::TASK_RUNNING, TaskState::TASK_LOST,
                          TaskState::TASK_RUNNING));
  const auto plain_updates = plain.updates_of("plain-task");
  EXPECT_EQ(plain_updates.back().reason, TaskStatusReason::REASON_AGENT_REREGISTERED);
  EXPECT_EQ(plain_updates.back().source, v1::TaskStatusSource::SOURCE_MASTER);
  EXPECT_FALSE(plain_updates.back().uuid.has_value());
  // The master keeps what it told the framework last: that update's state and time.
  ASSERT_TRUE(plain_back->last_sent.has_value());
  EXPECT_EQ(plain_back->last_sent->state, TaskState::TASK_RUNNING);
  EXPECT_EQ(plain_back->last_sent->timestamp, plain_updates.back().timestamp);
  EXPECT_EQ(find_agent(leader().agents(), a1)->used, Res("cpus:2;mem:256"));
  EXPECT_EQ(cluster.check_invariants(), std::nullopt);

  // Reconciliation answers with what the framework was told last, the re-adoption's RUNNING,
  // not the LOST before it.
  cluster.framework(1).reconcile({{v1::TaskID{"plain-task"}, a1}});
  cluster.run_for(Duration::seconds(1));
  EXPECT_EQ(plain.updates_of("plain-task").back().state, TaskState::TASK_RUNNING);
  EXPECT_EQ(plain.updates_of("plain-task").back().reason, TaskStatusReason::REASON_RECONCILIATION);

  // Both run to their end as usual: a kill reaches the re-adopted task.
  cluster.framework(1).kill(v1::TaskID{"plain-task"});
  cluster.run_for(Duration::seconds(10));
  EXPECT_EQ(plain.states_of("plain-task").back(), TaskState::TASK_KILLED);
  EXPECT_FALSE(agent_has(cluster.agent(0), "plain-task"));
  EXPECT_EQ(cluster.check_invariants(), std::nullopt);
}

// ---- master failover ----

TEST(MasterFailoverTest, NewLeaderRebuildsAgentsFrameworksAndTasksAndEveryTaskEndsOnce) {
  SimClusterOptions options;
  options.masters = 2;
  options.election_delay = Duration::seconds(10);
  SimCluster cluster(options);
  EventLines log;
  cluster.add_observer(&log);
  for (int i = 1; i <= 4; ++i) cluster.add_agent(agent("a" + std::to_string(i), "cpus:4;mem:4096"));
  QueueScheduler pa, plain;
  for (int i = 0; i < 24; ++i) {
    // Long tasks span the failover; short ones end before, during and after it.
    const Duration d = i % 3 == 0 ? Duration::seconds(120) : Duration::seconds(3 + 2 * i);
    pa.add({"pa-" + std::to_string(i), "cpus:0.5;mem:256", d, ""});
    plain.add({"plain-" + std::to_string(i), "cpus:0.5;mem:256", d, ""});
  }
  cluster.add_framework(partition_aware(framework("pa")), &pa);
  cluster.add_framework(framework("plain", {"r"}, 120), &plain);
  // Like any framework, they reconcile what they have not seen end, now and then.
  std::function<void()> reconcile = [&] {
    pa.reconcile_unfinished(cluster.framework(0));
    plain.reconcile_unfinished(cluster.framework(1));
    cluster.queue().schedule(Duration::seconds(30), reconcile);
  };
  cluster.queue().schedule(Duration::seconds(30), reconcile);
  cluster.start();
  cluster.run_until(secs(19.9));

  const std::string old_leader = cluster.leader()->id();
  std::vector<v1::AgentID> agent_ids;
  for (const auto& a : cluster.leader()->agents()) agent_ids.push_back(*a.info.id);
  ASSERT_EQ(agent_ids.size(), 4u);
  // The long tasks running now are still running when the new leader has taken over.
  auto is_long = [](const std::string& id) {
    return std::stoi(id.substr(id.find('-') + 1)) % 3 == 0;
  };
  std::map<std::pair<std::string, std::string>, TaskState> running;
  for (const auto& t : cluster.leader()->tasks()) {
    if (t.task.state == TaskState::TASK_RUNNING && is_long(t.task.task_id.value)) {
      running[{t.task.framework_id.value, t.task.task_id.value}] = t.task.state;
    }
  }
  ASSERT_GE(running.size(), 2u);
  const v1::FrameworkID pa_id = *pa.id;
  const v1::FrameworkID plain_id = *plain.id;

  cluster.schedule(secs(20), fault::MasterFailover{});
  cluster.run_until(secs(25));
  EXPECT_EQ(cluster.leader(), nullptr) << "no leader during the election";
  cluster.run_until(secs(40));
  Master* leader = cluster.leader();
  ASSERT_NE(leader, nullptr);
  EXPECT_NE(leader->id(), old_leader);
  std::vector<v1::AgentID> back;
  for (const auto& a : leader->agents()) {
    back.push_back(*a.info.id);
    EXPECT_TRUE(a.connected);
  }
  EXPECT_EQ(back, agent_ids);
  const auto frameworks = leader->frameworks();
  ASSERT_EQ(frameworks.size(), 2u);
  for (const auto& id : {pa_id, plain_id}) {
    const auto* f = find_framework(frameworks, id);
    ASSERT_NE(f, nullptr) << id.value;
    EXPECT_TRUE(f->connected);
    EXPECT_TRUE(f->active);
  }
  EXPECT_EQ(pa.id, std::optional(pa_id));
  EXPECT_EQ(plain.id, std::optional(plain_id));
  for (const auto& [key, state] : running) {
    const auto t = leader->task(v1::FrameworkID{key.first}, v1::TaskID{key.second});
    ASSERT_TRUE(t.has_value()) << key.second;
    EXPECT_EQ(t->task.state, state) << key.second;
  }
  EXPECT_EQ(cluster.check_invariants(), std::nullopt);

  cluster.run_until(secs(600));
  for (const QueueScheduler* s : {&pa, &plain}) {
    EXPECT_TRUE(s->pending.empty());
    EXPECT_TRUE(s->unfinished().empty()) << ::testing::PrintToString(s->unfinished());
    const auto ended = s->terminal_states();
    for (const auto& [id, agent_id] : s->launched) {
      ASSERT_TRUE(ended.count(id)) << id;
      EXPECT_EQ(ended.at(id).size(), 1u) << id << " ended in several states";
      // No agent was lost and every task has a duration: each finished, and says so.
      EXPECT_EQ(ended.at(id), std::set{TaskState::TASK_FINISHED}) << id;
    }
    // No task ran twice: each started (STARTING, counted by uuid) at most once.
    std::map<std::string, std::set<Uuid>> starts;
    for (const auto& u : s->updates) {
      if (u.state == TaskState::TASK_STARTING && u.uuid) starts[u.task_id.value].insert(*u.uuid);
    }
    for (const auto& [id, uuids] : starts) EXPECT_EQ(uuids.size(), 1u) << id;
  }
  for (size_t i = 0; i < cluster.agent_count(); ++i) {
    EXPECT_TRUE(cluster.agent(i).tasks().empty()) << cluster.agent(i).options().hostname;
  }
  EXPECT_TRUE(leader->tasks().empty());
  EXPECT_EQ(cluster.check_invariants(), std::nullopt);
}

// A task ends while no master leads; its framework's scheduler is down then too, and comes back
// only after the new leader has heard the agent. The end must still reach it.
TEST(MasterFailoverTest, TaskEndedDuringTheElectionIsReportedToAFrameworkThatReturnsLate) {
  SimClusterOptions options;
  options.masters = 2;
  options.election_delay = Duration::seconds(10);
  SimCluster cluster(options);
  cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
  QueueScheduler s;
  s.add({"long", "cpus:1;mem:128", std::nullopt, ""});
  s.add({"short", "cpus:1;mem:128", Duration::seconds(22), ""});
  cluster.add_framework(framework("fw", {"r"}, 300), &s);
  cluster.start();
  cluster.run_until(secs(5));
  ASSERT_EQ(s.states_of("short").back(), TaskState::TASK_RUNNING);
  cluster.schedule(secs(15), fault::SchedulerCrash{"fw", Duration::seconds(30)});
  cluster.schedule(secs(20), fault::MasterFailover{});  // "short" ends at ~22.6
  cluster.run_until(secs(200));

  EXPECT_EQ(s.subscriptions, 2);
  EXPECT_EQ(s.states_of("short").back(), TaskState::TASK_FINISHED);
  EXPECT_EQ(s.terminal_states()["short"], std::set{TaskState::TASK_FINISHED});
  EXPECT_TRUE(cluster.agent(0).tasks().size() == 1u) << "the acknowledged task is forgotten";
  EXPECT_EQ(cluster.check_invariants(), std::nullopt);
}

// ---- scheduler failover ----

class SchedulerFailoverTest : public ::testing::Test {
 protected:
  SchedulerFailoverTest() : cluster(SimClusterOptions{}) { cluster.add_observer(&log); }
  void start(double failover_timeout) {
    cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
    s.add({"t1", "cpus:1;mem:128", std::nullopt, ""});
    s.add({"t2", "cpus:1;mem:128", std::nullopt, ""});
    cluster.add_framework(framework("fw", {"r"}, failover_timeout), &s);
    cluster.start();
    cluster.run_until(secs(5));
    ASSERT_TRUE(s.id.has_value());
    ASSERT_EQ(cluster.agent(0).live_tasks(), 2u);
    id = *s.id;
  }
  bool known() {
    for (const auto& f : cluster.leader()->frameworks()) {
      if (f.info.id == id) return true;
    }
    return false;
  }

  SimCluster cluster;
  EventLines log;
  QueueScheduler s;
  v1::FrameworkID id;
};

TEST_F(SchedulerFailoverTest, ZeroFailoverTimeoutRemovesTheFrameworkAndKillsItsTasks) {
  start(0);
  cluster.schedule(secs(10), fault::SchedulerCrash{"fw", std::nullopt});
  cluster.run_until(secs(11));

  EXPECT_FALSE(known());
  EXPECT_EQ(log.count("FRAMEWORK_REMOVED framework=" + id.value), 1u);
  for (const char* t : {"t1", "t2"}) {
    EXPECT_EQ(log.count(std::string("TASK_STATE task=") + t + " framework=" + id.value +
                        " agent=" + cluster.agent(0).agent_id()->value +
                        " role=r state=TASK_KILLED reason=REASON_FRAMEWORK_REMOVED"),
              1u)
        << t;
    EXPECT_FALSE(cluster.leader()->task(id, v1::TaskID{t}).has_value());
  }
  EXPECT_TRUE(cluster.leader()->agents()[0].used.empty()) << "resources recovered";
  EXPECT_EQ(cluster.agent(0).live_tasks(), 0u) << "the agent shut the framework down";
  EXPECT_EQ(cluster.check_invariants(), std::nullopt);
}

TEST_F(SchedulerFailoverTest, SchedulerBackWithinTheFailoverTimeoutKeepsItsTasks) {
  start(60);
  cluster.schedule(secs(10), fault::SchedulerCrash{"fw", Duration::seconds(10)});
  cluster.run_until(secs(15));
  ASSERT_TRUE(known());
  for (const auto& f : cluster.leader()->frameworks()) {
    EXPECT_FALSE(f.connected);
    EXPECT_FALSE(f.active);
    EXPECT_EQ(f.offers, 0u) << "a disconnected framework holds no offers";
  }
  cluster.run_until(secs(120));

  EXPECT_EQ(s.id, std::optional(id)) << "re-subscribed with the same ID";
  EXPECT_EQ(s.subscriptions, 2);
  EXPECT_EQ(
      log.count("FRAMEWORK_ADDED framework=" + id.value + " name=fw roles=r resubscribed=true"),
      1u);
  EXPECT_EQ(log.count("FRAMEWORK_REMOVED"), 0u);
  const auto fws = cluster.leader()->frameworks();
  ASSERT_EQ(fws.size(), 1u);
  EXPECT_TRUE(fws[0].connected);
  EXPECT_TRUE(fws[0].active);
  for (const char* t : {"t1", "t2"}) {
    const auto view = cluster.leader()->task(id, v1::TaskID{t});
    ASSERT_TRUE(view.has_value()) << t;
    EXPECT_EQ(view->task.state, TaskState::TASK_RUNNING) << t;
  }
  EXPECT_EQ(cluster.agent(0).live_tasks(), 2u);
  EXPECT_EQ(log.count("TASK_KILLED"), 0u);
  EXPECT_EQ(cluster.check_invariants(), std::nullopt);
}

TEST_F(SchedulerFailoverTest, SchedulerThatDoesNotReturnIsRemovedWhenTheFailoverTimeoutExpires) {
  start(30);
  cluster.schedule(secs(10), fault::SchedulerCrash{"fw", std::nullopt});
  cluster.run_until(secs(39.9));
  EXPECT_TRUE(known());
  EXPECT_EQ(cluster.agent(0).live_tasks(), 2u);
  EXPECT_EQ(log.count("TASK_KILLED"), 0u);
  cluster.run_until(secs(40.1));
  EXPECT_FALSE(known());
  EXPECT_EQ(
      log.count("FRAMEWORK_REMOVED framework=" + id.value + " reason=FAILOVER_TIMEOUT"),
      1u);
  EXPECT_EQ(log.count("state=TASK_KILLED reason=REASON_FRAMEWORK_REMOVED"), 2u);
  EXPECT_TRUE(cluster.leader()->agents()[0].used.empty());
  EXPECT_EQ(cluster.agent(0).live_tasks(), 0u);
  EXPECT_EQ(cluster.check_invariants(), std::nullopt);
}

// ---- offer timeout ----

TEST(MasterOfferTimeoutTest, OfferHeldPastTheOfferTimeoutIsRescindedAndOfferedAgain) {
  SimClusterOptions options;
  options.master.offer_timeout = Duration::seconds(5);
  SimCluster cluster(options);
  EventLines log;
  cluster.add_observer(&log);
  cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
  ScriptedScheduler s;  // holds every offer
  cluster.add_framework(framework("fw"), &s);
  cluster.start();
  cluster.run_until(secs(4));
  ASSERT_EQ(s.offers_seen.size(), 1u);
  EXPECT_TRUE(s.rescinded.empty());
  const v1::OfferID first = s.offers_seen[0].id;
  const Time offered = s.offer_times[0];
  cluster.run_until(secs(7));

  ASSERT_EQ(s.rescinded.size(), 1u);
  EXPECT_EQ(s.rescinded[0], first);
  // Five seconds after it was made (arrival times differ by the network's jitter).
  EXPECT_GE(s.rescind_times[0], offered + Duration::millis(4999));
  EXPECT_LE(s.rescind_times[0], offered + Duration::millis(5001));
  EXPECT_EQ(log.count("OFFER_RESCINDED offer=" + first.value), 1u);
  ASSERT_EQ(s.offers_seen.size(), 2u) << "offered again, with no filter";
  EXPECT_NE(s.offers_seen[1].id, first);
  EXPECT_LE(s.offer_times[1], s.rescind_times[0] + Duration::millis(1100));
  EXPECT_EQ(s.offers_seen[1].resources, s.offers_seen[0].resources);
  EXPECT_EQ(cluster.check_invariants(), std::nullopt);
}

}  // namespace
}  // namespace mesosim
