// `mesosim trace convert IN --to native OUT`: any readable trace, rewritten in the native format.

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "cli/trace.hpp"
#include "cli/trace_read_flags.hpp"
#include "workloads/native_format.hpp"

namespace mesosim {

Status run_trace_convert(const TraceConvertOptions& options, std::ostream& out) {
  if (options.to != "native") {
    return Error{fmt::format("--to: expected 'native', found '{}'", options.to)};
  }
  auto o = trace_options_from(options.read);
  if (!o.ok()) return o.error();
  auto reader = open_trace({options.input}, o.value());
  if (!reader.ok()) return reader.error();
  auto writer = NativeWriter::open(options.output);
  if (!writer.ok()) return writer.error();
  int64_t jobs = 0, tasks = 0;
  for (;;) {
    auto job = reader.value()->next();
    if (!job.ok()) return job.error();
    if (!job.value()) break;
    if (Status s = writer.value()->write(*job.value()); !s.ok()) return s;
    ++jobs;
    tasks += static_cast<int64_t>(job.value()->tasks.size());
  }
  if (Status s = writer.value()->close(); !s.ok()) return s;
  const ReadSummary& summary = reader.value()->summary();
  fmt::print(out, "{} ({}) -> {} (native): {} jobs, {} tasks, {} rows skipped\n", options.input,
             reader.value()->format(), options.output, jobs, tasks, summary.skipped_rows);
  return Status::success();
}

}  // namespace mesosim
