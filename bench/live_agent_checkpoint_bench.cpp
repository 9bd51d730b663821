// The live agent's checkpoint cost with many tasks held (sim/live/agent_checkpoint.hpp): what
// one task's change costs with N checkpointed tasks held, and what recording N tasks one after
// the other costs. Written to a temporary directory on the work dir's file system, with the
// agent's fsyncs; compare CPU times (wall time is mostly the disk's).

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "sim/live/agent_checkpoint.hpp"

namespace mesosim::live {
namespace {

std::string fresh_work_dir() {
  static int n = 0;
  const std::string dir = std::filesystem::current_path().string() + "/mesosim-ckpt-bench-" +
                          std::to_string(::getpid()) + "-" + std::to_string(++n);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

LiveTask running_task(const v1::FrameworkID& framework_id, int i) {
  LiveTask t;
  t.framework_id = framework_id;
  t.info.task_id = v1::TaskID{"task-" + std::to_string(i)};
  t.info.name = t.info.task_id.value;
  t.info.resources = Resources::parse("cpus:0.01;mem:1").value();
  t.info.command = v1::CommandInfo{};
  t.info.command->value = "sleep 1000";
  t.role = "analytics";
  t.executor_id = v1::ExecutorID{t.info.task_id.value};
  t.state = v1::TaskState::TASK_RUNNING;
  t.statuses = {{v1::TaskState::TASK_STARTING, Time::from_micros(1)},
                {v1::TaskState::TASK_RUNNING, Time::from_micros(2)}};
  t.container = "c-" + std::to_string(i);
  t.sandbox = "/work/sandboxes/" + t.container;
  return t;
}

LiveFramework framework_with(int tasks) {
  LiveFramework f;
  f.info.id = v1::FrameworkID{"fw-1"};
  f.info.user = "root";
  f.info.roles = {"analytics"};
  f.info.checkpoint = true;
  for (int i = 0; i < tasks; ++i) {
    LiveTask t = running_task(*f.info.id, i);
    f.tasks.emplace(t.info.task_id, std::move(t));
  }
  return f;
}

// One task changes state (one more status, one more update to acknowledge) while N tasks are
// held.
void BM_OneChangeWithTasksHeld(benchmark::State& state) {
  const std::string dir = fresh_work_dir();
  LiveFramework framework = framework_with(state.range(0));
  if (!write_framework_checkpoint(dir, framework)) state.SkipWithError("write failed");
  for (auto& [id, task] : framework.tasks) {
    if (!write_task_checkpoint(dir, task)) state.SkipWithError("write failed");
  }
  LiveTask& changed = framework.tasks.begin()->second;
  for (auto _ : state) {
    changed.statuses.emplace_back(v1::TaskState::TASK_RUNNING, Time::from_micros(3));
    if (!write_task_checkpoint(dir, changed)) state.SkipWithError("write failed");
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_OneChangeWithTasksHeld)->Arg(100)->Arg(2000)->Unit(benchmark::kMicrosecond);

// N tasks recorded one after the other, each change checkpointed: a backlog of launches.
void BM_RecordTasksOneByOne(benchmark::State& state) {
  for (auto _ : state) {
    const std::string dir = fresh_work_dir();
    LiveFramework framework = framework_with(0);
    if (!write_framework_checkpoint(dir, framework)) state.SkipWithError("write failed");
    for (int i = 0; i < state.range(0); ++i) {
      LiveTask t = running_task(*framework.info.id, i);
      const v1::TaskID id = t.info.task_id;
      LiveTask& task = framework.tasks.emplace(id, std::move(t)).first->second;
      if (!write_task_checkpoint(dir, task)) state.SkipWithError("write failed");
    }
    state.PauseTiming();
    std::filesystem::remove_all(dir);
    state.ResumeTiming();
  }
}
BENCHMARK(BM_RecordTasksOneByOne)->Arg(2000)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace mesosim::live

BENCHMARK_MAIN();
