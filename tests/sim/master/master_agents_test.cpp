// The master's handling of agents as Mesos 1.x does it (sim/master/master_agents.cpp): a broken
// agent connection and FrameworkInfo.checkpoint, re-registration that the agent reconciles,
// timeouts for agents that do not come back, framework shutdowns reaching every agent, and the
// bounds on what the master keeps (completed frameworks, unreachable tasks, the registry).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

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
using ::testing::HasSubstr;
using v1::TaskState;
using v1::TaskStatusReason;
namespace sched = v1::scheduler;

bool agent_has(SimAgent& a, const std::string& task) {
  for (const auto& t : a.tasks()) {
    if (t.task_id.value == task) return true;
  }
  return false;
}

// An agent played by hand: it registers, answers pings, and keeps whatever the master sends.
class FakeAgent : public Process {
 public:
  FakeAgent(SimCluster& cluster, std::string name)
      : cluster_(cluster), self_(cluster.network().add(std::move(name), this)) {}
  Endpoint endpoint() const { return self_; }
  void register_with_leader(const std::string& hostname, std::string_view resources) {
    auto leader = cluster_.detector().leader();
    ASSERT_TRUE(leader.has_value());
    cluster_.network().link(self_, *leader);
    cluster_.network().send(
        self_, *leader,
        v1::RegisterAgentMessage{v1::AgentInfo{hostname, std::nullopt, Res(resources), {}}});
  }
  void send_to_leader(Message message) {
    cluster_.network().send(self_, *cluster_.detector().leader(), std::move(message));
  }
  void receive(Endpoint from, Message&& message) override {
    if (std::holds_alternative<v1::PingAgentMessage>(message)) {
      cluster_.network().send(self_, from, v1::PongAgentMessage{});
    }
    if (auto* r = std::get_if<v1::AgentRegisteredMessage>(&message)) agent_id = r->agent_id;
    received.push_back(std::move(message));
  }
  template <typename T>
  std::vector<T> all() const {
    std::vector<T> out;
    for (const auto& m : received) {
      if (const T* t = std::get_if<T>(&m)) out.push_back(*t);
    }
    return out;
  }
  std::optional<v1::AgentID> agent_id;
  std::vector<Message> received;

 private:
  SimCluster& cluster_;
  Endpoint self_;
};

// ---- a broken agent connection and checkpointing ----

// One agent; three frameworks each run one long task on it: one that checkpoints, one that does
// not, and one partition-aware that does not.
class AgentExitTest : public ::testing::Test {
 protected:
  AgentExitTest() : cluster(SimClusterOptions{}) {
    cluster.add_observer(&log);
    cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
    kept.add({"kept", "cpus:1;mem:128", std::nullopt, ""});
    plain.add({"plain", "cpus:1;mem:128", std::nullopt, ""});
    pa.add({"pa", "cpus:1;mem:128", std::nullopt, ""});
    cluster.add_framework(checkpointing(framework("kept")), &kept);
    cluster.add_framework(framework("plain"), &plain);
    cluster.add_framework(partition_aware(framework("pa")), &pa);
    cluster.start();
    cluster.run_until(secs(5));
  }
  SimCluster cluster;
  EventLines log;
  QueueScheduler kept, plain, pa;
};

TEST_F(AgentExitTest, FrameworkInfoDoesNotCheckpointByDefault) {
  EXPECT_FALSE(v1::FrameworkInfo{}.checkpoint);
  EXPECT_FALSE(framework("x").checkpoint);
}

TEST_F(AgentExitTest, NonCheckpointingTasksAreLostAtOnceWhenTheAgentProcessExits) {
  for (const QueueScheduler* s : {&kept, &plain, &pa}) {
    ASSERT_EQ(s->updates.back().state, TaskState::TASK_RUNNING);
  }
  const Time crash = secs(10);
  cluster.schedule(crash, fault::AgentCrash{"a1", false, Duration::seconds(30)});
  cluster.run_until(crash + Duration::seconds(1));

  // Mesos's Master::exited: TASK_LOST with REASON_AGENT_DISCONNECTED, partition-aware or not,
  // and the resources come back at once, long before any ping timeout.
  for (QueueScheduler* s : {&plain, &pa}) {
    const v1::TaskStatus& lost = s->updates.back();
    EXPECT_EQ(lost.state, TaskState::TASK_LOST) << lost.task_id.value;
    EXPECT_EQ(lost.reason, TaskStatusReason::REASON_AGENT_DISCONNECTED);
    EXPECT_EQ(lost.source, v1::TaskStatusSource::SOURCE_MASTER);
    EXPECT_FALSE(cluster.leader()->task(*s->id, lost.task_id).has_value());
  }
  EXPECT_EQ(kept.updates.back().state, TaskState::TASK_RUNNING);
  ASSERT_EQ(cluster.leader()->agents().size(), 1u);
  EXPECT_EQ(cluster.leader()->agents()[0].used, Res("cpus:1;mem:128"));
  EXPECT_FALSE(cluster.leader()->agents()[0].connected);

  // After the restart only the checkpointing framework's task is there, still running.
  cluster.run_until(crash + Duration::seconds(60));
  EXPECT_TRUE(agent_has(cluster.agent(0), "kept"));
  EXPECT_FALSE(agent_has(cluster.agent(0), "plain"));
  EXPECT_FALSE(agent_has(cluster.agent(0), "pa"));
  EXPECT_THAT(kept.states_of("kept"),
              ElementsAre(TaskState::TASK_STARTING, TaskState::TASK_RUNNING));
  EXPECT_EQ(plain.terminal_states()["plain"], std::set{TaskState::TASK_LOST});
  EXPECT_EQ(pa.terminal_states()["pa"], std::set{TaskState::TASK_LOST});
  EXPECT_TRUE(cluster.leader()->agents()[0].connected);
  EXPECT_EQ(cluster.check_invariants(), std::nullopt);
}

// ---- re-registration ----

TEST(AgentReregistrationTest, TaskTheRestartedAgentLacksIsReconciledByTheAgentNotTheMaster) {
  SimCluster cluster(SimClusterOptions{});
  EventLines log;
  cluster.add_observer(&log);
  cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
  QueueScheduler plain, pa;
  plain.add({"plain", "cpus:1;mem:128", std::nullopt, ""});
  pa.add({"pa", "cpus:1;mem:128", std::nullopt, ""});
  cluster.add_framework(checkpointing(framework("plain")), &plain);
  cluster.add_framework(checkpointing(partition_aware(framework("pa"))), &pa);
  cluster.start();
  cluster.run_until(secs(5));
  // The machine reboots and is back well within the ping timeout: the master still holds the
  // agent and both tasks, which the agent no longer has.
  cluster.schedule(secs(10), fault::AgentCrash{"a1", true, Duration::seconds(20)});
  cluster.run_until(secs(29));
  EXPECT_EQ(plain.updates.back().state, TaskState::TASK_RUNNING) << "nothing before it is back";
  EXPECT_TRUE(cluster.leader()->task(*plain.id, v1::TaskID{"plain"}).has_value());
  cluster.run_until(secs(40));

  // The agent answers the master's reconciliation request: a reliable update (with a uuid,
  // acknowledged like any other) from the agent, TASK_LOST or, partition-aware, TASK_DROPPED.
  const auto expect_reconciled = [](const QueueScheduler& s, const std::string& task,
                                    TaskState state) {
    const v1::TaskStatus last = s.updates_of(task).back();
    EXPECT_EQ(last.state, state) << task;
    EXPECT_EQ(last.reason, TaskStatusReason::REASON_RECONCILIATION) << task;
    EXPECT_EQ(last.source, v1::TaskStatusSource::SOURCE_AGENT) << task;
    EXPECT_TRUE(last.uuid.has_value()) << task;
    EXPECT_EQ(s.terminal_states().at(task).size(), 1u) << task;
  };
  expect_reconciled(plain, "plain", TaskState::TASK_LOST);
  expect_reconciled(pa, "pa", TaskState::TASK_DROPPED);
  // The master invented no end of its own.
  EXPECT_EQ(log.count("reason=REASON_RECONCILIATION source=SOURCE_MASTER"), 0u);
  EXPECT_EQ(log.count("reason=REASON_AGENT_RESTARTED"), 0u);
  EXPECT_FALSE(cluster.leader()->task(*plain.id, v1::TaskID{"plain"}).has_value());
  EXPECT_FALSE(cluster.leader()->task(*pa.id, v1::TaskID{"pa"}).has_value());
  EXPECT_TRUE(cluster.leader()->agents()[0].used.empty());
  EXPECT_EQ(cluster.agent(0).pending_updates(), 0u) << "both acknowledged";
  EXPECT_EQ(cluster.check_invariants(), std::nullopt);
}

TEST(AgentReregistrationTest, ReregisteringAgentsUnknownTaskIsNotKilled) {
  SimCluster cluster(SimClusterOptions{});
  FakeAgent fake(cluster, "fake");
  ScriptedScheduler s;
  cluster.add_framework(framework("fw"), &s);
  cluster.start();
  fake.register_with_leader("fake", "cpus:4;mem:4096");
  cluster.run_until(secs(2));
  ASSERT_TRUE(fake.agent_id.has_value());
  ASSERT_TRUE(s.id.has_value());
  // It reports a task of a live framework that the master never launched (Mesos leaves such a
  // task alone) and a task of a framework unknown here.
  v1::FrameworkInfo info = framework("fw");
  info.id = s.id;
  v1::ReregisterAgentMessage msg;
  msg.agent = v1::AgentInfo{"fake", fake.agent_id, Res("cpus:4;mem:4096"), {}};
  msg.tasks.push_back(v1::Task{"t", v1::TaskID{"t"}, *s.id, *fake.agent_id, std::nullopt,
                               Res("cpus:1;mem:128"), TaskState::TASK_RUNNING, "r"});
  msg.frameworks.push_back(info);
  fake.send_to_leader(msg);
  cluster.run_until(secs(3));
  EXPECT_TRUE(fake.all<v1::KillTaskMessage>().empty());
  EXPECT_TRUE(fake.all<v1::ShutdownFrameworkMessage>().empty());
  ASSERT_EQ(fake.all<v1::AgentReregisteredMessage>().size(), 1u);
  EXPECT_TRUE(fake.all<v1::AgentReregisteredMessage>()[0].reconciliations.empty());
}

// ---- agents that do not come back ----

TEST(AgentTimeoutTest, DisconnectedAgentThatAnswersPingsButDoesNotReregisterBecomesUnreachable) {
  SimClusterOptions options;
  options.master.agent_reregister_timeout = Duration::minutes(2);
  SimCluster cluster(options);
  EventLines log;
  cluster.add_observer(&log);
  FakeAgent fake(cluster, "fake");
  ScriptedScheduler s;
  cluster.add_framework(framework("fw"), &s);
  cluster.start();
  fake.register_with_leader("fake", "cpus:4;mem:4096");
  cluster.run_until(secs(2));
  ASSERT_TRUE(fake.agent_id.has_value());
  // Its connection breaks (as when the agent restarts and hangs in recovery, MESOS-6286), yet
  // it keeps answering pings.
  fake.send_to_leader(ExitedMessage{fake.endpoint()});
  cluster.run_until(secs(3));
  ASSERT_EQ(cluster.leader()->agents().size(), 1u);
  EXPECT_FALSE(cluster.leader()->agents()[0].connected);
  cluster.run_until(secs(2 + 119));
  EXPECT_EQ(cluster.leader()->agents().size(), 1u) << "too early";
  EXPECT_TRUE(s.failures.empty());
  cluster.run_until(secs(2 + 121));
  EXPECT_TRUE(cluster.leader()->agents().empty());
  EXPECT_EQ(cluster.registry().agents.at(fake.agent_id->value).state,
            Registry::AgentState::kUnreachable);
  ASSERT_EQ(s.failures.size(), 1u);
  EXPECT_EQ(s.failures[0].agent_id, fake.agent_id);
  EXPECT_EQ(log.count("AGENT_REMOVED agent=" + fake.agent_id->value + " unreachable=true"), 1u);
}

TEST(AgentTimeoutTest, AgentThatDoesNotReregisterAfterAFailoverIsUnreachableWithAFailureEvent) {
  SimClusterOptions options;
  options.masters = 2;
  options.election_delay = Duration::seconds(10);
  options.master.agent_reregister_timeout = Duration::minutes(3);
  SimCluster cluster(options);
  cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
  cluster.add_agent(agent("a2", "cpus:4;mem:4096"));
  ScriptedScheduler s;
  cluster.add_framework(framework("fw", {"r"}, 600), &s);
  cluster.start();
  cluster.run_until(secs(5));
  const v1::AgentID gone = *cluster.agent(1).agent_id();
  cluster.schedule(secs(10), fault::AgentCrash{"a2", true, std::nullopt});
  cluster.schedule(secs(11), fault::MasterFailover{});
  cluster.run_until(secs(21 + 179));
  EXPECT_TRUE(s.failures.empty()) << "before agent_reregister_timeout";
  EXPECT_EQ(cluster.registry().agents.at(gone.value).state, Registry::AgentState::kAdmitted);
  cluster.run_until(secs(21 + 182));
  EXPECT_EQ(cluster.registry().agents.at(gone.value).state, Registry::AgentState::kUnreachable);
  ASSERT_EQ(s.failures.size(), 1u);
  EXPECT_EQ(s.failures[0].agent_id, std::optional(gone));
}

// ---- framework shutdown ----

TEST(FrameworkShutdownTest, TeardownReachesEveryRegisteredAgentNotOnlyThoseWithItsTasks) {
  SimCluster cluster(SimClusterOptions{});
  FakeAgent fake(cluster, "fake");
  ScriptedScheduler s;  // launches nothing
  cluster.add_framework(framework("fw"), &s);
  cluster.start();
  fake.register_with_leader("fake", "cpus:4;mem:4096");
  cluster.run_until(secs(2));
  ASSERT_TRUE(s.id.has_value());
  cluster.framework(0).teardown();
  cluster.run_until(secs(3));
  const auto shutdowns = fake.all<v1::ShutdownFrameworkMessage>();
  ASSERT_EQ(shutdowns.size(), 1u);
  EXPECT_EQ(shutdowns[0].framework_id, *s.id);
}

// ---- reconciliation of unreachable tasks ----

TEST(UnreachableTaskTest, ImplicitReconciliationLeavesOutUnreachableTasks) {
  SimCluster cluster(SimClusterOptions{});
  cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
  cluster.add_agent(agent("a2", "cpus:4;mem:4096"));
  QueueScheduler s;
  s.add({"far", "cpus:1;mem:128", std::nullopt, "a1"});
  s.add({"near", "cpus:1;mem:128", std::nullopt, "a2"});
  cluster.add_framework(partition_aware(framework("fw")), &s);
  cluster.start();
  cluster.run_until(secs(5));
  cluster.schedule(secs(10), fault::Partition{{"a1"}, {"masters"}});
  cluster.run_until(secs(120));
  ASSERT_EQ(s.updates_of("far").back().state, TaskState::TASK_UNREACHABLE);

  const size_t far_before = s.updates_of("far").size();
  cluster.framework(0).reconcile({});
  cluster.run_until(secs(121));
  EXPECT_EQ(s.updates_of("far").size(), far_before) << "implicit: no answer for it";
  EXPECT_EQ(s.updates_of("near").back().reason, TaskStatusReason::REASON_RECONCILIATION);

  cluster.framework(0).reconcile({{v1::TaskID{"far"}, std::nullopt}});
  cluster.run_until(secs(122));
  ASSERT_EQ(s.updates_of("far").size(), far_before + 1) << "explicit: answered";
  EXPECT_EQ(s.updates_of("far").back().state, TaskState::TASK_UNREACHABLE);
  EXPECT_EQ(s.updates_of("far").back().reason, TaskStatusReason::REASON_RECONCILIATION);
}

// ---- bounded books ----

TEST(BoundedBooksTest, CompletedFrameworksAreCappedAndAnEvictedOneMaySubscribeAgain) {
  SimClusterOptions options;
  options.master.max_completed_frameworks = 2;
  SimCluster cluster(options);
  std::vector<ScriptedScheduler> s(3);
  for (size_t i = 0; i < s.size(); ++i) {
    cluster.add_framework(framework("fw" + std::to_string(i)), &s[i]);
  }
  cluster.start();
  cluster.run_until(secs(1));
  for (size_t i = 0; i < s.size(); ++i) {
    ASSERT_TRUE(s[i].id.has_value());
    cluster.framework(i).teardown();
    cluster.run_for(Duration::seconds(1));
  }
  auto resubscribe = [&](size_t i) {
    v1::FrameworkInfo info = framework("fw" + std::to_string(i));
    info.id = s[i].id;
    return cluster.leader()->validate(cluster.framework(i).endpoint(),
                                      sched::Call{s[i].id, sched::Subscribe{info, {}}});
  };
  EXPECT_FALSE(resubscribe(0).has_value()) << "evicted: forgotten";
  for (size_t i : {1, 2}) {
    const auto why = resubscribe(i);
    ASSERT_TRUE(why.has_value()) << i;
    EXPECT_EQ(why->code, CallError::Code::kForbidden);
    EXPECT_THAT(why->message, HasSubstr("removed"));
  }
}

TEST(BoundedBooksTest, UnreachableTasksBeyondThePerFrameworkCapAreForgottenOldestFirst) {
  SimClusterOptions options;
  options.master.max_unreachable_tasks_per_framework = 2;
  SimCluster cluster(options);
  cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
  QueueScheduler s;
  for (const char* id : {"t1", "t2", "t3"}) s.add({id, "cpus:1;mem:128", std::nullopt, ""});
  cluster.add_framework(partition_aware(framework("fw")), &s);
  cluster.start();
  cluster.run_until(secs(5));
  cluster.schedule(secs(10), fault::Partition{{"a1"}, {"masters"}});
  cluster.run_until(secs(120));
  for (const char* id : {"t1", "t2", "t3"}) {
    EXPECT_EQ(s.updates_of(id).back().state, TaskState::TASK_UNREACHABLE) << id;
  }
  EXPECT_FALSE(cluster.leader()->task(*s.id, v1::TaskID{"t1"}).has_value());
  for (const char* id : {"t2", "t3"}) {
    const auto t = cluster.leader()->task(*s.id, v1::TaskID{id});
    ASSERT_TRUE(t.has_value()) << id;
    EXPECT_TRUE(t->unreachable) << id;
  }
}

TEST(BoundedBooksTest, RegistryForgetsUnreachableAgentsOlderThanTheMaximumAgeAndTheirTasks) {
  SimClusterOptions options;
  options.master.registry_max_agent_age = Duration::minutes(30);
  options.master.registry_gc_interval = Duration::minutes(5);
  SimCluster cluster(options);
  cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
  QueueScheduler s;
  s.add({"t", "cpus:1;mem:128", std::nullopt, ""});
  cluster.add_framework(partition_aware(framework("fw")), &s);
  cluster.start();
  cluster.run_until(secs(5));
  const v1::AgentID a1 = *cluster.agent(0).agent_id();
  cluster.schedule(secs(10), fault::Partition{{"a1"}, {"masters"}});
  cluster.run_until(secs(10 + 90 + 29 * 60));
  ASSERT_TRUE(cluster.registry().agents.count(a1.value));
  EXPECT_EQ(cluster.registry().agents.at(a1.value).state, Registry::AgentState::kUnreachable);
  EXPECT_TRUE(cluster.leader()->task(*s.id, v1::TaskID{"t"}).has_value());
  cluster.run_until(secs(10 + 90 + 36 * 60));
  EXPECT_FALSE(cluster.registry().agents.count(a1.value));
  EXPECT_FALSE(cluster.leader()->task(*s.id, v1::TaskID{"t"}).has_value());
  // Now neither the agent nor the task is known: reconciliation says TASK_UNKNOWN.
  cluster.framework(0).reconcile({{v1::TaskID{"t"}, a1}});
  cluster.run_for(Duration::seconds(1));
  EXPECT_EQ(s.updates_of("t").back().state, TaskState::TASK_UNKNOWN);
  EXPECT_EQ(s.updates_of("t").back().reason, TaskStatusReason::REASON_RECONCILIATION);
}

// ---- allocation triggers ----

TEST(AllocationTriggerTest, ResourcesOfAnEndedTaskWaitForTheNextAllocationInterval) {
  EXPECT_FALSE(MasterOptions{}.allocate_on_task_end);
  SimCluster cluster(SimClusterOptions{});
  cluster.add_agent(agent("a1", "cpus:1;mem:128"));
  QueueScheduler s;
  s.hold_unused = true;
  // It ends about 3.2 s into the run, well between two allocation runs (every second).
  s.add({"t", "cpus:1;mem:128", Duration::millis(2600), ""});
  cluster.add_framework(framework("fw"), &s);
  cluster.start();
  cluster.run_until(secs(10));
  ASSERT_EQ(s.states_of("t").back(), TaskState::TASK_FINISHED);
  const Time ended = s.update_times.back();
  const auto offers = s.offers_on(*cluster.agent(0).agent_id());
  ASSERT_EQ(offers.size(), 2u);
  const Duration wait = offers[1].first - ended;
  EXPECT_GT(wait, Duration::millis(500)) << "offered again at once, not at the next interval";
  EXPECT_LT(wait, Duration::millis(1100));
}

}  // namespace
}  // namespace mesosim
