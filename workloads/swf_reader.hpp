#pragma once

// Reader of the Standard Workload Format (Parallel Workloads Archive, .swf or .swf.gz).
//
// Each data line is one job of 18 whitespace-separated fields, -1 where unknown; lines starting
// with ';' are header comments ("; MaxProcs: 128"). A job becomes a rigid gang job
// (Job::gang) of P one-cpu tasks, P the allocated processors (the requested ones when -1),
// for the MPI model. The full mapping, with defaults, is in workloads/README.md.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "workloads/job.hpp"
#include "workloads/line_reader.hpp"
#include "workloads/trace_fields.hpp"
#include "workloads/trace_reader.hpp"

namespace mesosim {

// The header fields an SWF log declares, when it declares them.
struct SwfHeader {
  std::optional<std::string> version;
  std::optional<std::string> computer;
  std::optional<std::string> installation;
  std::optional<int64_t> max_jobs;
  std::optional<int64_t> max_records;
  std::optional<int64_t> max_nodes;
  std::optional<int64_t> max_procs;
  std::optional<int64_t> unix_start_time;  // seconds since the epoch of submit time 0
  std::optional<int64_t> time_zone;        // seconds from UTC
  std::optional<std::string> time_zone_string;
  std::optional<std::string> start_time;
  std::optional<std::string> end_time;
  std::optional<bool> preemption;
  std::vector<std::string> queues;      // "Queue:" lines as written
  std::vector<std::string> partitions;  // "Partition:" lines as written
  std::vector<std::string> notes;       // "Note:" lines
};

struct SwfOptions {
  ReadOptions read;
  std::string framework = "mpi";  // Job::framework of every job
  std::string role;               // Job::role of every job ("" = the framework's role)
  // Memory per processor when the log gives neither requested nor used memory, in MB.
  int64_t default_mem_mb = 1024;
};

class SwfReader : public TraceReader {
 public:
  static Result<std::unique_ptr<SwfReader>> open(const std::string& path, SwfOptions options);

  Result<std::optional<Job>> next() override;
  std::string_view format() const override { return "swf"; }
  const ReadSummary& summary() const override { return summary_; }
  // Complete once the first job has been read (the header precedes the data in SWF).
  const SwfHeader& header() const { return header_; }

 private:
  SwfReader(std::unique_ptr<LineReader> lines, SwfOptions options);
  void parse_header_line(std::string_view text);
  // Fills `job` from the fields of one data line, or says why the row is bad.
  std::optional<RowError> parse_row(const std::vector<std::string_view>& f, Job& job);

  std::unique_ptr<LineReader> lines_;
  SwfOptions options_;
  SwfHeader header_;
  ReadSummary summary_;
  std::vector<std::string_view> fields_;
  // The last row's request and usage, shared by the next rows' tasks while they are the same.
  SharedResources ask_;
  Scalar ask_mem_;
  SharedResources usage_;
  Scalar usage_cpus_, usage_mem_;
  int64_t last_submit_ = 0;
  std::optional<Error> done_error_;
  bool done_ = false;
};

}  // namespace mesosim
