#include "workloads/batch_framework.hpp"

#include <set>

namespace mesosim {

BatchFramework::BatchFramework(Clock& clock, BatchFrameworkOptions options)
    : FrameworkModel(clock, std::move(options.model)),
      topology_(options.topology),
      max_tasks_per_offer_(options.max_tasks_per_offer) {}

void BatchFramework::on_offers(SchedulerDriver& driver, const std::vector<v1::Offer>& offers) {
  std::set<size_t> jobs;
  size_t launched = 0;
  for (const v1::Offer& offer : offers) {
    std::vector<v1::TaskInfo> tasks;
    for (TaskRef ref : first_fit(offer)) {
      if (max_tasks_per_offer_ > 0 && static_cast<int>(tasks.size()) >= max_tasks_per_offer_) {
        break;
      }
      const TaskSpec& spec = task_spec(ref);
      const Locality locality =
          topology_
              ? topology_->locality(offer.hostname, spec.preferred_agents, spec.preferred_racks)
              : Locality::kAny;
      tasks.push_back(make_task(ref, offer, spec.duration, locality));
      jobs.insert(ref.job);
    }
    launched += tasks.size();
    launch(driver, offer, std::move(tasks));
  }
  charge_launches(driver, jobs.size(), launched);
}

}  // namespace mesosim
