#pragma once

// What `mesosim trace inspect` reports about a job stream: counts, time span and histograms of
// task shapes, accumulated one job at a time (memory does not grow with the trace).

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>

#include "workloads/job.hpp"
#include "workloads/trace_reader.hpp"

namespace mesosim {

// Counts of values in power-of-two bins: bin 0 holds values < 1, bin k values in
// [2^(k-1), 2^k) for k >= 1, the last bin everything above.
class Log2Histogram {
 public:
  static constexpr int kBins = 40;
  void add(double value, int64_t count = 1);
  int64_t count(int bin) const { return bins_[static_cast<size_t>(bin)]; }
  int64_t total() const { return total_; }
  // One line per non-empty bin: "  [lo, hi) unit  count  percent".
  void print(std::ostream& out, const std::string& unit) const;

 private:
  std::array<int64_t, kBins> bins_{};
  int64_t total_ = 0;
};

struct TraceStats {
  int64_t jobs = 0;
  int64_t tasks = 0;
  int64_t gang_jobs = 0;
  int64_t jobs_with_dependencies = 0;
  int64_t tasks_without_end = 0;  // infinite duration
  std::optional<Time> first_submit, last_submit;
  std::optional<Time> last_end;  // latest submit + duration over tasks with an end
  std::map<std::string, int64_t> jobs_by_framework;  // frameworks are few in every format
  std::map<std::string, int64_t> tasks_by_outcome;
  Log2Histogram tasks_per_job;
  Log2Histogram task_cpus;
  Log2Histogram task_mem_mb;
  Log2Histogram task_duration_s;

  void add(const Job& job);
  void print(std::ostream& out) const;
};

// The summary of a reader: rows, rows skipped and why, notes.
void print_read_summary(const ReadSummary& summary, std::ostream& out);

}  // namespace mesosim
