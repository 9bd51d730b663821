// The CPU cost of one periodic Containerizer::poll() with N running containers in real cgroups
// v1 (bench/README.md, "Container poll"). Not a Google Benchmark: it needs root and writable v1
// hierarchies, starts N `sleep` tasks under /sys/fs/cgroup/<controller>/mesosim-bench-<pid>,
// takes the pidfd changes as the agent daemon's loop does (so the poll is the one that loop
// runs every container_poll_interval), and prints the process CPU time (user + system: the
// control file reads are system time) of one poll, as the minimum over runs of the mean of
// a batch of polls. Every container is destroyed before it exits.
//
//   containerizer_poll_bench [containers=500] [runs=7] [polls_per_run=20]

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "sim/live/containerizer.hpp"

namespace {

using namespace mesosim;
using namespace mesosim::live;

double cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

CommandTask sleep_task(int i) {
  CommandTask task;
  task.task_id = v1::TaskID{"sleep-" + std::to_string(i)};
  task.framework_id = v1::FrameworkID{"fw-bench"};
  task.executor_id = v1::ExecutorID{task.task_id.value};
  task.agent_id = v1::AgentID{"agent-bench"};
  task.command.shell = true;
  task.command.value = "exec sleep 3600";
  task.resources = Resources::parse("cpus:0.01;mem:32").value();
  return task;
}

}  // namespace

int main(int argc, char** argv) {
  const int containers = argc > 1 ? std::atoi(argv[1]) : 500;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 7;
  const int polls = argc > 3 ? std::atoi(argv[3]) : 20;
  const std::string root = "mesosim-bench-" + std::to_string(::getpid());
  const std::string work = std::filesystem::temp_directory_path() / root;
  std::unique_ptr<Isolator> isolator =
      make_cgroups_v1_isolator(CgroupsV1Layout{"/sys/fs/cgroup", root});
  ContainerizerOptions options;
  options.work_dir = work;
  int status = 0;
  {
    Containerizer containerizer(*isolator, options);
    Time now = Time::from_micros(1);
    for (int i = 0; i < containers; ++i) {
      Result<std::string> c = containerizer.launch(sleep_task(i), now);
      if (!c) {
        std::fprintf(stderr, "launch %d: %s\n", i, c.error().message.c_str());
        status = 1;
        break;
      }
    }
    std::vector<Containerizer::WatchedFdChange> changes;
    containerizer.take_watched_fd_changes(changes);  // as the agent daemon's loop does
    if (status == 0) {
      double best = 1e9;
      for (int r = 0; r < runs; ++r) {
        const double start = cpu_seconds();
        size_t ended = 0;
        for (int p = 0; p < polls; ++p) ended += containerizer.poll(now).size();
        const double per_poll = (cpu_seconds() - start) / polls;
        best = std::min(best, per_poll);
        if (ended != 0) {
          std::fprintf(stderr, "%zu containers ended during the run\n", ended);
          status = 1;
        }
      }
      std::printf("containers=%d runs=%d polls_per_run=%d cpu_per_poll_min=%.1f us\n", containers,
                  runs, polls, best * 1e6);
    }
    for (const Error& e : containerizer.destroy_all()) {
      std::fprintf(stderr, "destroy: %s\n", e.message.c_str());
    }
  }
  for (const char* c : {"cpu", "cpuacct", "memory", "pids"}) {
    std::filesystem::path dir = std::filesystem::path("/sys/fs/cgroup") / c / root;
    ::rmdir(dir.c_str());
  }
  std::filesystem::remove_all(work);
  return status;
}
