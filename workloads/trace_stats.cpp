#include "workloads/trace_stats.hpp"

#include <cmath>

#include <fmt/format.h>
#include <fmt/ostream.h>

namespace mesosim {
namespace {

std::string bound(int bin) {
  if (bin <= 0) return "0";
  return fmt::format("{}", uint64_t{1} << (bin - 1));
}

}  // namespace

void Log2Histogram::add(double value, int64_t count) {
  int bin = 0;
  if (value >= 1) {
    bin = 1 + static_cast<int>(std::floor(std::log2(value)));
    if (bin >= kBins) bin = kBins - 1;
  }
  bins_[static_cast<size_t>(bin)] += count;
  total_ += count;
}

void Log2Histogram::print(std::ostream& out, const std::string& unit) const {
  for (int b = 0; b < kBins; ++b) {
    if (bins_[static_cast<size_t>(b)] == 0) continue;
    const std::string hi = b == kBins - 1 ? "inf" : bound(b + 1);
    const std::string label = fmt::format("[{}, {}) {}", bound(b), hi, unit);
    fmt::print(
        out, "    {:<22} {:>12}  {:5.1f}%\n", label, bins_[static_cast<size_t>(b)],
        100.0 * static_cast<double>(bins_[static_cast<size_t>(b)]) / static_cast<double>(total_));
  }
}

void TraceStats::add(const Job& job) {
  ++jobs;
  tasks += static_cast<int64_t>(job.tasks.size());
  gang_jobs += job.gang;
  jobs_with_dependencies += !job.depends_on.empty();
  if (!first_submit) first_submit = job.submit;
  last_submit = job.submit;
  ++jobs_by_framework[job.framework];
  tasks_per_job.add(static_cast<double>(job.tasks.size()));
  // Consecutive identical tasks (gang jobs, generated jobs) are counted in one step.
  size_t i = 0;
  while (i < job.tasks.size()) {
    const TaskSpec& t = job.tasks[i];
    size_t j = i + 1;
    while (j < job.tasks.size() && job.tasks[j].resources == t.resources &&
           job.tasks[j].duration == t.duration && job.tasks[j].outcome == t.outcome) {
      ++j;
    }
    const auto n = static_cast<int64_t>(j - i);
    tasks_by_outcome[std::string(to_string(t.outcome))] += n;
    task_cpus.add(t.resources->get(ResourceName::cpus()).to_double(), n);
    task_mem_mb.add(t.resources->get(ResourceName::mem()).to_double(), n);
    if (t.duration == Duration::max()) {
      tasks_without_end += n;
    } else {
      task_duration_s.add(t.duration.seconds_f(), n);
      const Time end = job.submit + t.duration;
      if (!last_end || end > *last_end) last_end = end;
    }
    i = j;
  }
}

void TraceStats::print(std::ostream& out) const {
  fmt::print(out, "  jobs: {} ({} gang, {} with dependencies)\n", jobs, gang_jobs,
             jobs_with_dependencies);
  fmt::print(out, "  tasks: {}", tasks);
  if (tasks_without_end > 0) fmt::print(out, " ({} with no end: duration inf)", tasks_without_end);
  fmt::print(out, "\n");
  if (first_submit) {
    fmt::print(out, "  submit times: {} s to {} s (span {})\n", first_submit->to_string(),
               last_submit->to_string(), (*last_submit - *first_submit).to_string());
  }
  if (last_end)
    fmt::print(out, "  last task end (submit + duration): {} s\n", last_end->to_string());
  for (const auto& [fw, n] : jobs_by_framework) {
    fmt::print(out, "  framework '{}': {} jobs\n", fw, n);
  }
  for (const auto& [o, n] : tasks_by_outcome) fmt::print(out, "  tasks {}: {}\n", o, n);
  fmt::print(out, "  tasks per job:\n");
  tasks_per_job.print(out, "");
  fmt::print(out, "  task cpus:\n");
  task_cpus.print(out, "cpus");
  fmt::print(out, "  task mem:\n");
  task_mem_mb.print(out, "MB");
  fmt::print(out, "  task duration (tasks with an end):\n");
  task_duration_s.print(out, "s");
}

void print_read_summary(const ReadSummary& summary, std::ostream& out) {
  fmt::print(out, "  lines: {}, rows: {}, rows skipped: {}\n", summary.lines, summary.rows,
             summary.skipped_rows);
  for (const auto& [reason, n] : summary.skipped_by_reason) {
    fmt::print(out, "    skipped {} x {} (first: {})\n", n, reason,
               summary.first_skipped.at(reason));
  }
  for (const auto& [what, n] : summary.notes) fmt::print(out, "  note: {} x {}\n", n, what);
}

}  // namespace mesosim
