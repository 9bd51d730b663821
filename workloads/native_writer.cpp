#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>
#include <zlib.h>

#include "workloads/native_format.hpp"

namespace mesosim {
namespace {

constexpr size_t kFlushBytes = size_t{1} << 20;

void append_list(std::string& out, const std::vector<std::string>& items) {
  std::string joined;
  for (const auto& s : items) {
    if (!joined.empty()) joined.push_back(';');
    joined += s;
  }
  append_csv_field(out, joined);
}

bool same_task(const TaskSpec& a, const TaskSpec& b) {
  return a.resources == b.resources && a.duration == b.duration && a.usage == b.usage &&
         a.outcome == b.outcome && a.preferred_agents == b.preferred_agents &&
         a.preferred_racks == b.preferred_racks;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::string native_header_line() {
  std::string out;
  for (std::string_view c : kNativeColumns) {
    if (!out.empty()) out.push_back(',');
    out.append(c);
  }
  out.push_back('\n');
  return out;
}

void append_native_rows(const Job& job, std::string& out) {
  // The job-level columns, the same on every row of the job.
  std::string prefix;
  append_csv_field(prefix, job.id);
  prefix.push_back(',');
  append_csv_field(prefix, job.user);
  prefix.push_back(',');
  append_csv_field(prefix, job.framework);
  prefix.push_back(',');
  append_csv_field(prefix, job.role);
  prefix.push_back(',');
  prefix += format_seconds_micros(job.submit.micros());
  prefix.push_back(',');
  append_csv_field(prefix, job.group);
  prefix.push_back(',');
  append_list(prefix, job.depends_on);
  prefix += job.gang ? ",1," : ",0,";
  size_t i = 0;
  while (i < job.tasks.size()) {
    size_t j = i + 1;
    while (j < job.tasks.size() && same_task(job.tasks[i], job.tasks[j])) ++j;
    const TaskSpec& t = job.tasks[i];
    out += prefix;
    out += fmt::format("{},", j - i);
    append_csv_field(out, t.resources->to_string());
    out.push_back(',');
    out += format_seconds_micros(t.duration.micros());
    out.push_back(',');
    append_csv_field(out, t.usage->to_string());
    out.push_back(',');
    out += to_string(t.outcome);
    out.push_back(',');
    append_list(out, t.preferred_agents);
    out.push_back(',');
    append_list(out, t.preferred_racks);
    out.push_back('\n');
    i = j;
  }
}

Result<std::unique_ptr<NativeWriter>> NativeWriter::open(const std::string& path) {
  std::unique_ptr<NativeWriter> w;
  if (ends_with(path, ".gz")) {
    gzFile gz = gzopen(path.c_str(), "wb6");
    if (gz == nullptr) {
      return Error{fmt::format("{}: cannot create: {}", path, std::strerror(errno))};
    }
    w.reset(new NativeWriter(path, nullptr, gz));
  } else {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) {
      return Error{fmt::format("{}: cannot create: {}", path, std::strerror(errno))};
    }
    w.reset(new NativeWriter(path, f, nullptr));
  }
  w->buf_ = native_header_line();
  return w;
}

NativeWriter::NativeWriter(std::string path, std::FILE* plain, void* gz)
    : path_(std::move(path)), plain_(plain), gz_(gz) {}

NativeWriter::~NativeWriter() { (void)close(); }

Status NativeWriter::write(const Job& job) {
  if (plain_ == nullptr && gz_ == nullptr) {
    return Error{fmt::format("{}: write after close", path_)};
  }
  append_native_rows(job, buf_);
  if (buf_.size() >= kFlushBytes) return flush();
  return Status::success();
}

Status NativeWriter::flush() {
  if (buf_.empty()) return Status::success();
  bool ok = true;
  if (gz_ != nullptr) {
    ok = gzwrite(static_cast<gzFile>(gz_), buf_.data(), static_cast<unsigned>(buf_.size())) ==
         static_cast<int>(buf_.size());
  } else {
    ok = std::fwrite(buf_.data(), 1, buf_.size(), plain_) == buf_.size();
  }
  buf_.clear();
  if (!ok) return Error{fmt::format("{}: write failed: {}", path_, std::strerror(errno))};
  return Status::success();
}

Status NativeWriter::close() {
  if (plain_ == nullptr && gz_ == nullptr) return Status::success();
  Status s = flush();
  if (gz_ != nullptr) {
    if (gzclose(static_cast<gzFile>(gz_)) != Z_OK && s.ok()) {
      s = Error{fmt::format("{}: closing the gzip stream failed", path_)};
    }
    gz_ = nullptr;
  } else {
    if (std::fclose(plain_) != 0 && s.ok()) {
      s = Error{fmt::format("{}: close failed: {}", path_, std::strerror(errno))};
    }
    plain_ = nullptr;
  }
  return s;
}

Result<NativeCopyCounts> write_native(JobSource& source, const std::string& path) {
  auto writer = NativeWriter::open(path);
  if (!writer.ok()) return writer.error();
  NativeCopyCounts counts;
  for (;;) {
    auto job = source.next();
    if (!job.ok()) return job.error();
    if (!job.value()) break;
    if (Status s = writer.value()->write(*job.value()); !s.ok()) return s.error();
    ++counts.jobs;
    counts.tasks += static_cast<int64_t>(job.value()->tasks.size());
  }
  if (Status s = writer.value()->close(); !s.ok()) return s.error();
  return counts;
}

}  // namespace mesosim
