#pragma once

// Master failovers as the event stream shows them (internal to analysis/): for each failure of
// the leader, when it failed, when the next leader was elected, and when that leader had back
// every agent that was connected and every framework that was subscribed before the failure
// (analysis/README.md, "Failover"). Fed by the Collector; knows agents and frameworks only by
// their ids on the stream.

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "allocator/time.hpp"
#include "analysis/run_result.hpp"

namespace mesosim::analysis {

class FailoverTracker {
 public:
  // MASTER_CRASHED: the leader failed at `t`.
  void leader_failed(Time t);
  // LEADER_ELECTED at `t`.
  void leader_elected(Time t);
  // AGENT_ADDED (registered or re-registered) and AGENT_DISCONNECTED / AGENT_REMOVED.
  void agent_connected(Time t, const std::string& agent);
  void agent_disconnected(const std::string& agent);
  void agent_removed(Time t, const std::string& agent);
  // FRAMEWORK_ADDED, and FRAMEWORK_DISCONNECTED / FRAMEWORK_REMOVED.
  void framework_subscribed(Time t, const std::string& framework);
  void framework_disconnected(const std::string& framework);
  void framework_removed(Time t, const std::string& framework);

  // Every failover seen, in order, with its summary; those still under way at the end are
  // reported unrecovered.
  FailoverStats finish() const;

 private:
  struct Open {
    FailoverRecord record;
    std::set<std::string> agents;      // awaited
    std::set<std::string> frameworks;  // awaited
  };
  void open_failover(Time failed_at, bool failure_seen);
  void close(bool recovered);
  void maybe_recovered(Time t);

  std::set<std::string> connected_agents_;
  std::set<std::string> subscribed_frameworks_;
  std::optional<Open> open_;
  std::vector<FailoverRecord> closed_;
};

}  // namespace mesosim::analysis
