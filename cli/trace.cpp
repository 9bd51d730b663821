#include "cli/trace.hpp"

#include <cmath>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "cli/trace_read_flags.hpp"

namespace mesosim {

Result<TraceOptions> trace_options_from(const TraceReadFlags& flags) {
  TraceOptions o;
  o.read.skip_bad_rows = flags.skip_bad_rows;
  o.google.reference_machine = flags.reference_machine;
  if (auto scale = GoogleScale::parse(flags.reference_machine); !scale.ok()) {
    return Error{"--reference-machine: " + scale.error().message};
  }
  if (!std::isfinite(flags.window_s) || flags.window_s < 0 || flags.window_s > 1e12) {
    return Error{fmt::format("--window: expected seconds >= 0, found {}", flags.window_s)};
  }
  o.google.reorder_window = Duration::from_seconds(flags.window_s);
  if (flags.default_mem_mb <= 0) {
    return Error{fmt::format("--default-mem: expected MB > 0, found {}", flags.default_mem_mb)};
  }
  o.swf.default_mem_mb = flags.default_mem_mb;
  return o;
}

void add_trace_read_flags(CLI::App& cmd, TraceReadFlags& flags) {
  cmd.add_flag("--skip-bad-rows", flags.skip_bad_rows,
               "Skip malformed rows (counted with their reason) instead of stopping");
  cmd.add_option("--reference-machine", flags.reference_machine,
                 "Google: what a normalised 1.0 of cpus/mem/disk stands for")
      ->capture_default_str();
  cmd.add_option("--window", flags.window_s,
                 "Google: seconds a job may wait for its tasks to end before it is emitted")
      ->capture_default_str();
  cmd.add_option("--default-mem", flags.default_mem_mb,
                 "SWF: memory per processor in MB when the log gives none")
      ->capture_default_str();
}

void add_trace_cli(CLI::App& app, TraceCli& cli) {
  cli.trace = app.add_subcommand("trace", "Inspect, convert and generate workload traces");
  cli.trace->require_subcommand(1);

  cli.inspect = cli.trace->add_subcommand(
      "inspect", "Format, rows, jobs, tasks, time span, resource histograms, skipped rows");
  cli.inspect
      ->add_option("files", cli.inspect_options.files,
                   "Trace files (several Google task_events parts form one trace)")
      ->required();
  add_trace_read_flags(*cli.inspect, cli.inspect_options.read);

  cli.convert = cli.trace->add_subcommand("convert", "Convert a trace to the native format");
  cli.convert->add_option("input", cli.convert_options.input, "Trace to read")->required();
  cli.convert->add_option("--to", cli.convert_options.to, "Output format")
      ->check(CLI::IsMember({"native"}))
      ->capture_default_str();
  cli.convert
      ->add_option("output", cli.convert_options.output,
                   "Native file to write (.gz: gzip-compressed)")
      ->required();
  add_trace_read_flags(*cli.convert, cli.convert_options.read);

  TraceGenerateOptions& g = cli.generate_options;
  cli.generate = cli.trace->add_subcommand(
      "generate", "Write a seeded synthetic workload in the native format");
  cli.generate
      ->add_option("kind", g.kind,
                   "facebook, large-hadoop, spark, mpi, storm, services or google-like")
      ->required();
  cli.generate->add_option("output", g.output, "Native file to write (.gz: gzip-compressed)")
      ->required();
  cli.generate->add_option("--seed", g.seed, "Seed of the generator")->capture_default_str();
  cli.generate->add_option("--param", cli.generate_params,
                           "key=value, repeatable (workloads/README.md lists the keys)");
  cli.generate->add_option("--machines-out", g.machines_output,
                           "google-like: also write the cluster as Google machine_events CSV");
  cli.generate->add_option("--machines", g.machines, "google-like: machines in the cluster")
      ->check(CLI::Range(1, 10'000'000))
      ->capture_default_str();
}

int run_trace_cli(TraceCli& cli, std::ostream& out, std::ostream& err) {
  Status s;
  std::string name;
  if (cli.inspect->parsed()) {
    name = "inspect";
    s = run_trace_inspect(cli.inspect_options, out);
  } else if (cli.convert->parsed()) {
    name = "convert";
    s = run_trace_convert(cli.convert_options, out);
  } else if (cli.generate->parsed()) {
    name = "generate";
    for (const std::string& kv : cli.generate_params) {
      const size_t eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) {
        s = Error{fmt::format("--param: expected key=value, found '{}'", kv)};
        break;
      }
      cli.generate_options.params[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    if (s.ok()) s = run_trace_generate(cli.generate_options, out);
  }
  if (!s.ok()) {
    fmt::print(err, "mesosim trace {}: {}\n", name, s.error().message);
    return 2;
  }
  return 0;
}

}  // namespace mesosim
