// Status updates through the master: reliable delivery with backoff until acknowledged, kills,
// reconciliation, and the calls the master refuses (MESOS-REFERENCE.md, "Master" and "v1
// scheduler HTTP API").

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
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

SchedulerDriverOptions explicit_acks() {
  SchedulerDriverOptions o;
  o.implicit_acknowledgements = false;
  return o;
}

// Sends the leading master a status update about `task` as the cluster's first agent would,
// straight over the network (the agent itself knows nothing of it).
void send_as_first_agent(SimCluster& cluster, const v1::FrameworkID& framework,
                         const std::string& task, TaskState state, std::optional<Uuid> uuid,
                         std::string message) {
  v1::StatusUpdate update;
  update.framework_id = framework;
  update.status.task_id = v1::TaskID{task};
  update.status.state = state;
  update.status.agent_id = *cluster.agent(0).agent_id();
  update.status.source = v1::TaskStatusSource::SOURCE_AGENT;
  update.status.uuid = uuid;
  update.status.message = std::move(message);
  cluster.network().send(cluster.agent(0).endpoint(), *cluster.detector().leader(),
                         v1::StatusUpdateMessage{update});
}

// ---- reliable delivery ----

TEST(MasterUpdatesTest, UnacknowledgedUpdateIsResentWithDoublingBackoffCappedAtTenMinutes) {
  SimCluster cluster(SimClusterOptions{});
  cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
  QueueScheduler s;
  s.add({"t", "cpus:1;mem:128", std::nullopt, ""});
  cluster.add_framework(framework("fw"), &s, explicit_acks());
  cluster.start();
  cluster.run_until(secs(3600));

  std::vector<Time> at;
  std::optional<Uuid> uuid;
  for (size_t i = 0; i < s.updates.size(); ++i) {
    const auto& u = s.updates[i];
    ASSERT_EQ(u.state, TaskState::TASK_STARTING) << "nothing after an unacknowledged update";
    ASSERT_TRUE(u.uuid.has_value());
    if (!uuid) uuid = u.uuid;
    EXPECT_EQ(u.uuid, uuid) << "the same update, resent";
    at.push_back(s.update_times[i]);
  }
  // First at ~0, then +10, +20, +40, ... doubling to the 10 min cap.
  const std::vector<int> expected_gaps = {10, 20, 40, 80, 160, 320, 600, 600, 600, 600};
  ASSERT_GE(at.size(), expected_gaps.size() + 1);
  for (size_t i = 0; i < expected_gaps.size(); ++i) {
    const Duration gap = at[i + 1] - at[i];
    EXPECT_GE(gap, Duration::seconds(expected_gaps[i]) - Duration::millis(5)) << "gap " << i;
    EXPECT_LE(gap, Duration::seconds(expected_gaps[i]) + Duration::millis(5)) << "gap " << i;
  }
  // The master already knows the task's latest state from the resends' latest_state.
  EXPECT_EQ(cluster.leader()->task(*s.id, v1::TaskID{"t"})->task.state, TaskState::TASK_RUNNING);
  EXPECT_EQ(cluster.agent(0).pending_updates(), 2u);
}

TEST(MasterUpdatesTest, AcknowledgementStopsResendsAndReleasesTheNextUpdate) {
  SimCluster cluster(SimClusterOptions{});
  cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
  QueueScheduler s;
  s.add({"t", "cpus:1;mem:128", std::nullopt, ""});
  std::optional<Time> acked_at;
  int starting_seen = 0;
  s.on_update = [&](SchedulerDriver& d, const v1::TaskStatus& status) {
    // Acknowledge STARTING only when it comes the second time.
    if (status.state == TaskState::TASK_STARTING && ++starting_seen == 2) {
      acked_at = d.clock().now();
      d.acknowledge(status);
    }
  };
  cluster.add_framework(framework("fw"), &s, explicit_acks());
  cluster.start();
  cluster.run_until(secs(40));

  ASSERT_TRUE(acked_at.has_value());
  EXPECT_EQ(starting_seen, 2) << "no resend after the acknowledgement";
  ASSERT_GE(s.updates.size(), 3u);
  EXPECT_EQ(s.updates[0].state, TaskState::TASK_STARTING);
  EXPECT_EQ(s.updates[1].state, TaskState::TASK_STARTING);
  EXPECT_EQ(s.updates[2].state, TaskState::TASK_RUNNING);
  EXPECT_GT(s.update_times[2], *acked_at) << "RUNNING waits for STARTING's acknowledgement";
  EXPECT_LT(s.update_times[2], *acked_at + Duration::millis(10));
  // RUNNING, never acknowledged, is resent in its turn.
  ASSERT_GE(s.updates.size(), 4u);
  EXPECT_EQ(s.updates[3].state, TaskState::TASK_RUNNING);
  EXPECT_EQ(s.updates[3].uuid, s.updates[2].uuid);
  EXPECT_NEAR((s.update_times[3] - s.update_times[2]).seconds_f(), 10.0, 0.01);
}

TEST(MasterUpdatesTest, TerminalUpdateAcknowledgedCompletesTheTaskAtMasterAndAgent) {
  SimCluster cluster(SimClusterOptions{});
  cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
  QueueScheduler s;
  s.add({"t", "cpus:1;mem:128", Duration::seconds(5), ""});
  cluster.add_framework(framework("fw"), &s, explicit_acks());
  std::optional<v1::TaskStatus> finished;
  s.on_update = [&](SchedulerDriver& d, const v1::TaskStatus& status) {
    if (status.state == TaskState::TASK_FINISHED) {
      finished = status;
    } else {
      d.acknowledge(status);
    }
  };
  cluster.start();
  cluster.run_until(secs(8));
  ASSERT_TRUE(finished.has_value());
  // Resources go back as soon as the task is terminal, before the acknowledgement...
  EXPECT_TRUE(cluster.leader()->agents()[0].used.empty());
  ASSERT_TRUE(cluster.leader()->task(*s.id, v1::TaskID{"t"}).has_value());
  EXPECT_EQ(cluster.agent(0).tasks().size(), 1u);
  // ...and the task is dropped from master and agent once the terminal update is acknowledged.
  cluster.framework(0).acknowledge(*finished);
  cluster.run_until(secs(9));
  EXPECT_FALSE(cluster.leader()->task(*s.id, v1::TaskID{"t"}).has_value());
  EXPECT_TRUE(cluster.agent(0).tasks().empty());
  EXPECT_EQ(cluster.agent(0).pending_updates(), 0u);
  EXPECT_EQ(cluster.check_invariants(), std::nullopt);
}

// ---- kill ----

std::vector<v1::TaskStatus> kill_after_running(std::vector<v1::FrameworkCapability> caps,
                                               Time* killed_at) {
  SimCluster cluster(SimClusterOptions{});
  cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
  QueueScheduler s;
  s.add({"t", "cpus:1;mem:128", std::nullopt, ""});
  cluster.add_framework(framework("fw", {"r"}, 0, caps), &s);
  cluster.start();
  cluster.run_until(secs(5));
  EXPECT_EQ(s.states_of("t").back(), TaskState::TASK_RUNNING);
  *killed_at = cluster.now();
  cluster.framework(0).kill(v1::TaskID{"t"});
  cluster.run_until(secs(20));
  EXPECT_FALSE(cluster.leader()->task(*s.id, v1::TaskID{"t"}).has_value());
  EXPECT_TRUE(cluster.leader()->agents()[0].used.empty());
  EXPECT_TRUE(cluster.agent(0).tasks().empty());
  EXPECT_EQ(cluster.check_invariants(), std::nullopt);
  std::vector<v1::TaskStatus> out = s.updates_of("t");
  for (size_t i = 0; i < out.size(); ++i) out[i].timestamp = s.update_times[i];  // arrival
  return out;
}

TEST(MasterKillTest, KillEndsARunningTaskKilledAfterTheGracePeriod) {
  Time killed_at;
  const auto updates = kill_after_running({}, &killed_at);
  ASSERT_EQ(updates.size(), 3u);
  EXPECT_EQ(updates[1].state, TaskState::TASK_RUNNING);
  EXPECT_EQ(updates[2].state, TaskState::TASK_KILLED);
  EXPECT_NEAR((updates[2].timestamp - killed_at).seconds_f(), 3.0, 0.01) << "kill_grace";
}

TEST(MasterKillTest, KillOfAFrameworkWithKillingStateReportsTaskKillingFirst) {
  Time killed_at;
  const auto updates =
      kill_after_running({v1::FrameworkCapability::TASK_KILLING_STATE}, &killed_at);
  ASSERT_EQ(updates.size(), 4u);
  EXPECT_EQ(updates[2].state, TaskState::TASK_KILLING);
  EXPECT_LT(updates[2].timestamp - killed_at, Duration::millis(10));
  EXPECT_EQ(updates[3].state, TaskState::TASK_KILLED);
  EXPECT_NEAR((updates[3].timestamp - killed_at).seconds_f(), 3.0, 0.01);
}

TEST(MasterKillTest, KillSentWhileTheAgentIsDisconnectedIsResentWhenItReregisters) {
  SimCluster cluster(SimClusterOptions{});
  cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
  QueueScheduler s;
  s.add({"t", "cpus:1;mem:128", std::nullopt, ""});
  cluster.add_framework(checkpointing(framework("fw")), &s);
  cluster.start();
  cluster.run_until(secs(5));
  ASSERT_EQ(s.states_of("t").back(), TaskState::TASK_RUNNING);
  cluster.inject(fault::AgentCrash{"a1", false, Duration::seconds(20)});
  cluster.run_until(secs(10));
  cluster.framework(0).kill(v1::TaskID{"t"});
  cluster.run_until(secs(60));
  // Mesos keeps the kill (Slave::killedTasks) and resends it when the agent re-registers.
  EXPECT_EQ(s.states_of("t").back(), TaskState::TASK_KILLED);
  EXPECT_EQ(cluster.agent(0).live_tasks(), 0u);
  EXPECT_TRUE(cluster.leader()->agents()[0].used.empty());
}

TEST(MasterKillTest, KillOfAnUnreachableTaskIsAnsweredAsReconciliationWould) {
  SimCluster cluster(SimClusterOptions{});
  cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
  QueueScheduler s;
  s.add({"t", "cpus:1;mem:128", std::nullopt, ""});
  cluster.add_framework(partition_aware(framework("fw")), &s);
  cluster.start();
  cluster.run_until(secs(5));
  cluster.inject(fault::Partition{{"a1"}, {"masters"}});
  cluster.run_until(secs(100));
  ASSERT_EQ(s.states_of("t").back(), TaskState::TASK_UNREACHABLE);
  const size_t before = s.updates.size();
  cluster.framework(0).kill(v1::TaskID{"t"});
  cluster.run_until(secs(101));
  ASSERT_EQ(s.updates.size(), before + 1) << "a KILL the master cannot carry out is answered";
  EXPECT_EQ(s.updates.back().state, TaskState::TASK_UNREACHABLE);
  EXPECT_EQ(s.updates.back().reason, TaskStatusReason::REASON_RECONCILIATION);
}

// An update from an agent about a task the master has already completed (here: made LOST) still
// goes to the framework, in the states that framework understands.
TEST(MasterUpdatesTest, AgentUpdateForAnUntrackedTaskUsesTheFrameworksStates) {
  SimCluster cluster(SimClusterOptions{});
  cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
  ScriptedScheduler s;
  cluster.add_framework(framework("plain"), &s);
  cluster.start();
  cluster.run_until(secs(2));
  ASSERT_TRUE(s.id.has_value());
  send_as_first_agent(cluster, *s.id, "untracked", TaskState::TASK_DROPPED,
                      Uuid::from_bytes("0123456789abcdef"), "");
  cluster.run_until(secs(3));
  ASSERT_EQ(s.updates.size(), 1u);
  EXPECT_EQ(s.updates[0].state, TaskState::TASK_LOST) << "not PARTITION_AWARE: no TASK_DROPPED";
}

// The master moves an update's status on to the framework: the task must still be found by its
// own key afterwards, and the framework must get the status whole.
TEST(MasterUpdatesTest, TerminalUpdateWithoutUuidIsForwardedWholeAndCompletesTheTaskAtOnce) {
  SimCluster cluster(SimClusterOptions{});
  cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
  QueueScheduler s;
  s.add({"t", "cpus:1;mem:128", std::nullopt, ""});
  cluster.add_framework(framework("fw"), &s);
  cluster.start();
  cluster.run_until(secs(5));
  ASSERT_EQ(s.states_of("t").back(), TaskState::TASK_RUNNING);
  ASSERT_TRUE(cluster.leader()->task(*s.id, v1::TaskID{"t"}).has_value());
  send_as_first_agent(cluster, *s.id, "t", TaskState::TASK_FAILED, std::nullopt, "injected");
  cluster.run_until(secs(6));
  const std::vector<v1::TaskStatus> got = s.updates_of("t");
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.back().state, TaskState::TASK_FAILED);
  EXPECT_EQ(got.back().agent_id, *cluster.agent(0).agent_id());
  EXPECT_EQ(got.back().message, "injected");
  EXPECT_FALSE(got.back().uuid.has_value());
  EXPECT_FALSE(cluster.leader()->task(*s.id, v1::TaskID{"t"}).has_value())
      << "without a uuid nobody acknowledges it: the master completes the task at once";
  EXPECT_TRUE(cluster.leader()->agents()[0].used.empty());
}

// ---- reconciliation ----

// One agent; a partition-aware and a plain framework, each with one running task.
class MasterReconcileTest : public ::testing::Test {
 protected:
  MasterReconcileTest() : cluster(SimClusterOptions{}) {
    cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
    pa.add({"pa-task", "cpus:1;mem:128", std::nullopt, ""});
    plain.add({"plain-task", "cpus:1;mem:128", std::nullopt, ""});
    cluster.add_framework(partition_aware(framework("pa")), &pa);
    cluster.add_framework(framework("plain"), &plain);
    cluster.start();
    cluster.run_until(secs(5));
    a1 = *cluster.agent(0).agent_id();
  }
  // The updates `reconcile` brings `s` within a second.
  std::vector<v1::TaskStatus> ask(QueueScheduler& s, size_t driver,
                                  std::vector<sched::Reconcile::Task> tasks) {
    const size_t before = s.updates.size();
    cluster.framework(driver).reconcile(std::move(tasks));
    cluster.run_for(Duration::seconds(1));
    std::vector<v1::TaskStatus> out(s.updates.begin() + static_cast<long>(before), s.updates.end());
    for (const auto& u : out) {
      EXPECT_EQ(u.reason, TaskStatusReason::REASON_RECONCILIATION) << u.task_id.value;
      EXPECT_FALSE(u.uuid.has_value()) << "reconciliation answers need no acknowledgement";
    }
    return out;
  }

  SimCluster cluster;
  QueueScheduler pa, plain;
  v1::AgentID a1;
};

TEST_F(MasterReconcileTest, KnownTaskIsAnsweredWithItsLatestState) {
  const auto answers = ask(pa, 0, {{v1::TaskID{"pa-task"}, a1}});
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].task_id.value, "pa-task");
  EXPECT_EQ(answers[0].state, TaskState::TASK_RUNNING);
  EXPECT_EQ(answers[0].agent_id, a1);
}

TEST(MasterReconcileStateTest, KnownTaskIsAnsweredWithTheLatestStateSentToTheFramework) {
  SimCluster cluster(SimClusterOptions{});
  cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
  QueueScheduler s;
  s.add({"t", "cpus:1;mem:128", std::nullopt, ""});
  cluster.add_framework(framework("fw"), &s, explicit_acks());
  cluster.start();
  cluster.run_until(secs(15));
  // STARTING is unacknowledged, so RUNNING has not been sent; the master knows it nonetheless
  // (from the resend's latest_state).
  ASSERT_EQ(s.updates.size(), 2u);
  ASSERT_EQ(cluster.leader()->task(*s.id, v1::TaskID{"t"})->task.state, TaskState::TASK_RUNNING);
  cluster.framework(0).reconcile({{v1::TaskID{"t"}, cluster.agent(0).agent_id()}});
  cluster.run_until(secs(16));
  ASSERT_EQ(s.updates.size(), 3u);
  // Mesos answers status_update_state, so the framework never sees RUNNING before STARTING.
  EXPECT_EQ(s.updates[2].state, TaskState::TASK_STARTING);
  EXPECT_EQ(s.updates[2].reason, TaskStatusReason::REASON_RECONCILIATION);
}

TEST_F(MasterReconcileTest, UnknownTaskOnARegisteredAgentIsGoneOrLost) {
  auto answers = ask(pa, 0, {{v1::TaskID{"ghost"}, a1}});
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].state, TaskState::TASK_GONE);
  answers = ask(plain, 1, {{v1::TaskID{"ghost"}, a1}});
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].state, TaskState::TASK_LOST);
}

TEST_F(MasterReconcileTest, TaskOnAnUnreachableAgentIsUnreachableOrLost) {
  cluster.inject(fault::Partition{{"a1"}, {"masters"}});
  cluster.run_for(Duration::seconds(95));
  ASSERT_TRUE(cluster.leader()->agents().empty()) << "a1 should be unreachable by now";
  auto answers = ask(pa, 0, {{v1::TaskID{"ghost"}, a1}, {v1::TaskID{"pa-task"}, a1}});
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(answers[0].state, TaskState::TASK_UNREACHABLE);
  EXPECT_EQ(answers[1].state, TaskState::TASK_UNREACHABLE);
  answers = ask(plain, 1, {{v1::TaskID{"ghost"}, a1}});
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].state, TaskState::TASK_LOST);
}

TEST_F(MasterReconcileTest, UnknownTaskWithoutAgentIsUnknownOrLost) {
  auto answers = ask(pa, 0, {{v1::TaskID{"ghost"}, std::nullopt}});
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].state, TaskState::TASK_UNKNOWN);
  answers = ask(plain, 1, {{v1::TaskID{"ghost"}, std::nullopt}});
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].state, TaskState::TASK_LOST);
}

TEST_F(MasterReconcileTest, ImplicitReconciliationAnswersEveryKnownTask) {
  pa.add({"second", "cpus:1;mem:128", std::nullopt, ""});
  pa.add({"third", "cpus:1;mem:128", std::nullopt, ""});
  cluster.run_for(Duration::seconds(10));
  ASSERT_EQ(cluster.leader()->tasks().size(), 4u);
  const auto answers = ask(pa, 0, {});
  std::vector<std::string> ids;
  for (const auto& u : answers) {
    ids.push_back(u.task_id.value);
    EXPECT_EQ(u.state, TaskState::TASK_RUNNING);
  }
  std::sort(ids.begin(), ids.end());
  EXPECT_THAT(ids, ElementsAre("pa-task", "second", "third")) << "its own tasks only";
}

TEST(MasterReconcileFailoverTest, AgentYetToReregisterGetsNoAnswerUntilItDoes) {
  SimClusterOptions options;
  options.masters = 2;
  SimCluster cluster(options);
  cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
  QueueScheduler s;
  cluster.add_framework(partition_aware(framework("fw")), &s);
  cluster.start();
  cluster.run_until(secs(5));
  const v1::AgentID a1 = *cluster.agent(0).agent_id();
  cluster.schedule(secs(10), fault::Partition{{"a1"}, {"masters"}});
  cluster.schedule(secs(12), fault::MasterFailover{});
  cluster.run_until(secs(30));
  ASSERT_NE(cluster.leader(), nullptr);
  ASSERT_TRUE(cluster.leader()->agents().empty());
  cluster.framework(0).reconcile({{v1::TaskID{"ghost"}, a1}});
  cluster.run_until(secs(35));
  EXPECT_TRUE(s.updates.empty()) << "the agent may still come back with the task";
  // Without an agent ID the task could be on any agent yet to re-register (Mesos case (2)).
  cluster.framework(0).reconcile({{v1::TaskID{"ghost"}, std::nullopt}});
  cluster.run_until(secs(36));
  EXPECT_TRUE(s.updates.empty()) << "no TASK_UNKNOWN while agents are yet to re-register";

  cluster.schedule(secs(40), fault::Heal{{"a1"}, {"masters"}});
  cluster.run_until(secs(120));
  ASSERT_EQ(cluster.leader()->agents().size(), 1u);
  cluster.framework(0).reconcile({{v1::TaskID{"ghost"}, a1}});
  cluster.run_until(secs(121));
  ASSERT_EQ(s.updates.size(), 1u);
  EXPECT_EQ(s.updates[0].state, TaskState::TASK_GONE);
  cluster.framework(0).reconcile({{v1::TaskID{"ghost"}, std::nullopt}});
  cluster.run_until(secs(122));
  ASSERT_EQ(s.updates.size(), 2u);
  EXPECT_EQ(s.updates[1].state, TaskState::TASK_UNKNOWN);
}

// ---- calls the master refuses ----

class MasterBadCallTest : public ::testing::Test {
 protected:
  MasterBadCallTest() : cluster(SimClusterOptions{}) { cluster.add_observer(&log); }
  Endpoint master_endpoint() { return *cluster.detector().leader(); }
  sched::Call call(decltype(sched::Call::call) body) {
    return sched::Call{cluster.framework(0).framework_id(), std::move(body)};
  }
  // Sends `c` as if from `from` (impersonating a framework is the point of some tests).
  void send_from(Endpoint from, sched::Call c) {
    cluster.network().send(from, master_endpoint(), std::move(c));
  }

  SimCluster cluster;
  EventLines log;
};

TEST_F(MasterBadCallTest, ReviveOfARoleTheFrameworkIsNotInIsRejectedAndChangesNothing) {
  cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
  ScriptedScheduler s;
  s.on_offers = [](SchedulerDriver& d, const std::vector<v1::Offer>& offers) {
    for (const auto& o : offers) d.decline({o.id}, v1::Filters{1e6});
  };
  cluster.add_framework(framework("fw"), &s);
  cluster.start();
  cluster.run_until(secs(5));
  ASSERT_EQ(s.offers_seen.size(), 1u);

  const sched::Call bad = call(sched::Revive{{"other"}});
  const auto why = cluster.leader()->validate(cluster.framework(0).endpoint(), bad);
  ASSERT_TRUE(why.has_value());
  EXPECT_EQ(why->code, CallError::Code::kBadRequest);
  EXPECT_THAT(why->message, HasSubstr("other"));
  cluster.framework(0).revive({"other"});
  cluster.run_until(secs(15));
  EXPECT_EQ(log.count("CALL_REJECTED framework=" + s.id->value + " call=REVIVE"), 1u);
  EXPECT_EQ(s.offers_seen.size(), 1u) << "the filter must survive a rejected REVIVE";

  // The same call for its own role is accepted and clears the filter.
  EXPECT_FALSE(
      cluster.leader()->validate(cluster.framework(0).endpoint(), call(sched::Revive{{"r"}})));
  cluster.framework(0).revive({"r"});
  cluster.run_until(secs(16));
  EXPECT_EQ(s.offers_seen.size(), 2u);
}

// As Mesos: the uuid is only checked to be 16 bytes (the wire decoder's job); an ACKNOWLEDGE
// whose uuid names no pending update (here the nil one) goes to the agent and changes nothing.
TEST_F(MasterBadCallTest, AcknowledgeOfAUuidNoUpdateCarriesChangesNothingAndTheUpdateIsResent) {
  cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
  QueueScheduler s;
  s.add({"t", "cpus:1;mem:128", std::nullopt, ""});
  cluster.add_framework(framework("fw"), &s, explicit_acks());
  cluster.start();
  cluster.run_until(secs(2));
  ASSERT_EQ(s.updates.size(), 1u);

  const sched::Call stray =
      call(sched::Acknowledge{*cluster.agent(0).agent_id(), v1::TaskID{"t"}, Uuid{}});
  EXPECT_FALSE(cluster.leader()->validate(cluster.framework(0).endpoint(), stray).has_value());
  send_from(cluster.framework(0).endpoint(), stray);
  cluster.run_until(secs(12));
  EXPECT_EQ(log.count("CALL_REJECTED"), 0u);
  ASSERT_EQ(s.updates.size(), 2u) << "still unacknowledged: resent";
  EXPECT_EQ(s.updates[1].uuid, s.updates[0].uuid);
  EXPECT_EQ(s.updates[1].state, TaskState::TASK_STARTING);
}

TEST_F(MasterBadCallTest, CallFromAnEndpointThatIsNotTheFrameworksIsRejected) {
  cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
  QueueScheduler s;
  s.add({"t", "cpus:1;mem:128", std::nullopt, ""});
  cluster.add_framework(framework("fw"), &s);
  RawParty rogue(cluster, "rogue");
  cluster.start();
  cluster.run_until(secs(5));
  ASSERT_EQ(s.states_of("t").back(), TaskState::TASK_RUNNING);

  const sched::Call kill = call(sched::Kill{v1::TaskID{"t"}, std::nullopt});
  const auto why = cluster.leader()->validate(rogue.endpoint(), kill);
  ASSERT_TRUE(why.has_value());
  EXPECT_EQ(why->code, CallError::Code::kForbidden);
  EXPECT_THAT(why->message, HasSubstr("not subscribed on this connection"));
  EXPECT_FALSE(cluster.leader()->validate(cluster.framework(0).endpoint(), kill));
  rogue.send_to_leader(kill);
  rogue.send_to_leader(call(sched::Teardown{}));
  cluster.run_until(secs(20));
  EXPECT_EQ(log.count("CALL_REJECTED framework=" + s.id->value + " call=KILL"), 1u);
  EXPECT_EQ(log.count("CALL_REJECTED framework=" + s.id->value + " call=TEARDOWN"), 1u);
  EXPECT_EQ(s.states_of("t").back(), TaskState::TASK_RUNNING);
  EXPECT_EQ(cluster.leader()->frameworks().size(), 1u);
  EXPECT_EQ(cluster.agent(0).live_tasks(), 1u);
}

TEST_F(MasterBadCallTest, SubscribeWithTwoRolesWithoutMultiRoleGetsAnError) {
  v1::FrameworkInfo info = framework("fw");
  info.roles = {"a", "b"};  // framework() would add MULTI_ROLE
  ScriptedScheduler s;
  cluster.add_framework(info, &s);
  cluster.start();
  cluster.run_until(secs(1));
  ASSERT_FALSE(s.errors.empty());
  EXPECT_THAT(s.errors[0], HasSubstr("MULTI_ROLE"));
  EXPECT_FALSE(s.id.has_value());
  EXPECT_TRUE(cluster.leader()->frameworks().empty());
  EXPECT_GE(log.count("CALL_REJECTED framework=none call=SUBSCRIBE"), 1u);
  const auto why = cluster.leader()->validate(
      cluster.framework(0).endpoint(), sched::Call{std::nullopt, sched::Subscribe{info, {}}});
  ASSERT_TRUE(why.has_value());
  EXPECT_EQ(why->code, CallError::Code::kBadRequest);
  EXPECT_THAT(why->message, HasSubstr("MULTI_ROLE"));
}

TEST_F(MasterBadCallTest, SubscribeWithABadRoleNameGetsAnError) {
  ScriptedScheduler s;
  cluster.add_framework(framework("fw", {"a//b"}), &s);
  cluster.start();
  cluster.run_until(secs(1));
  ASSERT_FALSE(s.errors.empty());
  EXPECT_THAT(s.errors[0], HasSubstr("a//b"));
  EXPECT_FALSE(s.id.has_value());
  EXPECT_TRUE(cluster.leader()->frameworks().empty());
  for (const char* role : {"", "-x", "a/../b", "a b", "/a"}) {
    const auto why = cluster.leader()->validate(
        cluster.framework(0).endpoint(),
        sched::Call{std::nullopt, sched::Subscribe{framework("fw", {role}), {}}});
    ASSERT_TRUE(why.has_value()) << "role '" << role << "'";
    EXPECT_EQ(why->code, CallError::Code::kBadRequest) << "role '" << role << "'";
  }
}

TEST_F(MasterBadCallTest, ResubscribingARemovedFrameworkIsForbidden) {
  ScriptedScheduler s;
  cluster.add_framework(framework("fw"), &s);
  cluster.start();
  cluster.run_until(secs(1));
  ASSERT_TRUE(s.id.has_value());
  const v1::FrameworkID id = *s.id;
  cluster.network().send(cluster.framework(0).endpoint(), master_endpoint(),
                         sched::Call{id, sched::Teardown{}});
  cluster.run_until(secs(2));
  ASSERT_TRUE(cluster.leader()->frameworks().empty());

  v1::FrameworkInfo info = framework("fw");
  info.id = id;
  const auto why = cluster.leader()->validate(cluster.framework(0).endpoint(),
                                              sched::Call{id, sched::Subscribe{info, {}}});
  ASSERT_TRUE(why.has_value());
  EXPECT_EQ(why->code, CallError::Code::kForbidden);
  EXPECT_EQ(to_string(why->code), "forbidden");
  EXPECT_THAT(why->message, HasSubstr("removed"));
}

TEST_F(MasterBadCallTest, CallToAMasterThatDoesNotLeadIsRedirected) {
  ScriptedScheduler s;
  cluster.add_framework(framework("fw"), &s);
  cluster.start();
  cluster.run_until(secs(1));
  ASSERT_TRUE(s.id.has_value());
  Master* master = cluster.leader();
  ASSERT_NE(master, nullptr);
  const sched::Call revive = call(sched::Revive{{}});
  EXPECT_FALSE(master->validate(cluster.framework(0).endpoint(), revive));
  master->crash();
  const auto why = master->validate(cluster.framework(0).endpoint(), revive);
  ASSERT_TRUE(why.has_value());
  EXPECT_EQ(why->code, CallError::Code::kNotLeader);
  EXPECT_EQ(to_string(why->code), "not leader");
}

}  // namespace
}  // namespace mesosim
