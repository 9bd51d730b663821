#pragma once

// Faults a simulation can inject, at a given time: the failures Mesos is built to survive.
// Parties are named as on the network: agents by hostname, masters "master1".."masterN" (or
// "masters" for all of them), schedulers by framework name.

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "allocator/time.hpp"

namespace mesosim {
namespace fault {

// The agent process dies; with machine_lost its tasks die too (a reboot), otherwise they keep
// running and are re-adopted when it comes back.
struct AgentCrash {
  std::string agent;
  bool machine_lost = false;
  std::optional<Duration> restart_after;
};
struct AgentRestart {
  std::string agent;
};
// Messages between the two sides are dropped until healed.
struct Partition {
  std::vector<std::string> side_a;
  std::vector<std::string> side_b;
};
struct Heal {
  std::vector<std::string> side_a;  // both empty: heal every partition
  std::vector<std::string> side_b;
};
// The leading master dies; a standby leads after the cluster's election delay.
struct MasterFailover {};
// The scheduler process dies; with restart_after it comes back and re-subscribes.
struct SchedulerCrash {
  std::string framework;
  std::optional<Duration> restart_after;
};

}  // namespace fault

using Fault = std::variant<fault::AgentCrash, fault::AgentRestart, fault::Partition, fault::Heal,
                           fault::MasterFailover, fault::SchedulerCrash>;

std::string to_string(const Fault& fault);

}  // namespace mesosim
