// A LiveAgent driven as a master would drive it, its tasks real processes (posix isolation).

#include "sim/live/live_agent.hpp"

#include <gtest/gtest.h>
#include <poll.h>

#include <algorithm>
#include <string>
#include <vector>

#include "live_agent_test_util.hpp"
#include "sim/live/agent_checkpoint.hpp"
#include "sim/live/live_agent_json.hpp"

namespace mesosim::live {
namespace {

using namespace mesosim::live::testing;
using v1::TaskState;
using v1::TaskStatusReason;
using v1::TaskStatusSource;

TEST_F(LiveAgentTest, RegistersWithTheDetectedMasterRetryingUntilAnswered) {
  start_agent();
  agent_->receive(kMaster, MasterDetectedMessage{kMaster});
  ASSERT_TRUE(
      clock_.run_until([&] { return transport_.all<v1::RegisterAgentMessage>().size() >= 3; }, 2));
  const v1::AgentInfo info = transport_.all<v1::RegisterAgentMessage>()[0].agent;
  EXPECT_EQ(info.hostname, "agent.test");
  EXPECT_FALSE(info.id.has_value());
  EXPECT_EQ(info.resources, res("cpus:4;mem:1024;disk:1000;ports:[31000-32000]"));
  EXPECT_EQ(info.attributes, (std::vector<v1::Attribute>{{"rack", "r1"}, {"zone", "a"}}));
  EXPECT_EQ(transport_.links, std::vector<Endpoint>{kMaster});

  agent_->receive(kMaster, v1::AgentRegisteredMessage{v1::AgentID{"agent-1"}});
  ASSERT_TRUE(agent_->registered());
  const size_t attempts = transport_.all<v1::RegisterAgentMessage>().size();
  clock_.run_for(0.3);
  EXPECT_EQ(transport_.all<v1::RegisterAgentMessage>().size(), attempts);
  // The agent id is checkpointed at once.
  Result<std::optional<AgentCheckpoint>> saved = read_agent_checkpoint(work_.path());
  ASSERT_TRUE(saved && saved.value());
  EXPECT_EQ(saved.value()->agent_id, v1::AgentID{"agent-1"});

  // Messages from anyone but the leader are ignored; a ping is answered.
  agent_->receive(Endpoint{9}, v1::PingAgentMessage{});
  EXPECT_TRUE(transport_.all<v1::PongAgentMessage>().empty());
  agent_->receive(kMaster, v1::PingAgentMessage{});
  EXPECT_EQ(transport_.all<v1::PongAgentMessage>().size(), 1u);
}

TEST_F(LiveAgentTest, SleepTaskGoesStartingRunningFinishedEachRetriedUntilAcknowledged) {
  start_agent();
  detect_and_register();
  run_task("t1", "sleep 0.2");
  ASSERT_TRUE(launch_queued());
  ASSERT_FALSE(transport_.updates().empty());
  const v1::StatusUpdate starting = transport_.updates()[0];
  EXPECT_EQ(starting.status.state, TaskState::TASK_STARTING);
  EXPECT_EQ(starting.status.source, TaskStatusSource::SOURCE_EXECUTOR);
  EXPECT_EQ(starting.status.executor_id, v1::ExecutorID{"t1"});
  EXPECT_EQ(starting.status.agent_id, v1::AgentID{"agent-1"});
  ASSERT_TRUE(starting.status.uuid);
  EXPECT_EQ(starting.status.uuid->bytes[6] >> 4, 4) << "a fresh version 4 uuid";
  // Sent before RUNNING was added; the resends carry the newest state.
  EXPECT_EQ(starting.latest_state, TaskState::TASK_STARTING);

  // Unacknowledged, STARTING is resent (same uuid) and nothing after it goes out.
  ASSERT_TRUE(clock_.run_until([&] { return transport_.updates().size() >= 3; }, 2));
  for (const auto& u : transport_.updates()) EXPECT_EQ(u.status.uuid, starting.status.uuid);
  EXPECT_EQ(transport_.updates()[1].latest_state, TaskState::TASK_RUNNING);
  EXPECT_GE(agent_->updates_retried(), 2u);

  ASSERT_TRUE(ack_until("t1", TaskState::TASK_FINISHED));
  EXPECT_EQ(states_of("t1"),
            (std::vector<TaskState>{TaskState::TASK_STARTING, TaskState::TASK_RUNNING,
                                    TaskState::TASK_FINISHED}));
  EXPECT_EQ(updates_of("t1").back().status.message, "Command exited with status 0");
  EXPECT_EQ(agent_->pending_updates(), 0u);
  // Acknowledged terminal: the task and its framework are completed.
  EXPECT_TRUE(agent_->frameworks().empty());
  ASSERT_EQ(agent_->completed_frameworks().size(), 1u);
  EXPECT_EQ(agent_->completed_frameworks()[0].completed.at(0).state, TaskState::TASK_FINISHED);
  EXPECT_TRUE(containerizer_->containers().empty());
}

TEST_F(LiveAgentTest, NonZeroExitIsTaskFailedWithTheStatus) {
  start_agent();
  detect_and_register();
  run_task("t1", "exit 3");
  ASSERT_TRUE(ack_until("t1", TaskState::TASK_FAILED));
  const v1::StatusUpdate failed = updates_of("t1").back();
  EXPECT_EQ(failed.status.message, "Command exited with status 3");
  EXPECT_FALSE(failed.status.reason.has_value());
}

TEST_F(LiveAgentTest, KillIsSigtermAndTaskKilledAndUnknownTasksAreAnsweredAsMesosDoes) {
  start_agent();
  detect_and_register();
  run_task("t1", "sleep 30");
  run_task("t2", "sleep 30");  // keeps the framework on the agent once t1 is gone
  ASSERT_TRUE(ack_until("t1", TaskState::TASK_RUNNING));
  const pid_t pid = *containerizer_->pid(held("fw-1", "t1")->container);

  agent_->receive(kMaster, v1::KillTaskMessage{v1::FrameworkID{"fw-1"}, v1::TaskID{"t1"}});
  ASSERT_TRUE(ack_until("t1", TaskState::TASK_KILLED, 5));
  EXPECT_EQ(updates_of("t1").back().status.message, "Command terminated with signal Terminated");
  EXPECT_TRUE(eventually([&] { return !process_alive(pid); }));

  // A task the framework never ran here: TASK_LOST (not partition-aware), reliably.
  agent_->receive(kMaster, v1::KillTaskMessage{v1::FrameworkID{"fw-1"}, v1::TaskID{"nope"}});
  ASSERT_EQ(updates_of("nope").size(), 1u);
  EXPECT_EQ(updates_of("nope")[0].status.state, TaskState::TASK_LOST);
  EXPECT_EQ(updates_of("nope")[0].status.reason, TaskStatusReason::REASON_EXECUTOR_TERMINATED);
  EXPECT_EQ(updates_of("nope")[0].status.message, "Cannot find executor");
  EXPECT_TRUE(updates_of("nope")[0].status.uuid.has_value());
  // A framework the agent does not know: ignored.
  const size_t sent = transport_.sent_besides_usage_reports();
  agent_->receive(kMaster, v1::KillTaskMessage{v1::FrameworkID{"fw-9"}, v1::TaskID{"t9"}});
  EXPECT_EQ(transport_.sent_besides_usage_reports(), sent);
}

TEST_F(LiveAgentTest, TaskKillingStateIsSentToFrameworksThatAskForIt) {
  start_agent();
  detect_and_register();
  v1::FrameworkInfo framework = framework_info("fw-1");
  framework.capabilities = {v1::FrameworkCapability::TASK_KILLING_STATE};
  run_task("t1", "sleep 30", framework);
  ASSERT_TRUE(ack_until("t1", TaskState::TASK_RUNNING));
  agent_->receive(kMaster, v1::KillTaskMessage{v1::FrameworkID{"fw-1"}, v1::TaskID{"t1"}});
  ASSERT_TRUE(ack_until("t1", TaskState::TASK_KILLED, 5));
  EXPECT_EQ(states_of("t1"),
            (std::vector<TaskState>{TaskState::TASK_STARTING, TaskState::TASK_RUNNING,
                                    TaskState::TASK_KILLING, TaskState::TASK_KILLED}));
}

TEST_F(LiveAgentTest, DuplicateTaskIdAndOversizedTaskAreDropped) {
  start_agent();
  detect_and_register();
  run_task("t1", "sleep 30");
  ASSERT_TRUE(ack_until("t1", TaskState::TASK_RUNNING));
  run_task("t1", "sleep 30");
  const v1::StatusUpdate dropped = transport_.updates().back();
  EXPECT_EQ(dropped.status.state, TaskState::TASK_DROPPED);
  EXPECT_EQ(dropped.status.reason, TaskStatusReason::REASON_TASK_INVALID);
  EXPECT_FALSE(dropped.status.uuid.has_value());
  EXPECT_EQ(dropped.latest_state, TaskState::TASK_RUNNING);

  run_task("big", "sleep 30", framework_info("fw-1"), "cpus:8;mem:64");
  ASSERT_EQ(updates_of("big").size(), 1u);
  EXPECT_EQ(updates_of("big")[0].status.state, TaskState::TASK_DROPPED);
  EXPECT_EQ(updates_of("big")[0].status.reason, TaskStatusReason::REASON_RESOURCES_UNKNOWN);
  // Ports are resources too: a task asking for ports another task holds does not fit.
  run_task("t2", "sleep 30", framework_info("fw-1"), "cpus:0.1;mem:32;ports:[31000-31000]");
  ASSERT_TRUE(ack_until("t2", TaskState::TASK_RUNNING));
  run_task("t3", "sleep 30", framework_info("fw-1"), "cpus:0.1;mem:32;ports:[31000-31000]");
  ASSERT_EQ(updates_of("t3").size(), 1u);
  EXPECT_EQ(updates_of("t3")[0].status.reason, TaskStatusReason::REASON_RESOURCES_UNKNOWN);
  EXPECT_EQ(containerizer_->containers().size(), 2u);
}

TEST_F(LiveAgentTest, ShutdownFrameworkKillsItsTasksAndForgetsTheirUpdates) {
  start_agent();
  detect_and_register();
  run_task("t1", "sleep 30");
  ASSERT_TRUE(ack_until("t1", TaskState::TASK_STARTING));
  const pid_t pid = *containerizer_->pid(held("fw-1", "t1")->container);
  agent_->receive(kMaster, v1::ShutdownFrameworkMessage{v1::FrameworkID{"fw-1"}});
  EXPECT_TRUE(agent_->frameworks().empty());
  EXPECT_EQ(agent_->pending_updates(), 0u);
  ASSERT_TRUE(clock_.run_until([&] { return containerizer_->containers().empty(); }, 5));
  EXPECT_FALSE(process_alive(pid));
  EXPECT_EQ(states_of("t1").back(), TaskState::TASK_RUNNING);  // no update after the shutdown
}

TEST_F(LiveAgentTest, ShutdownAgentEndsEverythingAndForgetsItsIdentity) {
  start_agent();
  detect_and_register();
  run_task("t1", "sleep 30");
  agent_->receive(kMaster, v1::ShutdownAgentMessage{"maintenance"});
  EXPECT_TRUE(agent_->shut_down());
  ASSERT_TRUE(clock_.run_until([&] { return agent_->shutdown_complete(); }, 5));
  EXPECT_FALSE(path_exists(agent_checkpoint_path(work_.path())));
  const size_t sent = transport_.sent_besides_usage_reports();
  agent_->receive(kMaster, v1::PingAgentMessage{});
  agent_->receive(kMaster, MasterDetectedMessage{kMaster});
  EXPECT_EQ(transport_.sent_besides_usage_reports(), sent);
}

TEST_F(LiveAgentTest, UsageIsReportedAndServedAsMonitorStatistics) {
  start_agent();
  detect_and_register();
  run_task("t1", "sleep 30");
  ASSERT_TRUE(ack_until("t1", TaskState::TASK_RUNNING));
  // A sleeping task may use too little to be sampled; the statistics are there.
  nlohmann::json stats = monitor_statistics_json(*agent_, clock_.now());
  ASSERT_TRUE(stats.is_array());
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_EQ(stats[0]["executor_id"], "t1");
  EXPECT_EQ(stats[0]["framework_id"], "fw-1");
  EXPECT_EQ(stats[0]["source"], "t1");
  EXPECT_EQ(stats[0]["executor_name"], "Command Executor (Task: t1) (Command: sh -c 'sleep 30')");
  const nlohmann::json& s = stats[0]["statistics"];
  EXPECT_NEAR(s["timestamp"].get<double>(), clock_.now().seconds_f(), 5);
  EXPECT_GE(s["processes"].get<int>(), 1);
  for (const char* key : {"cpus_user_time_secs", "cpus_system_time_secs", "cpus_limit",
                          "mem_rss_bytes", "mem_limit_bytes"}) {
    EXPECT_TRUE(s.contains(key)) << key;
  }
}

// Under posix isolation too, a task that spins and holds memory is reported using cpus and mem,
// and /monitor/statistics has its cpu times and resident memory.
TEST_F(LiveAgentTest, BusyTaskIsReportedUsingCpusAndMemory) {
  start_agent();
  detect_and_register();
  run_task("busy", "x=$(head -c 40000000 /dev/zero | tr '\\0' a); while :; do :; done");
  ASSERT_TRUE(ack_until("busy", TaskState::TASK_RUNNING));
  // 40,000,000 bytes are 38.1 MB. A spinning process on a loaded machine may get a fraction of
  // a core, so any cpus above 0 will do.
  double cpus = 0;
  double mem = 0;
  auto sampled = [&] {
    for (const v1::UsageReportMessage& report : transport_.all<v1::UsageReportMessage>()) {
      for (const auto& sample : report.samples) {
        if (sample.task_id.value != "busy") continue;
        cpus = sample.usage.get(ResourceName::cpus()).to_double();
        mem = sample.usage.get(ResourceName::mem()).to_double();
        if (cpus > 0 && mem >= 38) return true;
      }
    }
    return false;
  };
  ASSERT_TRUE(clock_.run_until(sampled, 10)) << "last sample: cpus " << cpus << ", mem " << mem;
  nlohmann::json stats = monitor_statistics_json(*agent_, clock_.now());
  ASSERT_EQ(stats.size(), 1u);
  const nlohmann::json& s = stats[0]["statistics"];
  EXPECT_GT(s["cpus_user_time_secs"].get<double>(), 0);
  EXPECT_GE(s["mem_rss_bytes"].get<uint64_t>(), 40'000'000u);
}

TEST_F(LiveAgentTest, NewLeaderGetsAReregistrationWithTheTasksAndItsReconciliationIsAnswered) {
  start_agent();
  detect_and_register();
  run_task("t1", "sleep 30");
  ASSERT_TRUE(ack_until("t1", TaskState::TASK_RUNNING));

  constexpr Endpoint kNewMaster{3};
  agent_->receive(kMaster, MasterDetectedMessage{kNewMaster});
  EXPECT_FALSE(agent_->registered());
  EXPECT_EQ(transport_.links.back(), kNewMaster);
  ASSERT_EQ(transport_.sent.back().first, kNewMaster);
  const auto* rereg = std::get_if<v1::ReregisterAgentMessage>(&transport_.sent.back().second);
  ASSERT_NE(rereg, nullptr);
  EXPECT_EQ(rereg->agent.id, v1::AgentID{"agent-1"});
  ASSERT_EQ(rereg->tasks.size(), 1u);
  EXPECT_EQ(rereg->tasks[0].task_id, v1::TaskID{"t1"});
  EXPECT_EQ(rereg->tasks[0].state, TaskState::TASK_RUNNING);
  EXPECT_EQ(rereg->tasks[0].executor_id, v1::ExecutorID{"t1"});
  EXPECT_EQ(rereg->tasks[0].role, "analytics");

  // The old leader is not listened to any more; the new one answers and asks about a task the
  // agent does not hold.
  agent_->receive(kMaster, v1::AgentReregisteredMessage{v1::AgentID{"agent-1"}, {}});
  EXPECT_FALSE(agent_->registered());
  v1::ReconcileTasksMessage reconcile{framework_info("fw-1"),
                                      {v1::TaskID{"t1"}, v1::TaskID{"gone"}}};
  agent_->receive(kNewMaster, v1::AgentReregisteredMessage{v1::AgentID{"agent-1"}, {reconcile}});
  ASSERT_TRUE(agent_->registered());
  ASSERT_EQ(updates_of("gone").size(), 1u);
  EXPECT_EQ(updates_of("gone")[0].status.state, TaskState::TASK_LOST);
  EXPECT_EQ(updates_of("gone")[0].status.reason, TaskStatusReason::REASON_RECONCILIATION);
  EXPECT_EQ(states_of("t1").back(), TaskState::TASK_RUNNING);  // nothing new about t1

  // The leader's process exits (a message to it failed): the agent re-registers with it, in case
  // it restarts at the same address; more exits while it tries do not restart the backoff.
  const size_t tries = transport_.all<v1::ReregisterAgentMessage>().size();
  agent_->receive(kNewMaster, ExitedMessage{kNewMaster});
  EXPECT_FALSE(agent_->registered());
  EXPECT_EQ(agent_->leader(), kNewMaster);
  EXPECT_EQ(transport_.all<v1::ReregisterAgentMessage>().size(), tries + 1);
  agent_->receive(kNewMaster, ExitedMessage{kNewMaster});
  EXPECT_EQ(transport_.all<v1::ReregisterAgentMessage>().size(), tries + 1);
  agent_->receive(kNewMaster, v1::AgentReregisteredMessage{v1::AgentID{"agent-1"}, {}});
  EXPECT_TRUE(agent_->registered());
}

TEST_F(LiveAgentTest, SilentMasterMakesTheAgentReregister) {
  start_agent();
  detect_and_register();
  // config() has master_ping_timeout 75 s; a fresh agent with a short one shows the timeout.
  stop_agent();
  isolator_ = make_isolator();
  ContainerizerOptions options;
  options.work_dir = work_.path();
  containerizer_ = std::make_unique<Containerizer>(*isolator_, options);
  LiveAgentConfig c = config();
  c.master_ping_timeout = Duration::millis(100);
  agent_ =
      std::make_unique<LiveAgent>(kAgent, clock_, transport_, *containerizer_, Rng(++starts_), c);
  ASSERT_TRUE(agent_->start());
  agent_->receive(kMaster, MasterDetectedMessage{kMaster});
  agent_->receive(kMaster, v1::AgentReregisteredMessage{v1::AgentID{"agent-1"}, {}});
  ASSERT_TRUE(agent_->registered());
  ASSERT_TRUE(clock_.run_until([&] { return !agent_->registered(); }, 2));
  EXPECT_EQ(transport_.all<v1::ReregisterAgentMessage>().size(), 2u);
}

TEST_F(LiveAgentTest, SwitchUserToAUserThatDoesNotExistFailsTheTask) {
  containerizer_options_.switch_user = true;
  start_agent();
  detect_and_register();
  v1::FrameworkInfo framework = framework_info("fw-1");
  framework.user = "mesosim-no-such-user";
  run_task("t1", "exit 0", framework);
  ASSERT_TRUE(launch_queued());
  ASSERT_EQ(updates_of("t1").size(), 1u);
  const v1::StatusUpdate failed = updates_of("t1")[0];
  EXPECT_EQ(failed.status.state, TaskState::TASK_FAILED);
  EXPECT_EQ(failed.status.reason, TaskStatusReason::REASON_COMMAND_EXECUTOR_FAILED);
  EXPECT_NE(failed.status.message.find("mesosim-no-such-user"), std::string::npos)
      << failed.status.message;
  EXPECT_TRUE(containerizer_->containers().empty());
}

TEST_F(LiveAgentTest, AReadablePidfdLetsALoopReportTheEndWithoutWaitingForThePollPeriod) {
  start_agent();
  detect_and_register();
  // A fresh agent whose timer would poll only once an hour.
  stop_agent();
  isolator_ = make_isolator();
  ContainerizerOptions options;
  options.work_dir = work_.path();
  containerizer_ = std::make_unique<Containerizer>(*isolator_, options);
  LiveAgentConfig c = config();
  c.container_poll_interval = Duration::hours(1);
  agent_ =
      std::make_unique<LiveAgent>(kAgent, clock_, transport_, *containerizer_, Rng(++starts_), c);
  ASSERT_TRUE(agent_->start());
  agent_->receive(kMaster, MasterDetectedMessage{kMaster});
  agent_->receive(kMaster, v1::AgentReregisteredMessage{v1::AgentID{"agent-1"}, {}});
  run_task("t1", "exit 0");
  ASSERT_TRUE(ack_until("t1", TaskState::TASK_RUNNING));
  std::vector<int> fds = agent_->pidfds();
  ASSERT_EQ(fds.size(), 1u);
  pollfd pfd{fds[0], POLLIN, 0};
  ASSERT_EQ(::poll(&pfd, 1, 5000), 1);
  clock_.run_for(0.05);
  EXPECT_EQ(states_of("t1").back(), TaskState::TASK_RUNNING);  // the timer has not polled
  agent_->poll_containers();
  ASSERT_TRUE(ack_until("t1", TaskState::TASK_FINISHED, 1));
  EXPECT_TRUE(agent_->pidfds().empty());
}

TEST_F(LiveAgentTest, StateJsonHasTheShapeOfMesosAgentState) {
  start_agent();
  detect_and_register();
  v1::FrameworkInfo multi = framework_info("fw-2");
  multi.capabilities = {v1::FrameworkCapability::MULTI_ROLE};
  run_task("t1", "sleep 30", framework_info("fw-1"), "cpus:0.5;mem:64;ports:[31000-31001]",
           {{"tier", "web"}});
  run_task("t2", "exit 0", multi, "cpus:0.25;mem:32");
  ASSERT_TRUE(ack_until("t2", TaskState::TASK_FINISHED));

  nlohmann::json state = agent_state_json(*agent_, "1.11.0", {{"port", "5051"}});
  EXPECT_EQ(state["id"], "agent-1");
  EXPECT_EQ(state["hostname"], "agent.test");
  EXPECT_EQ(state["pid"], "slave(1)@agent.test:5051");
  EXPECT_EQ(state["version"], "1.11.0");
  EXPECT_EQ(state["flags"]["port"], "5051");
  EXPECT_DOUBLE_EQ(state["resources"]["cpus"].get<double>(), 4);
  EXPECT_DOUBLE_EQ(state["resources"]["mem"].get<double>(), 1024);
  EXPECT_DOUBLE_EQ(state["resources"]["gpus"].get<double>(), 0);
  EXPECT_EQ(state["resources"]["ports"], "[31000-32000]");
  EXPECT_EQ(state["unreserved_resources"], state["resources"]);
  EXPECT_TRUE(state["reserved_resources"].empty());
  EXPECT_EQ(state["attributes"], (nlohmann::json{{"rack", "r1"}, {"zone", "a"}}));

  ASSERT_EQ(state["frameworks"].size(), 1u);
  const nlohmann::json& fw = state["frameworks"][0];
  EXPECT_EQ(fw["id"], "fw-1");
  EXPECT_EQ(fw["user"], "root");
  EXPECT_EQ(fw["role"], "analytics");
  EXPECT_EQ(fw["checkpoint"], true);
  ASSERT_EQ(fw["executors"].size(), 1u);
  const nlohmann::json& executor = fw["executors"][0];
  EXPECT_EQ(executor["id"], "t1");
  EXPECT_EQ(executor["source"], "t1");
  EXPECT_EQ(executor["name"], "Command Executor (Task: t1) (Command: sh -c 'sleep 30')");
  EXPECT_EQ(executor["container"], held("fw-1", "t1")->container);
  EXPECT_EQ(executor["directory"], held("fw-1", "t1")->sandbox);
  EXPECT_EQ(executor["resources"]["ports"], "[31000-31001]");
  ASSERT_EQ(executor["tasks"].size(), 1u);
  const nlohmann::json& task = executor["tasks"][0];
  EXPECT_EQ(task["id"], "t1");
  EXPECT_EQ(task["framework_id"], "fw-1");
  EXPECT_EQ(task["executor_id"], "t1");
  EXPECT_EQ(task["slave_id"], "agent-1");
  EXPECT_EQ(task["state"], "TASK_RUNNING");
  EXPECT_EQ(task["role"], "analytics");
  EXPECT_DOUBLE_EQ(task["resources"]["cpus"].get<double>(), 0.5);
  EXPECT_EQ(task["labels"], (nlohmann::json::array({{{"key", "tier"}, {"value", "web"}}})));
  ASSERT_EQ(task["statuses"].size(), 2u);
  EXPECT_EQ(task["statuses"][0]["state"], "TASK_STARTING");
  EXPECT_TRUE(task["statuses"][0]["timestamp"].is_number_float());

  // The finished task's framework left the agent: a completed framework, with roles (MULTI_ROLE).
  ASSERT_EQ(state["completed_frameworks"].size(), 1u);
  const nlohmann::json& done = state["completed_frameworks"][0];
  EXPECT_EQ(done["id"], "fw-2");
  EXPECT_EQ(done["roles"], (nlohmann::json{"analytics"}));
  EXPECT_FALSE(done.contains("role"));
  ASSERT_EQ(done["completed_executors"].size(), 1u);
  EXPECT_EQ(done["completed_executors"][0]["completed_tasks"][0]["state"], "TASK_FINISHED");
}

}  // namespace
}  // namespace mesosim::live
