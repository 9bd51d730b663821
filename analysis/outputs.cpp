// write_outputs (every file into one folder) and the terminal summary table.

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>

#include <fmt/format.h>

#include "analysis/writers.hpp"

namespace mesosim::analysis {
namespace {

// Writes `path` with `write(std::ostream&)`.
template <typename Write>
Status write_file_with(const std::filesystem::path& path, Write&& write) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  write(out);
  out.close();
  if (!out) return Error{fmt::format("{}: cannot write the file", path.string())};
  return Status::success();
}

Status write_file(const std::filesystem::path& path, const std::string& text) {
  return write_file_with(path, [&](std::ostream& out) { out << text; });
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::optional<std::filesystem::path> find_program(const std::string& name) {
  if (name.find('/') != std::string::npos) {
    if (::access(name.c_str(), X_OK) == 0) return std::filesystem::path(name);
    return std::nullopt;
  }
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const std::filesystem::path candidate = std::filesystem::path(dir.empty() ? "." : dir) / name;
    if (::access(candidate.c_str(), X_OK) == 0 && !std::filesystem::is_directory(candidate)) {
      return candidate;
    }
  }
  return std::nullopt;
}

Status render_gnuplot(const std::filesystem::path& dir, const std::string& script,
                      const std::filesystem::path& gnuplot) {
  const std::string err_file = script + ".err";
  const std::string command =
      fmt::format("cd {} && {} {} 2> {}", shell_quote(dir.string()),
                  shell_quote(gnuplot.string()), shell_quote(script), shell_quote(err_file));
  const int status = std::system(command.c_str());
  std::ifstream err(dir / err_file);
  std::stringstream messages;
  messages << err.rdbuf();
  err.close();
  std::error_code ignored;
  std::filesystem::remove(dir / err_file, ignored);
  if (status != 0) {
    return Error{fmt::format("{}: gnuplot failed (status {}): {}", (dir / script).string(),
                             status, messages.str())};
  }
  return Status::success();
}

Result<WrittenOutputs> write_outputs(const RunResult& r, const std::filesystem::path& dir,
                                     const OutputOptions& options) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return Error{
        fmt::format("{}: cannot create the output folder: {}", dir.string(), ec.message())};
  WrittenOutputs out;
  // Each file is made as it is written, so only one is held at a time (tasks.csv not at all).
  const std::pair<const char*, std::function<void(std::ostream&)>> files[] = {
      {"summary.json", [&](std::ostream& o) { o << summary_json(r); }},
      {"timeseries.csv", [&](std::ostream& o) { o << timeseries_csv(r, options.samples); }},
      {"jobs.csv", [&](std::ostream& o) { o << jobs_csv(r); }},
      {"tasks.csv", [&](std::ostream& o) { write_tasks_csv(r, o); }},
  };
  for (const auto& [name, write] : files) {
    if (Status s = write_file_with(dir / name, write); !s) return s.error();
    out.files.push_back(dir / name);
  }
  for (const std::string& svg : plot_files()) std::filesystem::remove(dir / svg, ec);
  if (options.plots) {
    const std::optional<std::filesystem::path> gnuplot = find_program(options.gnuplot);
    if (!gnuplot) {
      out.notes.push_back(fmt::format(
          "plots skipped: '{}' not found on PATH (install gnuplot to get the SVG plots)",
          options.gnuplot));
    } else {
      if (Status s = write_file(dir / "plots.gp", plots_script(r, options.samples)); !s) {
        return s.error();
      }
      out.files.push_back(dir / "plots.gp");
      if (Status s = render_gnuplot(dir, "plots.gp", *gnuplot); !s) return s.error();
      for (const std::string& svg : plot_files()) out.files.push_back(dir / svg);
    }
  }
  if (Status s = write_file(dir / "report.html", report_html(r, dir, out.notes)); !s) {
    return s.error();
  }
  out.files.push_back(dir / "report.html");
  return out;
}

void print_summary_table(const RunResult& r, std::ostream& out) {
  out << fmt::format("{:<20} {:>6} {:>6} {:>10} {:>10} {:>10} {:>10} {:>8} {:>8} {:>7}\n",
                     "framework", "jobs", "done", "JCT mean", "JCT p95", "wait mean", "wait p95",
                     "dom.shr", "offers", "node%");
  for (size_t i = 0; i < r.framework_summaries.size(); ++i) {
    const FrameworkSummary& f = r.framework_summaries[i];
    size_t launched = 0;
    for (const auto& [kind, n] : f.jobs.locality) launched += n;
    const auto node = f.jobs.locality.find("node_local");
    const double node_pct = launched > 0 && node != f.jobs.locality.end()
                                ? 100.0 * double(node->second) / double(launched)
                                : 0.0;
    std::string name = f.name.size() > 20 ? f.name.substr(0, 19) + "~" : f.name;
    out << fmt::format(
        "{:<20} {:>6} {:>6} {:>9.1f}s {:>9.1f}s {:>9.2f}s {:>9.2f}s {:>8.3f} {:>8} {:>6.1f}%\n",
        name, f.jobs.jobs, f.jobs.finished, f.jobs.completion_s.mean, f.jobs.completion_s.p95,
        f.jobs.task_wait_s.mean, f.jobs.task_wait_s.p95,
        i < r.frameworks.size() ? r.frameworks[i].mean_dominant_share : 0.0, f.offers.made,
        node_pct);
  }
  std::string util;
  for (size_t i = 0; i < r.resources.size(); ++i) {
    util += fmt::format("{}{} {:.1f}% allocated / {:.1f}% used", i > 0 ? ", " : "", r.resources[i],
                        100 * r.total.allocated_share[i], 100 * r.total.used_share[i]);
  }
  out << fmt::format("cluster: {} over {:.1f}s\n", util.empty() ? "no resources" : util,
                     (r.end - r.start).seconds_f());
  out << fmt::format(
      "fairness: Jain {:.3f} (of mean dominant shares), {:.3f} (time average); "
      "max envy {:.3f} (time average), {:.3f} (peak)\n",
      r.fairness.jain_of_mean_shares, r.fairness.jain_time_average,
      r.fairness.max_envy_time_average, r.fairness.max_envy_peak);
  out << fmt::format(
      "offers: {} made, {} accepted, {} declined, {} rescinded; jobs: {} of {} finished\n",
      r.offers.made, r.offers.accepted, r.offers.declined, r.offers.rescinded, r.jobs.finished,
      r.jobs.jobs);
}

}  // namespace mesosim::analysis
