#include "cli/agent.hpp"

#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "sim/live/agent_daemon.hpp"
#include "sim/live/isolator.hpp"

namespace mesosim {

void add_agent_cli(CLI::App& app, AgentCli& cli) {
  CLI::App* a = app.add_subcommand("agent", "Run a live agent daemon that runs tasks in cgroups");
  cli.command = a;
  a->add_option("--master", cli.master, "The master, as ip:port")->capture_default_str();
  a->add_option("--ip", cli.ip, "IP address to listen on")->capture_default_str();
  a->add_option("--port", cli.port, "Port to listen on")->capture_default_str();
  a->add_option("--work_dir", cli.work_dir, "Directory for sandboxes and checkpoints")->required();
  a->add_option("--resources", cli.resources,
                "Total resources, e.g. cpus:4;mem:8192 (default: detected)");
  a->add_option("--attributes", cli.attributes, "Attributes, e.g. rack:r1;zone:a");
  a->add_option("--isolation", cli.isolation, "auto, cgroups, cgroups/v1, cgroups/v2 or posix")
      ->capture_default_str();
  a->add_option("--cgroups_root", cli.cgroups_root,
                "Name of the cgroup under each hierarchy that holds the containers")
      ->capture_default_str();
  a->add_option("--hostname", cli.hostname, "Hostname to report (default: this machine's)");
  a->add_option("--executor_shutdown_grace_period", cli.executor_shutdown_grace_period,
                "Time between SIGTERM and SIGKILL when a framework is shut down")
      ->capture_default_str();
  a->add_option("--switch_user", cli.switch_user, "Run tasks as their framework's user")
      ->capture_default_str();
  a->add_option("--logging_level", cli.logging_level, "INFO, WARNING or ERROR")
      ->check(CLI::IsMember({"INFO", "WARNING", "ERROR"}))
      ->capture_default_str();
}

namespace {

Result<live::AgentDaemonOptions> daemon_options(const AgentCli& cli) {
  live::AgentDaemonOptions o;
  o.ip = cli.ip;
  o.flags.master = cli.master;
  o.flags.port = cli.port;
  o.flags.work_dir = cli.work_dir;
  if (!cli.resources.empty()) o.flags.resources = cli.resources;
  if (!cli.attributes.empty()) o.flags.attributes = cli.attributes;
  o.flags.isolation = cli.isolation;
  if (Status s = live::validate_container_name(cli.cgroups_root); !s) {
    return Error{"--cgroups_root: " + s.error().message};
  }
  o.cgroup_name = cli.cgroups_root;
  if (!cli.hostname.empty()) o.flags.hostname = cli.hostname;
  auto grace = live::parse_duration_flag(cli.executor_shutdown_grace_period,
                                         "executor_shutdown_grace_period");
  if (!grace) return grace.error();
  o.flags.executor_shutdown_grace_period = grace.value();
  auto switch_user = live::parse_bool_flag(cli.switch_user, "switch_user");
  if (!switch_user) return switch_user.error();
  o.flags.switch_user = switch_user.value();
  return o;
}

}  // namespace

int run_agent_cli(const AgentCli& cli) {
  // Logs go to stderr, as Mesos's do; stdout stays free.
  spdlog::set_default_logger(spdlog::stderr_color_mt("agent"));
  spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e %^%L%$ %v");
  spdlog::set_level(cli.logging_level == "ERROR"     ? spdlog::level::err
                    : cli.logging_level == "WARNING" ? spdlog::level::warn
                                                     : spdlog::level::info);
  Result<live::AgentDaemonOptions> options = daemon_options(cli);
  if (!options) {
    fmt::print(stderr, "mesosim agent: {}\n", options.error().message);
    return 2;
  }
  return live::run_agent_daemon(std::move(options).value());
}

}  // namespace mesosim
