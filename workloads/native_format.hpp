#pragma once

// mesosim's own trace format: CSV with a header row, one row per task or per group of
// identical tasks of a job. The columns, units and defaults are documented in
// workloads/README.md; kNativeColumns lists them in the order the writer uses.
//
// The rows of a job are contiguous and carry the same job-level columns (job_id to gang);
// jobs come in submit order. The reader keeps one job in memory at a time.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "workloads/line_reader.hpp"
#include "workloads/trace_fields.hpp"
#include "workloads/trace_reader.hpp"

namespace mesosim {

enum class NativeColumn {
  kJobId,
  kUser,
  kFramework,
  kRole,
  kSubmit,
  kGroup,
  kDependsOn,
  kGang,
  kTaskCount,
  kResources,
  kDuration,
  kUsage,
  kOutcome,
  kPreferredAgents,
  kPreferredRacks,
};
inline constexpr std::array<std::string_view, 15> kNativeColumns = {
    "job_id",         "user",
    "framework",      "role",
    "submit",         "group",
    "depends_on",     "gang",
    "task_count",     "resources",
    "duration",       "usage",
    "outcome",        "preferred_agents",
    "preferred_racks"};

class NativeReader : public TraceReader {
 public:
  static Result<std::unique_ptr<NativeReader>> open(const std::string& path, ReadOptions options);

  Result<std::optional<Job>> next() override;
  std::string_view format() const override { return "native"; }
  const ReadSummary& summary() const override { return summary_; }

 private:
  NativeReader(std::unique_ptr<LineReader> lines, ReadOptions options);
  std::optional<RowError> parse_header(const std::vector<std::string_view>& f);
  std::optional<RowError> parse_row(const std::vector<std::string_view>& f, Job& row);
  std::optional<RowError> parse_resources(std::string_view field, std::string_view text,
                                          std::string& cache_text, SharedResources& cache,
                                          SharedResources& out);
  // Adds `row` to the job being read, or starts a new one; a finished job goes to `out`.
  std::optional<RowError> take_row(Job&& row, std::optional<Job>& out);
  Result<std::optional<Job>> fail(const RowError& e);

  std::unique_ptr<LineReader> lines_;
  ReadOptions options_;
  ReadSummary summary_;
  CsvSplitter csv_;
  std::array<int, 15> column_of_{};  // NativeColumn -> field index, -1 when absent
  size_t field_count_ = 0;
  bool have_header_ = false;
  std::optional<Job> pending_;
  std::optional<Time> last_submit_;
  std::string res_text_, usage_text_;
  SharedResources res_cache_, usage_cache_;  // shared by the tasks of rows with the same text
  std::optional<Error> done_error_;
  bool done_ = false;
};

// Writes jobs in the native format: a header, then each job's tasks, identical consecutive
// tasks folded into one row with a task_count. A path ending in ".gz" is written with gzip.
class NativeWriter {
 public:
  static Result<std::unique_ptr<NativeWriter>> open(const std::string& path);
  ~NativeWriter();
  NativeWriter(const NativeWriter&) = delete;
  NativeWriter& operator=(const NativeWriter&) = delete;

  Status write(const Job& job);
  // Flushes and closes; errors (a full disk) are reported here as well as by write().
  Status close();

 private:
  NativeWriter(std::string path, std::FILE* plain, void* gz);
  Status flush();

  std::string path_;
  std::FILE* plain_ = nullptr;
  void* gz_ = nullptr;
  std::string buf_;
};

// Writes every job of `source` to a native file at `path` (gzip when it ends in .gz) and says
// how many jobs and tasks it wrote; the first error of the source or the file ends it.
struct NativeCopyCounts {
  int64_t jobs = 0;
  int64_t tasks = 0;
};
Result<NativeCopyCounts> write_native(JobSource& source, const std::string& path);

// The native header line and the rows of one job, each ending in '\n'.
std::string native_header_line();
void append_native_rows(const Job& job, std::string& out);

}  // namespace mesosim
