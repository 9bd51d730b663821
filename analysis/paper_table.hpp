#pragma once

// The papers table (scenarios/papers/README.md): one row per published figure, the paper's value
// beside what mesosim gives over several seeds. A PaperSpec (loaded from
// scenarios/papers/figures.yaml by scenarios/paper_spec.hpp) names, per experiment, the folder
// `mesosim compare --out` filled and, per figure, how its value is computed from each seed's
// summary.json: a value at a path in one variant's summary, or the ratio or difference of two
// such values taken seed by seed (paired by seed), then summarized as mean ± the half-width of
// the 95% Student's t confidence interval over the seeds (analysis/comparison.hpp).
//
// The same run folders and spec give the same table, byte for byte.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "allocator/result.hpp"
#include "analysis/comparison.hpp"

namespace mesosim::analysis {

// A path into summary.json: object keys separated by dots, where a key may be followed by
// `[N]` (the N-th array element, from 0) or `[field=value]` (the array element whose `field` is
// the text `value`): "frameworks[name=facebook-hadoop].jobs.run_time_sum_s".
struct SummaryPath {
  struct Step {
    std::string key;                   // empty only for a step that is just a selector
    std::optional<size_t> index;       // [N]
    std::optional<std::string> field;  // [field=value]
    std::string value;
  };
  std::string text;  // as written
  std::vector<Step> steps;
};
Result<SummaryPath> parse_summary_path(const std::string& text);

// How mesosim's figure is computed from one seed's runs.
struct FigureValue {
  enum class Kind { kValue, kRatio, kDifference };
  Kind kind = Kind::kValue;
  // kValue: the number at `path` in the summary of `variant`'s run.
  std::string variant;
  SummaryPath path;
  // kRatio (a / b) and kDifference (a - b): two values of the same seed.
  std::shared_ptr<const FigureValue> a, b;
  double scale = 1;  // the result is multiplied by it (100 for a percentage)
};

struct PaperFigure {
  std::string label;     // "Facebook Hadoop mix: speedup (Table 4)"
  double paper_low = 0;  // the paper's value; a range when paper_high > paper_low
  double paper_high = 0;
  std::string paper_text;  // as the paper states it: "1.14×", "4–8 s"
  FigureValue value;
  std::string unit;  // appended to mesosim's numbers: "×" and "%" directly, others after a space
  int digits = 2;    // decimal places of mesosim's numbers
  std::string gap;   // why mesosim's value differs, written by hand
  bool range() const { return paper_high > paper_low; }
};

struct PaperExperiment {
  std::string name;      // the folder under --runs and the plot's stem; default: scenario stem
  std::string scenario;  // the scenario file, relative to the spec's folder
  int seeds = 5;
  std::vector<std::string> sets;  // --set key=value for `mesosim compare`
  std::vector<PaperFigure> figures;
};

struct PaperSpec {
  std::string file;  // where it was loaded from, for messages
  std::vector<PaperExperiment> experiments;
};

struct PaperRow {
  std::string experiment;
  PaperFigure figure;
  ComparedFigure::Cell mesosim;  // over the seeds
};

// Reads each experiment's run folders (<runs_dir>/<name>/<variant>/seed-<seed>, as `mesosim
// compare --out <runs_dir>/<name>` writes them) and computes every figure. Errors name the
// experiment, the figure and what is missing (a folder, a variant, a seed of a pair, a path in a
// summary).
Result<std::vector<PaperRow>> compute_paper_rows(const PaperSpec& spec,
                                                 const std::filesystem::path& runs_dir);

// The markdown table: experiment, figure, paper, mesosim (mean ± 95% half-width, n), mesosim ÷
// paper, gap. For a paper range the ratio column says "within" when the mean lies in it, else
// "below"/"above" with the ratio to the nearer end.
std::string paper_table_markdown(const std::vector<PaperRow>& rows);

inline constexpr std::string_view kPaperTableBegin = "<!-- papers-table:begin -->";
inline constexpr std::string_view kPaperTableEnd = "<!-- papers-table:end -->";
// `text` with what lies between the two marker lines replaced by `table` (the markers kept); an
// error naming `name` when a marker is missing, repeated or out of order.
Result<std::string> replace_paper_table(const std::string& text, const std::string& table,
                                        const std::string& name);

}  // namespace mesosim::analysis
