#include "cli/master.hpp"

#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "sim/live/live_agent_options.hpp"
#include "sim/live/master_daemon.hpp"
#include "sim/live/mesos_flags.hpp"

namespace mesosim {

void add_master_cli(CLI::App& app, MasterCli& cli) {
  CLI::App* m = app.add_subcommand("master", "Run the live master daemon (Mesos v1 HTTP API)");
  cli.command = m;
  m->add_option("--ip", cli.ip, "IP address to listen on")->capture_default_str();
  m->add_option("--port", cli.port, "Port to listen on")->capture_default_str();
  m->add_option("--hostname", cli.hostname, "Hostname to advertise (default: the ip)");
  m->add_option("--work_dir", cli.work_dir, "Directory for the master's files")->required();
  m->add_option("--record", cli.record, "Write the master's event stream to this file");
  m->add_option("--allocation_interval", cli.allocation_interval, "Time between allocation runs")
      ->capture_default_str();
  m->add_option("--offer_timeout", cli.offer_timeout,
                "Rescind offers outstanding this long (default: never)");
  m->add_option("--agent_ping_timeout", cli.agent_ping_timeout,
                "Time an agent has to answer a ping")
      ->capture_default_str();
  m->add_option("--max_agent_ping_timeouts", cli.max_agent_ping_timeouts,
                "Missed pings before an agent is unreachable")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  m->add_option("--agent_reregister_timeout", cli.agent_reregister_timeout,
                "Time a disconnected agent has to re-register")
      ->capture_default_str();
  m->add_option("--min_allocatable_resources", cli.min_allocatable_resources,
                "Smallest offer, as alternatives joined by '|'")
      ->capture_default_str();
  m->add_option("--max_completed_frameworks", cli.max_completed_frameworks,
                "Removed frameworks kept for /master/state")
      ->capture_default_str();
  m->add_option("--max_completed_tasks_per_framework", cli.max_completed_tasks_per_framework,
                "Completed tasks kept per framework")
      ->capture_default_str();
  m->add_option("--logging_level", cli.logging_level, "INFO, WARNING or ERROR")
      ->check(CLI::IsMember({"INFO", "WARNING", "ERROR"}))
      ->capture_default_str();
  m->add_option("--seed", cli.seed, "Seed for ids and agent order (0: random)");
  m->add_option("--credentials", cli.credentials,
                "File of principals and secrets (JSON, or 'principal secret' lines)");
  m->add_option("--authenticate_http_frameworks", cli.authenticate_http_frameworks,
                "Require HTTP Basic authentication of schedulers (needs --credentials)")
      ->capture_default_str();
  m->add_option("--authenticate_http_readonly", cli.authenticate_http_readonly,
                "Require HTTP Basic authentication for /master/state, /master/state-summary and "
                "/metrics/snapshot (needs --credentials)")
      ->capture_default_str();
}

namespace {

Result<Duration> duration_flag(const char* flag, const std::string& value) {
  Result<Duration> d = live::parse_mesos_duration(value);
  if (!d) return Error{fmt::format("{}: {}", flag, d.error().message)};
  return d;
}

Result<live::MasterDaemonOptions> daemon_options(const MasterCli& cli) {
  live::MasterDaemonOptions o;
  o.ip = cli.ip;
  o.port = cli.port;
  o.hostname = cli.hostname;
  o.work_dir = cli.work_dir;
  if (!cli.record.empty()) o.record_file = cli.record;
  o.seed = cli.seed;
  auto interval = duration_flag("--allocation_interval", cli.allocation_interval);
  if (!interval) return interval.error();
  if (interval.value() <= Duration::zero()) return Error{"--allocation_interval must be positive"};
  o.master.allocation_interval = interval.value();
  if (!cli.offer_timeout.empty()) {
    auto t = duration_flag("--offer_timeout", cli.offer_timeout);
    if (!t) return t.error();
    o.master.offer_timeout = t.value();
  }
  auto ping = duration_flag("--agent_ping_timeout", cli.agent_ping_timeout);
  if (!ping) return ping.error();
  o.master.agent_ping_timeout = ping.value();
  o.master.max_agent_ping_timeouts = cli.max_agent_ping_timeouts;
  auto rereg = duration_flag("--agent_reregister_timeout", cli.agent_reregister_timeout);
  if (!rereg) return rereg.error();
  o.master.agent_reregister_timeout = rereg.value();
  auto min = parse_min_allocatable(cli.min_allocatable_resources);
  if (!min) return Error{"--min_allocatable_resources: " + min.error().message};
  o.allocator.min_allocatable = min.value();
  o.master.max_completed_frameworks = cli.max_completed_frameworks;
  o.master.max_completed_tasks_per_framework = cli.max_completed_tasks_per_framework;
  auto authenticate =
      live::parse_bool_flag(cli.authenticate_http_frameworks, "authenticate_http_frameworks");
  if (!authenticate) return authenticate.error();
  o.authenticate_http_frameworks = authenticate.value();
  auto readonly =
      live::parse_bool_flag(cli.authenticate_http_readonly, "authenticate_http_readonly");
  if (!readonly) return readonly.error();
  o.authenticate_http_readonly = readonly.value();
  if (!cli.credentials.empty()) {
    auto credentials = live::read_credentials(cli.credentials);
    if (!credentials) return Error{"--credentials: " + credentials.error().message};
    o.credentials = std::move(credentials).value();
  }
  o.flags = {{"ip", cli.ip},
             {"port", std::to_string(cli.port)},
             {"work_dir", cli.work_dir},
             {"allocation_interval", cli.allocation_interval},
             {"agent_ping_timeout", cli.agent_ping_timeout},
             {"max_agent_ping_timeouts", std::to_string(cli.max_agent_ping_timeouts)},
             {"agent_reregister_timeout", cli.agent_reregister_timeout},
             {"min_allocatable_resources", cli.min_allocatable_resources},
             {"authenticate_http_frameworks", authenticate.value() ? "true" : "false"},
             {"authenticate_http_readonly", readonly.value() ? "true" : "false"}};
  if (!cli.hostname.empty()) o.flags["hostname"] = cli.hostname;
  if (!cli.record.empty()) o.flags["record"] = cli.record;
  if (!cli.offer_timeout.empty()) o.flags["offer_timeout"] = cli.offer_timeout;
  if (!cli.credentials.empty()) o.flags["credentials"] = cli.credentials;  // the path only
  return o;
}

}  // namespace

int run_master_cli(const MasterCli& cli) {
  // Logs go to stderr, as Mesos's do; stdout stays free.
  spdlog::set_default_logger(spdlog::stderr_color_mt("master"));
  spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e %^%L%$ %v");
  spdlog::set_level(cli.logging_level == "ERROR"     ? spdlog::level::err
                    : cli.logging_level == "WARNING" ? spdlog::level::warn
                                                     : spdlog::level::info);
  Result<live::MasterDaemonOptions> options = daemon_options(cli);
  if (!options) {
    fmt::print(stderr, "mesosim master: {}\n", options.error().message);
    return 2;
  }
  return live::run_master_daemon(std::move(options).value());
}

}  // namespace mesosim
