// compare.html and compare_plots.gp: the variants of a comparison side by side.

#include "analysis/compare_report.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include <fmt/format.h>

#include "analysis/writers.hpp"

namespace mesosim::analysis {
namespace {

constexpr const char* kShareResources[] = {"cpus", "mem"};

std::string num(double x) { return gp_number(x); }

// One CSV record (RFC 4180 quoting; records hold no line breaks in our files).
std::vector<std::string> csv_fields(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else if (c != '\r') {
      fields.back() += c;
    }
  }
  return fields;
}

// A CSV file of a run folder: its header's columns by name, then its records.
struct Csv {
  std::filesystem::path file;
  std::map<std::string, size_t> columns;
  std::vector<std::vector<std::string>> rows;

  Result<size_t> column(const std::string& name) const {
    auto it = columns.find(name);
    if (it == columns.end()) {
      return Error{fmt::format("{}: no column '{}' in its header", file.string(), name)};
    }
    return it->second;
  }
};

Result<Csv> read_csv(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return Error{fmt::format("{}: cannot read", file.string())};
  Csv csv;
  csv.file = file;
  std::string line;
  if (!std::getline(in, line)) return Error{fmt::format("{}: empty, no header", file.string())};
  const std::vector<std::string> header = csv_fields(line);
  for (size_t i = 0; i < header.size(); ++i) csv.columns.emplace(header[i], i);
  size_t number = 1;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    csv.rows.push_back(csv_fields(line));
    if (csv.rows.back().size() != header.size()) {
      return Error{fmt::format("{}:{}: {} fields, the header has {}", file.string(), number,
                               csv.rows.back().size(), header.size())};
    }
  }
  return csv;
}

Result<double> number_at(const Csv& csv, size_t row, size_t column) {
  const std::string& text = csv.rows[row][column];
  try {
    size_t used = 0;
    const double x = std::stod(text, &used);
    if (used == text.size()) return x;
  } catch (const std::exception&) {
  }
  return Error{fmt::format("{}:{}: '{}' is not a number", csv.file.string(), row + 2, text)};
}

// Every finished job's completion time over the variant's seeds, sorted.
Result<std::vector<double>> completion_times(const std::vector<std::filesystem::path>& folders) {
  std::vector<double> xs;
  for (const auto& folder : folders) {
    Result<Csv> csv = read_csv(folder / "jobs.csv");
    if (!csv) return csv.error();
    Result<size_t> col = csv.value().column("completion_s");
    if (!col) return col.error();
    for (size_t r = 0; r < csv.value().rows.size(); ++r) {
      if (csv.value().rows[r][col.value()].empty()) continue;  // unfinished
      Result<double> x = number_at(csv.value(), r, col.value());
      if (!x) return x.error();
      xs.push_back(x.value());
    }
  }
  std::sort(xs.begin(), xs.end());
  return xs;
}

// (time, allocated share of `resource`) at each sample of one run; nullopt when the run has no
// such resource.
using ShareSeries = std::vector<std::pair<double, double>>;
Result<std::optional<ShareSeries>> share_series(const Csv& csv, const std::string& resource) {
  if (csv.columns.count(resource + "_allocated") == 0) return std::optional<ShareSeries>{};
  Result<size_t> time = csv.column("time_s");
  Result<size_t> kind = csv.column("kind");
  if (!time) return time.error();
  if (!kind) return kind.error();
  const size_t amount = csv.columns.at(resource + "_allocated");
  ShareSeries series;
  double cluster = 0;
  for (size_t r = 0; r < csv.rows.size(); ++r) {
    const std::string& k = csv.rows[r][kind.value()];
    if (k != "cluster_total" && k != "total") continue;
    Result<double> x = number_at(csv, r, amount);
    if (!x) return x.error();
    if (k == "cluster_total") {
      cluster = x.value();
      continue;
    }
    Result<double> t = number_at(csv, r, time.value());
    if (!t) return t.error();
    series.emplace_back(t.value(), cluster > 0 ? x.value() / cluster : 0.0);
  }
  return std::optional<ShareSeries>{std::move(series)};
}

std::string jct_plot(const Comparison& c, const std::vector<std::vector<double>>& jct) {
  std::string s;
  std::vector<size_t> shown;
  for (size_t v = 0; v < jct.size(); ++v) {
    if (jct[v].empty()) continue;
    shown.push_back(v);
    s += fmt::format("$jct{} << EOD\n{},0\n", v, num(jct[v].front()));
    for (size_t k = 0; k < jct[v].size(); ++k) {
      s += num(jct[v][k]) + "," + num(double(k + 1) / double(jct[v].size())) + "\n";
    }
    s += "EOD\n";
  }
  s += "set output 'compare_jct_cdf.svg'\n"
       "set title 'Job completion time CDF per variant (every finished job of every seed)'\n"
       "set xlabel 'completion time (s)'\nset ylabel 'fraction of finished jobs'\n"
       "set yrange [0:1.05]\n";
  if (shown.empty()) return s + gp_empty_plot("no finished jobs") + "set autoscale\n";
  s += "plot ";
  for (size_t i = 0; i < shown.size(); ++i) {
    const size_t v = shown[i];
    s += fmt::format("{}$jct{} using 1:2 with steps lw 2 title {}", i > 0 ? ", " : "", v,
                     gp_string(fmt::format("{} ({} jobs)", c.variants[v], jct[v].size())));
  }
  return s + "\nset autoscale\n";
}

std::string share_plot(const Comparison& c, const std::string& resource,
                       const std::vector<std::optional<ShareSeries>>& series) {
  std::string s;
  std::vector<size_t> shown;
  for (size_t v = 0; v < series.size(); ++v) {
    if (!series[v] || series[v]->empty()) continue;
    shown.push_back(v);
    s += fmt::format("${}{} << EOD\n", resource, v);
    for (const auto& [t, share] : *series[v]) s += num(t) + "," + num(share) + "\n";
    s += "EOD\n";
  }
  s += fmt::format(
      "set output 'compare_{0}_share.svg'\nset title 'Share of the cluster''s {0} allocated "
      "(each variant''s first seed)'\nset xlabel 'time (s)'\nset ylabel 'allocated share'\n"
      "set yrange [0:1.05]\n",
      resource);
  if (shown.empty()) return s + gp_empty_plot("no " + resource + " in the runs") + "set autoscale\n";
  s += "plot ";
  for (size_t i = 0; i < shown.size(); ++i) {
    const size_t v = shown[i];
    s += fmt::format("{}${}{} using 1:2 with steps lw 2 title {}", i > 0 ? ", " : "", resource, v,
                     gp_string(fmt::format("{} (seed {})", c.variants[v], c.seeds[v].front())));
  }
  return s + "\nset autoscale\n";
}

std::string link_to(const std::filesystem::path& from, const std::filesystem::path& file) {
  std::error_code ec;
  const auto base = std::filesystem::weakly_canonical(from, ec);
  const auto target = std::filesystem::weakly_canonical(file, ec);
  const auto rel = ec ? file : target.lexically_relative(base);
  return rel.empty() ? file.generic_string() : rel.generic_string();
}

std::string table_html(const Comparison& c) {
  std::string s = "<table>\n<tr><th>figure</th>";
  for (size_t v = 0; v < c.variants.size(); ++v) {
    s += fmt::format("<th>{} (n={})</th>", html_escape(c.variants[v]), c.seeds[v].size());
  }
  for (size_t v = 1; v < c.variants.size(); ++v) {
    s += fmt::format("<th>{}/{}</th>", html_escape(c.variants[v]), html_escape(c.variants[0]));
  }
  s += "</tr>\n";
  for (const ComparedFigure& f : c.figures) {
    s += "<tr><td>" + html_escape(f.name) + "</td>";
    for (const auto& cell : f.cells) s += "<td>" + html_escape(comparison_cell_text(cell)) + "</td>";
    for (size_t v = 1; v < f.cells.size(); ++v) {
      s += "<td>" + comparison_ratio_text(f.cells[0], f.cells[v]) + "</td>";
    }
    s += "</tr>\n";
  }
  return s + "</table>\n";
}

}  // namespace

std::vector<std::string> compare_plot_files() {
  std::vector<std::string> files{"compare_jct_cdf.svg"};
  for (const char* r : kShareResources) files.push_back(fmt::format("compare_{}_share.svg", r));
  return files;
}

Result<std::string> compare_plots_script(const Comparison& c) {
  std::vector<std::vector<double>> jct;
  for (const auto& folders : c.folders) {
    Result<std::vector<double>> xs = completion_times(folders);
    if (!xs) return xs.error();
    jct.push_back(std::move(xs).value());
  }
  std::vector<Csv> first_seeds;
  for (const auto& folders : c.folders) {
    Result<Csv> csv = read_csv(folders.front() / "timeseries.csv");
    if (!csv) return csv.error();
    first_seeds.push_back(std::move(csv).value());
  }
  std::string s =
      "# Renders the plots of a mesosim comparison: gnuplot compare_plots.gp (in this "
      "directory).\nset terminal svg size 900,420 font 'sans,11' background rgb 'white'\n"
      "set termoption noenhanced\nset datafile separator ','\nset key outside right\nset grid\n";
  s += jct_plot(c, jct);
  for (const char* resource : kShareResources) {
    std::vector<std::optional<ShareSeries>> series;
    for (const Csv& csv : first_seeds) {
      Result<std::optional<ShareSeries>> one = share_series(csv, resource);
      if (!one) return one.error();
      series.push_back(std::move(one).value());
    }
    s += share_plot(c, resource, series);
  }
  return s + "set output\n";
}

std::string compare_html(const Comparison& c, const std::filesystem::path& dir,
                         const std::vector<std::string>& notes) {
  std::string s = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>mesosim compare: "
      "{0}</title>\n<style>body{{font-family:sans-serif;margin:2em;max-width:1200px}}"
      "table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #ccc;"
      "padding:4px 8px;text-align:right}}th{{background:#f0f0f0}}"
      "td:first-child,th:first-child{{text-align:left}}.note{{color:#a00}}"
      "figure{{margin:1em 0}}</style></head><body>\n<h1>Scenario {0}</h1>\n"
      "<p>Mean over seeds ± half-width of the 95% confidence interval (Student's t); ratios are "
      "of means.</p>\n",
      html_escape(c.scenario));
  for (const std::string& n : notes) s += "<p class=\"note\">" + html_escape(n) + "</p>\n";
  s += table_html(c);
  s += "<h2>Plots</h2>\n";
  for (const std::string& file : compare_plot_files()) s += inline_svg(dir / file);
  s += "<h2>Runs</h2>\n<ul>\n";
  for (size_t v = 0; v < c.variants.size(); ++v) {
    s += "<li>" + html_escape(c.variants[v]) + ":";
    for (size_t k = 0; k < c.folders[v].size(); ++k) {
      const std::string href = link_to(dir, c.folders[v][k] / "report.html");
      s += fmt::format(" <a href=\"{}\">seed {}</a>", html_escape(href), c.seeds[v][k]);
    }
    s += "</li>\n";
  }
  return s + "</ul>\n</body></html>\n";
}

}  // namespace mesosim::analysis
