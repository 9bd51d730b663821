#pragma once

// `mesosim agent`: the live agent daemon (sim/live/README.md, "The agent daemon"). Flags carry
// Mesos's names and defaults where Mesos has them.

#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

namespace mesosim {

struct AgentCli {
  CLI::App* command = nullptr;
  std::string master = "127.0.0.1:5050";
  std::string ip = "127.0.0.1";
  uint16_t port = 5051;
  std::string work_dir;
  std::string resources;
  std::string attributes;
  std::string isolation = "auto";
  std::string cgroups_root = "mesosim";
  std::string hostname;
  std::string executor_shutdown_grace_period = "5secs";
  std::string switch_user = "true";
  std::string logging_level = "INFO";
};

void add_agent_cli(CLI::App& app, AgentCli& cli);
// Runs the daemon until SIGTERM/SIGINT or until the master shuts it down; the exit status (2 for
// a bad flag, naming it; 1 when it cannot start).
int run_agent_cli(const AgentCli& cli);

}  // namespace mesosim
