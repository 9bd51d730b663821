#include "workloads/trace_open.hpp"

#include <fmt/format.h>

#include "allocator/text.hpp"

namespace mesosim {
namespace {

bool is_swf_data(std::string_view line) {
  std::vector<std::string_view> f;
  split_whitespace(line, f);
  if (f.size() != 18) return false;
  for (auto v : f) {
    if (!parse_double(v)) return false;
  }
  return true;
}

size_t count_commas(std::string_view line) {
  size_t n = 0;
  for (char c : line) n += c == ',';
  return n;
}

}  // namespace

std::string_view to_string(TraceFormat format) {
  switch (format) {
    case TraceFormat::kNative:
      return "native";
    case TraceFormat::kSwf:
      return "swf";
    case TraceFormat::kGoogleTaskEvents:
      return "google-task-events";
    case TraceFormat::kGoogleMachineEvents:
      return "google-machine-events";
  }
  return "?";
}

Result<TraceFormat> detect_trace_format(const std::string& path) {
  auto opened = LineReader::open(path);
  if (!opened.ok()) return opened.error();
  LineReader& lines = *opened.value();
  for (;;) {
    auto line = lines.next();
    if (!line.ok()) return line.error();
    if (!line.value()) {
      return Error{
          fmt::format("{}: cannot tell the trace format of a file with no data lines", path)};
    }
    const std::string_view text = trim_space(*line.value());
    if (text.empty() || text.front() == '#') continue;
    if (text.front() == ';') return TraceFormat::kSwf;
    if (text.substr(0, 6) == "job_id" || text.find(",job_id") != std::string_view::npos) {
      return TraceFormat::kNative;
    }
    if (is_swf_data(text)) return TraceFormat::kSwf;
    const size_t commas = count_commas(text);
    if (commas == 12) return TraceFormat::kGoogleTaskEvents;
    if (commas == 5) return TraceFormat::kGoogleMachineEvents;
    return Error{fmt::format(
        "{}:{}: unknown trace format: expected a native header (job_id,...), SWF (';' comments "
        "or 18 numbers), or Google task_events (13 fields) or machine_events (6 fields), found "
        "'{}'",
        path, lines.line_number(), text.substr(0, 80))};
  }
}

Result<std::unique_ptr<TraceReader>> open_trace(const std::vector<std::string>& paths,
                                                const TraceOptions& options) {
  if (paths.empty()) return Error{"no trace file given"};
  auto format = detect_trace_format(paths.front());
  if (!format.ok()) return format.error();
  for (size_t i = 1; i < paths.size(); ++i) {
    auto other = detect_trace_format(paths[i]);
    if (!other.ok()) return other.error();
    if (other.value() != format.value() || format.value() != TraceFormat::kGoogleTaskEvents) {
      return Error{fmt::format(
          "{}: only Google task_events parts can be read as one trace; this is {} after {} {}",
          paths[i], to_string(other.value()), to_string(format.value()), paths.front())};
    }
  }
  switch (format.value()) {
    case TraceFormat::kNative: {
      auto r = NativeReader::open(paths.front(), options.read);
      if (!r.ok()) return r.error();
      return std::unique_ptr<TraceReader>(std::move(r).value());
    }
    case TraceFormat::kSwf: {
      SwfOptions swf = options.swf;
      swf.read = options.read;
      auto r = SwfReader::open(paths.front(), swf);
      if (!r.ok()) return r.error();
      return std::unique_ptr<TraceReader>(std::move(r).value());
    }
    case TraceFormat::kGoogleTaskEvents: {
      GoogleOptions google = options.google;
      google.read = options.read;
      auto r = GoogleTaskEventReader::open(paths, google);
      if (!r.ok()) return r.error();
      return std::unique_ptr<TraceReader>(std::move(r).value());
    }
    case TraceFormat::kGoogleMachineEvents:
      return Error{
          fmt::format("{}: Google machine_events describe machines, not jobs", paths.front())};
  }
  return Error{"unreachable"};
}

}  // namespace mesosim
