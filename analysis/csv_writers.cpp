// timeseries.csv, jobs.csv and tasks.csv (analysis/README.md documents every column).

#include <charconv>
#include <cmath>
#include <sstream>
#include <string_view>

#include <fmt/format.h>

#include "allocator/check.hpp"
#include "analysis/job_stats.hpp"
#include "analysis/writers.hpp"

namespace mesosim::analysis {
namespace {

// Each helper appends to `out`: a row is built in one reused string, with no temporaries.

void num(std::string& out, double x) { append_csv_number(out, x); }
void seconds(std::string& out, const std::optional<Time>& t) {
  if (t) append_seconds(out, t->micros());
}
template <typename Int>
void integer(std::string& out, Int v) {
  char buf[24];
  out.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

// RFC 4180: quote a field that holds a comma, quote or line break.
void field(std::string& out, std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) {
    out += s;
    return;
  }
  out += '"';
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

// One CSV record appended to a string: cell() puts the comma before every cell but the first,
// so a record reads as its list of cells.
class CsvRow {
 public:
  explicit CsvRow(std::string& out) : out_(out) {}
  std::string& cell() {
    if (cells_++ > 0) out_ += ',';
    return out_;
  }
  void end() { out_ += '\n'; }

 private:
  std::string& out_;
  size_t cells_ = 0;
};

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
    CsvRow row(out);
    append_seconds(row.cell(), t.micros());
    row.cell() += s.kind;
    field(row.cell(), s.name);
    num(row.cell(), dominant[e]);
    for (size_t i = 0; i < r.resources.size(); ++i) {
      const double total = totals[i][e];
      num(row.cell(), alloc[i][e]);
      num(row.cell(), used[i][e]);
      num(row.cell(), total > 0 ? alloc[i][e] / total : 0.0);
      num(row.cell(), total > 0 ? used[i][e] / total : 0.0);
    }
    row.end();
  }
}

}  // namespace

void append_fixed6(std::string& out, double x) {
  if (x == 0.0) {  // most cells of a row (a task's waits for causes it never met)
    out += std::signbit(x) ? "-0.000000" : "0.000000";
    return;
  }
  // The longest: a sign, 309 integer digits (DBL_MAX), the point and six decimals.
  char buf[320];
  const std::to_chars_result r =
      std::to_chars(buf, buf + sizeof buf, x, std::chars_format::fixed, 6);
  MESOSIM_CHECK(r.ec == std::errc{}, "a double's fixed-point text did not fit");
  out.append(buf, r.ptr);
}

void append_seconds(std::string& out, int64_t micros) {
  // Below 2^51 µs (2.25e9 s, under 2^32 s) micros / 1e6 is within half an ulp, at most 2^-22 s,
  // of the exact quotient: less than half the last decimal, so "%.6f" rounds back to its digits.
  constexpr int64_t kExact = int64_t{1} << 51;
  if (micros <= -kExact || micros >= kExact) {
    append_csv_number(out, static_cast<double>(micros) / 1e6);
    return;
  }
  if (micros < 0) out += '-';
  const auto m = static_cast<uint64_t>(micros < 0 ? -micros : micros);
  char buf[24];
  char* p = std::to_chars(buf, buf + sizeof buf, m / 1000000).ptr;
  *p++ = '.';
  uint64_t fraction = m % 1000000;
  for (int i = 5; i >= 0; --i) {
    p[i] = static_cast<char>('0' + fraction % 10);
    fraction /= 10;
  }
  out.append(buf, p + 6);
}

void append_csv_number(std::string& out, double x) {
  const size_t at = out.size();
  append_fixed6(out, x);
  if (out.size() - at == 9 && out.compare(at, 9, "-0.000000") == 0) out.erase(at, 1);
}

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
    CsvRow row(out);
    field(row.cell(), j.id);
    field(row.cell(), j.framework);
    field(row.cell(), j.group);
    integer(row.cell(), j.tasks.size());
    row.cell() += RunResult::size_bin_name(bin);
    append_seconds(row.cell(), j.submit.micros());
    seconds(row.cell(), j.ready);
    seconds(row.cell(), j.start);
    seconds(row.cell(), j.finish);
    std::string& completion = row.cell();
    if (j.finish && !j.abandoned) append_seconds(completion, (*j.finish - j.submit).micros());
    std::string& wait = row.cell();
    if (j.start) append_seconds(wait, (*j.start - j.submit).micros());
    row.cell() += job_state(j);
    row.end();
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
  // A job's tasks mostly ask for the same resources: their text is made once for a run of them.
  const Resources* last_resources = nullptr;
  std::string resources_text;
  for (const TaskRow& row : r.tasks) {
    const JobOutcome& j = r.job_outcomes[row.job];
    const TaskOutcome& t = j.tasks[row.task];
    if (last_resources == nullptr || !(t.resources == *last_resources)) {
      resources_text.clear();
      field(resources_text, t.resources.to_string());
      last_resources = &t.resources;
    }
    line.clear();  // one row at a time: a replay's millions of rows are never held at once
    CsvRow cells(line);
    field(cells.cell(), j.id);
    field(cells.cell(), j.framework);
    integer(cells.cell(), row.task);
    cells.cell() += resources_text;
    append_seconds(cells.cell(), t.ready.micros());
    seconds(cells.cell(), t.launched);
    seconds(cells.cell(), t.running);
    seconds(cells.cell(), t.ended);
    append_seconds(cells.cell(), t.wait.micros());
    integer(cells.cell(), t.attempts);
    field(cells.cell(), t.locality);
    field(cells.cell(), t.agent);
    cells.cell() += t.final_state;
    for (double w : row.wait_by_cause) num(cells.cell(), w);
    cells.end();
    out << line;
  }
}

std::string tasks_csv(const RunResult& r) {
  std::ostringstream out;
  write_tasks_csv(r, out);
  return std::move(out).str();
}

}  // namespace mesosim::analysis
