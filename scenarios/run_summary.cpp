#include "scenarios/run_summary.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace mesosim {
namespace {

std::optional<double> mean(const std::vector<double>& v) {
  if (v.empty()) return std::nullopt;
  double sum = 0;
  for (double x : v) sum += x;
  return sum / static_cast<double>(v.size());
}

// `final_state` is a Mesos state name, as analysis::TaskOutcome holds it ("" if none).
void count_final(const std::string& final_state, FrameworkSummary& s) {
  if (final_state.empty()) return;
  if (final_state == "TASK_FINISHED") {
    ++s.tasks_finished;
  } else if (final_state == "TASK_FAILED" || final_state == "TASK_ERROR") {
    ++s.tasks_failed;
  } else if (final_state == "TASK_KILLED") {
    ++s.tasks_killed;
  } else {
    ++s.tasks_lost;  // LOST, DROPPED, GONE, UNREACHABLE, UNKNOWN, ...
  }
}

std::string seconds(const std::optional<double>& v) { return v ? fmt::format("{:.2f}", *v) : "-"; }

}  // namespace

std::optional<double> nearest_rank(std::vector<double> values, double p) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  const double rank = std::ceil(p / 100.0 * static_cast<double>(values.size()));
  const size_t i = static_cast<size_t>(std::clamp(rank, 1.0, static_cast<double>(values.size())));
  return values[i - 1];
}

std::vector<FrameworkSummary> summarize(const ScenarioRun& run) {
  return summarize(run, outcomes_by_framework(run));
}

std::vector<FrameworkSummary> summarize(const ScenarioRun& run, const OutcomesByFramework& jobs) {
  std::vector<FrameworkSummary> out;
  for (size_t i = 0; i < run.framework_count(); ++i) {
    const FrameworkSpec& spec = run.framework_spec(i);
    const FrameworkModel& model = run.model(i);
    FrameworkSummary s;
    s.name = spec.name;
    s.model = spec.model;
    s.role = spec.role;
    s.jobs_submitted = jobs.at(i).size();
    s.tasks_launched = model.stats().tasks_launched;
    std::vector<double> jct, waits;
    for (const analysis::JobOutcome& job : jobs.at(i)) {
      if (job.finish) {
        ++s.jobs_finished;
        jct.push_back((*job.finish - job.submit).seconds_f());
      }
      for (const analysis::TaskOutcome& t : job.tasks) {
        count_final(t.final_state, s);
        if (t.attempts > 0) waits.push_back(t.wait.seconds_f());
      }
    }
    s.jct_mean = mean(jct);
    s.jct_p50 = nearest_rank(jct, 50);
    s.jct_p95 = nearest_rank(jct, 95);
    s.wait_mean = mean(waits);
    out.push_back(std::move(s));
  }
  return out;
}

std::string format_summary(const ScenarioRun& run, const RunOutcome& outcome) {
  return format_summary(run, outcome, outcomes_by_framework(run));
}

std::string format_summary(const ScenarioRun& run, const RunOutcome& outcome,
                           const OutcomesByFramework& jobs) {
  const Scenario& sc = run.scenario();
  std::string text = fmt::format(
      "scenario {} (variant {}, seed {}, policy {}): {} agents, ended at {} s simulated ({}), "
      "{} events\n\n",
      sc.name, sc.variant, sc.seed, sc.allocator.policy, run.agents_added(),
      outcome.end.to_string(), to_string(outcome.ending), outcome.events);
  text += fmt::format(
      "{:<14} {:<8} {:<10} {:>6} {:>6} {:>8} {:>8} {:>6} {:>6} {:>6} {:>9} {:>9} {:>9} {:>9}\n",
      "framework", "model", "role", "jobs", "done", "launched", "finished", "failed", "killed",
      "lost", "jct_mean", "jct_p50", "jct_p95", "wait_mean");
  for (const FrameworkSummary& s : summarize(run, jobs)) {
    text += fmt::format(
        "{:<14} {:<8} {:<10} {:>6} {:>6} {:>8} {:>8} {:>6} {:>6} {:>6} {:>9} {:>9} {:>9} {:>9}\n",
        s.name, s.model, s.role, s.jobs_submitted, s.jobs_finished, s.tasks_launched,
        s.tasks_finished, s.tasks_failed, s.tasks_killed, s.tasks_lost, seconds(s.jct_mean),
        seconds(s.jct_p50), seconds(s.jct_p95), seconds(s.wait_mean));
  }
  text +=
      "\njobs: submitted / finished; tasks: Mesos tasks launched (every attempt) and tasks by "
      "final state; times in simulated seconds (jct: submit to finish of finished jobs; wait: "
      "pending to launched)\n";
  for (const auto& e : outcome.workload_errors) text += fmt::format("workload error: {}\n", e);
  for (const auto& n : outcome.notes) text += fmt::format("note: {}\n", n);
  return text;
}

}  // namespace mesosim
