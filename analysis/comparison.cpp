#include "analysis/comparison.hpp"

#include "analysis/compare_report.hpp"
#include "analysis/writers.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace mesosim::analysis {
namespace {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

using LoadedRun = RunFolder;

Result<Json> read_json(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in)
    return Error{
        fmt::format("{}: cannot read (is it a `mesosim run` output folder?)", file.string())};
  Json j = Json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return Error{fmt::format("{}: not a JSON object", file.string())};
  }
  return j;
}

Result<LoadedRun> load_run(const std::filesystem::path& folder) {
  auto id = read_json(folder / "run.json");
  if (!id) return id.error();
  auto summary = read_json(folder / "summary.json");
  if (!summary) return summary.error();
  const Json& j = id.value();
  LoadedRun run;
  run.folder = folder;
  try {
    run.id.scenario = j.at("scenario").get<std::string>();
    run.id.variant = j.at("variant").get<std::string>();
    run.id.variant_index = j.at("variant_index").get<int>();
    run.id.seed = j.at("seed").get<uint64_t>();
    run.id.policy = j.value("policy", "");
  } catch (const Json::exception& e) {
    return Error{fmt::format("{}: {}", (folder / "run.json").string(), e.what())};
  }
  if (summary.value().value("format", "") != "mesosim-analysis-summary") {
    return Error{
        fmt::format("{}: not an analysis summary (format is not "
                    "mesosim-analysis-summary)",
                    (folder / "summary.json").string())};
  }
  run.summary = std::move(summary).value();
  return run;
}

// The figure at `path` ("cluster/allocated_share/cpus"), if present and a number.
std::optional<double> figure(const Json& j, const std::vector<std::string>& path) {
  const Json* at = &j;
  for (const std::string& key : path) {
    if (!at->is_object() || !at->contains(key)) return std::nullopt;
    at = &(*at)[key];
  }
  return at->is_number() ? std::optional(at->get<double>()) : std::nullopt;
}

struct FigureSpec {
  std::string name;
  std::vector<std::string> path;  // "@name" first: inside that framework's entry
};

// The figures compared: the cluster's, then each framework's (by name, in name order).
std::vector<FigureSpec> figure_specs(const std::vector<LoadedRun>& runs) {
  std::vector<FigureSpec> specs;
  std::set<std::string> resources;
  for (const LoadedRun& r : runs) {
    for (const auto& [name, v] : r.summary["cluster"]["allocated_share"].items()) {
      resources.insert(name);
    }
  }
  for (const std::string& res : resources) {
    specs.push_back(
        {fmt::format("cluster {} allocated share", res), {"cluster", "allocated_share", res}});
    specs.push_back({fmt::format("cluster {} used share", res), {"cluster", "used_share", res}});
  }
  specs.push_back({"fairness: Jain's index (time average)", {"fairness", "jain_time_average"}});
  specs.push_back({"jobs finished", {"jobs", "finished"}});
  specs.push_back({"JCT mean (s)", {"jobs", "completion_s", "mean"}});
  specs.push_back({"JCT p95 (s)", {"jobs", "completion_s", "p95"}});
  specs.push_back({"task wait mean (s)", {"jobs", "task_wait_s", "mean"}});
  specs.push_back({"offers made", {"offers", "made"}});
  specs.push_back({"node-local fraction of tasks with a preference",
                   {"jobs", "locality_fraction", "node_local"}});
  specs.push_back({"sum of job run times (s)", {"jobs", "run_time_sum_s"}});
  specs.push_back({"job run time mean (s)", {"jobs", "run_time_s", "mean"}});
  specs.push_back({"allocation run mean (ms)", {"allocation", "cycle_ms", "mean"}});
  // Master failovers, only when some run had one (analysis/README.md, "Failover").
  bool failovers = false;
  for (const LoadedRun& r : runs) {
    failovers = failovers || figure(r.summary, {"failover", "count"}).value_or(0) > 0;
  }
  if (failovers) {
    specs.push_back({"failovers recovered", {"failover", "recovered"}});
    specs.push_back({"failover recovery mean (s)", {"failover", "recovery_s", "mean"}});
    specs.push_back({"failover recovery max (s)", {"failover", "recovery_s", "max"}});
    specs.push_back(
        {"failover recovery after election mean (s)", {"failover", "from_election_s", "mean"}});
  }
  std::set<std::string> frameworks;
  for (const LoadedRun& r : runs) {
    for (const Json& f : r.summary.value("frameworks", Json::array())) {
      frameworks.insert(f.value("name", ""));
    }
  }
  for (const std::string& f : frameworks) {
    specs.push_back({f + ": jobs finished", {"@" + f, "jobs", "finished"}});
    specs.push_back({f + ": JCT mean (s)", {"@" + f, "jobs", "completion_s", "mean"}});
    specs.push_back({f + ": sum of job run times (s)", {"@" + f, "jobs", "run_time_sum_s"}});
    specs.push_back({f + ": task wait mean (s)", {"@" + f, "jobs", "task_wait_s", "mean"}});
    specs.push_back({f + ": job wait mean (s)", {"@" + f, "jobs", "wait_s", "mean"}});
    specs.push_back({f + ": mean dominant share", {"@" + f, "mean_dominant_share"}});
    specs.push_back({f + ": dominant share at end", {"@" + f, "dominant_share_at_end"}});
    specs.push_back({f + ": task wait p95 (s)", {"@" + f, "jobs", "task_wait_s", "p95"}});
    specs.push_back({f + ": jobs abandoned", {"@" + f, "jobs", "states", "abandoned"}});
  }
  return specs;
}

// A figure of one run; a path starting "@name" looks inside that framework's entry.
std::optional<double> value_of(const LoadedRun& run, const FigureSpec& spec) {
  if (spec.path.empty() || spec.path[0].empty() || spec.path[0][0] != '@') {
    return figure(run.summary, spec.path);
  }
  const std::string name = spec.path[0].substr(1);
  // By reference: value() would copy every framework's figures for each figure looked up.
  const auto frameworks = run.summary.find("frameworks");
  if (frameworks == run.summary.end() || !frameworks->is_array()) return std::nullopt;
  for (const Json& f : *frameworks) {
    if (f.value("name", "") != name) continue;
    return figure(f, std::vector<std::string>(spec.path.begin() + 1, spec.path.end()));
  }
  return std::nullopt;
}

ComparedFigure::Cell summarize(const std::vector<double>& xs) {
  ComparedFigure::Cell c;
  c.n = xs.size();
  if (xs.empty()) return c;
  double sum = 0;
  for (double x : xs) sum += x;
  c.mean = sum / static_cast<double>(xs.size());
  if (xs.size() > 1) {
    double ss = 0;
    for (double x : xs) ss += (x - c.mean) * (x - c.mean);
    const double sd = std::sqrt(ss / static_cast<double>(xs.size() - 1));
    c.half_width = student_t95(xs.size() - 1) * sd / std::sqrt(static_cast<double>(xs.size()));
  }
  return c;
}

std::string cell_text(const ComparedFigure::Cell& c) {
  if (c.n == 0) return "-";
  if (c.n == 1) return fmt::format("{:.4g}", c.mean);
  return fmt::format("{:.4g} ± {:.2g}", c.mean, c.half_width);
}

std::string ratio_text(const ComparedFigure::Cell& base, const ComparedFigure::Cell& c) {
  if (base.n == 0 || c.n == 0 || base.mean == 0) return "-";
  return fmt::format("{:.3f}", c.mean / base.mean);
}

}  // namespace

double student_t95(size_t df) {
  static constexpr double kT[] = {0,     12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365,
                                  2.306, 2.262,  2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
                                  2.120, 2.110,  2.101, 2.093, 2.086, 2.080, 2.074, 2.069,
                                  2.064, 2.060,  2.056, 2.052, 2.048, 2.045, 2.042};
  if (df == 0) return 0;
  if (df < std::size(kT)) return kT[df];
  if (df <= 40) return 2.021;
  if (df <= 60) return 2.000;
  if (df <= 120) return 1.980;
  return 1.960;
}

Result<RunFolder> read_run_folder(const std::filesystem::path& folder) { return load_run(folder); }

std::string comparison_cell_text(const ComparedFigure::Cell& cell) { return cell_text(cell); }
std::string comparison_ratio_text(const ComparedFigure::Cell& first,
                                  const ComparedFigure::Cell& cell) {
  return ratio_text(first, cell);
}

ComparedFigure::Cell summarize_samples(const std::vector<double>& xs) { return summarize(xs); }

std::string run_identity_json(const RunIdentity& id) {
  OrderedJson j{{"scenario", id.scenario},
                {"variant", id.variant},
                {"variant_index", id.variant_index},
                {"seed", id.seed},
                {"policy", id.policy}};
  return j.dump(2) + "\n";
}

Result<Comparison> compare_run_folders(const std::vector<std::filesystem::path>& folders) {
  if (folders.empty()) return Error{"no run folders to compare"};
  std::vector<LoadedRun> runs;
  for (const auto& folder : folders) {
    auto run = load_run(folder);
    if (!run) return run.error();
    runs.push_back(std::move(run).value());
  }
  std::sort(runs.begin(), runs.end(), [](const LoadedRun& a, const LoadedRun& b) {
    return std::tie(a.id.variant_index, a.id.variant, a.id.seed) <
           std::tie(b.id.variant_index, b.id.variant, b.id.seed);
  });
  Comparison c;
  c.scenario = runs.front().id.scenario;
  for (size_t i = 0; i < runs.size(); ++i) {
    const LoadedRun& r = runs[i];
    if (r.id.scenario != c.scenario) {
      return Error{fmt::format("{} is a run of scenario '{}', {} of '{}': compare one scenario",
                               r.folder.string(), r.id.scenario, runs.front().folder.string(),
                               c.scenario)};
    }
    if (i > 0 && runs[i - 1].id.variant == r.id.variant && runs[i - 1].id.seed == r.id.seed) {
      return Error{fmt::format("{} and {} are both variant '{}' with seed {}",
                               runs[i - 1].folder.string(), r.folder.string(), r.id.variant,
                               r.id.seed)};
    }
    if (c.variants.empty() || c.variants.back() != r.id.variant) {
      c.variants.push_back(r.id.variant);
      c.seeds.emplace_back();
      c.folders.emplace_back();
    }
    c.seeds.back().push_back(r.id.seed);
    c.folders.back().push_back(r.folder);
  }
  for (const FigureSpec& spec : figure_specs(runs)) {
    ComparedFigure f;
    f.name = spec.name;
    if (!spec.path.empty() && !spec.path[0].empty() && spec.path[0][0] == '@') {
      f.framework = spec.path[0].substr(1);
    }
    for (const std::string& variant : c.variants) {
      std::vector<double> xs;
      for (const LoadedRun& r : runs) {
        if (r.id.variant != variant) continue;
        if (auto v = value_of(r, spec)) xs.push_back(*v);
      }
      f.cells.push_back(summarize(xs));
    }
    c.figures.push_back(std::move(f));
  }
  return c;
}

std::string comparison_table(const Comparison& c, size_t max_frameworks) {
  std::set<std::string> frameworks;
  for (const ComparedFigure& f : c.figures) {
    if (!f.framework.empty()) frameworks.insert(f.framework);
  }
  const bool per_framework = frameworks.size() <= max_frameworks;
  std::vector<std::string> header{"figure"};
  for (size_t v = 0; v < c.variants.size(); ++v) {
    header.push_back(fmt::format("{} (n={})", c.variants[v], c.seeds[v].size()));
  }
  for (size_t v = 1; v < c.variants.size(); ++v) {
    header.push_back(fmt::format("{}/{}", c.variants[v], c.variants[0]));
  }
  std::vector<std::vector<std::string>> rows{header};
  for (const ComparedFigure& f : c.figures) {
    if (!per_framework && !f.framework.empty()) continue;
    std::vector<std::string> row{f.name};
    for (const auto& cell : f.cells) row.push_back(cell_text(cell));
    for (size_t v = 1; v < f.cells.size(); ++v) row.push_back(ratio_text(f.cells[0], f.cells[v]));
    rows.push_back(std::move(row));
  }
  std::vector<size_t> width(header.size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      // Display width: "±" is two bytes in UTF-8 but one column.
      const size_t extra = row[i].find("±") != std::string::npos ? 1 : 0;
      width[i] = std::max(width[i], row[i].size() - extra);
    }
  }
  std::string out = fmt::format(
      "scenario {}: mean over seeds ± half-width of the 95% confidence interval (Student's t); "
      "ratios are of means\n\n",
      c.scenario);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      const size_t extra = row[i].find("±") != std::string::npos ? 1 : 0;
      const size_t pad = width[i] + extra;
      out += i == 0 ? fmt::format("{:<{}}", row[i], pad) : fmt::format("  {:>{}}", row[i], pad);
    }
    out += "\n";
  }
  if (!per_framework) {
    out += fmt::format(
        "\n{} frameworks: their own figures are left out here; compare.csv, compare.json and "
        "compare.html have them\n",
        frameworks.size());
  }
  return out;
}

Result<std::vector<std::filesystem::path>> write_comparison(const Comparison& c,
                                                            const std::filesystem::path& dir,
                                                            const CompareReportOptions& report,
                                                            std::vector<std::string>* notes) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Error{fmt::format("{}: cannot create the folder: {}", dir.string(), ec.message())};
  std::string csv = "figure,variant,seeds,mean,ci95_half_width,ratio_to_first\n";
  OrderedJson json{{"scenario", c.scenario}, {"variants", OrderedJson::array()}};
  for (size_t v = 0; v < c.variants.size(); ++v) {
    json["variants"].push_back({{"name", c.variants[v]}, {"seeds", c.seeds[v]}});
  }
  json["figures"] = OrderedJson::array();
  for (const ComparedFigure& f : c.figures) {
    OrderedJson fj{{"name", f.name}, {"by_variant", OrderedJson::array()}};
    for (size_t v = 0; v < f.cells.size(); ++v) {
      const auto& cell = f.cells[v];
      const std::string ratio = ratio_text(f.cells[0], cell);
      csv += fmt::format("\"{}\",{},{},{:.6f},{:.6f},{}\n", f.name, c.variants[v], cell.n,
                         cell.mean, cell.half_width, ratio == "-" ? "" : ratio);
      fj["by_variant"].push_back({{"variant", c.variants[v]},
                                  {"n", cell.n},
                                  {"mean", cell.mean},
                                  {"ci95_half_width", cell.half_width}});
    }
    json["figures"].push_back(std::move(fj));
  }
  std::vector<std::filesystem::path> written;
  auto write = [&](const std::string& name, const std::string& text) -> Status {
    std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) return Error{fmt::format("{}: cannot write", (dir / name).string())};
    written.push_back(dir / name);
    return Status::success();
  };
  if (Status s = write("compare.csv", csv); !s) return s.error();
  if (Status s = write("compare.json", json.dump(2) + "\n"); !s) return s.error();

  std::vector<std::string> said;
  for (const std::string& svg : compare_plot_files()) std::filesystem::remove(dir / svg, ec);
  if (report.plots) {
    const std::optional<std::filesystem::path> gnuplot = find_program(report.gnuplot);
    // Read the runs' CSVs only when there is a gnuplot to render them.
    Result<std::string> script =
        gnuplot ? compare_plots_script(c) : Result<std::string>(std::string());
    if (!gnuplot) {
      said.push_back(fmt::format(
          "plots skipped: '{}' not found on PATH (install gnuplot to get the SVG plots)",
          report.gnuplot));
    } else if (!script) {
      said.push_back("plots skipped: " + script.error().message);
    } else {
      if (Status s = write("compare_plots.gp", script.value()); !s) return s.error();
      if (Status s = render_gnuplot(dir, "compare_plots.gp", *gnuplot); !s) return s.error();
      for (const std::string& svg : compare_plot_files()) written.push_back(dir / svg);
    }
  }
  if (Status s = write("compare.html", compare_html(c, dir, said)); !s) return s.error();
  if (notes != nullptr) notes->insert(notes->end(), said.begin(), said.end());
  return written;
}

}  // namespace mesosim::analysis
