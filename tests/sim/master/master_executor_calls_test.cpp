// MESSAGE and SHUTDOWN: scheduler calls the master forwards to the executor's agent (Mesos's
// Master::message and Master::shutdown), and what the simulated agent does with them (Mesos's
// Slave::shutdownExecutor, its command executor's shutdown, Slave::executorTerminated).

#include <gtest/gtest.h>

#include "sim/master/master.hpp"
#include "tests/sim/sim_test_util.hpp"

namespace mesosim {
namespace {

using namespace mesosim::testing;
using v1::TaskState;

// One agent, one framework with task "t" running until killed (started by 5 s).
struct RunningTask {
  SimCluster cluster{SimClusterOptions{}};
  QueueScheduler s;
  v1::AgentID agent_id;

  explicit RunningTask(v1::FrameworkInfo info = framework("fw"),
                       std::optional<v1::ExecutorInfo> executor = std::nullopt) {
    cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
    if (executor) {
      s.on_offers = [this, executor](SchedulerDriver& d, const std::vector<v1::Offer>& offers) {
        for (const auto& o : offers) {
          if (!s.launched.empty()) {
            d.decline({o.id});
            continue;
          }
          v1::TaskInfo t = forever_task("t", o, "cpus:1;mem:128");
          t.command.reset();
          t.executor = executor;
          s.launched["t"] = o.agent_id;
          d.launch(o, {t});
        }
      };
    } else {
      s.add({"t", "cpus:1;mem:128", std::nullopt, ""});
    }
    cluster.add_framework(std::move(info), &s);
    cluster.start();
    cluster.run_until(secs(5));
    EXPECT_EQ(s.states_of("t").back(), TaskState::TASK_RUNNING);
    agent_id = *cluster.agent(0).agent_id();
  }
  SchedulerDriver& driver() { return cluster.framework(0); }
};

TEST(MasterMessageTest, AMessageToAConnectedAgentReachesTheExecutorAndCountsAsValid) {
  RunningTask run;
  run.driver().message(run.agent_id, v1::ExecutorID{"t"}, std::string("\x00\xff", 2));
  run.cluster.run_until(secs(6));
  EXPECT_EQ(run.cluster.agent(0).framework_messages_delivered(), 1u);
  EXPECT_EQ(run.cluster.leader()->framework_to_executor_messages().valid, 1u);
  EXPECT_EQ(run.cluster.leader()->framework_to_executor_messages().invalid, 0u);
  // A command executor ignores it: the task runs on.
  EXPECT_EQ(run.s.states_of("t").back(), TaskState::TASK_RUNNING);
}

TEST(MasterMessageTest, AMessageToAnUnknownAgentIsDroppedAndCountedAsInvalid) {
  RunningTask run;
  run.driver().message(v1::AgentID{"no-such-agent"}, v1::ExecutorID{"t"}, "hi");
  run.cluster.run_until(secs(6));
  EXPECT_EQ(run.cluster.leader()->framework_to_executor_messages().invalid, 1u);
  EXPECT_EQ(run.cluster.leader()->framework_to_executor_messages().valid, 0u);
  EXPECT_EQ(run.cluster.agent(0).framework_messages_delivered(), 0u);
}

TEST(MasterMessageTest, AMessageToADisconnectedAgentIsDroppedAndCountedAsInvalid) {
  RunningTask run(checkpointing(framework("fw")));
  run.cluster.inject(fault::AgentCrash{"a1", false, Duration::seconds(30)});
  run.cluster.run_until(secs(10));
  ASSERT_FALSE(run.cluster.leader()->agents()[0].connected);
  run.driver().message(run.agent_id, v1::ExecutorID{"t"}, "hi");
  run.cluster.run_until(secs(60));
  EXPECT_EQ(run.cluster.leader()->framework_to_executor_messages().invalid, 1u);
  EXPECT_EQ(run.cluster.leader()->framework_to_executor_messages().valid, 0u);
  EXPECT_EQ(run.cluster.agent(0).framework_messages_delivered(), 0u);
}

TEST(MasterMessageTest, AMessageForAnExecutorTheAgentDoesNotRunIsNotDelivered) {
  RunningTask run;
  run.driver().message(run.agent_id, v1::ExecutorID{"other"}, "hi");
  run.cluster.run_until(secs(6));
  EXPECT_EQ(run.cluster.leader()->framework_to_executor_messages().valid, 1u);
  EXPECT_EQ(run.cluster.agent(0).framework_messages_delivered(), 0u);
}

// Mesos's command executor turns a shutdown into a kill of its task: TASK_KILLED, no reason.
TEST(MasterShutdownTest, ShutdownOfACommandExecutorKillsItsTask) {
  RunningTask run;
  run.driver().shutdown(v1::ExecutorID{"t"}, run.agent_id);
  run.cluster.run_until(secs(20));
  const auto updates = run.s.updates_of("t");
  ASSERT_FALSE(updates.empty());
  EXPECT_EQ(updates.back().state, TaskState::TASK_KILLED);
  EXPECT_FALSE(updates.back().reason.has_value());
  EXPECT_EQ(run.s.states_of("t"),
            (std::vector<TaskState>{TaskState::TASK_STARTING, TaskState::TASK_RUNNING,
                                    TaskState::TASK_KILLED}));
  EXPECT_FALSE(run.cluster.leader()->task(*run.s.id, v1::TaskID{"t"}).has_value());
  EXPECT_TRUE(run.cluster.leader()->agents()[0].used.empty());
  EXPECT_EQ(run.cluster.agent(0).live_tasks(), 0u);
  EXPECT_EQ(run.cluster.check_invariants(), std::nullopt);
}

TEST(MasterShutdownTest, ShutdownOfACommandExecutorSaysTaskKillingFirstWhenTheFrameworkCan) {
  RunningTask run(framework("fw", {"r"}, 0, {v1::FrameworkCapability::TASK_KILLING_STATE}));
  run.driver().shutdown(v1::ExecutorID{"t"}, run.agent_id);
  run.cluster.run_until(secs(20));
  EXPECT_EQ(run.s.states_of("t"),
            (std::vector<TaskState>{TaskState::TASK_STARTING, TaskState::TASK_RUNNING,
                                    TaskState::TASK_KILLING, TaskState::TASK_KILLED}));
}

// A custom executor is destroyed after its shutdown grace period; Mesos's agent then fails its
// live tasks (Slave::executorTerminated -> sendExecutorTerminatedStatusUpdate).
TEST(MasterShutdownTest, ShutdownOfACustomExecutorFailsItsTasksAsExecutorTerminated) {
  v1::ExecutorInfo executor;
  executor.executor_id = v1::ExecutorID{"e"};
  executor.command = v1::CommandInfo{true, "my-executor", {}, {}};
  RunningTask run(framework("fw"), executor);
  run.driver().shutdown(v1::ExecutorID{"e"}, run.agent_id);
  run.cluster.run_until(secs(20));
  const auto updates = run.s.updates_of("t");
  ASSERT_FALSE(updates.empty());
  EXPECT_EQ(updates.back().state, TaskState::TASK_FAILED);
  EXPECT_EQ(updates.back().reason, v1::TaskStatusReason::REASON_EXECUTOR_TERMINATED);
  EXPECT_EQ(updates.back().message, "Executor terminated");
  EXPECT_EQ(run.cluster.agent(0).live_tasks(), 0u);
  EXPECT_EQ(run.cluster.check_invariants(), std::nullopt);
}

TEST(MasterShutdownTest, ShutdownOfAnUnknownExecutorChangesNothing) {
  RunningTask run;
  const size_t before = run.s.updates.size();
  run.driver().shutdown(v1::ExecutorID{"no-such-executor"}, run.agent_id);
  run.driver().shutdown(v1::ExecutorID{"t"}, v1::AgentID{"no-such-agent"});
  run.cluster.run_until(secs(30));
  EXPECT_EQ(run.s.updates.size(), before);
  EXPECT_EQ(run.cluster.agent(0).live_tasks(), 1u);
  EXPECT_EQ(run.cluster.leader()->task(*run.s.id, v1::TaskID{"t"})->task.state,
            TaskState::TASK_RUNNING);
}

}  // namespace
}  // namespace mesosim
