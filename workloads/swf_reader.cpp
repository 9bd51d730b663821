#include "workloads/swf_reader.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "allocator/text.hpp"

namespace mesosim {
namespace {

constexpr int kSwfFields = 18;

// The SWF field names, 1-based in the format's definition; errors use "<n> (<name>)".
constexpr std::array<const char*, kSwfFields> kFieldNames = {
    "job_number",   "submit_time",   "wait_time",       "run_time",       "allocated_procs",
    "avg_cpu_time", "used_memory",   "requested_procs", "requested_time", "requested_memory",
    "status",       "user_id",       "group_id",        "executable",     "queue",
    "partition",    "preceding_job", "think_time"};

std::string field_name(int i) { return fmt::format("{} ({})", i + 1, kFieldNames[i]); }

std::optional<int64_t> header_int(std::string_view v) { return parse_int(trim_space(v)); }

}  // namespace

Result<std::unique_ptr<SwfReader>> SwfReader::open(const std::string& path, SwfOptions options) {
  auto lines = LineReader::open(path);
  if (!lines.ok()) return lines.error();
  if (options.default_mem_mb <= 0) {
    return Error{fmt::format("swf: default memory per processor: expected > 0 MB, found {}",
                             options.default_mem_mb)};
  }
  return std::unique_ptr<SwfReader>(new SwfReader(std::move(lines).value(), std::move(options)));
}

SwfReader::SwfReader(std::unique_ptr<LineReader> lines, SwfOptions options)
    : lines_(std::move(lines)), options_(std::move(options)) {}

void SwfReader::parse_header_line(std::string_view text) {
  text.remove_prefix(1);  // ';'
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) return;
  const std::string_view key = trim_space(text.substr(0, colon));
  const std::string_view value = trim_space(text.substr(colon + 1));
  if (key.empty() || key.find(' ') != std::string_view::npos) return;
  const std::string v(value);
  if (key == "Version")
    header_.version = v;
  else if (key == "Computer")
    header_.computer = v;
  else if (key == "Installation")
    header_.installation = v;
  else if (key == "MaxJobs")
    header_.max_jobs = header_int(value);
  else if (key == "MaxRecords")
    header_.max_records = header_int(value);
  else if (key == "MaxNodes")
    header_.max_nodes = header_int(value);
  else if (key == "MaxProcs")
    header_.max_procs = header_int(value);
  else if (key == "UnixStartTime")
    header_.unix_start_time = header_int(value);
  else if (key == "TimeZone")
    header_.time_zone = header_int(value);
  else if (key == "TimeZoneString")
    header_.time_zone_string = v;
  else if (key == "StartTime")
    header_.start_time = v;
  else if (key == "EndTime")
    header_.end_time = v;
  else if (key == "Preemption")
    header_.preemption = (value == "Yes" || value == "yes");
  else if (key == "Queue")
    header_.queues.push_back(v);
  else if (key == "Partition")
    header_.partitions.push_back(v);
  else if (key == "Note")
    header_.notes.push_back(v);
}

std::optional<RowError> SwfReader::parse_row(const std::vector<std::string_view>& f, Job& job) {
  if (f.size() != kSwfFields) {
    return RowError{"count", "18 whitespace-separated fields", fmt::format("{}", f.size())};
  }
  // Every field is a number, -1 where unknown; the average CPU time and used memory may be
  // decimals, the rest are integers.
  std::array<double, kSwfFields> v{};
  for (int i = 0; i < kSwfFields; ++i) {
    const bool decimal = i == 5 || i == 6;
    if (decimal) {
      auto d = parse_double(f[i]);
      if (!d || *d < -1) return RowError{field_name(i), "a number >= -1", std::string(f[i])};
      v[i] = *d;
    } else {
      auto n = parse_int(f[i]);
      if (!n || *n < -1) return RowError{field_name(i), "an integer >= -1", std::string(f[i])};
      v[i] = static_cast<double>(*n);
    }
  }
  const auto as_int = [&](int i) { return static_cast<int64_t>(v[i]); };
  if (as_int(0) < 0) return RowError{field_name(0), "a job number >= 0", std::string(f[0])};
  const int64_t submit = as_int(1);
  if (submit < 0) return RowError{field_name(1), "a submit time >= 0 s", std::string(f[1])};
  if (submit < last_submit_) {
    return RowError{field_name(1),
                    fmt::format("a submit time >= the previous job's {} s (jobs in submit order)",
                                last_submit_),
                    std::string(f[1])};
  }
  const int64_t procs = as_int(4) > 0 ? as_int(4) : as_int(7);
  if (procs <= 0) {
    return RowError{field_name(4), "allocated (or else requested, field 8) processors > 0",
                    fmt::format("{} and {}", f[4], f[7])};
  }
  TaskOutcome outcome = TaskOutcome::kFinished;
  switch (as_int(10)) {
    case -1:
      summary_.note("status unknown (-1): outcome finished");
      break;
    case 0:
      outcome = TaskOutcome::kFailed;
      break;
    case 1:
    case 2:
    case 3:
      break;
    case 4:
      outcome = TaskOutcome::kFailed;
      break;
    case 5:
      outcome = TaskOutcome::kKilled;
      break;
    default:
      return RowError{field_name(10), "a status of -1, 0, 1, 2, 3, 4 or 5", std::string(f[10])};
  }
  int64_t run_time = as_int(3);
  if (run_time < 0) {
    summary_.note("run time unknown (-1): duration 0");
    run_time = 0;
  }

  Scalar mem;
  if (v[9] > 0) {
    mem = Scalar::from_double(v[9] / 1024.0);
  } else if (v[6] > 0) {
    mem = Scalar::from_double(v[6] / 1024.0);
    summary_.note("requested memory unknown: used memory taken as the request");
  } else {
    mem = Scalar::from_units(options_.default_mem_mb);
    summary_.note("memory unknown: default memory per processor");
  }
  const Scalar one_cpu = Scalar::from_units(1);
  // Consecutive rows mostly ask for the same memory: their tasks share one Resources.
  if (ask_.empty() || mem != ask_mem_) {
    Resources ask = Resources::scalar(ResourceName::cpus(), one_cpu);
    ask += Resources::scalar(ResourceName::mem(), mem);
    ask_ = SharedResources(std::move(ask));
    ask_mem_ = mem;
  }
  SharedResources usage;
  if ((v[5] >= 0 && run_time > 0) || v[6] > 0) {
    Scalar cpus = one_cpu;
    if (v[5] >= 0 && run_time > 0) {
      cpus = std::min(one_cpu, Scalar::from_double(v[5] / static_cast<double>(run_time)));
    }
    const Scalar used_mem = v[6] > 0 ? Scalar::from_double(v[6] / 1024.0) : mem;
    if (usage_.empty() || cpus != usage_cpus_ || used_mem != usage_mem_) {
      Resources u = Resources::scalar(ResourceName::cpus(), cpus);
      u += Resources::scalar(ResourceName::mem(), used_mem);
      usage_ = SharedResources(std::move(u));
      usage_cpus_ = cpus;
      usage_mem_ = used_mem;
    }
    usage = usage_;
  }

  job.id = std::string(f[0]);
  job.user = as_int(11) >= 0 ? std::string(f[11]) : std::string();
  job.framework = options_.framework;
  job.role = options_.role;
  job.submit = Time::from_micros(submit * 1'000'000);
  job.gang = true;
  job.group.clear();
  job.depends_on.clear();
  TaskSpec task;
  task.resources = ask_;
  task.duration = Duration::seconds(run_time);
  task.usage = std::move(usage);
  task.outcome = outcome;
  job.tasks.assign(static_cast<size_t>(procs), task);
  last_submit_ = submit;
  return std::nullopt;
}

Result<std::optional<Job>> SwfReader::next() {
  if (done_error_) return *done_error_;
  if (done_) return std::optional<Job>();
  for (;;) {
    auto line = lines_->next();
    if (!line.ok()) {
      done_error_ = line.error();
      return *done_error_;
    }
    if (!line.value()) {
      done_ = true;
      return std::optional<Job>();
    }
    ++summary_.lines;
    const std::string_view text = *line.value();
    if (trim_space(text).empty()) continue;
    if (text.front() == ';') {
      parse_header_line(text);
      continue;
    }
    split_whitespace(text, fields_);
    Job job;
    if (std::optional<RowError> bad = parse_row(fields_, job)) {
      if (options_.read.skip_bad_rows) {
        summary_.skip(*bad, lines_->path(), lines_->line_number());
        continue;
      }
      done_error_ = Error{bad->message(lines_->path(), lines_->line_number())};
      return *done_error_;
    }
    ++summary_.rows;
    return std::optional<Job>(std::move(job));
  }
}

}  // namespace mesosim
