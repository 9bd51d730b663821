#pragma once

// `mesosim trace`: inspect, convert and generate workload traces (workloads/README.md
// documents the formats and generators). Each subcommand writes its report to `out` and
// returns an error naming the file and what is wrong; main() prints it and exits non-zero.

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "allocator/result.hpp"

namespace mesosim {

// Options shared by the subcommands that read traces.
struct TraceReadFlags {
  bool skip_bad_rows = false;
  std::string reference_machine = "cpus:32;mem:131072";
  double window_s = 6 * 3600;     // Google reorder window
  int64_t default_mem_mb = 1024;  // SWF memory per processor when unknown
};

struct TraceInspectOptions {
  std::vector<std::string> files;
  TraceReadFlags read;
};

struct TraceConvertOptions {
  std::string input;
  std::string to = "native";
  std::string output;
  TraceReadFlags read;
};

struct TraceGenerateOptions {
  std::string kind;
  uint64_t seed = 1;
  std::map<std::string, std::string> params;  // --param key=value
  std::string output;
  std::string machines_output;  // google-like: machine_events CSV of the generated cluster
  int machines = 12'500;
};

Status run_trace_inspect(const TraceInspectOptions& options, std::ostream& out);
Status run_trace_convert(const TraceConvertOptions& options, std::ostream& out);
Status run_trace_generate(const TraceGenerateOptions& options, std::ostream& out);

// Adds `trace` and its subcommands to `app`; run_trace_cli() runs whichever was parsed and
// returns the exit code (0, or 2 after printing the error).
struct TraceCli {
  CLI::App* trace = nullptr;
  CLI::App* inspect = nullptr;
  CLI::App* convert = nullptr;
  CLI::App* generate = nullptr;
  TraceInspectOptions inspect_options;
  TraceConvertOptions convert_options;
  TraceGenerateOptions generate_options;
  std::vector<std::string> generate_params;
};
void add_trace_cli(CLI::App& app, TraceCli& cli);
int run_trace_cli(TraceCli& cli, std::ostream& out, std::ostream& err);

}  // namespace mesosim
