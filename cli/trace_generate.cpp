// `mesosim trace generate KIND [--seed N] [--param k=v]... OUT`: a seeded synthetic workload
// written in the native format (and, for google-like, optionally its cluster).

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "cli/trace.hpp"
#include "workloads/generators.hpp"
#include "workloads/google_trace.hpp"
#include "workloads/native_format.hpp"

namespace mesosim {
namespace {

Status write_machines(const TraceGenerateOptions& options, std::ostream& out) {
  GoogleLikeMachinesOptions m;
  m.machines = options.machines;
  auto source = make_google_like_machines(m, options.seed);
  const GoogleScale scale = GoogleScale::parse("cpus:32;mem:131072").value();
  std::FILE* f = std::fopen(options.machines_output.c_str(), "wb");
  if (f == nullptr) {
    return Error{
        fmt::format("{}: cannot create: {}", options.machines_output, std::strerror(errno))};
  }
  std::string buf;
  int64_t events = 0;
  bool ok = true;
  for (;;) {
    auto e = source->next();
    if (!e.ok() || !e.value()) break;
    append_google_machine_event_row(*e.value(), scale, buf);
    ++events;
    if (buf.size() > (1u << 20)) {
      ok = ok && std::fwrite(buf.data(), 1, buf.size(), f) == buf.size();
      buf.clear();
    }
  }
  ok = ok && std::fwrite(buf.data(), 1, buf.size(), f) == buf.size();
  ok = (std::fclose(f) == 0) && ok;
  if (!ok) return Error{fmt::format("{}: write failed", options.machines_output)};
  fmt::print(out, "{}: {} machine events ({} machines)\n", options.machines_output, events,
             options.machines);
  return Status::success();
}

}  // namespace

Status run_trace_generate(const TraceGenerateOptions& options, std::ostream& out) {
  auto source = make_generator(options.kind, options.seed, options.params);
  if (!source.ok()) return source.error();
  if (!options.machines_output.empty() && options.kind != "google-like") {
    return Error{"--machines-out: only the google-like generator makes a cluster"};
  }
  auto written = write_native(*source.value(), options.output);
  if (!written.ok()) return written.error();
  fmt::print(out, "{} (seed {}) -> {}: {} jobs, {} tasks\n", options.kind, options.seed,
             options.output, written.value().jobs, written.value().tasks);
  if (!options.machines_output.empty()) return write_machines(options, out);
  return Status::success();
}

}  // namespace mesosim
