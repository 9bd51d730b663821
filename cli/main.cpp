// The `mesosim` program.

#include <iostream>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/agent.hpp"
#include "cli/demo.hpp"
#include "cli/master.hpp"
#include "cli/paper_table.hpp"
#include "cli/scenario_cli.hpp"
#include "cli/trace.hpp"
#include "mesosim/version.hpp"

int main(int argc, char** argv) {
  CLI::App app{"mesosim: a Mesos-style cluster manager core, simulated or live"};
  app.set_version_flag("--version", std::string("mesosim ") + mesosim::kVersion +
                                        " (malloc: " + mesosim::kMalloc + ")");
  app.require_subcommand(1);

  mesosim::DemoOptions demo;
  CLI::App* demo_cmd =
      app.add_subcommand("demo", "Serve a small cluster with the DRF allocator and print offers");
  demo_cmd->add_option("--policy", demo.policy, "Allocation policy")->check(CLI::IsMember({"drf"}));
  demo_cmd->add_option("--agents", demo.agents, "Number of agents")->check(CLI::Range(1, 10000));
  demo_cmd->add_option("--cycles", demo.cycles, "Allocation intervals to run")
      ->check(CLI::Range(1, 1000));
  demo_cmd->add_option("--seed", demo.seed, "Seed of the run");

  mesosim::TraceCli trace;
  mesosim::add_trace_cli(app, trace);

  mesosim::ScenarioCli scenario;
  mesosim::add_scenario_cli(app, scenario);

  mesosim::PaperTableCli paper_table;
  mesosim::add_paper_table_cli(app, paper_table);

  mesosim::MasterCli master;
  mesosim::add_master_cli(app, master);

  mesosim::AgentCli agent;
  mesosim::add_agent_cli(app, agent);

  CLI11_PARSE(app, argc, argv);

  if (auto code = mesosim::run_scenario_cli(scenario, std::cout, std::cerr)) return *code;
  if (paper_table.command->parsed()) {
    return mesosim::run_paper_table_cli(paper_table, std::cout, std::cerr);
  }
  if (master.command->parsed()) return mesosim::run_master_cli(master);
  if (agent.command->parsed()) return mesosim::run_agent_cli(agent);

  if (trace.trace->parsed()) return mesosim::run_trace_cli(trace, std::cout, std::cerr);

  if (demo_cmd->parsed()) {
    if (mesosim::Status s = mesosim::run_demo(demo, std::cout); !s.ok()) {
      fmt::print(stderr, "mesosim demo: {}\n", s.error().message);
      return 2;
    }
  }
  return 0;
}
