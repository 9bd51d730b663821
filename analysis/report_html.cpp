// report.html: one self-contained page with the summary tables and the SVG plots inlined.

#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "analysis/writers.hpp"

namespace mesosim::analysis {
namespace {

std::string f3(double x) { return fmt::format("{:.3f}", x); }
std::string pct(double x) { return fmt::format("{:.1f}%", 100.0 * x); }

std::string row(const std::vector<std::string>& cells, const char* tag = "td") {
  std::string s = "<tr>";
  for (const std::string& c : cells) s += fmt::format("<{0}>{1}</{0}>", tag, html_escape(c));
  return s + "</tr>\n";
}

std::string cluster_table(const RunResult& r) {
  std::string s = "<table>\n" + row({"resource", "allocated share", "used share",
                                     "idle in offers (resource·s)", "stranded (fraction of free)"},
                                    "th");
  for (size_t i = 0; i < r.resources.size(); ++i) {
    s += row({r.resources[i], pct(r.total.allocated_share[i]), pct(r.total.used_share[i]),
              f3(r.offers.idle_resource_seconds[i]), pct(r.fragmentation.stranded_fraction[i])});
  }
  s += "</table>\n<table>\n" +
       row({"Jain (mean shares)", "Jain (time average)", "max envy (time average)",
            "max envy (peak)"},
           "th") +
       row({f3(r.fairness.jain_of_mean_shares), f3(r.fairness.jain_time_average),
            f3(r.fairness.max_envy_time_average), f3(r.fairness.max_envy_peak)}) +
       "</table>\n";
  return s;
}

std::string framework_table(const RunResult& r) {
  std::string s =
      "<table>\n" +
      row({"framework", "jobs", "finished", "JCT mean (s)", "JCT median (s)", "JCT p95 (s)",
           "JCT p99 (s)", "task wait mean (s)", "task wait p95 (s)", "mean dominant share",
           "offers made", "accepted", "declined", "rescinded", "accept latency median (s)"},
          "th");
  for (size_t i = 0; i < r.framework_summaries.size(); ++i) {
    const FrameworkSummary& f = r.framework_summaries[i];
    const JobStats& j = f.jobs;
    s += row({f.name, std::to_string(j.jobs), std::to_string(j.finished), f3(j.completion_s.mean),
              f3(j.completion_s.median), f3(j.completion_s.p95), f3(j.completion_s.p99),
              f3(j.task_wait_s.mean), f3(j.task_wait_s.p95),
              i < r.frameworks.size() ? f3(r.frameworks[i].mean_dominant_share) : "",
              std::to_string(f.offers.made), std::to_string(f.offers.accepted),
              std::to_string(f.offers.declined), std::to_string(f.offers.rescinded),
              f3(f.offers.accept_latency_s.median)});
  }
  return s + "</table>\n";
}

// Allocated and used share of each resource, per framework and role.
std::string shares_table(const RunResult& r) {
  std::vector<std::string> head = {"", "name", "mean dominant share"};
  for (const std::string& res : r.resources) {
    head.push_back(res + " allocated");
    head.push_back(res + " used");
  }
  std::string s = "<table>\n" + row(head, "th");
  auto add = [&](const SubjectSeries& x) {
    std::vector<std::string> cells = {x.kind, x.name, f3(x.mean_dominant_share)};
    for (size_t i = 0; i < r.resources.size(); ++i) {
      cells.push_back(pct(x.allocated_share[i]));
      cells.push_back(pct(x.used_share[i]));
    }
    s += row(cells);
  };
  for (const SubjectSeries& x : r.frameworks) add(x);
  for (const SubjectSeries& x : r.roles) add(x);
  return s + "</table>\n";
}

std::string wait_table(const RunResult& r) {
  std::vector<std::string> head = {"framework", "total wait (s)"};
  for (size_t c = 0; c < kWaitCauseCount; ++c) head.emplace_back(to_string(WaitCause(c)));
  std::string s = "<table>\n" + row(head, "th");
  for (const FrameworkSummary& f : r.framework_summaries) {
    double total = 0;
    for (double w : f.jobs.wait_by_cause) total += w;
    std::vector<std::string> cells = {f.name, f3(total)};
    for (double w : f.jobs.wait_by_cause) cells.push_back(total > 0 ? pct(w / total) : "");
    s += row(cells);
  }
  return s + "</table>\n";
}

std::string size_table(const RunResult& r) {
  std::string s = "<table>\n" + row({"job size (tasks)", "finished jobs", "JCT mean (s)",
                                     "median (s)", "p95 (s)", "p99 (s)"},
                                    "th");
  for (size_t b = 0; b < r.jobs.completion_by_size_s.size(); ++b) {
    const Distribution& d = r.jobs.completion_by_size_s[b];
    if (d.count == 0) {
      s += row({RunResult::size_bin_name(b), "0", "-", "-", "-", "-"});
      continue;
    }
    s += row({RunResult::size_bin_name(b), std::to_string(d.count), f3(d.mean), f3(d.median),
              f3(d.p95), f3(d.p99)});
  }
  return s + "</table>\n";
}

}  // namespace

std::string html_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string inline_svg(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in)
    return fmt::format("<p class=\"note\">{} was not rendered.</p>\n",
                       html_escape(file.filename().string()));
  std::stringstream buf;
  buf << in.rdbuf();
  std::string svg = buf.str();
  const size_t open = svg.find("<svg");  // drop the XML declaration and doctype
  return "<figure>" + (open == std::string::npos ? svg : svg.substr(open)) + "</figure>\n";
}

std::string report_html(const RunResult& r, const std::filesystem::path& svg_dir,
                        const std::vector<std::string>& notes) {
  std::string s =
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>mesosim run report</title>\n"
      "<style>body{font-family:sans-serif;margin:2em;max-width:1100px}"
      "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;"
      "text-align:right}th{background:#f0f0f0}td:first-child{text-align:left}"
      ".note{color:#a00}figure{margin:1em 0}</style></head><body>\n"
      "<h1>mesosim run report</h1>\n";
  s += fmt::format("<p>{} events from {} s to {} s ({} s). Allocator explanations: {}.</p>\n",
                   r.events, f3(r.start.seconds_f()), f3(r.end.seconds_f()),
                   f3((r.end - r.start).seconds_f()), r.explanations ? "on" : "off");
  for (const std::string& n : notes) s += "<p class=\"note\">" + html_escape(n) + "</p>\n";
  s += "<h2>Cluster</h2>\n" + cluster_table(r);
  s += "<h2>Frameworks</h2>\n" + framework_table(r);
  s += "<h2>Shares of the cluster</h2>\n" + shares_table(r);
  s += "<h2>Job completion by job size</h2>\n" + size_table(r);
  s += "<h2>Why did tasks wait?</h2>\n" + wait_table(r);
  s += "<h2>Plots</h2>\n";
  for (const std::string& file : plot_files()) s += inline_svg(svg_dir / file);
  return s + "</body></html>\n";
}

}  // namespace mesosim::analysis
