// The gnuplot script behind the SVG plots (analysis/README.md, "Plots"). The data travel inside
// the script as datablocks, so plots.gp alone re-renders every plot.

#include <algorithm>

#include <fmt/format.h>

#include "analysis/writers.hpp"

namespace mesosim::analysis {
namespace {

std::string num(double x) { return gp_number(x); }

// A name as a datablock cell: no separators or line breaks.
std::string cell(const std::string& s) {
  std::string out = s.empty() ? std::string("unknown") : s;
  std::replace_if(
      out.begin(), out.end(), [](char c) { return c == ',' || c == '\n' || c == '\r' || c == '"'; },
      ';');
  return out;
}

struct Grid {
  Duration step;
  size_t n = 0;
};
Grid grid(const RunResult& r, size_t samples) {
  samples = std::max<size_t>(samples, 1);
  const Duration span = r.end - r.start;
  Grid g;
  g.step = Duration::micros(std::max<int64_t>(1, span.micros() / int64_t(samples)));
  g.n = static_cast<size_t>(span.micros() / g.step.micros()) + 1;
  return g;
}

// A plot with nothing to show still renders, with a note in place of the data.
std::string empty_plot(const std::string& note) { return gp_empty_plot(note); }

std::string utilization(const RunResult& r, const Grid& g) {
  std::string s = "$util << EOD\n";
  std::vector<Eigen::ArrayXd> total, alloc, used;
  for (size_t i = 0; i < r.resources.size(); ++i) {
    total.push_back(r.cluster_total[i].sample(r.start, g.step, g.n));
    alloc.push_back(r.total.allocated[i].sample(r.start, g.step, g.n));
    used.push_back(r.total.used[i].sample(r.start, g.step, g.n));
  }
  for (size_t k = 0; k < g.n; ++k) {
    const Eigen::Index e = static_cast<Eigen::Index>(k);
    s += num((r.start + g.step * static_cast<int64_t>(k) - r.start).seconds_f());
    for (size_t i = 0; i < r.resources.size(); ++i) {
      const double t = total[i][e];
      s += "," + num(t > 0 ? alloc[i][e] / t : 0) + "," + num(t > 0 ? used[i][e] / t : 0);
    }
    s += '\n';
  }
  s += "EOD\nset output 'utilization.svg'\nset title 'Cluster utilization'\n"
       "set xlabel 'time since start (s)'\nset ylabel 'share of the cluster'\n"
       "set yrange [0:1.05]\n";
  if (r.resources.empty()) return s + empty_plot("no resources") + "set autoscale\n";
  s += "plot ";
  for (size_t i = 0; i < r.resources.size(); ++i) {
    if (i > 0) s += ", ";
    s += fmt::format(
        "$util using 1:{} with steps lw 2 title {}, $util using 1:{} with steps dt 2 "
        "title {}",
        2 + 2 * i, gp_string(r.resources[i] + " allocated"), 3 + 2 * i,
        gp_string(r.resources[i] + " used"));
  }
  return s + "\nset autoscale\n";
}

std::string dominant_shares(const RunResult& r, const Grid& g) {
  std::string s = "$ds << EOD\n";
  std::vector<Eigen::ArrayXd> ds;
  for (const SubjectSeries& f : r.frameworks)
    ds.push_back(f.dominant_share.sample(r.start, g.step, g.n));
  for (size_t k = 0; k < g.n; ++k) {
    s += num((g.step * static_cast<int64_t>(k)).seconds_f());
    for (const auto& d : ds) s += "," + num(d[static_cast<Eigen::Index>(k)]);
    s += '\n';
  }
  s += "EOD\nset output 'dominant_shares.svg'\nset title 'Dominant share per framework'\n"
       "set xlabel 'time since start (s)'\nset ylabel 'dominant share'\nset yrange [0:1.05]\n";
  if (r.frameworks.empty()) return s + empty_plot("no frameworks") + "set autoscale\n";
  s += "plot ";
  for (size_t i = 0; i < r.frameworks.size(); ++i) {
    s += fmt::format("{}$ds using 1:{} with steps lw 2 title {}", i > 0 ? ", " : "", 2 + i,
                     gp_string(r.frameworks[i].name));
  }
  return s + "\nset autoscale\n";
}

std::string jct_cdf(const RunResult& r) {
  std::string s;
  std::vector<std::string> names;
  std::vector<std::vector<double>> samples;
  for (const JobOutcome& j : r.job_outcomes) {
    if (!j.finish) continue;
    if (names.empty() || names.back() != j.framework) {  // outcomes are sorted by framework
      names.push_back(j.framework);
      samples.emplace_back();
    }
    samples.back().push_back((*j.finish - j.submit).seconds_f());
  }
  for (size_t i = 0; i < samples.size(); ++i) {
    std::sort(samples[i].begin(), samples[i].end());
    s += fmt::format("$jct{} << EOD\n", i);
    s += num(samples[i].front()) + ",0\n";  // the CDF starts from 0
    for (size_t k = 0; k < samples[i].size(); ++k) {
      s += num(samples[i][k]) + "," + num(double(k + 1) / double(samples[i].size())) + "\n";
    }
    s += "EOD\n";
  }
  s += "set output 'jct_cdf.svg'\nset title 'Job completion time CDF per framework'\n"
       "set xlabel 'completion time (s)'\nset ylabel 'fraction of finished jobs'\n"
       "set yrange [0:1.05]\n";
  if (samples.empty()) return s + empty_plot("no finished jobs") + "set autoscale\n";
  s += "plot ";
  for (size_t i = 0; i < samples.size(); ++i) {
    s += fmt::format("{}$jct{} using 1:2 with steps lw 2 title {}", i > 0 ? ", " : "", i,
                     gp_string(names[i]));
  }
  return s + "\nset autoscale\n";
}

// A row-stacked histogram of percentages, one bar per framework.
std::string stacked(const std::string& block, const std::string& file, const std::string& title,
                    const std::vector<std::string>& columns,
                    const std::vector<std::pair<std::string, std::vector<double>>>& rows) {
  std::string s = "$" + block + " << EOD\n";
  for (const auto& [name, values] : rows) {
    double sum = 0;
    for (double v : values) sum += v;
    s += cell(name);
    for (double v : values) s += "," + num(sum > 0 ? 100.0 * v / sum : 0.0);
    s += '\n';
  }
  s += fmt::format(
      "EOD\nset output '{}'\nset title {}\nset xlabel 'framework'\n"
      "set ylabel 'percent'\nset yrange [0:105]\n",
      file, gp_string(title));
  if (rows.empty()) return s + empty_plot("no tasks") + "set autoscale\n";
  s += "set style data histograms\nset style histogram rowstacked\n"
       "set style fill solid 0.85 border -1\nset boxwidth 0.6\nplot ";
  for (size_t c = 0; c < columns.size(); ++c) {
    s += fmt::format("{}${} using {}{} title {}", c > 0 ? ", " : "", block, 2 + c,
                     c == 0 ? ":xtic(1)" : "", gp_string(columns[c]));
  }
  return s + "\nset style data lines\nset autoscale\n";
}

std::string wait_breakdown(const RunResult& r) {
  std::vector<std::string> columns;
  for (size_t c = 0; c < kWaitCauseCount; ++c) columns.emplace_back(to_string(WaitCause(c)));
  std::vector<std::pair<std::string, std::vector<double>>> rows;
  for (const FrameworkSummary& f : r.framework_summaries) {
    if (f.jobs.jobs == 0) continue;
    rows.emplace_back(
        f.name, std::vector<double>(f.jobs.wait_by_cause.begin(), f.jobs.wait_by_cause.end()));
  }
  return stacked("wait", "wait_breakdown.svg",
                 "Task wait by cause (share of each framework's wait)", columns, rows);
}

std::string locality(const RunResult& r) {
  const std::vector<std::string> columns = {"node_local", "rack_local", "remote", "any", ""};
  std::vector<std::pair<std::string, std::vector<double>>> rows;
  for (const FrameworkSummary& f : r.framework_summaries) {
    if (f.jobs.locality.empty()) continue;
    std::vector<double> values;
    for (const std::string& c : columns) {
      auto it = f.jobs.locality.find(c);
      values.push_back(it == f.jobs.locality.end() ? 0.0 : double(it->second));
    }
    rows.emplace_back(f.name, values);
  }
  return stacked("loc", "locality.svg", "Locality of launched tasks",
                 {"node_local", "rack_local", "remote", "any", "unknown"}, rows);
}

}  // namespace

std::string gp_number(double x) {
  std::string s;
  append_fixed6(s, x);
  return s;
}

std::string gp_string(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    if (c != '\n' && c != '\r') out += c;
  }
  return out + "'";
}

std::string gp_empty_plot(const std::string& note) {
  return fmt::format(
      "set label 1 {} at graph 0.5,0.5 center\nset xrange [0:1]\nset yrange [0:1]\n"
      "plot 2 notitle\nunset label 1\n",
      gp_string(note));
}

std::vector<std::string> plot_files() {
  return {"utilization.svg", "dominant_shares.svg", "jct_cdf.svg", "wait_breakdown.svg",
          "locality.svg"};
}

std::string plots_script(const RunResult& r, size_t samples) {
  const Grid g = grid(r, samples);
  std::string s =
      "# Renders the plots of a mesosim run: gnuplot plots.gp (in this directory).\n"
      "set terminal svg size 900,420 font 'sans,11' background rgb 'white'\n"
      "set termoption noenhanced\nset datafile separator ','\nset key outside right\nset grid\n";
  s += utilization(r, g);
  s += dominant_shares(r, g);
  s += jct_cdf(r);
  s += wait_breakdown(r);
  s += locality(r);
  return s + "set output\n";
}

}  // namespace mesosim::analysis
