#pragma once

// The master's event stream: everything analysis, logs and the why-explanations need, as
// structured values. One schema for the simulator and live mode, so a stream recorded live can
// be replayed by the simulator. Observers are called synchronously, in order; with none
// installed, nothing is built.
//
// Allocation accounting from the stream alone: resources become allocated to a framework by
// OfferMade and stop being allocated by ResourcesRecovered (declined, rescinded, unused part of
// an accept, task ended, framework or agent removed). Nothing else changes allocations.

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "allocator/allocator.hpp"
#include "sim/master/protocol.hpp"

namespace mesosim {
namespace master_event {

struct LeaderElected {
  std::string master_id;
};
struct AgentAdded {
  v1::AgentID agent;
  std::string hostname;
  Resources total;
  std::vector<v1::Attribute> attributes;
  bool reregistered = false;
};
struct AgentDisconnected {
  v1::AgentID agent;
};
struct AgentRemoved {
  v1::AgentID agent;
  bool unreachable = false;  // true: may come back; false: gone for good
  std::string reason;
};
struct FrameworkAdded {
  v1::FrameworkID framework;
  std::string name;
  std::vector<std::string> roles;
  bool resubscribed = false;
};
struct FrameworkDisconnected {
  v1::FrameworkID framework;
};
struct FrameworkRemoved {
  v1::FrameworkID framework;
  std::string reason;
};
struct OfferMade {
  v1::OfferID offer;
  v1::FrameworkID framework;
  v1::AgentID agent;
  std::string role;
  Resources resources;
};
struct OfferDeclined {
  v1::OfferID offer;
  v1::FrameworkID framework;
  std::optional<Duration> filter;
};
struct OfferAccepted {
  v1::OfferID offer;
  v1::FrameworkID framework;
  size_t tasks_launched = 0;
};
struct OfferRescinded {
  v1::OfferID offer;
  v1::FrameworkID framework;
  std::string reason;
};
struct ResourcesRecovered {
  v1::FrameworkID framework;
  v1::AgentID agent;
  std::string role;
  Resources resources;
};
struct TaskStateChanged {
  v1::TaskID task;
  v1::FrameworkID framework;
  v1::AgentID agent;
  std::string role;
  v1::TaskState state = v1::TaskState::TASK_STAGING;
  std::optional<v1::TaskStatusReason> reason;
  v1::TaskStatusSource source = v1::TaskStatusSource::SOURCE_MASTER;
  Resources resources;
  std::string message;
};
struct AllocationRun {
  size_t offers = 0;
};
struct OfferSkipped {  // why-explanations; only when enabled
  v1::FrameworkID framework;
  std::string role;
  v1::AgentID agent;
  SkipReason reason;
};
struct CallRejected {  // a scheduler call the master could not act on, and why
  std::optional<v1::FrameworkID> framework;
  std::string call;
  std::string message;
};

}  // namespace master_event

using MasterEventBody =
    std::variant<master_event::LeaderElected, master_event::AgentAdded,
                 master_event::AgentDisconnected, master_event::AgentRemoved,
                 master_event::FrameworkAdded, master_event::FrameworkDisconnected,
                 master_event::FrameworkRemoved, master_event::OfferMade,
                 master_event::OfferDeclined, master_event::OfferAccepted,
                 master_event::OfferRescinded, master_event::ResourcesRecovered,
                 master_event::TaskStateChanged, master_event::AllocationRun,
                 master_event::OfferSkipped, master_event::CallRejected>;

struct MasterEvent {
  Time time;
  MasterEventBody body;
};

// One line, stable across runs: "12.000250 OFFER_MADE offer=m1-O3 framework=... ...".
std::string to_string(const MasterEvent& event);

class MasterObserver {
 public:
  virtual ~MasterObserver() = default;
  virtual void on_event(const MasterEvent& event) = 0;
};

}  // namespace mesosim
