#pragma once

// The combined report of a comparison: compare.html with the side-by-side table, plots that put
// the variants on one set of axes, and a link to each run's own report.html. The plots are
// rendered with gnuplot from compare_plots.gp, which carries its data inside (re-render with
// `gnuplot compare_plots.gp` in the folder):
//
//   compare_jct_cdf.svg     job completion time CDF per variant: every finished job of every
//                           seed of the variant (jobs.csv `completion_s`)
//   compare_<r>_share.svg   the share of the cluster's resource r allocated over time, per
//                           variant, for cpus and mem (timeseries.csv of each variant's first
//                           seed: the `total` row over the `cluster_total` row)
//
// The run folders are those the Comparison was made from (Comparison::folders).

#include <filesystem>
#include <string>
#include <vector>

#include "allocator/result.hpp"
#include "analysis/comparison.hpp"

namespace mesosim::analysis {

struct CompareReportOptions {
  bool plots = true;                // render the SVGs (needs gnuplot) and embed them
  std::string gnuplot = "gnuplot";  // program name (looked up on PATH) or path
};

// The gnuplot script, reading each folder's jobs.csv and timeseries.csv. Errors name the file
// and what is wrong with it (a missing file or column).
Result<std::string> compare_plots_script(const Comparison& comparison);

// The SVG files compare_plots_script() renders, in report order.
std::vector<std::string> compare_plot_files();

// compare.html: the table, the SVGs found in `dir` inlined, `notes` (e.g. why plots are missing),
// and each run's report.html linked relative to `dir`.
std::string compare_html(const Comparison& comparison, const std::filesystem::path& dir,
                         const std::vector<std::string>& notes);

}  // namespace mesosim::analysis
