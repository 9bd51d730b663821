#pragma once

// `mesosim validate` and `mesosim run`: check a scenario file, or run it (scenarios/README.md
// documents the files; the README at the top shows the commands).

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace mesosim {

struct ScenarioCli {
  CLI::App* validate = nullptr;
  CLI::App* run = nullptr;
  std::string file;
  std::vector<std::string> sets;  // --set key=value
  std::string out_dir;            // --out (default: the scenario's outputs.dir)
  std::optional<uint64_t> seed;   // --seed (default: the scenario's seed)
  std::string variant = "base";   // --variant

  // mesosim compare / report
  CLI::App* compare = nullptr;
  CLI::App* report = nullptr;
  int seeds = 3;                      // --seeds: seeds per variant (the scenario's seed, +1, ...)
  int jobs = 0;                       // --jobs: runs at a time (0: the cores)
  bool plan = false;                  // --plan: print the runs as commands, run nothing
  bool no_plots = false;              // --no-plots: compare.html without the gnuplot SVGs
  std::vector<std::string> run_dirs;  // report: the run folders
};

void add_scenario_cli(CLI::App& app, ScenarioCli& cli);
// The exit code of whichever of the two commands was parsed (0 ok, 2 bad input, 1 a workload
// error during the run, 130 stopped by SIGINT); nullopt if neither was.
std::optional<int> run_scenario_cli(const ScenarioCli& cli, std::ostream& out, std::ostream& err);

int run_validate(const ScenarioCli& cli, std::ostream& out, std::ostream& err);
int run_run(const ScenarioCli& cli, std::ostream& out, std::ostream& err);
int run_compare(const ScenarioCli& cli, std::ostream& out, std::ostream& err);
int run_report(const ScenarioCli& cli, std::ostream& out, std::ostream& err);

}  // namespace mesosim
