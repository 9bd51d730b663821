#include "sim/sim_agent.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "allocator/rng.hpp"
#include "sim/event_queue.hpp"
#include "sim/master/uuid.hpp"

namespace mesosim {
namespace {

using v1::TaskState;
using v1::TaskStatusReason;
using v1::TaskStatusSource;

constexpr Endpoint kMaster{0};
constexpr Endpoint kAgent{1};
constexpr Endpoint kDetector{2};
constexpr Endpoint kStranger{3};
constexpr Endpoint kNewMaster{4};

Time at_s(double s) { return Time::epoch() + Duration::from_seconds(s); }

Resources res(const char* text) { return Resources::parse(text).value(); }

// Records what the agent sends, stamped with the send time, and delivers nothing: the test
// plays the master by calling SimAgent::receive itself.
class FakeTransport final : public Transport {
 public:
  struct Sent {
    Time at;
    Endpoint to;
    Message message;
  };

  explicit FakeTransport(const Clock& clock) : clock_(clock) {}

  void send(Endpoint from, Endpoint to, Message&& message) override {
    EXPECT_EQ(from, kAgent);
    sent.push_back({clock_.now(), to, std::move(message)});
  }
  void link(Endpoint self, Endpoint peer) override { links.emplace_back(self, peer); }

  template <typename T>
  std::vector<std::pair<Time, T>> all() const {
    std::vector<std::pair<Time, T>> out;
    for (const Sent& s : sent) {
      if (const T* m = std::get_if<T>(&s.message)) out.emplace_back(s.at, *m);
    }
    return out;
  }

  std::vector<Sent> sent;
  std::vector<std::pair<Endpoint, Endpoint>> links;

 private:
  const Clock& clock_;
};

class SimAgentTest : public ::testing::Test {
 protected:
  static SimAgentOptions default_options() {
    SimAgentOptions options;
    options.hostname = "host1";
    options.resources = res("cpus:4;mem:1024");
    options.attributes = {{"rack", "r1"}};
    // Most tests play a master that never pings; the health tests use the real timeout.
    options.master_ping_timeout = Duration::days(365);
    return options;
  }
  static SimAgentOptions pinged_options() {
    SimAgentOptions options = default_options();
    options.master_ping_timeout = SimAgentOptions{}.master_ping_timeout;
    return options;
  }

  void SetUp() override { make_agent(); }

  void make_agent(uint64_t seed = 7, SimAgentOptions options = default_options()) {
    agent = std::make_unique<SimAgent>(kAgent, clock, net, Rng(seed), std::move(options));
  }

  void from_master(Message message) { agent->receive(kMaster, std::move(message)); }
  void run_until(double seconds) { clock.run_until(at_s(seconds)); }

  // Detects kMaster, answers the registration and forgets what was sent so far.
  void register_agent() {
    agent->receive(kDetector, MasterDetectedMessage{kMaster});
    from_master(v1::AgentRegisteredMessage{{"agent-1"}});
    ASSERT_TRUE(agent->registered());
    net.sent.clear();
  }

  static v1::FrameworkInfo framework(const std::string& id, bool killing_state = false) {
    v1::FrameworkInfo info;
    info.user = "u";
    info.name = "framework " + id;
    info.id = v1::FrameworkID{id};
    info.roles = {"r"};
    // Most tests here crash and restart the agent and expect its tasks to survive.
    info.checkpoint = true;
    if (killing_state) info.capabilities.push_back(v1::FrameworkCapability::TASK_KILLING_STATE);
    return info;
  }

  // A task of framework "f1" that runs for `seconds` (forever if negative).
  static v1::RunTaskMessage run(const std::string& task_id, double seconds,
                                std::optional<std::string> executor = std::nullopt,
                                const char* resources = "cpus:1;mem:128",
                                v1::FrameworkInfo info = framework("f1")) {
    v1::RunTaskMessage m;
    m.framework = std::move(info);
    m.task.name = "task " + task_id;
    m.task.task_id = {task_id};
    m.task.agent_id = {"agent-1"};
    m.task.resources = res(resources);
    if (executor) {
      m.task.executor = v1::ExecutorInfo{{*executor}, "executor", {}, {}};
    } else {
      m.task.command = v1::CommandInfo{true, "sleep", {}, {}};
    }
    if (seconds >= 0) {
      m.task.work = v1::SimulatedWork{};
      m.task.work->duration = Duration::from_seconds(seconds);
    }
    m.role = "r";
    return m;
  }

  std::vector<std::pair<Time, v1::StatusUpdate>> updates() const {
    std::vector<std::pair<Time, v1::StatusUpdate>> out;
    for (auto& [at, m] : net.all<v1::StatusUpdateMessage>()) out.emplace_back(at, m.update);
    return out;
  }
  std::vector<TaskState> states() const {
    std::vector<TaskState> out;
    for (auto& [at, u] : updates()) out.push_back(u.status.state);
    return out;
  }

  void ack(const v1::StatusUpdate& update) {
    from_master(v1::StatusUpdateAcknowledgementMessage{update.status.agent_id, update.framework_id,
                                                       update.status.task_id,
                                                       update.status.uuid.value()});
  }
  // Acknowledges every update sent since the last call (and those the acks release), as a
  // prompt scheduler would.
  void ack_new() {
    for (auto all = updates(); acked_ < all.size(); all = updates()) {
      while (acked_ < all.size()) {
        const v1::StatusUpdate& u = all[acked_++].second;
        if (u.status.uuid) ack(u);
      }
    }
  }
  // Runs to `seconds`, acknowledging each update as soon as it is sent.
  void run_acking_until(double seconds) {
    ack_new();
    while (clock.next_time() && *clock.next_time() <= at_s(seconds)) {
      clock.step();
      ack_new();
    }
    run_until(seconds);
  }

  EventQueue clock;
  FakeTransport net{clock};
  std::unique_ptr<SimAgent> agent;
  size_t acked_ = 0;
};

TEST_F(SimAgentTest, RegistersOnMasterDetectedAndRetriesWithDoublingBackoff) {
  agent->receive(kDetector, MasterDetectedMessage{kMaster});
  EXPECT_EQ(net.links, (std::vector<std::pair<Endpoint, Endpoint>>{{kAgent, kMaster}}));
  run_until(200);
  std::vector<Time> times;
  for (auto& [at, m] : net.all<v1::RegisterAgentMessage>()) {
    times.push_back(at);
    EXPECT_EQ(m.agent.hostname, "host1");
    EXPECT_FALSE(m.agent.id.has_value());
    EXPECT_EQ(m.agent.resources, res("cpus:4;mem:1024"));
    EXPECT_EQ(m.agent.attributes, (std::vector<v1::Attribute>{{"rack", "r1"}}));
  }
  // 1 s doubling, the interval capped at one minute.
  const std::vector<Time> want = {at_s(0),  at_s(1),  at_s(3),   at_s(7),  at_s(15),
                                  at_s(31), at_s(63), at_s(123), at_s(183)};
  EXPECT_EQ(times, want);
  EXPECT_EQ(net.sent.size(), want.size());

  agent->receive(kStranger, v1::AgentRegisteredMessage{{"agent-x"}});
  EXPECT_FALSE(agent->registered());
  from_master(v1::AgentRegisteredMessage{{"agent-1"}});
  EXPECT_TRUE(agent->registered());
  EXPECT_EQ(agent->agent_id(), v1::AgentID{"agent-1"});
  net.sent.clear();
  run_until(1000);
  EXPECT_TRUE(net.all<v1::RegisterAgentMessage>().empty());
}

TEST_F(SimAgentTest, IgnoresMessagesFromEndpointsOtherThanTheLeader) {
  register_agent();
  agent->receive(kStranger, run("t1", 5));
  agent->receive(kStranger, v1::PingAgentMessage{});
  agent->receive(kStranger, v1::ShutdownAgentMessage{"no"});
  run_until(10);
  EXPECT_TRUE(net.sent.empty());
  EXPECT_EQ(agent->live_tasks(), 0u);
  EXPECT_TRUE(agent->alive());
}

TEST_F(SimAgentTest, CommandTaskGoesStartingRunningFinishedAtTheRightTimes) {
  register_agent();
  from_master(run("t1", 10));
  EXPECT_EQ(agent->used(), res("cpus:1;mem:128"));
  EXPECT_EQ(agent->live_tasks(), 1u);
  run_acking_until(100);

  auto sent = updates();
  ASSERT_EQ(sent.size(), 3u);
  const std::vector<std::pair<Time, TaskState>> want = {{at_s(0.5), TaskState::TASK_STARTING},
                                                        {at_s(0.6), TaskState::TASK_RUNNING},
                                                        {at_s(10.6), TaskState::TASK_FINISHED}};
  for (size_t i = 0; i < sent.size(); ++i) {
    const v1::StatusUpdate& u = sent[i].second;
    EXPECT_EQ(sent[i].first, want[i].first);
    EXPECT_EQ(u.status.state, want[i].second);
    EXPECT_EQ(u.status.timestamp, want[i].first);
    EXPECT_EQ(u.status.source, TaskStatusSource::SOURCE_EXECUTOR);
    EXPECT_EQ(u.status.executor_id, v1::ExecutorID{"t1"});  // command executor id = task id
    EXPECT_EQ(u.status.agent_id, v1::AgentID{"agent-1"});
    EXPECT_EQ(u.framework_id, v1::FrameworkID{"f1"});
    EXPECT_EQ(u.latest_state, want[i].second);
  }
  EXPECT_EQ(agent->live_tasks(), 0u);
  EXPECT_TRUE(agent->used().empty());
  EXPECT_TRUE(agent->tasks().empty());  // the terminal update was acknowledged
  EXPECT_EQ(agent->pending_updates(), 0u);
}

TEST_F(SimAgentTest, FailingWorkEndsInTaskFailed) {
  register_agent();
  auto m = run("t1", 2);
  m.task.work->final_state = TaskState::TASK_FAILED;
  from_master(std::move(m));
  run_acking_until(10);
  EXPECT_EQ(states(), (std::vector<TaskState>{TaskState::TASK_STARTING, TaskState::TASK_RUNNING,
                                              TaskState::TASK_FAILED}));
  EXPECT_EQ(updates().back().first, at_s(2.6));
}

TEST_F(SimAgentTest, LaterTasksOfACustomExecutorSkipTheLaunchDelay) {
  register_agent();
  from_master(run("a", 20, "ex"));
  run_acking_until(0.2);
  from_master(run("b", 20, "ex"));  // queued while the executor comes up
  run_acking_until(2);
  from_master(run("c", 20, "ex"));  // the executor is up
  run_acking_until(3);

  std::vector<std::tuple<Time, std::string, TaskState>> got;
  for (auto& [at, u] : updates()) {
    got.emplace_back(at, u.status.task_id.value, u.status.state);
    EXPECT_EQ(u.status.executor_id, v1::ExecutorID{"ex"});
  }
  const std::vector<std::tuple<Time, std::string, TaskState>> want = {
      {at_s(0.5), "a", TaskState::TASK_STARTING}, {at_s(0.5), "b", TaskState::TASK_STARTING},
      {at_s(0.6), "a", TaskState::TASK_RUNNING},  {at_s(0.6), "b", TaskState::TASK_RUNNING},
      {at_s(2), "c", TaskState::TASK_STARTING},   {at_s(2.1), "c", TaskState::TASK_RUNNING}};
  EXPECT_EQ(got, want);
}

TEST_F(SimAgentTest, ExecutorEndsWithItsLastTaskSoTheNextTaskWaitsForALaunchAgain) {
  register_agent();
  from_master(run("a", 1, "ex"));
  run_acking_until(5);  // a finished at 1.6: executor gone
  net.sent.clear();
  acked_ = 0;
  from_master(run("b", 1, "ex"));
  run_acking_until(10);
  ASSERT_FALSE(updates().empty());
  EXPECT_EQ(updates().front().first, at_s(5.5));
}

TEST_F(SimAgentTest, NextUpdateIsSentOnlyOnceThePreviousOneIsAcknowledged) {
  register_agent();
  from_master(run("t1", 10));
  run_until(5);
  auto sent = updates();
  ASSERT_EQ(sent.size(), 1u);  // RUNNING happened at 0.6 but waits behind STARTING
  EXPECT_EQ(sent[0].second.status.state, TaskState::TASK_STARTING);
  EXPECT_EQ(agent->tasks().at(0).state, TaskState::TASK_RUNNING);
  EXPECT_EQ(agent->pending_updates(), 2u);

  ack(sent[0].second);
  sent = updates();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[1].first, at_s(5));
  EXPECT_EQ(sent[1].second.status.state, TaskState::TASK_RUNNING);
  EXPECT_EQ(sent[1].second.status.timestamp, at_s(0.6));  // when it happened, not when sent
}

TEST_F(SimAgentTest, ResentHeadCarriesTheTasksLatestState) {
  register_agent();
  from_master(run("t1", 10));
  run_until(11);  // STARTING sent at 0.5, resent at 10.5; the task is RUNNING since 0.6
  auto sent = updates();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].second.latest_state, TaskState::TASK_STARTING);
  EXPECT_EQ(sent[1].second.status.state, TaskState::TASK_STARTING);
  EXPECT_EQ(sent[1].second.status.uuid, sent[0].second.status.uuid);
  EXPECT_EQ(sent[1].second.latest_state, TaskState::TASK_RUNNING);
}

TEST_F(SimAgentTest, UnacknowledgedUpdateIsRetriedWithDoublingBackoffCappedAtTenMinutes) {
  register_agent();
  from_master(run("t1", -1));
  run_until(2000);
  std::vector<Time> times;
  for (auto& [at, u] : updates()) {
    EXPECT_EQ(u.status.state, TaskState::TASK_STARTING);
    times.push_back(at);
  }
  // Sent at 0.5, then after 10, 20, 40, 80, 160, 320 s, then every 600 s (640 capped).
  const std::vector<Time> want = {at_s(0.5),   at_s(10.5),  at_s(30.5),   at_s(70.5),  at_s(150.5),
                                  at_s(310.5), at_s(630.5), at_s(1230.5), at_s(1830.5)};
  EXPECT_EQ(times, want);
  EXPECT_EQ(agent->updates_sent(), 9u);
  EXPECT_EQ(agent->updates_retried(), 8u);

  ack(updates().front().second);  // the RUNNING update goes out at once
  net.sent.clear();
  run_until(3000);
  // RUNNING (sent at the ack) is unacknowledged, so it alone is retried from 2000 on.
  times.clear();
  for (auto& [at, u] : updates()) {
    EXPECT_EQ(u.status.state, TaskState::TASK_RUNNING);
    times.push_back(at);
  }
  EXPECT_EQ(times, (std::vector<Time>{at_s(2010), at_s(2030), at_s(2070), at_s(2150), at_s(2310),
                                      at_s(2630)}));
}

TEST_F(SimAgentTest, RetriesStopOnceAcknowledged) {
  register_agent();
  from_master(run("t1", -1));
  run_acking_until(1);  // STARTING and RUNNING acknowledged
  net.sent.clear();
  run_until(5000);
  EXPECT_TRUE(updates().empty());
  EXPECT_EQ(agent->updates_retried(), 0u);
  EXPECT_EQ(agent->pending_updates(), 0u);
}

// The update manager reuses an emptied stream for the next new one: that one must start
// afresh, with the first backoff and its first send not counted as a resend.
TEST_F(SimAgentTest, UpdatesOfATaskAfterAnotherTasksRetriedStreamStartAfresh) {
  register_agent();
  from_master(run("t1", -1));
  run_until(100);  // STARTING at 0.5, resent at 10.5, 30.5, 70.5
  ack(updates().front().second);  // RUNNING goes out at 100
  run_until(115);                 // ... and again at 110
  ack(updates().back().second);   // t1's stream is empty
  EXPECT_EQ(agent->updates_retried(), 4u);
  net.sent.clear();

  from_master(run("t2", -1));
  run_until(140);
  std::vector<Time> times;
  for (auto& [at, u] : updates()) {
    EXPECT_EQ(u.status.task_id, v1::TaskID{"t2"});
    EXPECT_EQ(u.status.state, TaskState::TASK_STARTING);
    times.push_back(at);
  }
  EXPECT_EQ(times, (std::vector<Time>{at_s(115.5), at_s(125.5)}));
  EXPECT_EQ(agent->updates_retried(), 5u);
  EXPECT_EQ(agent->pending_updates(v1::FrameworkID{"f1"}, v1::TaskID{"t1"}), 0u);
  EXPECT_EQ(agent->pending_updates(v1::FrameworkID{"f1"}, v1::TaskID{"t2"}), 2u);
  ack(updates().front().second);
  EXPECT_EQ(agent->pending_updates(), 1u);  // t2's RUNNING, sent at once
  EXPECT_EQ(updates().back().second.status.state, TaskState::TASK_RUNNING);
}

TEST_F(SimAgentTest, AckWithAnotherUuidChangesNothing) {
  register_agent();
  from_master(run("t1", -1));
  run_until(1);
  auto starting = updates().at(0).second;
  from_master(v1::StatusUpdateAcknowledgementMessage{
      {"agent-1"}, {"f1"}, {"t1"}, *Uuid::from_bytes("another-16-bytes")});
  from_master(v1::StatusUpdateAcknowledgementMessage{
      {"agent-1"}, {"f1"}, {"other"}, *starting.status.uuid});
  EXPECT_EQ(updates().size(), 1u);
  EXPECT_EQ(agent->pending_updates(), 2u);
  run_until(11);  // still retried
  ASSERT_EQ(updates().size(), 2u);
  EXPECT_EQ(updates()[1].second.status.uuid, starting.status.uuid);
  ack(starting);
  EXPECT_EQ(updates().back().second.status.state, TaskState::TASK_RUNNING);
  ack(starting);  // a duplicate ack of the old head is ignored: RUNNING stays pending
  EXPECT_EQ(agent->pending_updates(), 1u);
}

TEST_F(SimAgentTest, KillWithoutKillingStateReportsKilledAfterTheGrace) {
  register_agent();
  from_master(run("t1", 100));
  run_acking_until(10);
  from_master(v1::KillTaskMessage{{"f1"}, {"t1"}});
  from_master(v1::KillTaskMessage{{"f1"}, {"t1"}});  // a second kill changes nothing
  run_acking_until(200);
  auto sent = updates();
  EXPECT_EQ(states(), (std::vector<TaskState>{TaskState::TASK_STARTING, TaskState::TASK_RUNNING,
                                              TaskState::TASK_KILLED}));
  EXPECT_EQ(sent.back().first, at_s(13));
  EXPECT_EQ(sent.back().second.status.source, TaskStatusSource::SOURCE_EXECUTOR);
  EXPECT_EQ(agent->live_tasks(), 0u);
}

TEST_F(SimAgentTest, KillWithKillingStateReportsKillingAtOnce) {
  register_agent();
  from_master(run("t1", 100, std::nullopt, "cpus:1", framework("f1", true)));
  run_acking_until(10);
  from_master(v1::KillTaskMessage{{"f1"}, {"t1"}});
  ack_new();
  EXPECT_EQ(agent->tasks().at(0).state, TaskState::TASK_KILLING);
  EXPECT_EQ(agent->usage(), res("cpus:1"));  // still running during the grace period
  run_acking_until(200);
  auto sent = updates();
  ASSERT_EQ(sent.size(), 4u);
  EXPECT_EQ(sent[2].first, at_s(10));
  EXPECT_EQ(sent[2].second.status.state, TaskState::TASK_KILLING);
  EXPECT_EQ(sent[3].first, at_s(13));
  EXPECT_EQ(sent[3].second.status.state, TaskState::TASK_KILLED);
  EXPECT_TRUE(agent->usage().empty());
}

TEST_F(SimAgentTest, KillDuringLaunchReportsKilledAtOnce) {
  register_agent();
  from_master(run("t1", 100, "ex", "cpus:1", framework("f1", true)));
  run_until(0.2);
  from_master(v1::KillTaskMessage{{"f1"}, {"t1"}});
  run_acking_until(10);
  auto sent = updates();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].first, at_s(0.2));
  EXPECT_EQ(sent[0].second.status.state, TaskState::TASK_KILLED);
  EXPECT_EQ(sent[0].second.status.reason, TaskStatusReason::REASON_TASK_KILLED_DURING_LAUNCH);
  EXPECT_EQ(sent[0].second.status.source, TaskStatusSource::SOURCE_AGENT);
  EXPECT_EQ(agent->live_tasks(), 0u);
  // Its executor never came up and is gone: the next task launches one anew.
  from_master(run("t2", 100, "ex"));
  run_acking_until(20);
  EXPECT_EQ(updates().at(1).first, at_s(10.5));
}

// Not in Mesos (its agent ignores a kill for a framework it does not know): see sim/README.md.
TEST_F(SimAgentTest, KillOfATaskOfAnUnknownFrameworkIsDropped) {
  register_agent();
  from_master(v1::KillTaskMessage{{"f1"}, {"ghost"}});
  auto sent = updates();
  ASSERT_EQ(sent.size(), 1u);
  const v1::TaskStatus& s = sent[0].second.status;
  EXPECT_EQ(s.task_id, v1::TaskID{"ghost"});
  EXPECT_EQ(s.state, TaskState::TASK_DROPPED);
  EXPECT_EQ(s.reason, TaskStatusReason::REASON_TASK_UNKNOWN);
  EXPECT_EQ(s.source, TaskStatusSource::SOURCE_AGENT);
  EXPECT_TRUE(s.uuid.has_value());  // reliable like any other update
  EXPECT_TRUE(agent->tasks().empty());
}

// Mesos's Slave::killTask: "Cannot find executor", TASK_LOST to a framework that is not
// partition-aware, TASK_DROPPED to one that is.
TEST_F(SimAgentTest, KillOfAnUnknownTaskOfAKnownFrameworkIsLostOrDroppedAsMesos) {
  register_agent();
  v1::FrameworkInfo aware = framework("f2");
  aware.capabilities.push_back(v1::FrameworkCapability::PARTITION_AWARE);
  from_master(run("t1", -1));
  from_master(run("t2", -1, std::nullopt, "cpus:1;mem:128", aware));
  const size_t before = updates().size();
  from_master(v1::KillTaskMessage{{"f1"}, {"ghost"}});
  from_master(v1::KillTaskMessage{{"f2"}, {"ghost"}});
  auto sent = updates();
  ASSERT_EQ(sent.size(), before + 2);
  const v1::TaskStatus& lost = sent[before].second.status;
  EXPECT_EQ(lost.state, TaskState::TASK_LOST);
  EXPECT_EQ(lost.reason, TaskStatusReason::REASON_EXECUTOR_TERMINATED);
  EXPECT_EQ(lost.message, "Cannot find executor");
  const v1::TaskStatus& dropped = sent[before + 1].second.status;
  EXPECT_EQ(dropped.state, TaskState::TASK_DROPPED);
  EXPECT_EQ(dropped.reason, TaskStatusReason::REASON_EXECUTOR_TERMINATED);
  EXPECT_EQ(agent->live_tasks(), 2u);  // the running tasks are untouched
}

TEST_F(SimAgentTest, DuplicateTaskIdIsDroppedWithoutTouchingTheFirstTask) {
  register_agent();
  from_master(run("t1", 10));
  run_acking_until(1);
  from_master(run("t1", 10));
  auto sent = updates();
  ASSERT_EQ(sent.size(), 3u);
  const v1::StatusUpdate& dropped = sent[2].second;
  EXPECT_EQ(dropped.status.state, TaskState::TASK_DROPPED);
  EXPECT_EQ(dropped.status.reason, TaskStatusReason::REASON_TASK_INVALID);
  EXPECT_EQ(dropped.status.source, TaskStatusSource::SOURCE_AGENT);
  EXPECT_FALSE(dropped.status.uuid.has_value());
  EXPECT_EQ(dropped.latest_state, TaskState::TASK_RUNNING);
  EXPECT_EQ(agent->live_tasks(), 1u);
  EXPECT_EQ(agent->used(), res("cpus:1;mem:128"));
  run_acking_until(20);
  EXPECT_EQ(updates().back().second.status.state, TaskState::TASK_FINISHED);
  EXPECT_EQ(updates().back().first, at_s(10.6));
}

TEST_F(SimAgentTest, TaskThatDoesNotFitInTheFreeResourcesIsDropped) {
  register_agent();
  from_master(run("big", 10, std::nullopt, "cpus:3;mem:512"));
  from_master(run("too-big", 10, std::nullopt, "cpus:2;mem:128"));
  auto sent = updates();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].second.status.task_id, v1::TaskID{"too-big"});
  EXPECT_EQ(sent[0].second.status.state, TaskState::TASK_DROPPED);
  EXPECT_EQ(sent[0].second.status.reason, TaskStatusReason::REASON_RESOURCES_UNKNOWN);
  EXPECT_EQ(sent[0].second.status.source, TaskStatusSource::SOURCE_AGENT);
  EXPECT_EQ(agent->used(), res("cpus:3;mem:512"));
  EXPECT_EQ(agent->live_tasks(), 1u);
  // Reserved resources count by quantity: the master may have reserved them dynamically.
  from_master(run("reserved", 10, std::nullopt, "cpus(r):1;mem(r):128"));
  EXPECT_EQ(agent->live_tasks(), 2u);
  run_acking_until(20);  // both finish, freeing their resources
  from_master(run("fits-now", 10, std::nullopt, "cpus:2;mem:128"));
  EXPECT_EQ(agent->live_tasks(), 1u);
}

TEST_F(SimAgentTest, UsageCountsRunningTasksByTheirWorkUsage) {
  register_agent();
  auto light = run("light", 10, std::nullopt, "cpus:2;mem:256");
  light.task.work->usage = res("cpus:0.5;mem:100");
  from_master(std::move(light));
  from_master(run("plain", 10, std::nullopt, "cpus:1;mem:128"));
  EXPECT_TRUE(agent->usage().empty());  // not running yet
  run_acking_until(1);
  EXPECT_EQ(agent->usage(), res("cpus:1.5;mem:228"));
  EXPECT_EQ(agent->used(), res("cpus:3;mem:384"));
}

TEST_F(SimAgentTest, AnswersPingsAndReregistersWhenPingsStop) {
  make_agent(7, pinged_options());
  register_agent();
  run_until(60);
  from_master(v1::PingAgentMessage{});
  EXPECT_EQ(net.all<v1::PongAgentMessage>().size(), 1u);
  EXPECT_EQ(net.all<v1::PongAgentMessage>()[0].first, at_s(60));
  run_until(134);
  EXPECT_TRUE(agent->registered());  // 75 s from the last ping, not from registration
  EXPECT_TRUE(net.all<v1::ReregisterAgentMessage>().empty());
  run_until(136);
  EXPECT_FALSE(agent->registered());
  auto rereg = net.all<v1::ReregisterAgentMessage>();
  ASSERT_EQ(rereg.size(), 2u);  // at 135, retried at 136
  EXPECT_EQ(rereg[0].first, at_s(135));
  EXPECT_EQ(rereg[0].second.agent.id, v1::AgentID{"agent-1"});
  from_master(v1::AgentReregisteredMessage{{"agent-1"}, {}});
  EXPECT_TRUE(agent->registered());
}

TEST_F(SimAgentTest, PingSayingDisconnectedForcesReregistration) {
  register_agent();
  from_master(v1::PingAgentMessage{.connected = false});
  EXPECT_EQ(net.all<v1::PongAgentMessage>().size(), 1u);
  EXPECT_FALSE(agent->registered());
  EXPECT_EQ(net.all<v1::ReregisterAgentMessage>().size(), 1u);
}

TEST_F(SimAgentTest, UpdatesWaitWhileDisconnectedAndHeadsAreResentOnReregistration) {
  make_agent(7, pinged_options());
  register_agent();
  from_master(run("a", -1));
  from_master(run("b", -1, std::nullopt, "cpus:1", framework("f0")));
  run_until(100);  // no pings: disconnected at 75
  EXPECT_FALSE(agent->registered());
  const size_t before = updates().size();
  run_until(200);
  EXPECT_EQ(updates().size(), before);  // no retries while not registered
  from_master(v1::AgentReregisteredMessage{{"agent-1"}, {}});
  auto sent = updates();
  ASSERT_EQ(sent.size(), before + 2);
  // In stream order (framework id, task id), at once.
  EXPECT_EQ(sent[before].first, at_s(200));
  EXPECT_EQ(sent[before].second.framework_id, v1::FrameworkID{"f0"});
  EXPECT_EQ(sent[before + 1].second.framework_id, v1::FrameworkID{"f1"});
  EXPECT_EQ(sent[before + 1].second.status.state, TaskState::TASK_STARTING);
  EXPECT_EQ(sent[before + 1].second.latest_state, TaskState::TASK_RUNNING);
  // Backoff was reset: the next retry is 10 s later.
  run_until(210);
  EXPECT_EQ(updates().size(), before + 4);
}

TEST_F(SimAgentTest, ReregistrationListsUnacknowledgedTasksWithLatestStatesAndFrameworks) {
  register_agent();
  from_master(run("done", 3, std::nullopt, "cpus:1", framework("f1")));
  from_master(run("running", -1, std::nullopt, "cpus:1", framework("f2")));
  run_acking_until(2);
  from_master(run("late", -1, "ex2", "cpus:1", framework("f1")));
  // Unacknowledged from here: "late"'s STARTING is in flight and its RUNNING (2.6) waits;
  // "done" finished at 3.6 and its terminal update is in flight.
  run_until(5);
  ASSERT_EQ(agent->tasks().size(), 3u);
  EXPECT_EQ(agent->tasks()[0].task_id, v1::TaskID{"done"});
  EXPECT_EQ(agent->tasks()[0].state, TaskState::TASK_FINISHED);
  net.sent.clear();
  acked_ = 0;

  agent->receive(kDetector, MasterDetectedMessage{kNewMaster});
  EXPECT_EQ(net.links.back(), std::make_pair(kAgent, kNewMaster));
  EXPECT_FALSE(agent->registered());
  auto rereg = net.all<v1::ReregisterAgentMessage>();
  ASSERT_EQ(rereg.size(), 1u);
  EXPECT_EQ(net.sent[0].to, kNewMaster);
  const auto& m = rereg[0].second;
  EXPECT_EQ(m.agent.id, v1::AgentID{"agent-1"});
  std::vector<std::tuple<std::string, std::string, TaskState>> got;
  for (const v1::Task& t : m.tasks) {
    got.emplace_back(t.framework_id.value, t.task_id.value, t.state);
    EXPECT_EQ(t.agent_id, v1::AgentID{"agent-1"});
    EXPECT_EQ(t.role, "r");
  }
  // "done" is terminal but its update is unacknowledged: it is listed, as Mesos lists
  // terminated tasks, so the master does not call it lost.
  const std::vector<std::tuple<std::string, std::string, TaskState>> want = {
      {"f1", "done", TaskState::TASK_FINISHED},
      {"f1", "late", TaskState::TASK_RUNNING},
      {"f2", "running", TaskState::TASK_RUNNING}};
  EXPECT_EQ(got, want);
  ASSERT_EQ(m.frameworks.size(), 2u);
  EXPECT_EQ(m.frameworks[0].id, v1::FrameworkID{"f1"});
  EXPECT_EQ(m.frameworks[1].id, v1::FrameworkID{"f2"});
  EXPECT_EQ(m.frameworks[1].name, "framework f2");

  // The old master is no longer listened to.
  from_master(v1::AgentReregisteredMessage{{"agent-1"}, {}});
  EXPECT_FALSE(agent->registered());
  agent->receive(kNewMaster, v1::AgentReregisteredMessage{{"agent-1"}, {}});
  EXPECT_TRUE(agent->registered());
}

TEST_F(SimAgentTest, LeaderExitWaitsForTheDetector) {
  register_agent();
  agent->receive(kMaster, ExitedMessage{kMaster});
  EXPECT_FALSE(agent->registered());
  EXPECT_FALSE(agent->leader().has_value());
  run_until(500);
  EXPECT_TRUE(net.sent.empty());
  agent->receive(kDetector, MasterDetectedMessage{kNewMaster});
  EXPECT_EQ(net.all<v1::ReregisterAgentMessage>().size(), 1u);
}

TEST_F(SimAgentTest, CrashAndRestartKeepsTasksAndResendsUnacknowledgedUpdates) {
  register_agent();
  from_master(run("short", 10));
  from_master(run("long", 100));
  run_until(5);  // both STARTING sent, unacknowledged; both RUNNING since 0.6
  agent->crash(false);
  net.sent.clear();
  from_master(v1::PingAgentMessage{});  // a dead agent answers nothing
  run_until(50);
  EXPECT_TRUE(net.sent.empty());
  EXPECT_FALSE(agent->alive());

  agent->restart();  // "short" finished at 10.6 while the agent was down
  EXPECT_EQ(net.links.back(), std::make_pair(kAgent, kMaster));
  auto rereg = net.all<v1::ReregisterAgentMessage>();
  ASSERT_EQ(rereg.size(), 1u);
  // "short" ended while the agent was down; its update is unacknowledged, so it is listed.
  ASSERT_EQ(rereg[0].second.tasks.size(), 2u);
  EXPECT_EQ(rereg[0].second.tasks[0].task_id, v1::TaskID{"long"});
  EXPECT_EQ(rereg[0].second.tasks[0].state, TaskState::TASK_RUNNING);
  EXPECT_EQ(rereg[0].second.tasks[1].task_id, v1::TaskID{"short"});
  EXPECT_EQ(rereg[0].second.tasks[1].state, TaskState::TASK_FINISHED);
  EXPECT_TRUE(updates().empty());  // nothing before re-registration
  EXPECT_EQ(agent->live_tasks(), 1u);

  from_master(v1::AgentReregisteredMessage{{"agent-1"}, {}});
  auto sent = updates();
  ASSERT_EQ(sent.size(), 2u);  // the two STARTING heads, resent
  for (auto& [at, u] : sent) {
    EXPECT_EQ(at, at_s(50));
    EXPECT_EQ(u.status.state, TaskState::TASK_STARTING);
  }
  EXPECT_EQ(sent[1].second.status.task_id, v1::TaskID{"short"});
  EXPECT_EQ(sent[1].second.latest_state, TaskState::TASK_FINISHED);
  run_acking_until(200);
  std::vector<std::tuple<std::string, TaskState, Time>> finals;
  for (auto& [at, u] : updates()) {
    if (v1::is_terminal(u.status.state)) {
      finals.emplace_back(u.status.task_id.value, u.status.state, u.status.timestamp);
    }
  }
  const std::vector<std::tuple<std::string, TaskState, Time>> want = {
      {"short", TaskState::TASK_FINISHED, at_s(10.6)},
      {"long", TaskState::TASK_FINISHED, at_s(100.6)}};
  EXPECT_EQ(finals, want);
  EXPECT_TRUE(agent->tasks().empty());
}

TEST_F(SimAgentTest, TransitionsDueWhileDownAreReplayedInOrder) {
  register_agent();
  from_master(run("t1", 5));
  agent->crash(false);  // before the executor is up
  run_until(30);
  agent->restart();
  from_master(v1::AgentReregisteredMessage{{"agent-1"}, {}});
  run_acking_until(31);
  std::vector<std::pair<TaskState, Time>> got;
  for (auto& [at, u] : updates()) got.emplace_back(u.status.state, u.status.timestamp);
  const std::vector<std::pair<TaskState, Time>> want = {{TaskState::TASK_STARTING, at_s(0.5)},
                                                        {TaskState::TASK_RUNNING, at_s(0.6)},
                                                        {TaskState::TASK_FINISHED, at_s(5.6)}};
  EXPECT_EQ(got, want);
}

TEST_F(SimAgentTest, MachineLossRestartsWithNoTasksAndTheSameAgentId) {
  register_agent();
  from_master(run("t1", 100));
  run_until(5);
  agent->crash(true);
  run_until(10);
  net.sent.clear();
  agent->restart();
  EXPECT_EQ(agent->live_tasks(), 0u);
  EXPECT_TRUE(agent->tasks().empty());
  EXPECT_EQ(agent->pending_updates(), 0u);
  auto rereg = net.all<v1::ReregisterAgentMessage>();
  ASSERT_EQ(rereg.size(), 1u);
  EXPECT_EQ(rereg[0].second.agent.id, v1::AgentID{"agent-1"});
  EXPECT_TRUE(rereg[0].second.tasks.empty());
  EXPECT_TRUE(rereg[0].second.frameworks.empty());
  from_master(v1::AgentReregisteredMessage{{"agent-1"}, {}});
  run_until(1000);
  EXPECT_TRUE(updates().empty());
}

TEST_F(SimAgentTest, ShutdownFrameworkEndsItsTasksAndForgetsItsUpdates) {
  register_agent();
  from_master(run("a", -1, "ex", "cpus:1", framework("f1")));
  from_master(run("b", -1, std::nullopt, "cpus:1", framework("f2")));
  run_until(1);
  from_master(v1::ShutdownFrameworkMessage{{"f1"}});
  EXPECT_EQ(agent->live_tasks(), 1u);
  ASSERT_EQ(agent->tasks().size(), 1u);
  EXPECT_EQ(agent->tasks()[0].framework_id, v1::FrameworkID{"f2"});
  EXPECT_EQ(agent->pending_updates(), 2u);  // f2's STARTING and RUNNING only
  net.sent.clear();
  run_until(100);
  for (auto& [at, u] : updates()) EXPECT_EQ(u.framework_id, v1::FrameworkID{"f2"});
}

TEST_F(SimAgentTest, ShutdownAgentSilencesItUntilRestartedAsANewAgent) {
  register_agent();
  from_master(run("a", -1));
  run_until(1);
  from_master(v1::ShutdownAgentMessage{"bye"});
  EXPECT_EQ(agent->live_tasks(), 0u);
  EXPECT_FALSE(agent->alive());
  net.sent.clear();
  from_master(v1::PingAgentMessage{});
  agent->receive(kDetector, MasterDetectedMessage{kNewMaster});
  run_until(1000);
  EXPECT_TRUE(net.sent.empty());
  agent->restart();
  auto reg = net.all<v1::RegisterAgentMessage>();
  ASSERT_EQ(reg.size(), 1u);
  EXPECT_EQ(net.sent[0].to, kNewMaster);
  EXPECT_FALSE(agent->agent_id().has_value());
}

TEST_F(SimAgentTest, UuidsAreDeterministicPerSeed) {
  auto uuids_for = [&](uint64_t seed) {
    net.sent.clear();
    make_agent(seed);
    register_agent();
    from_master(run("t1", 1));
    run_acking_until(clock.now().seconds_f() + 10);
    std::vector<Uuid> out;
    for (auto& [at, u] : updates()) out.push_back(*u.status.uuid);
    acked_ = 0;
    return out;
  };
  const auto a = uuids_for(42);
  const auto b = uuids_for(42);
  const auto c = uuids_for(43);
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_NE(a[0], a[1]);
  for (const Uuid& uuid : a) {
    EXPECT_EQ(uuid.bytes[6] >> 4, 4) << uuid.to_string() << ": version 4";
    EXPECT_EQ(uuid.bytes[8] & 0xc0, 0x80) << uuid.to_string() << ": variant 10xx";
  }
  // The Rng serves uuids alone, two draws each: another draw anywhere would shift every
  // simulation that follows.
  Rng rng(42);
  for (const Uuid& uuid : a) EXPECT_EQ(uuid, Uuid::random(rng));
}

}  // namespace
}  // namespace mesosim
