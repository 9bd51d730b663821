#pragma once
// live_http_bench's parts (live_http_bench.cpp says what it measures): its options, what its
// schedulers share, the v1 HTTP schedulers (live_http_bench_scheduler.cpp) and the agents it
// runs (live_http_bench_agents.cpp).

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "allocator/resources.hpp"

namespace mesosim::live_bench {

using SteadyClock = std::chrono::steady_clock;

inline double seconds_between(SteadyClock::time_point a, SteadyClock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

struct BenchOptions {
  int frameworks = 100;
  int agents = 2;
  double rate = 1000;    // launches per second wanted
  double duration = 20;  // seconds of launching
  double drain = 15;     // seconds to wait for the last tasks to finish
  std::string allocation_interval = "100ms";
  int max_tasks_per_offer = 100;
  std::string agent_resources = "cpus:64;mem:65536;disk:10000";
  double task_cpus = 0.01;
  double task_mem = 1;
  std::string command = "true";
  std::string log_level = "warning";
  std::string work_dir;  // empty: a fresh directory under /tmp, removed at the end
  std::string agent_mode = "process";
  std::string mesosim = MESOSIM_BINARY;  // for the agent processes
};

// What the schedulers share (their loop thread only).
struct Load {
  bool launching = false;
  SteadyClock::time_point start;
  double rate = 0;
  int subscribed = 0;
  uint64_t launched = 0;  // tasks put into ACCEPTs while launching
  uint64_t offers = 0, accepts = 0, declines = 0;
  std::set<int> offered;  // schedulers that got an offer while launching
  uint64_t running = 0, finished = 0, failed = 0, acknowledged = 0, call_errors = 0;
  std::vector<double> client_latency_ms;  // ACCEPT queued -> first TASK_RUNNING
  std::vector<std::string> problems;      // the first few, for the report

  uint64_t due(SteadyClock::time_point now) const {
    if (!launching) return 0;
    const double want = rate * seconds_between(start, now);
    return want > static_cast<double>(launched) ? static_cast<uint64_t>(want) - launched : 0;
  }
  void problem(std::string what) {
    if (problems.size() < 10) problems.push_back(std::move(what));
  }
};

// One v1 scheduler over HTTP: its SUBSCRIBE stream and its calls, on `io`
// (live_http_bench_scheduler.cpp).
class Scheduler;
// Connects scheduler `index` to the master at 127.0.0.1:`port` and subscribes it.
std::shared_ptr<Scheduler> start_scheduler(boost::asio::io_context& io, uint16_t port, int index,
                                           Load& load, const BenchOptions& o);
// Closes its connections; call on its io_context's thread.
void close_scheduler(Scheduler& scheduler);

// `mesosim agent` processes, stopped with SIGTERM at the end.
struct AgentProcesses {
  std::vector<pid_t> pids;
  ~AgentProcesses() { stop(); }
  void stop();
  // CPU seconds of the agents themselves, and of their task processes they have reaped.
  std::pair<double, double> cpu_seconds() const;
};

// --agent_mode protocol: the agent's side of the protocol and nothing else (see
// live_http_bench.cpp), on `io`, registered with the master at 127.0.0.1:`master_port`.
class ProtocolAgent;
std::shared_ptr<ProtocolAgent> start_protocol_agent(boost::asio::io_context& io,
                                                    uint16_t master_port, int index,
                                                    const Resources& resources);

// --agent_mode process: a `mesosim agent` process (posix isolation) for agent `i`.
std::optional<pid_t> spawn_agent(const BenchOptions& o, uint16_t master_port, int i,
                                 const std::string& dir);

}  // namespace mesosim::live_bench
