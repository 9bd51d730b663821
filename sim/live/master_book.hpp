#pragma once

// What the master's read-only endpoints report that Master's introspection does not hold,
// gathered from its event stream: completed tasks and frameworks, outstanding offers by id,
// counts of tasks by terminal state, and allocation run times (Mesos's /master/state,
// /metrics/snapshot). Bounded like Mesos's: at most `max_completed_tasks` per framework and
// `max_completed_frameworks` removed frameworks, oldest dropped first.
//
// Threading: the master's loop thread (it is a MasterObserver).

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/master/master_events.hpp"

namespace mesosim::live {

class MasterBook final : public MasterObserver {
 public:
  struct CompletedTask {
    v1::Task task;  // with its terminal state
    Time timestamp;
    std::optional<v1::TaskStatusReason> reason;
    std::string message;
  };
  struct FrameworkRecord {
    std::string name;
    std::vector<std::string> roles;
    Time registered;
    std::optional<Time> removed;
    std::deque<CompletedTask> completed_tasks;
  };
  struct OfferRecord {
    v1::FrameworkID framework;
    v1::AgentID agent;
    std::string role;
    Resources resources;
  };
  struct AllocationTimes {
    uint64_t runs = 0;
    uint64_t measured = 0;
    Duration last, min, max, total;
  };

  explicit MasterBook(size_t max_completed_tasks = 1000, size_t max_completed_frameworks = 50);

  void on_event(const MasterEvent& event) override;

  // Every framework seen and not yet forgotten, by id (active ones and completed ones).
  const std::map<std::string, FrameworkRecord>& frameworks() const { return frameworks_; }
  // Ids of removed frameworks, oldest first.
  const std::deque<std::string>& completed_frameworks() const { return completed_frameworks_; }
  const std::map<std::string, OfferRecord>& offers() const { return offers_; }
  // How many tasks reached `state` (terminal states; TASK_UNREACHABLE too).
  uint64_t reached(v1::TaskState state) const;
  const AllocationTimes& allocation_times() const { return allocation_; }
  std::optional<Time> elected_time() const { return elected_; }
  uint64_t calls_rejected() const { return calls_rejected_; }
  size_t max_completed_tasks() const { return max_completed_tasks_; }
  size_t max_completed_frameworks() const { return max_completed_frameworks_; }

 private:
  void task_changed(Time now, const master_event::TaskStateChanged& e);

  size_t max_completed_tasks_;
  size_t max_completed_frameworks_;
  std::map<std::string, FrameworkRecord> frameworks_;
  std::deque<std::string> completed_frameworks_;
  std::map<std::string, OfferRecord> offers_;
  std::map<v1::TaskState, uint64_t> reached_;
  AllocationTimes allocation_;
  std::optional<Time> elected_;
  uint64_t calls_rejected_ = 0;
};

}  // namespace mesosim::live
