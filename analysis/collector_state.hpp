#pragma once

// The collector's books (internal to analysis/). Everything is indexed by dense indices handed
// out in order of first appearance on the stream, so iteration order is the stream's and the
// same stream gives the same result; the hash maps only translate the stream's string ids.

#include <array>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "analysis/collector.hpp"
#include "analysis/duration_tally.hpp"
#include "analysis/failover.hpp"
#include "analysis/free_log.hpp"
#include "analysis/string_index.hpp"
#include "analysis/time_series.hpp"
#include "analysis/wait_cause.hpp"
#include "sim/master/master_events.hpp"

namespace mesosim::analysis {

inline constexpr size_t kTaskStateCount = static_cast<size_t>(v1::TaskState::TASK_UNKNOWN) + 1;

// Scalar amounts in milli-units, indexed by ResourceName id (grown on demand).
using Amounts = std::vector<int64_t>;
// A Resources value's scalars summed by name id: (id, milli) pairs.
using Deltas = std::vector<std::pair<uint16_t, int64_t>>;
Deltas scalar_deltas(const Resources& r);
// The same into `out` (cleared first), reusing its capacity.
void fill_deltas(const Resources& r, Deltas& out);

struct Subject {  // the whole cluster, a framework or a role
  std::string kind;
  std::string name;
  Amounts allocated;
  Amounts used;
  std::vector<StepSeriesBuilder> allocated_series;
  std::vector<StepSeriesBuilder> used_series;
  StepSeriesBuilder dominant_share;
  double current_share = 0;
};

struct FrameworkBooks {
  std::string id;
  std::string name;
  std::vector<std::string> roles;
  std::set<std::string> suppressed;
  size_t subject = 0;
  bool active = false;  // subscribed to the current leader and connected
  bool ever_added = false;
  // This allocation run: offers made.
  uint32_t run_offers = 0;
  // On how many agents the allocator passes it over, by SkipReason: per role, as the latest
  // OFFER_SKIPPED events said (they stand until changed), and summed over its roles.
  std::map<std::string, std::array<uint64_t, 10>, std::less<>> skips_by_role;
  std::array<uint64_t, 10> skips{};
  CauseTimeline causes;
  // Offer statistics.
  uint64_t made = 0, accepted = 0, declined = 0, rescinded = 0, voided = 0, lost = 0;
  uint32_t outstanding = 0;  // offers held now
  // Declines by the reason the framework gave (OFFER_DECLINED reason; none: not counted).
  std::map<std::string, uint64_t> declined_for;
  // Its latest DECLINE was for locality and it has launched nothing since: its refusal filters
  // and the offers it is deciding on are part of its locality wait.
  bool waiting_for_locality = false;
  // It launches gangs (a task labelled `gang`, or a DECLINE `gang_hold_released`): the time it
  // holds offers is its gangs' hold (kGangHold), decided at finish for the whole run.
  bool gang = false;
  // Tasks by their latest state on the stream, indexed by v1::TaskState.
  std::array<uint64_t, kTaskStateCount> task_states{};
  DurationTally accept_latency, decline_latency;  // OFFER_MADE to its ACCEPT or DECLINE
  std::vector<double> idle_milli_seconds;  // by resource id: milli-units × seconds
  bool all_suppressed() const { return !roles.empty() && suppressed.size() >= roles.size(); }
};

struct AgentBooks {
  std::string id;
  std::string hostname;
  Amounts total;
  Amounts allocated;
  bool present = false;
};

struct TaskBooks {
  uint32_t framework = 0;
  int32_t role_subject = -1;
  Deltas usage;
  v1::TaskState last_state = v1::TaskState::TASK_STAGING;
  bool has_state = false;
  bool released = false;      // terminal or unreachable: uses nothing
  int32_t executor_app = -1;  // an executor (labels `kind: executor`, `app`): its application
  bool executor_up = false;   // that executor is TASK_RUNNING
};

// An application of a framework that runs its work in long-lived executors.
struct ExecutorApp {
  uint32_t framework = 0;
  std::string app;
  uint32_t running = 0;  // its executors in TASK_RUNNING
  ExecutorPresence presence;
};

struct OfferBooks {  // a slot of Collector::State::offers
  Time made;
  uint32_t framework = 0;
  uint32_t agent = 0;
  Deltas resources;   // capacity kept when the slot is reused: no allocation per offer
  uint64_t seq = 0;   // the offer's place in the stream: the order open offers are closed in
  bool open = false;  // false: a free slot
};

struct Collector::State {
  Time now;
  Time first;
  bool started = false;
  uint64_t events = 0;
  uint64_t out_of_order = 0;
  bool explanations = false;
  size_t width = 0;  // resource ids tracked (amount vectors are at least this long)

  std::vector<Subject> subjects;  // 0: total
  Amounts cluster_total;
  std::vector<StepSeriesBuilder> total_series;
  std::vector<FrameworkBooks> frameworks;
  StringIndex framework_index;
  StringIndex role_subject;
  std::vector<AgentBooks> agents;
  StringIndex agent_index;
  // The framework, agent and role found last (kNone: none yet). Events come in runs naming the
  // same ones (an offer's decline, then its recovery), and comparing a string with the last one
  // costs a fraction of a hash and a probe. These indices never expire: nothing is ever erased
  // from the three indices above.
  uint32_t last_framework = StringIndex::kNone;
  uint32_t last_agent = StringIndex::kNone;
  uint32_t last_role = StringIndex::kNone;
  // Tasks the stream has announced and not yet ended for good; slots of ended ones are reused,
  // so memory follows the tasks alive, not every task of the run.
  std::vector<TaskBooks> tasks;
  std::vector<uint32_t> free_task_slots;
  StringIndex task_index;  // by task_key()
  std::string task_key_scratch;
  std::vector<ExecutorApp> executor_apps;
  StringIndex executor_app_index;  // by the key task_key() would give (framework, app)
  // Offers outstanding, by offer id; slots of closed ones are reused.
  StringIndex offer_index;
  std::vector<OfferBooks> offers;
  std::vector<uint32_t> free_offer_slots;
  uint64_t offers_seen = 0;
  uint64_t allocation_runs = 0;
  std::vector<double> allocation_cycle_ms;  // of runs that carried a measured duration

  // Fairness integrals over [first, now).
  bool fairness_dirty = true;
  double jain_now = 0, envy_now = 0;
  bool jain_defined = false;
  double jain_integral = 0, jain_seconds = 0, envy_integral = 0, envy_peak = 0;

  Deltas scratch, usage_scratch;  // reused buffers: no allocation per event

  FreeLog free_log;               // every change of an agent's free resources
  std::vector<int64_t> free_scratch;

  FailoverTracker failover;

  State();
  void advance(Time t);
  void ensure_width(size_t n);
  uint32_t framework(const std::string& id);
  size_t role(const std::string& name);
  uint32_t agent(const std::string& id);
  // A task is known by (framework id, task id): Mesos task ids are unique per framework only
  // (two frameworks replaying one trace launch tasks with the same ids). The key is built in
  // task_key_scratch, valid until the next call.
  const std::string& task_key(const std::string& framework_id, const std::string& task_id);
  uint32_t task(const std::string& key);  // adds it if new
  void forget_task(const std::string& key, uint32_t slot);
  // A new task's labels: marks a gang framework, or makes the task an executor of its app.
  void read_labels(const master_event::TaskStateChanged& e, uint32_t task);
  void set_executor_up(uint32_t task, bool up);

  // Allocation, usage and totals.
  void allocate(uint32_t fw, uint32_t agent, const std::string& role, const Resources& r, int sign);
  void reset_allocations();
  void set_agent_total(uint32_t agent, const Resources& total, bool present);
  // Replaces the task's usage by `usage`, which receives the old one.
  void set_usage(uint32_t task, Deltas& usage);
  void update_share(size_t subject);
  void update_all_shares();
  void record_free(uint32_t agent);

  // Allocation, agents and tasks (analysis/collector.cpp).
  void on(const master_event::OfferMade& e);
  void on(const master_event::ResourcesRecovered& e);
  void on(const master_event::ResourcesAdopted& e);
  void on(const master_event::ReservationApplied& e);
  void on(const master_event::MasterCrashed& e);
  void on(const master_event::LeaderElected& e);
  void on(const master_event::AgentAdded& e);
  void on(const master_event::AgentDisconnected& e);
  void on(const master_event::AgentRemoved& e);
  void on(const master_event::AgentTotalChanged& e);
  void on(const master_event::TaskUsage& e);
  void on(const master_event::TaskStateChanged& e);
  void leader_changed();
  // Frameworks, offers, explanations (analysis/collector_frameworks.cpp). Events not listed
  // here change nothing analysis measures.
  void on(const master_event::FrameworkAdded& e);
  void on(const master_event::FrameworkDisconnected& e);
  void on(const master_event::FrameworkRemoved& e);
  void on(const master_event::OffersSuppressed& e);
  void on(const master_event::OffersRevived& e);
  void on(const master_event::OfferDeclined& e);
  void on(const master_event::OfferAccepted& e);
  void on(const master_event::OfferRescinded& e);
  void on(const master_event::OfferVoided& e);
  void on(const master_event::AllocationRun& e);
  void on(const master_event::OfferSkipped& e);
  template <typename T>
  void on(const T&) {}
  void set_cause(FrameworkBooks& f, WaitCause cause);
  WaitCause idle_cause() const;
  void allocation_run();
  enum class OfferEnd { kAccepted, kDeclined, kRescinded, kVoided };
  // The framework whose offer it was, or nullptr for an offer made before the stream began.
  FrameworkBooks* resolve_offer(const std::string& id, OfferEnd end);
  void close_offer(const OfferBooks& o);
  // The open offers, in stream order.
  std::vector<const OfferBooks*> open_offers() const;
  void drop_all_offers();
  void recompute_fairness();
};

}  // namespace mesosim::analysis
