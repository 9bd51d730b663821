#pragma once

// `mesosim paper-table SPEC --runs DIR [--readme FILE]` and `mesosim paper-table SPEC --list`:
// the papers table (analysis/paper_table.hpp) from the folders `mesosim compare --out
// DIR/<experiment>` left, printed, and with --readme written between the README's markers.
// --list prints the spec's experiments for scripts/reproduce-papers.sh, one a line, fields
// separated by tabs: name, scenario file (as a path from the current folder), seeds, then each
// `key=value` override.

#include <ostream>
#include <string>

#include <CLI/CLI.hpp>

namespace mesosim {

struct PaperTableCli {
  CLI::App* command = nullptr;
  std::string spec;
  std::string runs_dir;
  std::string readme;
  bool list = false;
};

void add_paper_table_cli(CLI::App& app, PaperTableCli& cli);
// 0 ok; 2 a bad spec, missing runs or figures, or a README without the markers.
int run_paper_table_cli(const PaperTableCli& cli, std::ostream& out, std::ostream& err);

}  // namespace mesosim
