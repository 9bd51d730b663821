// Live mode through the Mesos v1 HTTP API: many schedulers, a target launch rate, and the
// master's own latency from ACCEPT to launch.
//
// A real MasterDaemon (its HTTP server, HTTP transport, v1 scheduler API and registry file, as
// `mesosim master` runs them) on its own thread of this process; N agents (--agent_mode):
//   process   `mesosim agent` processes, `--isolation posix`: each task a real process, no
//             cgroups (the default: a real deployment on one machine);
//   thread    AgentDaemons on one thread here (their forks copy this whole process's page
//             tables, which makes each launch dearer than in a real deployment);
//   protocol  stand-ins on one thread here that speak the agent's side of the protocol over
//             the same HTTP transport (register, pong, and for each RunTaskMessage a
//             TASK_RUNNING then a TASK_FINISHED update, acknowledged as usual) and run nothing:
//             they take the agents' own cost out, to see what the master and HTTP can do;
// and F schedulers on a third thread that speak the v1 API over loopback HTTP exactly as an
// external client does: a SUBSCRIBE stream read chunk by chunk (RecordIO, JSON), and ACCEPT /
// DECLINE / ACKNOWLEDGE calls with `Mesos-Stream-Id` on a keep-alive connection of their own.
//
// Once every scheduler is subscribed and every agent registered, the schedulers launch tasks at
// the target rate for the given duration: a shared schedule says how many launches are due by
// now; a scheduler given an offer puts as many of the due launches into it as fit (at most
// --max_tasks_per_offer), in one ACCEPT with one LAUNCH, and declines an offer when none is
// due. Every update with a uuid is acknowledged. A task is `--command` (default `true`).
//
// Reported: achieved launches/s (RunTaskMessages the master wrote to agents during the run),
// offers/s and how many schedulers got offers, tasks finished, and the master's ACCEPT→launch
// latency (p50/p90/p99/max of the `mesosim/master/accept_to_launch_ms` timer in
// /metrics/snapshot: from the master's HTTP server having read the ACCEPT to the RunTaskMessage
// written to the agent's connection), beside the schedulers' own view (ACCEPT queued → first
// TASK_RUNNING update). CPU time of each thread (master, agents, schedulers) and of the task
// processes over the run, so the load of the machine can be told apart from the master's cost.
//
// A load generator, not a Google Benchmark: it runs for wall-clock time at a rate, which the
// iteration model of Google Benchmark does not fit. Figures and the commands: bench/README.md.
// This file runs the master and reports; the schedulers are in live_http_bench_scheduler.cpp,
// the agents in live_http_bench_agents.cpp.

#include <pthread.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "bench/live_http_bench.hpp"
#include "sim/live/agent_daemon.hpp"
#include "sim/live/master_daemon.hpp"
#include "sim/live/mesos_flags.hpp"

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using namespace mesosim;
using namespace mesosim::live;
using namespace mesosim::live_bench;

// An io_context on its own thread; call() runs a function there and waits for its result.
class Loop {
 public:
  // `name` names the thread (top -H, perf report --sort comm).
  explicit Loop(const char* name) : guard_(io_.get_executor()), thread_([this] { io_.run(); }) {
    pthread_setname_np(thread_.native_handle(), name);
  }
  ~Loop() { finish(); }
  void finish() {
    if (!thread_.joinable()) return;
    guard_.reset();
    io_.stop();
    thread_.join();
  }
  net::io_context& io() { return io_; }
  template <typename Fn>
  auto call(Fn fn) -> decltype(fn()) {
    std::packaged_task<decltype(fn())()> task(std::move(fn));
    auto result = task.get_future();
    net::post(io_, [&task] { task(); });
    return result.get();
  }
  // CPU time the thread has used so far.
  double cpu_seconds() {
    clockid_t id;
    timespec ts{};
    if (pthread_getcpuclockid(thread_.native_handle(), &id) != 0) return 0;
    clock_gettime(id, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
  }

 private:
  net::io_context io_;
  net::executor_work_guard<net::io_context::executor_type> guard_;
  std::thread thread_;
};

json get_metrics(uint16_t port) {
  net::io_context io;
  beast::tcp_stream s(io);
  s.connect(tcp::endpoint{net::ip::make_address("127.0.0.1"), port});
  http::request<http::empty_body> req{http::verb::get, "/metrics/snapshot", 11};
  req.set(http::field::host, "127.0.0.1");
  http::write(s, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(s, buffer, res);
  return json::parse(res.body());
}

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto k = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size())));
  return v[std::max<size_t>(k, 1) - 1];
}

double children_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_CHILDREN, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

template <typename Pred>
bool wait_until(Pred pred, double seconds) {
  const auto deadline = SteadyClock::now() + std::chrono::duration<double>(seconds);
  while (SteadyClock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}

int run(const BenchOptions& o) {
  spdlog::set_level(spdlog::level::from_str(o.log_level));
  std::string dir = o.work_dir;
  const bool own_dir = dir.empty();
  if (own_dir) {
    std::string tmpl = "/tmp/mesosim-live-bench-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) {
      fmt::print(stderr, "cannot create a work dir under /tmp\n");
      return 1;
    }
    dir = tmpl;
  }

  Loop master_loop("master"), agent_loop("agents"), scheduler_loop("schedulers");
  MasterDaemonOptions mo;
  mo.port = 0;
  mo.work_dir = dir + "/master";
  mo.seed = 1;
  auto interval = parse_mesos_duration(o.allocation_interval);
  if (!interval || interval.value() <= Duration::zero()) {
    fmt::print(stderr, "--allocation_interval '{}': not a positive duration\n",
               o.allocation_interval);
    return 2;
  }
  mo.master.allocation_interval = interval.value();
  auto started = master_loop.call([&] { return MasterDaemon::start(master_loop.io(), mo); });
  if (!started) {
    fmt::print(stderr, "master: {}\n", started.error().message);
    return 1;
  }
  std::unique_ptr<MasterDaemon> master = std::move(started).value();
  const uint16_t port = master->port();

  std::vector<std::unique_ptr<AgentDaemon>> agents;
  std::vector<std::shared_ptr<ProtocolAgent>> protocol_agents;
  AgentProcesses agent_processes;
  if (o.agent_mode == "protocol") {
    Result<Resources> resources = Resources::parse(o.agent_resources);
    if (!resources) {
      fmt::print(stderr, "--agent_resources: {}\n", resources.error().message);
      return 2;
    }
    for (int i = 0; i < o.agents; ++i) {
      agent_loop.call([&] {
        protocol_agents.push_back(
            start_protocol_agent(agent_loop.io(), port, i, resources.value()));
      });
    }
  }
  for (int i = 0; i < o.agents && o.agent_mode == "process"; ++i) {
    std::optional<pid_t> pid = spawn_agent(o, port, i, dir);
    if (!pid) {
      fmt::print(stderr, "cannot run {} agent\n", o.mesosim);
      return 1;
    }
    agent_processes.pids.push_back(*pid);
  }
  for (int i = 0; i < o.agents && o.agent_mode == "thread"; ++i) {
    AgentDaemonOptions ao;
    ao.flags.master = fmt::format("127.0.0.1:{}", port);
    ao.flags.port = 0;
    ao.flags.work_dir = fmt::format("{}/agent{}", dir, i);
    ao.flags.resources = o.agent_resources;
    ao.flags.isolation = "posix";
    ao.flags.switch_user = false;
    ao.flags.hostname = fmt::format("bench-agent-{}", i);
    ao.seed = static_cast<uint64_t>(i + 1);
    auto agent = agent_loop.call([&] { return AgentDaemon::start(agent_loop.io(), ao); });
    if (!agent) {
      fmt::print(stderr, "agent {}: {}\n", i, agent.error().message);
      return 1;
    }
    agents.push_back(std::move(agent).value());
  }
  if (!wait_until(
          [&] {
            return master_loop.call([&] { return master->master().agents().size(); }) ==
                   static_cast<size_t>(o.agents);
          },
          30)) {
    fmt::print(stderr, "the agents did not register within 30 s\n");
    return 1;
  }

  Load load;
  load.rate = o.rate;
  std::vector<std::shared_ptr<Scheduler>> schedulers;
  scheduler_loop.call([&] {
    for (int i = 0; i < o.frameworks; ++i) {
      schedulers.push_back(start_scheduler(scheduler_loop.io(), port, i, load, o));
    }
  });
  if (!wait_until(
          [&] { return scheduler_loop.call([&] { return load.subscribed; }) == o.frameworks; },
          60)) {
    fmt::print(stderr, "only {} of {} schedulers subscribed within 60 s\n",
               scheduler_loop.call([&] { return load.subscribed; }), o.frameworks);
    return 1;
  }

  const std::string load_before = load_average();
  const double master_cpu0 = master_loop.cpu_seconds();
  const auto [agent_processes_cpu0, agent_tasks_cpu0] = agent_processes.cpu_seconds();
  const double agent_cpu0 = agent_loop.cpu_seconds() + agent_processes_cpu0;
  const double sched_cpu0 = scheduler_loop.cpu_seconds();
  const double children0 = children_cpu_seconds() + agent_tasks_cpu0;
  const json metrics0 = get_metrics(port);
  const double sent0 = metrics0.value("mesosim/master/accept_to_launch_ms/count", 0.0);
  const auto t0 = scheduler_loop.call([&] {
    load.start = SteadyClock::now();
    load.launching = true;
    return load.start;
  });
  std::this_thread::sleep_for(std::chrono::duration<double>(o.duration));
  struct Counts {
    uint64_t launched, offers, accepts, declines, running, finished, failed, acknowledged;
    size_t offered;
  };
  const auto [t1, c] = scheduler_loop.call([&] {
    load.launching = false;
    return std::pair{SteadyClock::now(),
                     Counts{load.launched, load.offers, load.accepts, load.declines, load.running,
                            load.finished, load.failed, load.acknowledged, load.offered.size()}};
  });
  const json metrics1 = get_metrics(port);
  const double master_cpu1 = master_loop.cpu_seconds();
  const auto [agent_processes_cpu1, agent_tasks_cpu1] = agent_processes.cpu_seconds();
  const double agent_cpu1 = agent_loop.cpu_seconds() + agent_processes_cpu1;
  const double sched_cpu1 = scheduler_loop.cpu_seconds();
  const double children1 = children_cpu_seconds() + agent_tasks_cpu1;
  const std::string load_after = load_average();
  const double elapsed = seconds_between(t0, t1);
  const double sent = metrics1.value("mesosim/master/accept_to_launch_ms/count", 0.0) - sent0;

  // The last launches finish (or the drain time passes); the timer then covers every launch.
  wait_until(
      [&] {
        return scheduler_loop.call([&] { return load.finished + load.failed >= load.launched; });
      },
      o.drain);
  const json metrics = get_metrics(port);
  const auto [drained, latencies, problems, errors] = scheduler_loop.call([&] {
    for (auto& s : schedulers) close_scheduler(*s);
    return std::tuple{load.finished + load.failed, load.client_latency_ms, load.problems,
                      load.call_errors};
  });

  const std::string m = "mesosim/master/accept_to_launch_ms";
  fmt::print(
      "live_http_bench: {} schedulers, {} agents ({}, {}), task `{}` "
      "(cpus {} mem {}), allocation_interval {}, max {} tasks per offer\n",
      o.frameworks, o.agents,
      o.agent_mode == "process"  ? "mesosim agent processes, posix isolation"
      : o.agent_mode == "thread" ? "AgentDaemons on a thread, posix isolation"
                                 : "protocol stand-ins, no processes",
      o.agent_resources, o.command, o.task_cpus, o.task_mem, o.allocation_interval,
      o.max_tasks_per_offer);
  fmt::print("target {:.0f} launches/s for {:.1f} s; load average before {} after {}\n", o.rate,
             elapsed, load_before, load_after);
  fmt::print("launches/s (RunTaskMessage written by the master): {:.1f}  ({:.0f} in {:.1f} s)\n",
             sent / elapsed, sent, elapsed);
  fmt::print(
      "tasks put into ACCEPTs: {} ({:.1f}/s); offers: {} ({:.1f}/s) to {} of {} "
      "schedulers; {} ACCEPT, {} DECLINE\n",
      c.launched, static_cast<double>(c.launched) / elapsed, c.offers,
      static_cast<double>(c.offers) / elapsed, c.offered, o.frameworks, c.accepts, c.declines);
  fmt::print(
      "during the run: {} TASK_RUNNING, {} TASK_FINISHED, {} other ends, {} ACKNOWLEDGE; "
      "after {:.0f} s of drain: {} of {} ended\n",
      c.running, c.finished, c.failed, c.acknowledged, o.drain, drained, c.launched);
  fmt::print(
      "master ACCEPT->launch written (ms, last {} launches): p50 {:.3f} p90 {:.3f} "
      "p99 {:.3f} p99.9 {:.3f} max {:.3f}\n",
      metrics.value(m + "/count", 0.0), metrics.value(m + "/p50", 0.0),
      metrics.value(m + "/p90", 0.0), metrics.value(m + "/p99", 0.0),
      metrics.value(m + "/p999", 0.0), metrics.value(m + "/max", 0.0));
  fmt::print(
      "schedulers' ACCEPT queued->TASK_RUNNING seen (ms, {} tasks): p50 {:.3f} "
      "p99 {:.3f}\n",
      latencies.size(), percentile(latencies, 0.5), percentile(latencies, 0.99));
  fmt::print(
      "CPU seconds during the run: master thread {:.2f}, agents {:.2f}, "
      "schedulers thread {:.2f}, task processes (reaped) {:.2f} (of {:.1f} s x 2 cores)\n",
      master_cpu1 - master_cpu0, agent_cpu1 - agent_cpu0, sched_cpu1 - sched_cpu0,
      children1 - children0, elapsed);
  fmt::print("master CPU per launch: {:.1f} us\n",
             sent > 0 ? (master_cpu1 - master_cpu0) / sent * 1e6 : 0.0);
  fmt::print("call errors: {}\n", errors);
  for (const auto& p : problems) fmt::print("  {}\n", p);

  scheduler_loop.finish();
  agent_processes.stop();
  agent_loop.call([&] {
    for (auto& a : agents) a->stop();
  });
  master_loop.call([&] { master->stop(); });
  agent_loop.call([&] {
    agents.clear();
    protocol_agents.clear();
  });
  master_loop.call([&] { master.reset(); });
  if (own_dir) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  return errors == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  BenchOptions o;
  CLI::App app{"mesosim live mode through the v1 HTTP API: schedulers, a launch rate, latency"};
  app.add_option("--frameworks", o.frameworks, "Schedulers subscribed over HTTP")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  app.add_option("--agents", o.agents, "Agent daemons (posix isolation)")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_option("--rate", o.rate, "Launches per second wanted")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--duration", o.duration, "Seconds of launching")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--drain", o.drain, "Seconds to wait for the last tasks to end")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--allocation_interval", o.allocation_interval, "The master's")
      ->capture_default_str();
  app.add_option("--max_tasks_per_offer", o.max_tasks_per_offer, "Launches in one ACCEPT")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  app.add_option("--agent_resources", o.agent_resources, "Each agent's --resources")
      ->capture_default_str();
  app.add_option("--task_cpus", o.task_cpus, "cpus of a task")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--task_mem", o.task_mem, "mem (MB) of a task")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--command", o.command, "The tasks' shell command")->capture_default_str();
  app.add_option("--log_level", o.log_level, "The daemons' spdlog level")
      ->check(CLI::IsMember({"trace", "debug", "info", "warning", "error", "off"}))
      ->capture_default_str();
  app.add_option("--work_dir", o.work_dir, "Kept after the run (default: a removed /tmp dir)");
  app.add_option("--agent_mode", o.agent_mode,
                 "process: `mesosim agent` processes; thread: AgentDaemons here; protocol: "
                 "stand-ins that run nothing")
      ->check(CLI::IsMember({"process", "thread", "protocol"}))
      ->capture_default_str();
  app.add_option("--mesosim", o.mesosim, "The mesosim program for the agent processes")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  return run(o);
}
