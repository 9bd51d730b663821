// `mesosim validate SCENARIO.yaml [--set key=value ...]`, and the wiring of both scenario
// commands.

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "cli/scenario_cli.hpp"
#include "scenarios/scenario_load.hpp"

namespace mesosim {

void add_scenario_cli(CLI::App& app, ScenarioCli& cli) {
  cli.validate = app.add_subcommand(
      "validate", "Check a scenario file (and its compare variants) without running it");
  cli.validate->add_option("scenario", cli.file, "Scenario file (YAML)")->required();
  cli.validate->add_option("--set", cli.sets,
                           "Override a key: dotted.path=yaml-value (repeatable)");

  cli.run = app.add_subcommand("run", "Run a scenario and print a summary per framework");
  cli.run->add_option("scenario", cli.file, "Scenario file (YAML)")->required();
  cli.run->add_option("--out", cli.out_dir, "Output folder (default: the scenario's outputs.dir)");
  cli.run->add_option("--seed", cli.seed, "Seed of the run (default: the scenario's seed)");
  cli.run->add_option("--set", cli.sets, "Override a key: dotted.path=yaml-value (repeatable)");
  cli.run->add_option("--variant", cli.variant,
                      "A variant from the scenario's compare list (default: base)");

  cli.compare = app.add_subcommand(
      "compare", "Run every variant of a scenario with several seeds and compare them");
  cli.compare->add_option("scenario", cli.file, "Scenario file (YAML)")->required();
  cli.compare->add_option("--seeds", cli.seeds, "Seeds per variant")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cli.compare->add_option("--jobs", cli.jobs, "Runs at a time (default: the number of cores)")
      ->check(CLI::Range(1, 1024));
  cli.compare->add_option("--out", cli.out_dir,
                          "Output folder (default: the scenario's outputs.dir)/compare");
  cli.compare->add_option("--set", cli.sets,
                          "Override a key in every run: dotted.path=yaml-value (repeatable)");
  cli.compare->add_flag("--plan", cli.plan,
                        "Print each run as a shell command (and the report command), run nothing");
  cli.compare->add_flag("--no-plots", cli.no_plots,
                        "No plots in compare.html (the runs' own plots follow the scenario)");

  cli.report = app.add_subcommand(
      "report", "Compare run folders (from mesosim run, compare or a --plan) in one table");
  cli.report->add_option("dirs", cli.run_dirs, "Run output folders")->required();
  cli.report->add_option("--out", cli.out_dir, "Where compare.csv/json/html go (default: none)");
  cli.report->add_flag("--no-plots", cli.no_plots, "No plots in compare.html");
}

std::optional<int> run_scenario_cli(const ScenarioCli& cli, std::ostream& out, std::ostream& err) {
  if (cli.validate && cli.validate->parsed()) return run_validate(cli, out, err);
  if (cli.run && cli.run->parsed()) return run_run(cli, out, err);
  if (cli.compare && cli.compare->parsed()) return run_compare(cli, out, err);
  if (cli.report && cli.report->parsed()) return run_report(cli, out, err);
  return std::nullopt;
}

int run_validate(const ScenarioCli& cli, std::ostream& out, std::ostream& err) {
  auto checked = validate_scenario(cli.file, cli.sets);
  if (!checked.ok()) {
    fmt::print(err, "mesosim validate: {}\n", checked.error().message);
    return 2;
  }
  const ScenarioCheck& c = checked.value();
  fmt::print(out, "ok: {} agents{}, {} frameworks, {} variants\n", c.agents,
             c.machines_from_trace ? " (and machines from a trace)" : "", c.frameworks, c.variants);
  return 0;
}

}  // namespace mesosim
