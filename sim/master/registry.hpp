#pragma once

// What survives a master failover (Mesos's replicated registry): the agents admitted, marked
// unreachable or gone, and the roles' weights and quota. Not tasks or frameworks: a new leader
// learns those from agents re-registering and frameworks re-subscribing. A Registry outlives the
// Master objects that use it.

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "allocator/allocator.hpp"
#include "sim/master/protocol.hpp"

namespace mesosim {

struct Registry {
  enum class AgentState { kAdmitted, kUnreachable, kGone };
  struct Agent {
    v1::AgentInfo info;
    AgentState state = AgentState::kAdmitted;
    Time since;
  };
  std::map<std::string, Agent> agents;  // by agent ID
  std::map<std::string, double> weights;
  std::map<std::string, Quota> quotas;

  // Called by the Master after each change it makes to the registry (possibly several within
  // one message or timer), so that a keeper of a durable copy knows when to write it; live mode
  // persists it to the work dir (sim/live/registry_file.hpp). Unset in simulations.
  std::function<void()> on_change;
  void changed() {
    if (on_change) on_change();
  }
};

}  // namespace mesosim
