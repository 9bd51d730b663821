#include "sim/live/master_book.hpp"

#include <algorithm>

namespace mesosim::live {

namespace me = master_event;

MasterBook::MasterBook(size_t max_completed_tasks, size_t max_completed_frameworks)
    : max_completed_tasks_(max_completed_tasks),
      max_completed_frameworks_(max_completed_frameworks) {}

uint64_t MasterBook::reached(v1::TaskState state) const {
  auto it = reached_.find(state);
  return it == reached_.end() ? 0 : it->second;
}

void MasterBook::task_changed(Time now, const me::TaskStateChanged& e) {
  // A task a re-registering agent reports (the only non-terminal state an agent itself sends)
  // is live again: it leaves the completed ones, as in Mesos (MESOS-9940). A task the framework
  // launches again under the same id does not: its first states come from the master and its
  // executor, and Mesos lists both.
  if (e.source == v1::TaskStatusSource::SOURCE_AGENT && !v1::is_terminal(e.state)) {
    if (auto it = frameworks_.find(e.framework.value); it != frameworks_.end()) {
      std::erase_if(it->second.completed_tasks,
                    [&](const CompletedTask& c) { return c.task.task_id == e.task; });
    }
  }
  if (!v1::is_terminal(e.state) && e.state != v1::TaskState::TASK_UNREACHABLE) return;
  ++reached_[e.state];
  if (!v1::is_terminal(e.state)) return;
  auto it = frameworks_.find(e.framework.value);
  if (it == frameworks_.end()) return;
  v1::Task task{e.name,      e.task,  e.framework, e.agent, std::nullopt,
                e.resources, e.state, e.role,      e.labels};
  auto& completed = it->second.completed_tasks;
  completed.push_back({std::move(task), e.timestamp, e.reason, e.message});
  while (completed.size() > max_completed_tasks_) completed.pop_front();
  (void)now;
}

void MasterBook::on_event(const MasterEvent& event) {
  std::visit(
      [&](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, me::LeaderElected>) {
          elected_ = event.time;
        } else if constexpr (std::is_same_v<T, me::MasterCrashed>) {
          offers_.clear();
        } else if constexpr (std::is_same_v<T, me::FrameworkAdded>) {
          FrameworkRecord& f = frameworks_[e.framework.value];
          f.name = e.name;
          f.roles = e.roles;
          if (!e.resubscribed) f.registered = event.time;
        } else if constexpr (std::is_same_v<T, me::FrameworkRemoved>) {
          auto it = frameworks_.find(e.framework.value);
          if (it == frameworks_.end()) return;
          it->second.removed = event.time;
          completed_frameworks_.push_back(e.framework.value);
          while (completed_frameworks_.size() > max_completed_frameworks_) {
            frameworks_.erase(completed_frameworks_.front());
            completed_frameworks_.pop_front();
          }
        } else if constexpr (std::is_same_v<T, me::OfferMade>) {
          offers_[e.offer.value] = OfferRecord{e.framework, e.agent, e.role, e.resources};
        } else if constexpr (std::is_same_v<T, me::OfferDeclined> ||
                             std::is_same_v<T, me::OfferAccepted> ||
                             std::is_same_v<T, me::OfferRescinded> ||
                             std::is_same_v<T, me::OfferVoided>) {
          offers_.erase(e.offer.value);
        } else if constexpr (std::is_same_v<T, me::TaskStateChanged>) {
          task_changed(event.time, e);
        } else if constexpr (std::is_same_v<T, me::AllocationRun>) {
          ++allocation_.runs;
          if (e.duration) {
            const Duration d = *e.duration;
            allocation_.min = allocation_.measured == 0 ? d : std::min(allocation_.min, d);
            allocation_.max = allocation_.measured == 0 ? d : std::max(allocation_.max, d);
            allocation_.last = d;
            allocation_.total = allocation_.total + d;
            ++allocation_.measured;
          }
        } else if constexpr (std::is_same_v<T, me::CallRejected>) {
          ++calls_rejected_;
        }
      },
      event.body);
}

}  // namespace mesosim::live
