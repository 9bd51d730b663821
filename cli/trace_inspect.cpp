// `mesosim trace inspect`: what a trace holds, read whole in one streaming pass.

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "cli/trace.hpp"
#include "cli/trace_read_flags.hpp"
#include "workloads/trace_stats.hpp"

namespace mesosim {
namespace {

void print_swf_header(const SwfHeader& h, std::ostream& out) {
  const auto show = [&](const char* key, const auto& v) {
    if (v) fmt::print(out, "  header {}: {}\n", key, *v);
  };
  show("Version", h.version);
  show("Computer", h.computer);
  show("Installation", h.installation);
  show("MaxJobs", h.max_jobs);
  show("MaxRecords", h.max_records);
  show("MaxNodes", h.max_nodes);
  show("MaxProcs", h.max_procs);
  show("UnixStartTime", h.unix_start_time);
  show("TimeZoneString", h.time_zone_string);
  show("StartTime", h.start_time);
  show("EndTime", h.end_time);
  if (!h.queues.empty()) fmt::print(out, "  header queues: {}\n", h.queues.size());
}

Status inspect_machine_events(const std::vector<std::string>& files, const TraceOptions& o,
                              std::ostream& out) {
  auto reader = GoogleMachineEventReader::open(files, o.google);
  if (!reader.ok()) return reader.error();
  std::map<std::string, int64_t> by_kind;
  Log2Histogram cpus, mem;
  std::optional<Time> first, last;
  for (;;) {
    auto e = reader.value()->next();
    if (!e.ok()) return e.error();
    if (!e.value()) break;
    const MachineEvent& m = *e.value();
    ++by_kind[std::string(to_string(m.kind))];
    if (!first) first = m.time;
    last = m.time;
    if (m.kind != MachineEvent::Kind::kRemove) {
      cpus.add(m.resources.get(ResourceName::cpus()).to_double());
      mem.add(m.resources.get(ResourceName::mem()).to_double());
    }
  }
  for (const auto& [k, n] : by_kind) fmt::print(out, "  machine events {}: {}\n", k, n);
  if (first) {
    fmt::print(out, "  times: {} s to {} s\n", first->to_string(), last->to_string());
  }
  fmt::print(out, "  machine cpus (add/update):\n");
  cpus.print(out, "cpus");
  fmt::print(out, "  machine mem (add/update):\n");
  mem.print(out, "MB");
  print_read_summary(reader.value()->summary(), out);
  return Status::success();
}

Status inspect_jobs(const std::vector<std::string>& files, const TraceOptions& o,
                    std::ostream& out) {
  auto reader = open_trace(files, o);
  if (!reader.ok()) return reader.error();
  TraceReader& r = *reader.value();
  TraceStats stats;
  for (;;) {
    auto job = r.next();
    if (!job.ok()) return job.error();
    if (!job.value()) break;
    stats.add(*job.value());
  }
  if (const auto* swf = dynamic_cast<const SwfReader*>(&r)) print_swf_header(swf->header(), out);
  stats.print(out);
  print_read_summary(r.summary(), out);
  return Status::success();
}

}  // namespace

Status run_trace_inspect(const TraceInspectOptions& options, std::ostream& out) {
  auto o = trace_options_from(options.read);
  if (!o.ok()) return o.error();
  // Google task_events parts form one trace; anything else is inspected file by file.
  std::vector<std::vector<std::string>> traces;
  std::vector<TraceFormat> formats;
  for (const std::string& f : options.files) {
    auto format = detect_trace_format(f);
    if (!format.ok()) return format.error();
    const bool joins = !formats.empty() && formats.back() == format.value() &&
                       (format.value() == TraceFormat::kGoogleTaskEvents ||
                        format.value() == TraceFormat::kGoogleMachineEvents);
    if (joins) {
      traces.back().push_back(f);
    } else {
      traces.push_back({f});
      formats.push_back(format.value());
    }
  }
  for (size_t i = 0; i < traces.size(); ++i) {
    fmt::print(out, "{}\n", fmt::join(traces[i], " "));
    fmt::print(out, "  format: {}{}\n", to_string(formats[i]),
               is_gzip_file(traces[i].front()) ? " (gzip)" : "");
    const Status s = formats[i] == TraceFormat::kGoogleMachineEvents
                         ? inspect_machine_events(traces[i], o.value(), out)
                         : inspect_jobs(traces[i], o.value(), out);
    if (!s.ok()) return s;
  }
  return Status::success();
}

}  // namespace mesosim
