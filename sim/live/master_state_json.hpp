#pragma once

// The JSON of the master's read-only endpoints, in Apache Mesos's shapes for the fields mesosim
// can fill (src/master/http.cpp, src/common/http.cpp `model()`):
//   /master/state          version, id, pid, hostname, leader, start/elected time, agent counts,
//                          `slaves` (resources, used/offered/reserved/unreserved),
//                          `recovered_slaves` (admitted in the registry, not re-registered with
//                          this master yet: id, hostname, attributes), `frameworks` (tasks,
//                          completed_tasks, offers, used/offered resources),
//                          `completed_frameworks`, flags
//   /master/state-summary  the same agents and frameworks, counted instead of listed
//   /metrics/snapshot      a flat object of numbers: master/*, allocator/mesos/*, and
//                          mesosim's own timers (timer_metrics below)
// Resources are written as Mesos's model() writes them: an object with cpus, disk, gpus and mem
// always present (0 when absent), other scalars by name, ranges as "[31000-32000]".
//
// Called on the master's loop thread.

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "sim/live/latency_window.hpp"
#include "sim/live/master_book.hpp"
#include "sim/master/master.hpp"
#include "sim/master/registry.hpp"

namespace mesosim::live {

// Who this master is and how it was started, for the endpoints.
struct MasterIdentity {
  std::string id;
  std::string pid;  // "master@127.0.0.1:5050"
  std::string hostname;
  uint16_t port = 5050;
  std::string version;
  Time start_time;
  std::map<std::string, std::string> flags;
};

nlohmann::ordered_json resources_model(const Resources& resources);
nlohmann::ordered_json master_state_json(const Master& master, const MasterBook& book,
                                         const MasterIdentity& identity, const Registry& registry);
nlohmann::ordered_json master_state_summary_json(const Master& master, const MasterBook& book,
                                                 const MasterIdentity& identity);
nlohmann::ordered_json master_metrics_json(const Master& master, const MasterBook& book,
                                           const MasterIdentity& identity, Time now);
// A timer's keys as Mesos writes them (`<name>` the last sample, `<name>/count`, `/min`, `/max`,
// `/p50`, `/p90`, `/p99`, `/p999`, in milliseconds) added to `metrics`; nothing before the first
// sample, as Mesos.
void add_timer_metrics(nlohmann::ordered_json& metrics, const std::string& name,
                       const LatencyWindow& window);

}  // namespace mesosim::live
