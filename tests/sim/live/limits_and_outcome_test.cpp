// The numbers Mesos writes for a task's resources, and how a task's end maps to its status.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include "sim/live/limits.hpp"
#include "sim/live/task_outcome.hpp"

namespace mesosim::live {
namespace {

using v1::TaskState;
using v1::TaskStatusReason;

Scalar cpus(double c) { return Scalar::from_double(c); }

TEST(LimitsTest, CpuValuesAreMesosProductsWithItsMinimums) {
  EXPECT_EQ(v1_cpu_shares(cpus(1)), 1024u);
  EXPECT_EQ(v1_cpu_shares(cpus(0.1)), 102u);
  EXPECT_EQ(v1_cpu_shares(cpus(0.001)), 2u);
  EXPECT_EQ(cfs_quota_us(cpus(2.5)), 250000u);
  EXPECT_EQ(cfs_quota_us(cpus(0.005)), 1000u);
  EXPECT_EQ(v2_cpu_weight(cpus(4)), 400u);
  EXPECT_EQ(v2_cpu_weight(cpus(0.005)), 1u);
  ContainerLimits l;
  l.cpus = cpus(0.25);
  EXPECT_EQ(v2_cpu_max(l), "25000 100000");
  l.enable_cfs = false;
  EXPECT_EQ(v2_cpu_max(l), "max 100000");
}

TEST(LimitsTest, MemoryIsAtLeast32MiBAndTakenFromTheMemResource) {
  ContainerLimits l =
      ContainerLimits::from_resources(Resources::parse("cpus:1;mem:64;mem(role):64").value());
  EXPECT_EQ(l.mem_bytes, 128ull << 20);
  EXPECT_EQ(l.cpus, cpus(1));
  EXPECT_EQ(memory_hard_limit_bytes(l.mem_bytes), 128ull << 20);
  EXPECT_EQ(memory_soft_limit_bytes(10ull << 20), 32ull << 20);
  EXPECT_EQ(memory_hard_limit_bytes(0), 32ull << 20);
  EXPECT_EQ(ContainerLimits::from_resources(Resources::parse("mem:0.5").value()).mem_bytes,
            512ull << 10);
}

TEST(LimitsTest, BytesPrintLikeMesos) {
  EXPECT_EQ(format_bytes(0), "0B");
  EXPECT_EQ(format_bytes(100), "100B");
  EXPECT_EQ(format_bytes(1536 * 1024), "1536KB");
  EXPECT_EQ(format_bytes(64ull << 20), "64MB");
  EXPECT_EQ(format_bytes(2ull << 30), "2GB");
}

ContainerEnd ended_with(int wait_status, bool killed = false) {
  return ContainerEnd{Termination{wait_status}, killed, std::nullopt};
}

TEST(TaskOutcomeTest, ExitStatusesMapToFinishedAndFailed) {
  TaskOutcome ok = task_outcome(ended_with(W_EXITCODE(0, 0)));
  EXPECT_EQ(ok.state, TaskState::TASK_FINISHED);
  EXPECT_EQ(ok.message, "Command exited with status 0");
  TaskOutcome bad = task_outcome(ended_with(W_EXITCODE(2, 0)));
  EXPECT_EQ(bad.state, TaskState::TASK_FAILED);
  EXPECT_FALSE(bad.reason);
  EXPECT_EQ(bad.message, "Command exited with status 2");
  TaskOutcome segv = task_outcome(ended_with(W_EXITCODE(0, SIGSEGV)));
  EXPECT_EQ(segv.state, TaskState::TASK_FAILED);
  EXPECT_EQ(segv.message, "Command terminated with signal Segmentation fault");
}

TEST(TaskOutcomeTest, RequestedKillIsKilledWhateverTheStatus) {
  EXPECT_EQ(task_outcome(ended_with(W_EXITCODE(0, SIGTERM), true)).state, TaskState::TASK_KILLED);
  EXPECT_EQ(task_outcome(ended_with(W_EXITCODE(0, 0), true)).state, TaskState::TASK_KILLED);
}

TEST(TaskOutcomeTest, MemoryLimitationWinsOverKillAndExit) {
  ContainerEnd end = ended_with(W_EXITCODE(0, SIGKILL), true);
  end.memory_limitation = "Memory limit exceeded: Requested: 64MB Maximum Used: 64MB";
  TaskOutcome o = task_outcome(end);
  EXPECT_EQ(o.state, TaskState::TASK_FAILED);
  EXPECT_EQ(o.reason, TaskStatusReason::REASON_CONTAINER_LIMITATION_MEMORY);
  EXPECT_EQ(o.message, *end.memory_limitation);
}

TEST(TaskOutcomeTest, UnknownStatusAfterRestartIsExecutorTerminated) {
  TaskOutcome o = task_outcome(ContainerEnd{Termination{}, false, std::nullopt});
  EXPECT_EQ(o.state, TaskState::TASK_FAILED);
  EXPECT_EQ(o.reason, TaskStatusReason::REASON_EXECUTOR_TERMINATED);
  EXPECT_EQ(task_outcome(ContainerEnd{Termination{}, true, std::nullopt}).state,
            TaskState::TASK_KILLED);
}

}  // namespace
}  // namespace mesosim::live
