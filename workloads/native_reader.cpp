#include <fmt/format.h>

#include "allocator/text.hpp"
#include "workloads/native_format.hpp"

namespace mesosim {
namespace {

constexpr int64_t kMaxTaskCount = 10'000'000;

int col(NativeColumn c) { return static_cast<int>(c); }

std::string name(NativeColumn c) { return std::string(kNativeColumns[col(c)]); }

// Items separated by ';', blanks trimmed, empty items dropped.
std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t semi = text.find(';', start);
    const std::string_view item =
        trim_space(text.substr(start, semi == std::string_view::npos ? semi : semi - start));
    if (!item.empty()) out.emplace_back(item);
    if (semi == std::string_view::npos) break;
    start = semi + 1;
  }
  return out;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out.push_back(';');
    out += s;
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<NativeReader>> NativeReader::open(const std::string& path,
                                                         ReadOptions options) {
  auto lines = LineReader::open(path);
  if (!lines.ok()) return lines.error();
  return std::unique_ptr<NativeReader>(new NativeReader(std::move(lines).value(), options));
}

NativeReader::NativeReader(std::unique_ptr<LineReader> lines, ReadOptions options)
    : lines_(std::move(lines)), options_(options) {
  column_of_.fill(-1);
}

std::optional<RowError> NativeReader::parse_header(const std::vector<std::string_view>& f) {
  for (size_t i = 0; i < f.size(); ++i) {
    const std::string_view h = trim_space(f[i]);
    size_t c = 0;
    while (c < kNativeColumns.size() && kNativeColumns[c] != h) ++c;
    if (c == kNativeColumns.size()) {
      return RowError{fmt::format("{} of the header", i + 1),
                      "a native column name (job_id, user, ..., preferred_racks)", std::string(h)};
    }
    if (column_of_[c] >= 0) {
      return RowError{fmt::format("{} of the header", i + 1), "each column once", std::string(h)};
    }
    column_of_[c] = static_cast<int>(i);
  }
  for (NativeColumn c : {NativeColumn::kJobId, NativeColumn::kSubmit, NativeColumn::kResources,
                         NativeColumn::kDuration}) {
    if (column_of_[col(c)] < 0) {
      return RowError{"header", fmt::format("the required column {}", name(c)), "none"};
    }
  }
  field_count_ = f.size();
  return std::nullopt;
}

std::optional<RowError> NativeReader::parse_resources(std::string_view field, std::string_view text,
                                                      std::string& cache_text,
                                                      SharedResources& cache,
                                                      SharedResources& out) {
  // Traces repeat a few task shapes: parse each distinct text once in a row.
  if (text != cache_text) {
    auto r = Resources::parse(text);
    if (!r.ok()) {
      return RowError{std::string(field), "resources in Mesos text (" + r.error().message + ")",
                      std::string(text)};
    }
    cache = std::move(r).value();
    cache_text.assign(text);
  }
  out = cache;
  return std::nullopt;
}

std::optional<RowError> NativeReader::parse_row(const std::vector<std::string_view>& f, Job& row) {
  if (f.size() != field_count_) {
    return RowError{"count", fmt::format("{} fields as in the header", field_count_),
                    fmt::format("{}", f.size())};
  }
  const auto get = [&](NativeColumn c) -> std::string_view {
    const int i = column_of_[col(c)];
    return i < 0 ? std::string_view() : trim_space(f[static_cast<size_t>(i)]);
  };
  row.id = std::string(get(NativeColumn::kJobId));
  if (row.id.empty()) return RowError{name(NativeColumn::kJobId), "a job id", ""};
  row.user = std::string(get(NativeColumn::kUser));
  row.framework = std::string(get(NativeColumn::kFramework));
  row.role = std::string(get(NativeColumn::kRole));
  row.group = std::string(get(NativeColumn::kGroup));
  row.depends_on = split_list(get(NativeColumn::kDependsOn));
  const auto submit = parse_seconds_micros(get(NativeColumn::kSubmit));
  if (!submit || *submit == Time::max().micros()) {
    return RowError{name(NativeColumn::kSubmit), "seconds >= 0 with at most 6 decimals",
                    std::string(get(NativeColumn::kSubmit))};
  }
  row.submit = Time::from_micros(*submit);
  const std::string_view gang = get(NativeColumn::kGang);
  if (gang.empty() || gang == "0" || gang == "false") {
    row.gang = false;
  } else if (gang == "1" || gang == "true") {
    row.gang = true;
  } else {
    return RowError{name(NativeColumn::kGang), "0, 1, true or false", std::string(gang)};
  }
  int64_t count = 1;
  if (const std::string_view t = get(NativeColumn::kTaskCount); !t.empty()) {
    const auto n = parse_int(t);
    if (!n || *n < 1 || *n > kMaxTaskCount) {
      return RowError{name(NativeColumn::kTaskCount), "an integer from 1 to 10000000",
                      std::string(t)};
    }
    count = *n;
  }
  TaskSpec task;
  const std::string_view res = get(NativeColumn::kResources);
  if (res.empty()) return RowError{name(NativeColumn::kResources), "resources", ""};
  if (auto e = parse_resources(name(NativeColumn::kResources), res, res_text_, res_cache_,
                               task.resources)) {
    return e;
  }
  if (const std::string_view u = get(NativeColumn::kUsage); !u.empty()) {
    if (auto e =
            parse_resources(name(NativeColumn::kUsage), u, usage_text_, usage_cache_, task.usage)) {
      return e;
    }
  }
  const auto duration = parse_seconds_micros(get(NativeColumn::kDuration));
  if (!duration) {
    return RowError{name(NativeColumn::kDuration), "seconds >= 0 with at most 6 decimals, or inf",
                    std::string(get(NativeColumn::kDuration))};
  }
  task.duration = Duration::micros(*duration);
  if (const std::string_view o = get(NativeColumn::kOutcome); !o.empty()) {
    const auto outcome = parse_task_outcome(o);
    if (!outcome) {
      return RowError{name(NativeColumn::kOutcome), "finished, failed, killed or lost",
                      std::string(o)};
    }
    task.outcome = *outcome;
  }
  task.preferred_agents = split_list(get(NativeColumn::kPreferredAgents));
  task.preferred_racks = split_list(get(NativeColumn::kPreferredRacks));
  row.tasks.assign(static_cast<size_t>(count), task);
  return std::nullopt;
}

std::optional<RowError> NativeReader::take_row(Job&& row, std::optional<Job>& out) {
  if (pending_ && pending_->id == row.id) {
    Job& job = *pending_;
    const auto differs = [&](NativeColumn c, const std::string& was, const std::string& is) {
      return RowError{name(c), fmt::format("'{}' as in the job's earlier rows", was), is};
    };
    if (row.user != job.user) return differs(NativeColumn::kUser, job.user, row.user);
    if (row.framework != job.framework) {
      return differs(NativeColumn::kFramework, job.framework, row.framework);
    }
    if (row.role != job.role) return differs(NativeColumn::kRole, job.role, row.role);
    if (row.submit != job.submit) {
      return differs(NativeColumn::kSubmit, format_seconds_micros(job.submit.micros()),
                     format_seconds_micros(row.submit.micros()));
    }
    if (row.group != job.group) return differs(NativeColumn::kGroup, job.group, row.group);
    if (row.depends_on != job.depends_on) {
      return differs(NativeColumn::kDependsOn, join(job.depends_on), join(row.depends_on));
    }
    if (row.gang != job.gang) {
      return differs(NativeColumn::kGang, job.gang ? "1" : "0", row.gang ? "1" : "0");
    }
    if (job.tasks.size() + row.tasks.size() > static_cast<size_t>(kMaxTaskCount)) {
      return RowError{name(NativeColumn::kTaskCount), "at most 10000000 tasks in a job",
                      fmt::format("{}", job.tasks.size() + row.tasks.size())};
    }
    for (TaskSpec& t : row.tasks) job.tasks.push_back(std::move(t));
    return std::nullopt;
  }
  if (last_submit_ && row.submit < *last_submit_) {
    return RowError{name(NativeColumn::kSubmit),
                    fmt::format("seconds >= the previous job's {} (jobs in submit order)",
                                format_seconds_micros(last_submit_->micros())),
                    format_seconds_micros(row.submit.micros())};
  }
  last_submit_ = row.submit;
  if (pending_) out = std::move(pending_);
  pending_ = std::move(row);
  return std::nullopt;
}

Result<std::optional<Job>> NativeReader::fail(const RowError& e) {
  done_error_ = Error{e.message(lines_->path(), lines_->line_number())};
  return *done_error_;
}

Result<std::optional<Job>> NativeReader::next() {
  if (done_error_) return *done_error_;
  while (!done_) {
    auto line = lines_->next();
    if (!line.ok()) {
      done_error_ = line.error();
      return *done_error_;
    }
    if (!line.value()) {
      done_ = true;
      if (!have_header_) {
        done_error_ =
            Error{fmt::format("{}:1: expected the native header row (job_id,...), "
                              "found an empty file",
                              lines_->path())};
        return *done_error_;
      }
      break;
    }
    ++summary_.lines;
    const std::string_view text = *line.value();
    if (trim_space(text).empty() || text.front() == '#') continue;
    std::string quote_error;
    std::optional<RowError> bad;
    if (!csv_.split(text, &quote_error)) {
      bad = RowError{"quoting", "CSV with fields quoted by '\"'", quote_error};
    } else if (!have_header_) {
      if (auto e = parse_header(csv_.fields())) return fail(*e);
      have_header_ = true;
      continue;
    }
    Job row;
    std::optional<Job> out;
    if (!bad) bad = parse_row(csv_.fields(), row);
    if (!bad) bad = take_row(std::move(row), out);
    if (bad) {
      if (!options_.skip_bad_rows) return fail(*bad);
      summary_.skip(*bad, lines_->path(), lines_->line_number());
      continue;
    }
    ++summary_.rows;
    if (out) return out;
  }
  std::optional<Job> last = std::move(pending_);
  pending_.reset();
  return last;
}

}  // namespace mesosim
