#include "sim/live/agent_daemon.hpp"

#include <unistd.h>

#include <chrono>
#include <functional>
#include <memory>
#include <random>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "allocator/rng.hpp"
#include "mesosim/version.hpp"
#include "sim/live/containerizer.hpp"
#include "sim/live/http_server.hpp"
#include "sim/live/http_transport.hpp"
#include "sim/live/isolation_detection.hpp"
#include "sim/live/live_agent.hpp"
#include "sim/live/live_agent_json.hpp"
#include "sim/live/loop_clock.hpp"

namespace mesosim::live {
namespace {

uint64_t choose_seed(uint64_t seed) {
  if (seed != 0) return seed;
  std::random_device device;
  return (uint64_t{device()} << 32) | device();
}

// Delivers the transport's messages to the agent, then lets the daemon look at what changed
// (a launched task has a new pidfd to watch).
struct ForwardToAgent final : Process {
  LiveAgent* agent = nullptr;
  std::function<void()> after;
  void receive(Endpoint from, Message&& message) override {
    if (agent == nullptr) return;
    agent->receive(from, std::move(message));
    if (after) after();
  }
};

void apply_timings(LiveAgentConfig& config, const LiveAgentConfig& t) {
  config.registration_backoff = t.registration_backoff;
  config.master_ping_timeout = t.master_ping_timeout;
  config.status_update_retry = t.status_update_retry;
  config.status_update_retry_max = t.status_update_retry_max;
  config.container_poll_interval = t.container_poll_interval;
  config.usage_report_interval = t.usage_report_interval;
}

}  // namespace

struct AgentDaemon::Parts {
  Parts(boost::asio::io_context& io, AgentDaemonOptions o)
      : io(io),
        options(std::move(o)),
        clock(io),
        transport(io, HttpTransportOptions{options.ip, options.flags.port}) {}

  boost::asio::io_context& io;
  AgentDaemonOptions options;
  LoopClock clock;
  HttpTransport transport;
  ForwardToAgent forward;
  std::unique_ptr<Isolator> isolator;
  std::unique_ptr<Containerizer> containerizer;
  std::unique_ptr<LiveAgent> agent;
  std::unique_ptr<HttpServer> server;
  nlohmann::json flags = nlohmann::json::object();
  // One watcher per task pidfd or OOM notification fd (a dup, owned by the descriptor), keyed
  // by the containerizer's fd.
  std::unordered_map<int, std::unique_ptr<boost::asio::posix::stream_descriptor>> watched;
  std::vector<Containerizer::WatchedFdChange> watched_fd_changes;  // reused by each watch_pidfds()
  std::vector<int> readable;  // fds whose watchers fired, looked at together
  // Expires with the Parts: a posted reap may outlive them on the loop.
  std::shared_ptr<bool> alive = std::make_shared<bool>(true);
  bool stopped = false;

  HttpReply route(const HttpRequest& request);
  void watch_pidfds();
  void watch(int fd);
  void reap_readable();
};

HttpReply AgentDaemon::Parts::route(const HttpRequest& request) {
  if (transport.handles(request)) return transport.receive(request);
  const std::string& path = request.path;
  const bool state = path == "/state" || path == "/state.json" || path == "/slave(1)/state";
  const bool statistics = path == "/monitor/statistics" || path == "/monitor/statistics.json";
  const bool known = state || statistics || path == "/health" || path == "/version";
  if (!known) return HttpResponse::text(404, "No such endpoint: " + path + "\n");
  if (!is_read_only(request)) return get_only(request);
  if (path == "/health") return HttpResponse{200, {}, ""};
  if (path == "/version") {
    return HttpResponse::json(200, nlohmann::ordered_json{{"version", kVersion}}.dump());
  }
  if (statistics)
    return HttpResponse::json(200, monitor_statistics_json(*agent, clock.now()).dump());
  return HttpResponse::json(200, agent_state_json(*agent, kVersion, flags).dump());
}

// Watches every task's pidfd and, with cgroups, its memory cgroup's OOM notification fd:
// readable means the task's process ended, or the kernel reported a memory event, so the agent
// looks at that container now rather than at its next poll (which then skips it). Runs after
// every message, launch and wake-up, so it costs what changed since the last run, not what is
// running: a launched or adopted container gets its watchers; a forgotten one loses them
// (cancelled, if they have not fired).
void AgentDaemon::Parts::watch_pidfds() {
  if (stopped || !agent) return;
  agent->take_watched_fd_changes(watched_fd_changes);
  for (const Containerizer::WatchedFdChange& change : watched_fd_changes) {
    // Closes come before the open that reuses their fd number, so the map stays exact.
    watched.erase(change.fd);
    if (change.opened) watch(change.fd);
  }
}

// A watcher fires once. The fds that fired by the time the loop gets to the posted reap are
// handed to one poll of just their containers (the ended ones destroyed together: posix
// isolation lists the machine's processes once for all of them).
void AgentDaemon::Parts::watch(int fd) {
  const int copy = ::dup(fd);
  if (copy < 0) {
    agent->pidfd_unwatched(fd);  // the agent's periodic poll looks at it instead
    return;
  }
  auto descriptor = std::make_unique<boost::asio::posix::stream_descriptor>(io, copy);
  descriptor->async_wait(boost::asio::posix::stream_descriptor::wait_read,
                         [this, fd, alive = std::weak_ptr<bool>(alive)](
                             const boost::system::error_code& ec) {
                           // Fired before a stop but run after it: the Parts may be gone.
                           if (ec || alive.expired() || stopped) return;
                           watched.erase(fd);
                           readable.push_back(fd);
                           if (readable.size() == 1) {
                             boost::asio::post(io, [this, alive = std::weak_ptr<bool>(alive)] {
                               if (!alive.expired()) reap_readable();
                             });
                           }
                         });
  watched.emplace(fd, std::move(descriptor));
}

void AgentDaemon::Parts::reap_readable() {
  if (stopped || !agent) return;
  std::vector<int> fds;
  fds.swap(readable);
  agent->poll_pidfds(fds);
  watch_pidfds();
  // Still the containerizer's (an OOM fd whose task is being killed; a pidfd readable before
  // its task could be reaped): watched again, so that the next event is not missed.
  for (int fd : fds) {
    if (agent->containerizer().watches(fd) && watched.count(fd) == 0) watch(fd);
  }
}

size_t AgentDaemon::watched_pidfds() const { return parts_->watched.size(); }

Result<std::unique_ptr<AgentDaemon>> AgentDaemon::start(boost::asio::io_context& io,
                                                        AgentDaemonOptions options) {
  Result<LiveAgentConfig> config = agent_config(options.flags);
  if (!config) return config.error();
  Result<MasterAddress> master = parse_master_flag(options.flags.master);
  if (!master) return master.error();
  Result<IsolationDetection> isolation = agent_isolation(options.flags, options.cgroups_root);
  if (!isolation) return isolation.error();
  spdlog::info("Isolation: {}", isolation.value().explanation);

  auto parts = std::make_unique<Parts>(io, std::move(options));
  Parts& p = *parts;
  if (p.options.timings) apply_timings(config.value(), *p.options.timings);
  p.flags = {{"master", p.options.flags.master},
             {"work_dir", p.options.flags.work_dir},
             {"isolation", p.options.flags.isolation},
             {"port", std::to_string(p.options.flags.port)}};

  HttpServerOptions so;
  so.ip = p.options.ip;
  so.port = p.options.flags.port;
  Result<std::unique_ptr<HttpServer>> server =
      HttpServer::start(io, so, [&p](const HttpRequest& r) { return p.route(r); });
  if (!server) return server.error();
  p.server = std::move(server).value();
  p.transport.set_port(p.server->port());
  config.value().port = p.server->port();
  p.options.flags.port = p.server->port();

  p.isolator = make_isolator(isolation.value(), p.options.cgroup_name);
  ContainerizerOptions containerizer = containerizer_options(p.options.flags, config.value());
  containerizer.log = [](const std::string& line) { spdlog::warn("{}", line); };
  p.containerizer = std::make_unique<Containerizer>(*p.isolator, std::move(containerizer));
  const Endpoint self = p.transport.add_process("agent", p.forward);
  p.agent = std::make_unique<LiveAgent>(self, p.clock, p.transport, *p.containerizer,
                                        Rng(choose_seed(p.options.seed)), config.value(),
                                        [](const std::string& line) { spdlog::info("{}", line); });
  p.forward.agent = p.agent.get();
  p.forward.after = [&p] { p.watch_pidfds(); };
  p.agent->set_launch_listener([&p] { p.watch_pidfds(); });
  if (Status s = p.agent->start(); !s.ok()) {
    p.server->stop();
    return Error{fmt::format("cannot recover from --work_dir '{}': {}", p.options.flags.work_dir,
                             s.error().message)};
  }
  const Endpoint leader =
      p.transport.peer(ProcessAddress{"master", master.value().host, master.value().port});
  p.agent->receive(leader, MasterDetectedMessage{leader});
  p.watch_pidfds();
  spdlog::info("Agent {} listening on {}:{} with {}; master at {}:{}", p.transport.address_of(self),
               p.options.ip, p.server->port(), config.value().resources.to_string(),
               master.value().host, master.value().port);
  return std::unique_ptr<AgentDaemon>(new AgentDaemon(std::move(parts)));
}

AgentDaemon::AgentDaemon(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

AgentDaemon::~AgentDaemon() { stop(); }

uint16_t AgentDaemon::port() const { return parts_->server->port(); }
std::string AgentDaemon::pid() const {
  return parts_->transport.address_of(parts_->agent->endpoint());
}
bool AgentDaemon::stopped() const { return parts_->stopped; }
bool AgentDaemon::finished() const { return parts_->agent->shutdown_complete(); }
LiveAgent& AgentDaemon::agent() { return *parts_->agent; }
HttpTransport& AgentDaemon::transport() { return parts_->transport; }

void AgentDaemon::stop() {
  Parts& p = *parts_;
  if (p.stopped) return;
  p.stopped = true;
  p.watched.clear();
  p.server->stop();
  p.transport.stop();
  p.forward.agent = nullptr;
  p.agent->stop_launching();
  spdlog::info("Agent stopped");
}

int run_agent_daemon(AgentDaemonOptions options) {
  boost::asio::io_context io;
  Result<std::unique_ptr<AgentDaemon>> daemon = AgentDaemon::start(io, std::move(options));
  if (!daemon) {
    spdlog::error("Cannot start the agent: {}", daemon.error().message);
    return 1;
  }
  AgentDaemon& d = *daemon.value();
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("Received {}; shutting down", signal == SIGINT ? "SIGINT" : "SIGTERM");
    d.stop();
    io.stop();
  });
  // The master may shut the agent down: exit once its last task has ended.
  boost::asio::steady_timer check(io);
  std::function<void()> watch_finished = [&] {
    check.expires_after(std::chrono::milliseconds(200));
    check.async_wait([&](const boost::system::error_code& ec) {
      if (ec || d.stopped()) return;
      if (d.finished()) {
        spdlog::info("Shut down by the master; exiting");
        d.stop();
        io.stop();  // the agent's own timers would keep the loop alive
        return;
      }
      watch_finished();
    });
  };
  watch_finished();
  io.run();
  return 0;
}

}  // namespace mesosim::live
