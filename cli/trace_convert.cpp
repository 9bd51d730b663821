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
  auto written = write_native(*reader.value(), options.output);
  if (!written.ok()) return written.error();
  const ReadSummary& summary = reader.value()->summary();
  fmt::print(out, "{} ({}) -> {} (native): {} jobs, {} tasks, {} rows skipped\n", options.input,
             reader.value()->format(), options.output, written.value().jobs, written.value().tasks,
             summary.skipped_rows);
  return Status::success();
}

}  // namespace mesosim
