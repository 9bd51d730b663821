#pragma once

// A run's outputs, as files and as text. Every file and column is documented in
// analysis/README.md. Deterministic: the same RunResult gives the same bytes (fixed decimal
// formatting, names in RunResult's fixed order); nothing depends on the wall clock.

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "allocator/result.hpp"
#include "analysis/run_result.hpp"

namespace mesosim::analysis {

struct OutputOptions {
  // timeseries.csv and the plots sample the series at this many equal steps over the run
  // (samples + 1 instants, start and end included). Summary figures are exact regardless.
  size_t samples = 500;
  bool plots = true;                // render SVG plots (needs gnuplot) and embed them
  std::string gnuplot = "gnuplot";  // program name (looked up on PATH) or path
};

struct WrittenOutputs {
  std::vector<std::filesystem::path> files;  // in the order written
  // What could not be made and why, e.g. "plots skipped: gnuplot not found on PATH".
  std::vector<std::string> notes;
};

// Writes summary.json, timeseries.csv, jobs.csv, tasks.csv, the plots (plots.gp and *.svg,
// when gnuplot is found) and report.html into `out_dir` (created if missing). Errors name the
// file that could not be written, or gnuplot's exit status and its script.
Result<WrittenOutputs> write_outputs(const RunResult& result, const std::filesystem::path& out_dir,
                                     const OutputOptions& options = {});

// The file contents, for callers that want them without a directory.
std::string summary_json(const RunResult& result);
std::string timeseries_csv(const RunResult& result, size_t samples);
std::string jobs_csv(const RunResult& result);
std::string tasks_csv(const RunResult& result);
// tasks.csv row by row into `out` (a row per task: a long replay's would not fit in a string).
void write_tasks_csv(const RunResult& result, std::ostream& out);
// The gnuplot script that renders every plot into `dir` (paths relative to it).
std::string plots_script(const RunResult& result, size_t samples);
// The names of the SVG files plots_script() renders, in report order.
std::vector<std::string> plot_files();
// report.html with the SVGs of `svg_dir` inlined (missing ones are noted in the page).
std::string report_html(const RunResult& result, const std::filesystem::path& svg_dir,
                        const std::vector<std::string>& notes);

// A compact table per framework (and the cluster) for a terminal: jobs, completion times,
// waits, dominant shares, offers, locality; then utilization and fairness.
void print_summary_table(const RunResult& result, std::ostream& out);

// `s` with & < > " as HTML entities, for text placed in a page.
std::string html_escape(const std::string& s);

// Shared by the run's and the comparison's outputs.
// The program to run for `name`: itself if it names a path, else the first executable on PATH.
std::optional<std::filesystem::path> find_program(const std::string& name);
// Runs gnuplot on `script` (a file name in `dir`) with `dir` as its working directory; an error
// carries gnuplot's own messages.
Status render_gnuplot(const std::filesystem::path& dir, const std::string& script,
                      const std::filesystem::path& gnuplot);
// The SVG in `file` as a <figure> for a page (a note when it is missing).
std::string inline_svg(const std::filesystem::path& file);
// `x` with six decimals appended to `out`: the text of printf's "%.6f" (the exact binary value
// rounded half to even, "-0.000000" for a negative that rounds to zero), without its cost.
void append_fixed6(std::string& out, double x);
// The same as the CSV files write it: a negative that rounds to zero is "0.000000".
void append_csv_number(std::string& out, double x);
// `micros` microseconds in seconds as the CSV files write them: the text append_csv_number
// gives for Time::seconds_f(), made from the integer.
void append_seconds(std::string& out, int64_t micros);
// gnuplot script pieces: a number as data ("%.6f"), a single-quoted string ('' inside), and a
// plot of nothing but `note` in its middle.
std::string gp_number(double x);
std::string gp_string(const std::string& s);
std::string gp_empty_plot(const std::string& note);

}  // namespace mesosim::analysis
