// `mesosim run SCENARIO.yaml [--out DIR] [--seed N] [--set key=value ...] [--variant NAME]`:
// progress on stderr, the summary on stdout (and in DIR/summary.txt), and in DIR what analysis
// makes of the run (summary.json, timeseries.csv, jobs.csv, tasks.csv, plots, report.html;
// analysis/README.md). SIGINT stops cleanly and still writes what the run got to.

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "analysis/collector.hpp"
#include "analysis/comparison.hpp"
#include "analysis/writers.hpp"
#include "cli/scenario_cli.hpp"
#include "scenarios/run_outcomes.hpp"
#include "scenarios/run_summary.hpp"
#include "scenarios/scenario_load.hpp"
#include "scenarios/scenario_run.hpp"

namespace mesosim {
namespace {

std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free, "set from a signal handler");

extern "C" void on_sigint(int) { g_stop.store(true); }

// Installs the SIGINT handler for the lifetime of the run, then puts the old one back.
class SigintGuard {
 public:
  SigintGuard() {
    struct sigaction sa {};
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_);
  }
  ~SigintGuard() { sigaction(SIGINT, &old_, nullptr); }

 private:
  struct sigaction old_ {};
};

// Progress on stderr: a line redrawn in place on a terminal, a plain line every few seconds
// otherwise. Wall time is read here, in the program, never in the simulation.
class ProgressLine {
 public:
  ProgressLine(std::ostream& err, bool tty)
      : err_(err), tty_(tty), start_(Clock::now()), last_(start_) {}

  void update(const RunProgress& p, bool final) {
    const auto now = Clock::now();
    const double since_last = std::chrono::duration<double>(now - last_).count();
    if (!final && since_last < (tty_ ? 0.2 : 5.0)) return;
    last_ = now;
    const double wall = std::chrono::duration<double>(now - start_).count();
    const double rate = wall > 0 ? static_cast<double>(p.events) / wall : 0;
    const double sim = p.now.seconds_f();
    std::string line = fmt::format("sim {:.1f} s", sim);
    if (!p.to_completion) {
      const double total = p.horizon.seconds_f();
      line += fmt::format(" / {:.0f} s ({:.0f}%)", total, total > 0 ? 100 * sim / total : 100);
    } else {
      line += fmt::format(" (until every job finishes, at most {:.0f} s)", p.horizon.seconds_f());
    }
    line += fmt::format(", wall {:.1f} s, {} events, {:.0f} events/s", wall, p.events, rate);
    if (!p.to_completion && sim > 0 && !final) {
      const double eta = wall * (p.horizon.seconds_f() - sim) / sim;
      line += fmt::format(", ETA {:.0f} s", std::max(0.0, eta));
    }
    if (tty_) {
      fmt::print(err_, "\r\033[K{}{}", line, final ? "\n" : "");
    } else {
      fmt::print(err_, "{}\n", line);
    }
    err_.flush();
  }

 private:
  using Clock = std::chrono::steady_clock;
  std::ostream& err_;
  bool tty_;
  Clock::time_point start_, last_;
};

}  // namespace

int run_run(const ScenarioCli& cli, std::ostream& out, std::ostream& err) {
  auto loaded = load_scenario(cli.file, {cli.sets, cli.variant});
  if (!loaded.ok()) {
    fmt::print(err, "mesosim run: {}\n", loaded.error().message);
    return 2;
  }
  Scenario scenario = std::move(loaded).value();
  if (cli.seed) scenario.seed = *cli.seed;
  const std::string dir = cli.out_dir.empty() ? scenario.out_dir : cli.out_dir;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    fmt::print(err, "mesosim run: --out {}: cannot create the folder: {}\n", dir, ec.message());
    return 2;
  }
  auto built = ScenarioRun::create(scenario);
  if (!built.ok()) {
    fmt::print(err, "mesosim run: {}: {}\n", cli.file, built.error().message);
    return 2;
  }
  ScenarioRun& run = *built.value();

  analysis::Collector collector;
  run.add_observer(&collector);
  // The models hand finished jobs over and forget them: their memory follows the jobs running.
  JobOutcomeStream job_stream(run);

  ProgressLine progress(err, isatty(STDERR_FILENO) == 1);
  RunControl control;
  control.progress = [&](const RunProgress& p) { progress.update(p, false); };
  control.stop = &g_stop;
  g_stop.store(false);
  RunOutcome outcome;
  {
    SigintGuard guard;
    outcome = run.run(control);
  }
  progress.update(
      RunProgress{outcome.end, outcome.events, scenario.horizon(), scenario.run_to_completion},
      true);

  OutcomesByFramework jobs = job_stream.take();
  const std::string run_summary = format_summary(run, outcome, jobs);
  const analysis::RunResult result = collector.finish(outcome.end, flatten(std::move(jobs)));
  std::ostringstream table;
  analysis::print_summary_table(result, table);
  const std::string summary = run_summary + "\n" + table.str();
  fmt::print(out, "{}", summary);
  analysis::OutputOptions output_options;
  output_options.samples = scenario.samples;
  output_options.plots = scenario.plots;
  auto written = analysis::write_outputs(result, dir, output_options);
  if (!written.ok()) {
    fmt::print(err, "mesosim run: {}\n", written.error().message);
    return 2;
  }
  for (const std::string& note : written.value().notes) fmt::print(err, "note: {}\n", note);
  // Which run this was, for `mesosim report`.
  int variant_index = 0;
  for (size_t i = 0; i < scenario.variants.size(); ++i) {
    if (scenario.variants[i].name == scenario.variant) variant_index = static_cast<int>(i) + 1;
  }
  std::ofstream identity(std::filesystem::path(dir) / "run.json");
  identity << analysis::run_identity_json(
      {scenario.name, scenario.variant, variant_index, scenario.seed, scenario.allocator.policy});
  if (!identity) {
    fmt::print(err, "mesosim run: cannot write {}/run.json\n", dir);
    return 2;
  }
  // Where the files went is said on stderr, so stdout is the summary alone (= summary.txt).
  fmt::print(err, "outputs in {}: summary.txt", dir);
  for (const auto& f : written.value().files) fmt::print(err, ", {}", f.filename().string());
  fmt::print(err, "\n");
  const std::string path = (std::filesystem::path(dir) / "summary.txt").string();
  std::ofstream file(path);
  file << summary;
  if (!file) {
    fmt::print(err, "mesosim run: cannot write {}\n", path);
    return 2;
  }
  if (outcome.ending == RunOutcome::Ending::kStopped) return 130;
  return outcome.workload_errors.empty() ? 0 : 1;
}

}  // namespace mesosim
