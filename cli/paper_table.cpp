#include "cli/paper_table.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "analysis/paper_table.hpp"
#include "scenarios/paper_spec.hpp"

namespace mesosim {
namespace {

int list_experiments(const analysis::PaperSpec& spec, std::ostream& out) {
  const std::filesystem::path base = std::filesystem::path(spec.file).parent_path();
  for (const analysis::PaperExperiment& e : spec.experiments) {
    fmt::print(out, "{}\t{}\t{}", e.name, (base / e.scenario).string(), e.seeds);
    for (const std::string& s : e.sets) fmt::print(out, "\t{}", s);
    fmt::print(out, "\n");
  }
  return 0;
}

// Replaces the README's table in place (through a temporary file beside it).
int rewrite_readme(const std::string& readme, const std::string& table, std::ostream& err) {
  std::ifstream in(readme, std::ios::binary);
  if (!in) {
    fmt::print(err, "mesosim paper-table: cannot read {}\n", readme);
    return 2;
  }
  std::stringstream text;
  text << in.rdbuf();
  auto updated = analysis::replace_paper_table(text.str(), table, readme);
  if (!updated) {
    fmt::print(err, "mesosim paper-table: {}\n", updated.error().message);
    return 2;
  }
  const std::string tmp = readme + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary);
    out << updated.value();
    if (!out) {
      fmt::print(err, "mesosim paper-table: cannot write {}\n", tmp);
      return 2;
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, readme, ec);
  if (ec) {
    fmt::print(err, "mesosim paper-table: cannot replace {}: {}\n", readme, ec.message());
    return 2;
  }
  fmt::print(err, "papers table written to {}\n", readme);
  return 0;
}

}  // namespace

void add_paper_table_cli(CLI::App& app, PaperTableCli& cli) {
  cli.command = app.add_subcommand(
      "paper-table", "The papers table: published figures beside mesosim's, from compare runs");
  cli.command->add_option("spec", cli.spec, "Figures spec (scenarios/papers/figures.yaml)")
      ->required();
  cli.command->add_option("--runs", cli.runs_dir,
                          "Folder holding one `mesosim compare --out` folder per experiment");
  cli.command->add_option("--readme", cli.readme,
                          "Rewrite the table between this file's papers-table markers");
  cli.command->add_flag("--list", cli.list,
                        "Print the experiments (name, scenario, seeds, overrides; tab-separated)");
}

int run_paper_table_cli(const PaperTableCli& cli, std::ostream& out, std::ostream& err) {
  auto spec = load_paper_spec(cli.spec);
  if (!spec.ok()) {
    fmt::print(err, "mesosim paper-table: {}\n", spec.error().message);
    return 2;
  }
  if (cli.list) {
    if (!cli.runs_dir.empty() || !cli.readme.empty()) {
      fmt::print(err, "mesosim paper-table: --list takes no --runs or --readme\n");
      return 2;
    }
    return list_experiments(spec.value(), out);
  }
  if (cli.runs_dir.empty()) {
    fmt::print(err, "mesosim paper-table: --runs DIR is required (or --list)\n");
    return 2;
  }
  auto rows = analysis::compute_paper_rows(spec.value(), cli.runs_dir);
  if (!rows.ok()) {
    fmt::print(err, "mesosim paper-table: {}\n", rows.error().message);
    return 2;
  }
  const std::string table = analysis::paper_table_markdown(rows.value());
  fmt::print(out, "{}", table);
  if (cli.readme.empty()) return 0;
  return rewrite_readme(
      cli.readme,
      fmt::format("\n<!-- Written by scripts/reproduce-papers.sh (mesosim paper-table) from "
                  "scenarios/papers/figures.yaml: edit the spec, not this table. -->\n\n{}\n",
                  table),
      err);
}

}  // namespace mesosim
