#pragma once

// The generic batch framework: replays a trace's jobs as they are, first come first served.
// For each offer it places pending tasks first-fit in the order they became pending (a task
// that does not fit what is left of the offer is skipped, later ones may still fit), launches
// them in one ACCEPT whose filter (refuse_seconds) covers what it leaves, and declines offers
// it places nothing on with the same filter. With nothing pending it SUPPRESSes; a new job
// REVIVEs it. Tasks run for their trace duration and end as the trace says; tasks lost with
// their agent are run again.

#include "workloads/framework_model.hpp"

namespace mesosim {

struct BatchFrameworkOptions {
  FrameworkModelOptions model;
  // Optional: to record where tasks ran relative to their preferred agents/racks (the batch
  // model itself ignores locality).
  const Topology* topology = nullptr;
  // At most this many tasks launched per offer (0: as many as fit). One task per offer makes
  // the framework take resources a task at a time, so the allocator's DRF order decides between
  // frameworks at every step (progressive filling, as in the DRF paper's example).
  int max_tasks_per_offer = 0;
};

class BatchFramework : public FrameworkModel {
 public:
  BatchFramework(Clock& clock, BatchFrameworkOptions options);

 protected:
  void on_offers(SchedulerDriver& driver, const std::vector<v1::Offer>& offers) override;

 private:
  const Topology* topology_;
  int max_tasks_per_offer_;
};

}  // namespace mesosim
