#pragma once

// Opening a trace whatever its format: the format is recognised from the file's content (after
// gzip, which is recognised by its magic bytes), never from its name alone.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "workloads/google_trace.hpp"
#include "workloads/native_format.hpp"
#include "workloads/swf_reader.hpp"

namespace mesosim {

enum class TraceFormat { kNative, kSwf, kGoogleTaskEvents, kGoogleMachineEvents };
std::string_view to_string(TraceFormat format);

// Looks at the first data lines: a native header (job_id,...), SWF comments (';') or 18
// whitespace-separated numbers, or 13 (task_events) or 6 (machine_events) comma-separated
// Google fields. An error names the file and what it found.
Result<TraceFormat> detect_trace_format(const std::string& path);

struct TraceOptions {
  ReadOptions read;      // applies to every format
  SwfOptions swf;        // its .read is replaced by `read`
  GoogleOptions google;  // its .read is replaced by `read`
};

// A job stream over `paths`, all of one format: one file for native and SWF, one or more
// task_events parts (read in the order given) for Google. machine_events files are not jobs:
// open them with GoogleMachineEventReader.
Result<std::unique_ptr<TraceReader>> open_trace(const std::vector<std::string>& paths,
                                                const TraceOptions& options);

}  // namespace mesosim
