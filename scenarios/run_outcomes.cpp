#include "scenarios/run_outcomes.hpp"

#include <string>

namespace mesosim {
namespace {

analysis::JobOutcome to_outcome(const FrameworkModel& model, const JobRecord& rec,
                                const Job& spec) {
  analysis::JobOutcome job{rec.id,     rec.group, model.options().name,
                           rec.submit, rec.ready, rec.start,
                           rec.finish, {},        rec.abandoned};
  job.tasks.reserve(rec.tasks.size());
  for (size_t t = 0; t < rec.tasks.size(); ++t) {
    const TaskRecord& tr = rec.tasks[t];
    job.tasks.push_back(analysis::TaskOutcome{
        tr.ready, tr.launched, tr.running, tr.ended, tr.wait,
        tr.launched ? std::string(to_string(tr.locality)) : std::string(), tr.agent,
        tr.final_state ? std::string(v1::to_string(*tr.final_state)) : std::string(), tr.attempts,
        spec.tasks[t].resources});
  }
  return job;
}

}  // namespace

OutcomesByFramework outcomes_by_framework(const ScenarioRun& run) {
  OutcomesByFramework out(run.framework_count());
  for (size_t m = 0; m < run.framework_count(); ++m) {
    const FrameworkModel& model = run.model(m);
    model.for_each_job([&](size_t, const JobRecord& rec, const Job& spec) {
      out[m].push_back(to_outcome(model, rec, spec));
    });
  }
  return out;
}

std::vector<analysis::JobOutcome> flatten(OutcomesByFramework outcomes) {
  std::vector<analysis::JobOutcome> out;
  for (auto& framework : outcomes) {
    for (auto& job : framework) out.push_back(std::move(job));
  }
  return out;
}

std::vector<analysis::JobOutcome> job_outcomes(const ScenarioRun& run) {
  return flatten(outcomes_by_framework(run));
}

JobOutcomeStream::JobOutcomeStream(ScenarioRun& run) : run_(run), finished_(run.framework_count()) {
  for (size_t m = 0; m < run.framework_count(); ++m) {
    FrameworkModel& model = run.model(m);
    model.set_keep_finished_jobs(false);
    model.set_job_sink([this, m, &model](size_t index, const JobRecord& rec, const Job& spec) {
      finished_[m].emplace(index, to_outcome(model, rec, spec));
    });
  }
}

OutcomesByFramework JobOutcomeStream::take() {
  OutcomesByFramework out(run_.framework_count());
  for (size_t m = 0; m < run_.framework_count(); ++m) {
    std::map<size_t, analysis::JobOutcome>& jobs = finished_[m];
    const FrameworkModel& model = run_.model(m);
    model.for_each_job([&](size_t index, const JobRecord& rec, const Job& spec) {
      jobs.emplace(index, to_outcome(model, rec, spec));
    });
    for (auto& [index, job] : jobs) out[m].push_back(std::move(job));
    jobs.clear();
  }
  return out;
}

}  // namespace mesosim
