#include "sim/live/master_daemon.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>

#include "allocator/hierarchical_allocator.hpp"
#include "allocator/rng.hpp"
#include "mesosim/version.hpp"
#include "sim/live/http_transport.hpp"
#include "sim/live/latency_window.hpp"
#include "sim/live/loop_clock.hpp"
#include "sim/live/master_book.hpp"
#include "sim/live/master_state_json.hpp"
#include "sim/live/registry_file.hpp"
#include "sim/live/scheduler_api.hpp"
#include "sim/live/uuid.hpp"
#include "sim/live/v1_json.hpp"
#include "sim/live/webui/webui_page.hpp"
#include "sim/master/event_log.hpp"

namespace mesosim::live {

namespace me = master_event;

namespace {

class SteadyStopwatch final : public Stopwatch {
 public:
  Duration elapsed() override {
    const auto d = std::chrono::steady_clock::now() - start_;
    return Duration::micros(std::chrono::duration_cast<std::chrono::microseconds>(d).count());
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// The transport needs the master's Process before the Master (which needs its endpoint) exists.
struct ForwardToMaster final : Process {
  Master* master = nullptr;
  void receive(Endpoint from, Message&& message) override {
    if (master != nullptr) master->receive(from, std::move(message));
  }
};

// The master's log lines, in Mesos's words where Mesos logs the same thing.
class MasterLog final : public MasterObserver {
 public:
  void on_event(const MasterEvent& event) override {
    std::visit(
        [](const auto& e) {
          using T = std::decay_t<decltype(e)>;
          if constexpr (std::is_same_v<T, me::LeaderElected>) {
            spdlog::info("Elected as the leading master (id {})", e.master_id);
          } else if constexpr (std::is_same_v<T, me::AgentAdded>) {
            spdlog::info("{} agent {} ({}) with {}", e.reregistered ? "Re-registered" : "Added",
                         e.agent.value, e.hostname, e.total.to_string());
          } else if constexpr (std::is_same_v<T, me::AgentRemoved>) {
            spdlog::warn("Removed agent {}{}: {}", e.agent.value,
                         e.unreachable ? " (unreachable)" : "", e.message);
          } else if constexpr (std::is_same_v<T, me::AgentDisconnected>) {
            spdlog::warn("Agent {} disconnected", e.agent.value);
          } else if constexpr (std::is_same_v<T, me::FrameworkAdded>) {
            spdlog::info("{} framework {} ({}) in roles {}",
                         e.resubscribed ? "Re-subscribed" : "Added", e.framework.value, e.name,
                         fmt::join(e.roles, ","));
          } else if constexpr (std::is_same_v<T, me::FrameworkDisconnected>) {
            spdlog::info("Framework {} disconnected", e.framework.value);
          } else if constexpr (std::is_same_v<T, me::FrameworkRemoved>) {
            spdlog::info("Removed framework {} ({})", e.framework.value, to_string(e.reason));
          } else if constexpr (std::is_same_v<T, me::TaskStateChanged>) {
            spdlog::info("Task {} of framework {} on agent {} is {}{}", e.task.value,
                         e.framework.value, e.agent.value, v1::to_string(e.state),
                         e.message.empty() ? "" : ": " + e.message);
          } else if constexpr (std::is_same_v<T, me::CallRejected>) {
            spdlog::warn("Rejected {} call of framework {}: {}", e.call,
                         e.framework ? e.framework->value : "(none)", e.message);
          }
        },
        event.body);
  }
};

uint64_t choose_seed(uint64_t seed) {
  if (seed != 0) return seed;
  std::random_device device;
  return (uint64_t{device()} << 32) | device();
}

}  // namespace

struct MasterDaemon::Parts {
  Parts(boost::asio::io_context& io, MasterDaemonOptions o)
      : io(io),
        options(std::move(o)),
        rng(choose_seed(options.seed)),
        clock(io),
        transport(io, HttpTransportOptions{options.ip, options.port}),
        book(options.master.max_completed_tasks_per_framework,
             options.master.max_completed_frameworks) {}

  boost::asio::io_context& io;
  MasterDaemonOptions options;
  Rng rng;
  LoopClock clock;
  HttpTransport transport;
  SteadyStopwatch stopwatch;
  Registry registry;
  ForwardToMaster forward;
  Endpoint self;
  std::unique_ptr<Master> master;
  MasterBook book;
  MasterLog log;
  std::ofstream record_out;
  std::unique_ptr<EventLogWriter> record;
  std::unique_ptr<SchedulerApi> api;
  std::unique_ptr<HttpServer> server;
  MasterIdentity identity;
  TimerId flush_timer;
  // From an ACCEPT call read by the server to each of its launches written to the agent.
  LatencyWindow accept_to_launch;
  bool stopped = false;
  bool failed = false;  // the registry could not be written: the daemon stopped
  // Work posted onto the loop checks this first: the loop may outlive the daemon.
  std::shared_ptr<bool> alive = std::make_shared<bool>(true);

  HttpReply route(const HttpRequest& request);
  void flush_record_periodically();
  void registry_changed();
  std::optional<HttpResponse> authenticate_read_only(const HttpRequest& request) const;
};

namespace {

// Mesos's master: the endpoints of its READONLY_HTTP_AUTHENTICATION_REALM that mesosim serves
// (master/state, state-summary; libprocess's metrics/snapshot). /health, /redirect, /version
// and the web UI's page are served to anyone, as Mesos does.
bool read_only_realm(const std::string& path) {
  return path == "/master/state" || path == "/master/state.json" ||
         path == "/master/state-summary" || path == "/metrics/snapshot";
}

}  // namespace

// `--authenticate_http_readonly`: 401 with the realm's Basic challenge unless the request
// authenticates as one of the credentials (as libprocess's basic authenticator).
std::optional<HttpResponse> MasterDaemon::Parts::authenticate_read_only(
    const HttpRequest& request) const {
  if (!options.authenticate_http_readonly || !read_only_realm(request.path)) return std::nullopt;
  if (authenticate_basic(request.header("Authorization"), *options.credentials)) {
    return std::nullopt;
  }
  HttpResponse r = HttpResponse::text(
      401,
      "Unauthorized: this endpoint requires HTTP Basic credentials of a principal in the "
      "master's --credentials\n");
  r.headers.emplace_back("WWW-Authenticate", basic_challenge(kReadOnlyAuthenticationRealm));
  return r;
}

HttpReply MasterDaemon::Parts::route(const HttpRequest& request) {
  if (transport.handles(request)) return transport.receive(request);
  const std::string& path = request.path;
  if (path == "/api/v1/scheduler") return api->handle(request);
  if (path == "/" || path == "/index.html") {
    if (!is_read_only(request)) return get_only(request);
    return HttpResponse{
        200, {{"Content-Type", "text/html; charset=utf-8"}}, std::string(kWebUiPage)};
  }
  const bool known = path == "/master/state" || path == "/master/state.json" ||
                     path == "/master/state-summary" || path == "/metrics/snapshot" ||
                     path == "/health" || path == "/master/health" || path == "/version" ||
                     path == "/master/redirect" || path == "/redirect";
  if (!known) return HttpResponse::text(404, "No such endpoint: " + path + "\n");
  if (auto refused = authenticate_read_only(request)) return *refused;
  if (!is_read_only(request)) return get_only(request);
  if (path == "/health" || path == "/master/health") return HttpResponse{200, {}, ""};
  if (path == "/master/redirect" || path == "/redirect") {
    // This master always leads: the redirect names itself, as Mesos's does from the leader.
    return HttpResponse{
        307, {{"Location", fmt::format("//{}:{}", identity.hostname, identity.port)}}, ""};
  }
  if (path == "/version") {
    return HttpResponse::json(200, nlohmann::ordered_json{{"version", kVersion}}.dump());
  }
  if (path == "/metrics/snapshot") {
    nlohmann::ordered_json metrics = master_metrics_json(*master, book, identity, clock.now());
    add_timer_metrics(metrics, std::string(kAcceptToLaunchMetric), accept_to_launch);
    return HttpResponse::json(200, metrics.dump());
  }
  if (path == "/master/state-summary") {
    return HttpResponse::json(200, master_state_summary_json(*master, book, identity).dump());
  }
  return HttpResponse::json(200, master_state_json(*master, book, identity, registry).dump());
}

void MasterDaemon::Parts::flush_record_periodically() {
  record_out.flush();
  flush_timer = clock.schedule(Duration::seconds(1), [this] { flush_record_periodically(); });
}

// As Mesos's registrar, the registry is stored before anyone hears of the change: the master
// calls this right after it changes the registry and before it sends the message that follows
// (AgentRegisteredMessage, a framework's FAILURE event, offers of a new agent's resources), so
// the file is written (and fsynced) here, at once, on the loop. A master that changes it several
// times in one handler writes it several times; registry changes are rare (agents joining and
// leaving, reservations, weights, quota), so that costs little.
void MasterDaemon::Parts::registry_changed() {
  if (stopped || failed) return;
  Status written = write_registry(options.work_dir, registry);
  if (written) return;
  // As Mesos's master, which aborts when its registrar cannot store an operation: acting on a
  // change that a restart would not know of is worse than stopping. The transport is stopped at
  // once, so the rest of the handler that made the change sends nothing (the agent is not told
  // it registered, no framework hears of it); the daemon stops when the handler has returned.
  spdlog::error("Failed to update the registry: {}; stopping", written.error().message);
  failed = true;
  transport.stop();
  if (!stopped) {
    boost::asio::post(io, [this, alive = std::weak_ptr<bool>(alive)] {
      if (!alive.lock()) return;
      MasterDaemon::stop_parts(*this);
      io.stop();
    });
  }
}

namespace {

// Mesos's words: "Recovered 2 agents from the registry (...); allowing 10mins for agents to
// reregister".
std::string recovered_summary(const Registry& registry, Duration reregister_timeout) {
  size_t admitted = 0, unreachable = 0, gone = 0;
  for (const auto& [id, agent] : registry.agents) {
    if (agent.state == Registry::AgentState::kAdmitted) ++admitted;
    if (agent.state == Registry::AgentState::kUnreachable) ++unreachable;
    if (agent.state == Registry::AgentState::kGone) ++gone;
  }
  return fmt::format(
      "Recovered {} agents from the registry ({} admitted, {} unreachable, {} gone), {} weights "
      "and {} quotas; allowing {} for agents to re-register",
      registry.agents.size(), admitted, unreachable, gone, registry.weights.size(),
      registry.quotas.size(), reregister_timeout.to_string());
}

// An authentication flag without --credentials, in Mesos's words.
Error missing_credentials(std::string_view flag, std::string_view realm) {
  return Error{fmt::format(
      "{} requires --credentials: No credentials provided for the default 'basic' HTTP "
      "authenticator for realm '{}'",
      flag, realm)};
}

}  // namespace

Result<std::unique_ptr<MasterDaemon>> MasterDaemon::start(boost::asio::io_context& io,
                                                          MasterDaemonOptions options) {
  if (options.work_dir.empty()) return Error{"--work_dir is required"};
  if (options.authenticate_http_frameworks && !options.credentials) {
    return missing_credentials("--authenticate_http_frameworks", kFrameworkAuthenticationRealm);
  }
  if (options.authenticate_http_readonly && !options.credentials) {
    return missing_credentials("--authenticate_http_readonly", kReadOnlyAuthenticationRealm);
  }
  std::error_code ec;
  std::filesystem::create_directories(options.work_dir, ec);
  if (ec) return Error{fmt::format("--work_dir '{}': {}", options.work_dir, ec.message())};
  Result<std::optional<Registry>> recovered = read_registry(options.work_dir);
  if (!recovered) return recovered.error();
  auto parts = std::make_unique<Parts>(io, std::move(options));
  Parts& p = *parts;
  if (recovered.value()) {
    p.registry = std::move(*recovered.value());
    spdlog::info("{}", recovered_summary(p.registry, p.options.master.agent_reregister_timeout));
  }
  p.registry.on_change = [&p] { p.registry_changed(); };
  if (p.options.record_file) {
    p.record_out.open(*p.options.record_file, std::ios::out | std::ios::trunc);
    if (!p.record_out) {
      return Error{fmt::format("--record '{}': cannot open for writing", *p.options.record_file)};
    }
  }
  p.self = p.transport.add_process("master", p.forward);
  p.transport.on_sent([&p](std::string_view message, Duration since_accept) {
    if (message == "RunTaskMessage") p.accept_to_launch.record(since_accept);
  });
  MasterOptions mo = p.options.master;
  if (mo.master_id.empty() || mo.master_id == MasterOptions{}.master_id) {
    mo.master_id = Uuid::random(p.rng).to_string();
  }
  mo.stopwatch = &p.stopwatch;
  AllocatorOptions ao = p.options.allocator;
  ao.allocation_interval = mo.allocation_interval;
  ao.seed = p.rng.next();
  p.master = std::make_unique<Master>(p.self, p.clock, p.transport,
                                      std::make_unique<HierarchicalAllocator>(ao), p.registry, mo);
  p.forward.master = p.master.get();
  p.master->add_observer(&p.book);
  p.master->add_observer(&p.log);
  if (p.options.record_file) {
    p.record = std::make_unique<EventLogWriter>(
        p.record_out, EventLogHeader{kEventLogVersion, "mesosim master", TimeBase::kUnixEpoch});
    p.master->add_observer(p.record.get());
  }

  HttpServerOptions so;
  so.ip = p.options.ip;
  so.port = p.options.port;
  so.max_body_bytes = p.options.max_body_bytes;
  Result<std::unique_ptr<HttpServer>> server =
      HttpServer::start(io, so, [&p](const HttpRequest& r) { return p.route(r); });
  if (!server) return server.error();
  p.server = std::move(server).value();
  p.transport.set_port(p.server->port());

  const std::string hostname = p.options.hostname.empty() ? p.options.ip : p.options.hostname;
  p.identity = MasterIdentity{mo.master_id,   p.transport.address_of(p.self),
                              hostname,       p.server->port(),
                              kVersion,       p.clock.now(),
                              p.options.flags};
  v1::MasterInfo info{mo.master_id,     mesos_ip(p.options.ip).value_or(0),
                      p.server->port(), hostname,
                      kVersion,         p.options.ip};
  std::optional<Credentials> framework_credentials;
  if (p.options.authenticate_http_frameworks) {
    framework_credentials = p.options.credentials;
    spdlog::info("Master only allowing authenticated HTTP frameworks to register");
  } else {
    spdlog::info("Master allowing HTTP frameworks to register without authentication");
  }
  spdlog::info("Master {} read-only HTTP endpoints", p.options.authenticate_http_readonly
                                                         ? "only allowing authenticated requests to"
                                                         : "allowing unauthenticated requests to");
  p.api = std::make_unique<SchedulerApi>(*p.master, p.self, p.transport, info, p.rng,
                                         std::move(framework_credentials));
  p.master->elect();
  if (p.record) p.flush_record_periodically();
  spdlog::info("Master {} listening on {}:{} ({})", mo.master_id, p.options.ip, p.server->port(),
               p.identity.pid);
  return std::unique_ptr<MasterDaemon>(new MasterDaemon(std::move(parts)));
}

MasterDaemon::MasterDaemon(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

MasterDaemon::~MasterDaemon() { stop(); }

uint16_t MasterDaemon::port() const { return parts_->server->port(); }
std::string MasterDaemon::pid() const { return parts_->identity.pid; }
bool MasterDaemon::stopped() const { return parts_->stopped; }
Master& MasterDaemon::master() { return *parts_->master; }
const MasterBook& MasterDaemon::book() const { return parts_->book; }
LoopClock& MasterDaemon::clock() { return parts_->clock; }
HttpTransport& MasterDaemon::transport() { return parts_->transport; }

void MasterDaemon::stop() { stop_parts(*parts_); }

bool MasterDaemon::failed() const { return parts_->failed; }

void MasterDaemon::stop_parts(Parts& p) {
  if (p.stopped) return;
  p.stopped = true;
  p.clock.cancel(p.flush_timer);
  p.api->close_all();
  p.server->stop();
  p.transport.stop();
  // The master's timers stop; a shutdown is not a crash, so the record does not say one.
  if (p.record) p.master->remove_observer(p.record.get());
  p.master->remove_observer(&p.log);
  p.master->crash();
  p.record_out.flush();
  spdlog::info("Master stopped");
}

int run_master_daemon(MasterDaemonOptions options) {
  boost::asio::io_context io;
  Result<std::unique_ptr<MasterDaemon>> daemon = MasterDaemon::start(io, std::move(options));
  if (!daemon) {
    spdlog::error("Cannot start the master: {}", daemon.error().message);
    return 1;
  }
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("Received {}; shutting down", signal == SIGINT ? "SIGINT" : "SIGTERM");
    daemon.value()->stop();
    io.stop();
  });
  io.run();
  return daemon.value()->failed() ? 1 : 0;
}

}  // namespace mesosim::live
