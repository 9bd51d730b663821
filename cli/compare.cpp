// `mesosim compare SCENARIO.yaml [--seeds N] [--jobs J] [--out DIR] [--set k=v ...] [--plan]
// [--no-plots]` and `mesosim report DIR... [--out DIR] [--no-plots]`.
//
// A run is a pure function of (scenario, variant, seed), so compare runs every variant x seed as
// an independent `mesosim run` process, J at a time, each into DIR/<variant>/seed-<seed>, then
// compares the folders (analysis/comparison.hpp). --plan prints those runs as shell commands
// instead, for a batch system the user already has (GNU parallel, a Slurm array, a Kubernetes
// indexed Job), followed by the `mesosim report` command that merges their folders into the same
// table.

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <thread>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "analysis/compare_report.hpp"
#include "analysis/comparison.hpp"
#include "cli/scenario_cli.hpp"
#include "scenarios/scenario_load.hpp"

namespace mesosim {
namespace {

struct PlannedRun {
  std::string variant;
  uint64_t seed = 0;
  std::filesystem::path dir;
  std::vector<std::string> args;  // argv, the program first
};

std::string shell_quote(const std::string& s) {
  const bool plain = !s.empty() && s.find_first_not_of(
                                       "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLM"
                                       "NOPQRSTUVWXYZ0123456789_-./=:,+@%") == std::string::npos;
  if (plain) return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string command_line(const std::vector<std::string>& args) {
  std::string out;
  for (const std::string& a : args) out += (out.empty() ? "" : " ") + shell_quote(a);
  return out;
}

std::string self_program() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("mesosim") : exe.string();
}

// Starts one run with its output in <dir>/run.log; returns the child's pid (or -1).
pid_t start_run(const PlannedRun& run) {
  std::error_code ec;
  std::filesystem::create_directories(run.dir, ec);
  if (ec) return -1;
  const std::string log = (run.dir / "run.log").string();
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  if (std::FILE* out = std::freopen(log.c_str(), "w", stdout)) ::dup2(::fileno(out), 2);
  std::vector<char*> argv;
  std::vector<std::string> args = run.args;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  ::execv(argv[0], argv.data());
  ::_exit(127);
}

// Runs every planned run, `jobs` at a time. Returns the failed runs, described.
std::vector<std::string> run_all(const std::vector<PlannedRun>& runs, int jobs, std::ostream& err) {
  std::vector<std::string> failed;
  std::map<pid_t, const PlannedRun*> running;
  size_t next = 0, done = 0;
  while (done < runs.size()) {
    while (next < runs.size() && static_cast<int>(running.size()) < jobs) {
      const PlannedRun& r = runs[next++];
      const pid_t pid = start_run(r);
      if (pid < 0) {
        failed.push_back(
            fmt::format("{} seed {}: cannot start it in {}", r.variant, r.seed, r.dir.string()));
        ++done;
        continue;
      }
      running.emplace(pid, &r);
    }
    if (running.empty()) continue;
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, 0);
    auto it = running.find(pid);
    if (it == running.end()) continue;
    const PlannedRun& r = *it->second;
    running.erase(it);
    ++done;
    const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    fmt::print(err, "[{}/{}] {} seed {}: {}\n", done, runs.size(), r.variant, r.seed,
               ok ? "done" : "FAILED");
    if (!ok) {
      failed.push_back(fmt::format("{} seed {}: exit status {} (see {})", r.variant, r.seed,
                                   WIFEXITED(status) ? WEXITSTATUS(status) : 128,
                                   (r.dir / "run.log").string()));
    }
  }
  return failed;
}

int print_comparison(const std::vector<std::filesystem::path>& dirs, const std::string& out_dir,
                     bool plots, const char* command, std::ostream& out, std::ostream& err) {
  auto comparison = analysis::compare_run_folders(dirs);
  if (!comparison.ok()) {
    fmt::print(err, "mesosim {}: {}\n", command, comparison.error().message);
    return 2;
  }
  fmt::print(out, "{}", analysis::comparison_table(comparison.value()));
  if (out_dir.empty()) return 0;
  analysis::CompareReportOptions report;
  report.plots = plots;
  std::vector<std::string> notes;
  auto written = analysis::write_comparison(comparison.value(), out_dir, report, &notes);
  if (!written.ok()) {
    fmt::print(err, "mesosim {}: {}\n", command, written.error().message);
    return 2;
  }
  for (const std::string& note : notes) fmt::print(err, "mesosim {}: {}\n", command, note);
  fmt::print(err, "comparison in {}: compare.csv, compare.json, compare.html{}\n", out_dir,
             plots && notes.empty() ? " and its plots" : "");
  return 0;
}

}  // namespace

int run_compare(const ScenarioCli& cli, std::ostream& out, std::ostream& err) {
  auto checked = validate_scenario(cli.file, cli.sets);
  if (!checked.ok()) {
    fmt::print(err, "mesosim compare: {}\n", checked.error().message);
    return 2;
  }
  auto loaded = load_scenario(cli.file, {cli.sets, "base"});
  if (!loaded.ok()) {
    fmt::print(err, "mesosim compare: {}\n", loaded.error().message);
    return 2;
  }
  const Scenario& base = loaded.value();
  const std::filesystem::path dir = cli.out_dir.empty()
                                        ? std::filesystem::path(base.out_dir) / "compare"
                                        : std::filesystem::path(cli.out_dir);
  std::vector<std::string> variants{"base"};
  for (const VariantSpec& v : base.variants) variants.push_back(v.name);
  const std::string program = self_program();
  std::vector<PlannedRun> runs;
  for (const std::string& variant : variants) {
    for (int k = 0; k < cli.seeds; ++k) {
      PlannedRun r;
      r.variant = variant;
      r.seed = base.seed + static_cast<uint64_t>(k);
      r.dir = dir / variant / fmt::format("seed-{}", r.seed);
      r.args = {
          program, "run",         cli.file, "--variant", variant, "--seed", std::to_string(r.seed),
          "--out", r.dir.string()};
      for (const std::string& s : cli.sets) {
        r.args.push_back("--set");
        r.args.push_back(s);
      }
      runs.push_back(std::move(r));
    }
  }
  std::vector<std::filesystem::path> dirs;
  for (const PlannedRun& r : runs) dirs.push_back(r.dir);
  if (cli.plan) {
    for (const PlannedRun& r : runs) fmt::print(out, "{}\n", command_line(r.args));
    std::vector<std::string> report{program, "report"};
    for (const auto& d : dirs) report.push_back(d.string());
    report.push_back("--out");
    report.push_back(dir.string());
    if (cli.no_plots) report.push_back("--no-plots");
    fmt::print(out, "{}\n", command_line(report));
    return 0;
  }
  const int jobs =
      cli.jobs > 0 ? cli.jobs : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  fmt::print(err, "mesosim compare: {} variants x {} seeds = {} runs, {} at a time, into {}\n",
             variants.size(), cli.seeds, runs.size(), jobs, dir.string());
  const std::vector<std::string> failed = run_all(runs, jobs, err);
  if (!failed.empty()) {
    for (const std::string& f : failed) fmt::print(err, "mesosim compare: {}\n", f);
    return 1;
  }
  return print_comparison(dirs, dir.string(), !cli.no_plots, "compare", out, err);
}

int run_report(const ScenarioCli& cli, std::ostream& out, std::ostream& err) {
  std::vector<std::filesystem::path> dirs(cli.run_dirs.begin(), cli.run_dirs.end());
  return print_comparison(dirs, cli.out_dir, !cli.no_plots, "report", out, err);
}

}  // namespace mesosim
