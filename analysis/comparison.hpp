#pragma once

// Comparing runs: the same scenario under several variants, each run with several seeds. Reads
// what `mesosim run` left in each output folder (run.json: which scenario, variant and seed;
// summary.json: analysis's figures) and gives, per variant, the mean of each figure over the
// seeds with a 95% confidence interval (Student's t), and its ratio to the first variant.
//
// Used by `mesosim compare` (which runs the variants x seeds itself) and `mesosim report` (over
// folders produced elsewhere, e.g. by the commands `mesosim compare --plan` prints): the same
// folders give the same table, byte for byte, whatever order they are named in.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "allocator/result.hpp"

namespace mesosim::analysis {

// run.json, written by `mesosim run` beside summary.json.
struct RunIdentity {
  std::string scenario;
  std::string variant = "base";
  int variant_index = 0;  // 0 for the base, then the scenario's compare: order
  uint64_t seed = 1;
  std::string policy;
};
std::string run_identity_json(const RunIdentity& id);

struct ComparedFigure {
  std::string name;       // "cluster cpus allocated share", "hadoop: JCT mean (s)", ...
  std::string framework;  // the framework a per-framework figure is of; empty for the others
  struct Cell {
    size_t n = 0;  // seeds that have the figure
    double mean = 0;
    double half_width = 0;  // of the 95% confidence interval; 0 with one seed
  };
  std::vector<Cell> cells;  // by variant, as in Comparison::variants
};

struct Comparison {
  std::string scenario;
  std::vector<std::string> variants;         // base first, then the compare: order
  std::vector<std::vector<uint64_t>> seeds;  // by variant, ascending
  std::vector<std::vector<std::filesystem::path>> folders;  // by variant, in seeds' order
  std::vector<ComparedFigure> figures;
};

// Reads run.json and summary.json from each folder. Errors name the folder and the file; runs
// of different scenarios, and two folders with the same (variant, seed), are errors.
Result<Comparison> compare_run_folders(const std::vector<std::filesystem::path>& folders);

// The side-by-side table: one row per figure, "mean ± half-width" per variant, and the ratio of
// each variant's mean to the first variant's. With more than `max_frameworks` frameworks their
// own rows are left out (a line says so; compare.csv, .json and .html have them all).
std::string comparison_table(const Comparison& comparison, size_t max_frameworks = 24);

// A table cell: "mean" with one seed, "mean ± half-width" with more, "-" with none.
std::string comparison_cell_text(const ComparedFigure::Cell& cell);
// The ratio of a variant's mean to the first variant's ("1.234"), or "-".
std::string comparison_ratio_text(const ComparedFigure::Cell& first, const ComparedFigure::Cell& cell);

struct CompareReportOptions;
// compare.csv (one row per figure and variant) and compare.json in `dir`, then the combined
// report (analysis/compare_report.hpp): compare_plots.gp and its SVGs when gnuplot is found and
// `report.plots` is on, and compare.html. `notes` gets what could not be made and why.
Result<std::vector<std::filesystem::path>> write_comparison(const Comparison& comparison,
                                                            const std::filesystem::path& dir,
                                                            const CompareReportOptions& report,
                                                            std::vector<std::string>* notes = nullptr);

// One `mesosim run` output folder: its run.json and summary.json (checked to be an analysis
// summary). Errors name the folder and the file.
struct RunFolder {
  RunIdentity id;
  std::filesystem::path folder;
  nlohmann::json summary;
};
Result<RunFolder> read_run_folder(const std::filesystem::path& folder);

// The number of samples, their mean and the half-width of its 95% confidence interval
// (Student's t; 0 with one sample).
ComparedFigure::Cell summarize_samples(const std::vector<double>& xs);

// The two-sided 95% Student's t quantile for `df` degrees of freedom (df >= 1).
double student_t95(size_t df);

}  // namespace mesosim::analysis
