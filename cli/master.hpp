#pragma once

// `mesosim master`: the live master daemon (sim/live/README.md, "The master daemon"). Flags
// carry Mesos's names and defaults where Mesos has them.

#include <cstdint>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

namespace mesosim {

struct MasterCli {
  CLI::App* command = nullptr;
  std::string ip = "127.0.0.1";
  uint16_t port = 5050;
  std::string hostname;
  std::string work_dir;
  std::string record;
  std::string allocation_interval = "1secs";
  std::string offer_timeout;
  std::string agent_ping_timeout = "15secs";
  int max_agent_ping_timeouts = 5;
  std::string agent_reregister_timeout = "10mins";
  std::string min_allocatable_resources = "cpus:0.01|mem:32";
  size_t max_completed_frameworks = 50;
  size_t max_completed_tasks_per_framework = 1000;
  std::string logging_level = "INFO";
  uint64_t seed = 0;
  std::string credentials;                             // path; empty: none
  std::string authenticate_http_frameworks = "false";  // "true" or "false", as Mesos
  std::string authenticate_http_readonly = "false";    // "true" or "false", as Mesos
};

void add_master_cli(CLI::App& app, MasterCli& cli);
// Runs the daemon until SIGTERM/SIGINT; the exit status (2 for a bad flag, naming it).
int run_master_cli(const MasterCli& cli);

}  // namespace mesosim
