#include "scenarios/run_outcomes.hpp"

#include <string>

namespace mesosim {

std::vector<analysis::JobOutcome> job_outcomes(const ScenarioRun& run) {
  std::vector<analysis::JobOutcome> out;
  for (size_t m = 0; m < run.framework_count(); ++m) {
    const FrameworkModel& model = run.model(m);
    for (size_t j = 0; j < model.jobs().size(); ++j) {
      const JobRecord& rec = model.jobs()[j];
      analysis::JobOutcome job{rec.id,     rec.group, model.options().name,
                               rec.submit, rec.ready, rec.start,
                               rec.finish, {},        rec.abandoned};
      job.tasks.reserve(rec.tasks.size());
      for (size_t t = 0; t < rec.tasks.size(); ++t) {
        const TaskRecord& tr = rec.tasks[t];
        job.tasks.push_back(analysis::TaskOutcome{
            tr.ready, tr.launched, tr.running, tr.ended, tr.wait,
            tr.launched ? std::string(to_string(tr.locality)) : std::string(), tr.agent,
            tr.final_state ? std::string(v1::to_string(*tr.final_state)) : std::string(),
            tr.attempts, model.spec(j).tasks[t].resources});
      }
      out.push_back(std::move(job));
    }
  }
  return out;
}

}  // namespace mesosim
