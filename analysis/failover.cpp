// Master failovers from the event stream: who was connected when the leader failed, and when
// each of them was back with the next leader.

#include "analysis/failover.hpp"

namespace mesosim::analysis {

void FailoverTracker::open_failover(Time failed_at, bool failure_seen) {
  Open next;
  // A failure during a recovery: the earlier failover ends unrecovered, and whoever it still
  // awaited is awaited by this one too.
  if (open_) {
    next.agents = std::move(open_->agents);
    next.frameworks = std::move(open_->frameworks);
    close(false);
  }
  next.agents.insert(connected_agents_.begin(), connected_agents_.end());
  next.frameworks.insert(subscribed_frameworks_.begin(), subscribed_frameworks_.end());
  next.record.failed_at = failed_at;
  next.record.failure_seen = failure_seen;
  next.record.agents = next.agents.size();
  next.record.frameworks = next.frameworks.size();
  open_ = std::move(next);
  // The next leader starts with nobody connected.
  connected_agents_.clear();
  subscribed_frameworks_.clear();
}

void FailoverTracker::close(bool recovered) {
  closed_.push_back(open_->record);
  if (!recovered) closed_.back().recovered_at.reset();
  open_.reset();
}

void FailoverTracker::maybe_recovered(Time t) {
  if (!open_ || !open_->record.elected_at) return;
  if (!open_->agents.empty() || !open_->frameworks.empty()) return;
  const bool all_back = open_->record.agents_lost == 0 && open_->record.frameworks_lost == 0;
  open_->record.recovered_at = t;
  close(all_back);
}

void FailoverTracker::leader_failed(Time t) {
  // The leader of a recovery that has not begun (no election yet) cannot fail again; a second
  // MASTER_CRASHED before an election changes nothing.
  if (open_ && !open_->record.elected_at) return;
  open_failover(t, true);
}

void FailoverTracker::leader_elected(Time t) {
  if (open_ && !open_->record.elected_at) {
    open_->record.elected_at = t;
  } else if (open_ || !connected_agents_.empty() || !subscribed_frameworks_.empty()) {
    // A new leader while another held agents or frameworks, with no failure on the stream (a
    // recording of one master's stream may lack it): the failure is taken to be now.
    open_failover(t, false);
    open_->record.elected_at = t;
  }
  maybe_recovered(t);
}

void FailoverTracker::agent_connected(Time t, const std::string& agent) {
  connected_agents_.insert(agent);
  if (!open_ || !open_->record.elected_at || open_->agents.erase(agent) == 0) return;
  open_->record.agents_back_at = t;
  maybe_recovered(t);
}

void FailoverTracker::agent_disconnected(const std::string& agent) {
  connected_agents_.erase(agent);
}

void FailoverTracker::agent_removed(Time t, const std::string& agent) {
  connected_agents_.erase(agent);
  if (!open_ || open_->agents.erase(agent) == 0) return;
  ++open_->record.agents_lost;
  maybe_recovered(t);
}

void FailoverTracker::framework_subscribed(Time t, const std::string& framework) {
  subscribed_frameworks_.insert(framework);
  if (!open_ || !open_->record.elected_at || open_->frameworks.erase(framework) == 0) return;
  open_->record.frameworks_back_at = t;
  maybe_recovered(t);
}

void FailoverTracker::framework_disconnected(const std::string& framework) {
  subscribed_frameworks_.erase(framework);
}

void FailoverTracker::framework_removed(Time t, const std::string& framework) {
  subscribed_frameworks_.erase(framework);
  if (!open_ || open_->frameworks.erase(framework) == 0) return;
  ++open_->record.frameworks_lost;
  maybe_recovered(t);
}

FailoverStats FailoverTracker::finish() const {
  FailoverStats stats;
  stats.failovers = closed_;
  if (open_) stats.failovers.push_back(open_->record);  // still under way: unrecovered
  std::vector<double> recovery, from_election, election;
  for (const FailoverRecord& f : stats.failovers) {
    if (f.elected_at) election.push_back((*f.elected_at - f.failed_at).seconds_f());
    if (!f.recovered_at) continue;
    ++stats.recovered;
    recovery.push_back((*f.recovered_at - f.failed_at).seconds_f());
    from_election.push_back((*f.recovered_at - *f.elected_at).seconds_f());
  }
  stats.recovery_s = describe(std::move(recovery));
  stats.from_election_s = describe(std::move(from_election));
  stats.election_s = describe(std::move(election));
  return stats;
}

}  // namespace mesosim::analysis
