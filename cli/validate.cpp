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
}

std::optional<int> run_scenario_cli(const ScenarioCli& cli, std::ostream& out, std::ostream& err) {
  if (cli.validate && cli.validate->parsed()) return run_validate(cli, out, err);
  if (cli.run && cli.run->parsed()) return run_run(cli, out, err);
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
