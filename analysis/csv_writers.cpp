// timeseries.csv, jobs.csv and tasks.csv (analysis/README.md documents every column).

#include <iterator>
#include <sstream>

#include <fmt/format.h>

#include "analysis/job_stats.hpp"
#include "analysis/writers.hpp"

namespace mesosim::analysis {
namespace {

std::string num(double x) {
  std::string s = fmt::format("{:.6f}", x);
  if (s == "-0.000000") s = "0.000000";
  return s;
}
std::string seconds(const std::optional<Time>& t) { return t ? num(t->seconds_f()) : ""; }

// RFC 4180: quote a field that holds a comma, quote or line break.
std::string field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

void series_rows(std::string& out, const SubjectSeries& s, const RunResult& r,
                 const std::vector<Eigen::ArrayXd>& totals, Time start, Duration step, size_t n) {
  std::vector<Eigen::ArrayXd> alloc, used;
  for (size_t i = 0; i < r.resources.size(); ++i) {
    alloc.push_back(s.allocated[i].sample(start, step, n));
    used.push_back(s.used[i].sample(start, step, n));
  }
  const Eigen::ArrayXd dominant = s.dominant_share.sample(start, step, n);
  for (size_t k = 0; k < n; ++k) {
    const Eigen::Index e = static_cast<Eigen::Index>(k);
    const Time t = start + step * static_cast<int64_t>(k);
    out += fmt::format("{},{},{},{}", num(t.seconds_f()), s.kind, field(s.name), num(dominant[e]));
    for (size_t i = 0; i < r.resources.size(); ++i) {
      const double total = totals[i][e];
      out += fmt::format(",{},{},{},{}", num(alloc[i][e]), num(used[i][e]),
                         num(total > 0 ? alloc[i][e] / total : 0.0),
                         num(total > 0 ? used[i][e] / total : 0.0));
    }
    out += '\n';
  }
}

}  // namespace

std::string timeseries_csv(const RunResult& r, size_t samples) {
  samples = std::max<size_t>(samples, 1);
  const Duration span = r.end - r.start;
  const Duration step = Duration::micros(std::max<int64_t>(1, span.micros() / int64_t(samples)));
  const size_t n = static_cast<size_t>(span.micros() / step.micros()) + 1;
  std::string out = "time_s,kind,name,dominant_share";
  for (const std::string& res : r.resources) {
    out += fmt::format(",{0}_allocated,{0}_used,{0}_allocated_share,{0}_used_share", res);
  }
  out += '\n';
  std::vector<Eigen::ArrayXd> totals;
  for (const TimeSeries& t : r.cluster_total) totals.push_back(t.sample(r.start, step, n));
  // The cluster's totals as a subject of their own: allocated = total.
  SubjectSeries cluster;
  cluster.kind = "cluster_total";
  cluster.name = "total";
  cluster.allocated = r.cluster_total;
  cluster.used = std::vector<TimeSeries>(r.resources.size());
  series_rows(out, cluster, r, totals, r.start, step, n);
  series_rows(out, r.total, r, totals, r.start, step, n);
  for (const SubjectSeries& s : r.frameworks) series_rows(out, s, r, totals, r.start, step, n);
  for (const SubjectSeries& s : r.roles) series_rows(out, s, r, totals, r.start, step, n);
  return out;
}

std::string jobs_csv(const RunResult& r) {
  std::string out =
      "job_id,framework,group,tasks,size_bin,submit_s,ready_s,start_s,finish_s,completion_s,"
      "wait_s,state\n";
  for (const JobOutcome& j : r.job_outcomes) {
    const size_t bin = size_bin(j.tasks.size());
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{}\n", field(j.id), field(j.framework),
                       field(j.group), j.tasks.size(), RunResult::size_bin_name(bin),
                       num(j.submit.seconds_f()), seconds(j.ready), seconds(j.start),
                       seconds(j.finish),
                       j.finish && !j.abandoned ? num((*j.finish - j.submit).seconds_f()) : "",
                       j.start ? num((*j.start - j.submit).seconds_f()) : "", job_state(j));
  }
  return out;
}

void write_tasks_csv(const RunResult& r, std::ostream& out) {
  std::string line =
      "job_id,framework,task_index,resources,ready_s,launched_s,running_s,ended_s,wait_s,"
      "attempts,locality,agent,final_state";
  for (size_t c = 0; c < kWaitCauseCount; ++c) {
    line += fmt::format(",wait_{}_s", to_string(static_cast<WaitCause>(c)));
  }
  line += '\n';
  out << line;
  for (const TaskRow& row : r.tasks) {
    const JobOutcome& j = r.job_outcomes[row.job];
    const TaskOutcome& t = j.tasks[row.task];
    line.clear();  // one row at a time: a replay's millions of rows are never held at once
    fmt::format_to(std::back_inserter(line), "{},{},{},{},{},{},{},{},{},{},{},{},{}",
                   field(j.id), field(j.framework), row.task, field(t.resources.to_string()),
                   num(t.ready.seconds_f()), seconds(t.launched), seconds(t.running),
                   seconds(t.ended), num(t.wait.seconds_f()), t.attempts, field(t.locality),
                   field(t.agent), t.final_state);
    for (double w : row.wait_by_cause) {
      line += ',';
      line += num(w);
    }
    line += '\n';
    out << line;
  }
}

std::string tasks_csv(const RunResult& r) {
  std::ostringstream out;
  write_tasks_csv(r, out);
  return std::move(out).str();
}

}  // namespace mesosim::analysis
