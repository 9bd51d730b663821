#pragma once

// Turning `mesosim trace` flags into reader options (shared by inspect and convert).

#include "cli/trace.hpp"
#include "workloads/trace_open.hpp"

namespace mesosim {

Result<TraceOptions> trace_options_from(const TraceReadFlags& flags);
void add_trace_read_flags(CLI::App& cmd, TraceReadFlags& flags);

}  // namespace mesosim
