#pragma once

// Private state and logic of Master, split across master_*.cpp files by concern:
//   master.cpp            construction, dispatch, election, timers, events, introspection
//   master_frameworks.cpp subscribe, failover, teardown, heartbeats, decline, revive, suppress
//   master_offers.cpp     allocation runs, offers, rescinds
//   master_accept.cpp     ACCEPT validation, RESERVE/UNRESERVE, LAUNCH
//   master_agents.cpp     registration, re-registration, health, unreachable agents
//   master_tasks.cpp      status updates, acknowledgements, kill, reconciliation
//   master_executors.cpp  MESSAGE and SHUTDOWN, forwarded to agents
//   master_update_framework.cpp  UPDATE_FRAMEWORK
// Not part of the master's contract.

#include <array>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sim/master/flat_index.hpp"
#include "sim/master/id_hash.hpp"
#include "sim/master/master.hpp"

namespace mesosim {

// Slots of the master's books of tasks and offers (handles of the master's own, beside the
// allocator's AgentId and FrameworkId). A record stays at its slot until it is removed, and the
// slot is then reused.
struct TaskRef {
  uint32_t value = UINT32_MAX;
  auto operator<=>(const TaskRef&) const = default;
};
struct OfferRef {
  uint32_t value = UINT32_MAX;
  auto operator<=>(const OfferRef&) const = default;
};
// Takes a freed slot of `slots` (its index from `free`), or adds one at the end.
template <class Slots>
uint32_t take_slot(Slots& slots, std::vector<uint32_t>& free) {
  if (!free.empty()) {
    const uint32_t slot = free.back();
    free.pop_back();
    return slot;
  }
  slots.emplace_back();
  return static_cast<uint32_t>(slots.size() - 1);
}

// An agent handle that names no agent: an unreachable task's, whose agent left the books.
inline constexpr AgentId kNoAgent{UINT32_MAX};

// An entry of the sets that walks go through: a record's external id, seen through a view into
// the record itself (which stays put), and its slot. The sets are ordered by the ids, so a walk
// takes the order of the external ids, which decides the order of the messages it sends.
template <class Id, class Ref>
struct IdEntry {
  Id id;
  Ref ref;
  auto operator<=>(const IdEntry&) const = default;
};
using TaskEntry = IdEntry<IdPairView, TaskRef>;          // (framework id, task id)

struct EndpointHash {
  size_t operator()(Endpoint e) const noexcept { return std::hash<uint32_t>{}(e.value); }
};

// What SUBSCRIBE and UPDATE_FRAMEWORK require of a FrameworkInfo (Mesos's validateFramework):
// a name, valid distinct roles (several only with MULTI_ROLE), suppressed roles among them, a
// finite non-negative failover_timeout. master_frameworks.cpp.
std::optional<CallError> validate_framework_info(const v1::FrameworkInfo& info,
                                                 const std::vector<std::string>& suppressed);

struct Master::State {
  explicit State(Master& master) : m(master) {}

  struct Agent {
    v1::AgentInfo info;  // with id
    AgentId handle;
    Endpoint endpoint;
    bool connected = true;  // what m.health_ is told
    TimerId reregister_timer;  // while disconnected: it must re-register before this fires
    // Its offers, in no order (Offer::at_agent is each one's place): walks that decide what is
    // sent go through offers_of(), in the order of the offer ids.
    std::vector<OfferRef> offers;
    // Its tasks, in no order (Task::at_agent is each one's place): walks that decide what is
    // sent go through tasks_of(), in the order of (framework id, task id).
    std::vector<TaskRef> tasks;
  };
  struct Framework {
    v1::FrameworkInfo info;  // with id
    FrameworkId handle;
    std::optional<Endpoint> endpoint;
    bool connected = false;
    bool active = false;
    std::vector<std::string> suppressed_roles;
    TimerId failover_timer;
    // Its offers, in no order (Offer::at_framework is each one's place): walks that decide
    // what is sent go through offers_of(), in the order of the offer ids.
    std::vector<OfferRef> offers;
    // Its tasks, in no order (Task::at_framework is each one's place): walks that decide what
    // is sent go through tasks_of(), in the order of the task ids.
    std::vector<TaskRef> tasks;
    std::deque<TaskRef> unreachable;  // its unreachable tasks, oldest first
  };
  struct Task {
    v1::Task task;
    FrameworkId framework;
    AgentId agent = kNoAgent;  // kNoAgent while unreachable: its agent left the books
    TaskRef ref;               // its own slot
    uint32_t at_agent = UINT32_MAX;      // its place in its agent's `tasks`, if in it
    uint32_t at_framework = UINT32_MAX;  // its place in its framework's `tasks`
    bool live = false;         // false: a free slot
    std::optional<SentStatus> last_sent;  // of the newest status forwarded to the framework
    bool unreachable = false;
    bool released = false;                     // resources returned to the allocator
    bool kill_requested = false;               // resent if the agent re-registers with it
    std::optional<Uuid> terminal_uuid;  // acknowledging it completes the task (terminal_index)
    int published_rank = -1;  // lifecycle rank of the last state on the event stream
  };
  // What the master keeps of an offer it made. The v1::Offer itself (ids, hostname, attributes)
  // went to the framework; its id is "<master id>-O<number>" (offer_id()), and its framework's
  // and agent's ids are their records'.
  struct Offer {
    uint64_t number = 0;
    std::string role;
    Resources resources;
    FrameworkId framework;
    AgentId agent;
    TimerId timeout;
    uint32_t at_agent = UINT32_MAX;      // its place in its agent's `offers`
    uint32_t at_framework = UINT32_MAX;  // its place in its framework's `offers`
    bool live = false;  // false: a free slot
  };

  Master& m;
  // The books, keyed by handles: agents and frameworks by the allocator's (AgentId,
  // FrameworkId), tasks and offers by slots of their own. External ids are only at the edges:
  // the indexes below, searched when a message names an id.
  std::vector<std::unique_ptr<Agent>> agent_slots;          // by handle; null: free
  std::vector<std::unique_ptr<Framework>> framework_slots;  // by handle; null: free
  StableSlots<Task> task_slots;
  std::deque<Offer> offer_slots;
  std::vector<uint32_t> free_agent_handles;
  size_t connected_agent_count = 0;  // agents in agent_slots with `connected` set
  std::vector<uint32_t> free_framework_handles;
  std::vector<uint32_t> free_task_slots;
  std::vector<uint32_t> free_offer_slots;
  // External ids to handles. Agents and frameworks stay ordered by id: every walk over them
  // (heartbeats, FAILURE events, timeouts, introspection) takes that order, and it decides the
  // order of the messages sent, so of everything after them. Tasks and offers are only looked
  // up one by one (walks go through an agent's or a framework's tasks, sorted by id), so they
  // are hashed: tasks in a flat index of slots by the hash of (framework id, task id), offers
  // by their numbers.
  std::map<std::string, AgentId, std::less<>> agent_ids;
  std::map<std::string, FrameworkId, std::less<>> framework_ids;
  FlatIndex agent_index;  // agent_ids hashed, for agent_by_id (a tree search missed per level)
  FlatIndex framework_index;  // framework_ids hashed: every call's framework is looked up
  FlatIndex task_index;
  // Live tasks with a terminal_uuid, by its hash. An acknowledgement completes a task only if
  // it carries that uuid, and most carry another (STARTING's, RUNNING's): those are answered
  // here without reading the task's record, which a wave of 18,000 tasks has left cold.
  FlatIndex terminal_index;
  FlatIndex offer_index;  // live offers' slots by the low 32 bits of their numbers
  // By the endpoint a message came from. Values are handles of live records only: an endpoint
  // is forgotten when its agent or framework leaves, so a stale one finds nothing.
  std::unordered_map<Endpoint, AgentId, EndpointHash> agent_at;
  std::unordered_map<Endpoint, FrameworkId, EndpointHash> framework_at;
  // Torn down: may not resubscribe. Bounded like completed_frameworks, whose ids it holds.
  std::set<std::string> removed_frameworks;
  std::deque<FrameworkView> completed_frameworks;
  // Unreachable agents' tasks, kept so they can come back (Mesos's unreachableTasks).
  std::map<std::string, std::set<TaskEntry>, std::less<>> unreachable_tasks;  // by agent id
  uint64_t next_agent = 0;
  uint64_t next_framework = 0;
  uint64_t next_offer = 0;
  TimerId allocation_timer;
  TimerId batch_timer;
  TimerId offers_timer;  // a charged allocation run's offers are due (the allocator is busy)
  bool rerun_allocation = false;  // a run was asked for while the allocator was busy
  TimerId heartbeat_timer;
  TimerId reregister_timer;
  TimerId registry_gc_timer;

  // Why-explanations (MasterOptions::explain_allocation): the skips the allocator reports during
  // a run, counted per (framework, role) and reason, beside what the stream was last told.
  static constexpr size_t kSkipReasons = static_cast<size_t>(SkipReason::kNoQuotaContribution) + 1;
  struct SkipKey {
    FrameworkId framework;
    std::string_view role;  // a view into the map's own key, or the caller's while searching
    auto operator<=>(const SkipKey&) const = default;
  };
  struct SkipTally {
    std::string role;  // what the key's view points to
    std::array<uint32_t, kSkipReasons> run{};
    std::array<uint32_t, kSkipReasons> published{};
  };
  std::map<SkipKey, std::unique_ptr<SkipTally>> skip_tallies;
  // The tally count_skip() found last (a run skips one (framework, role) on agent after agent);
  // forgotten whenever tallies may be erased.
  SkipTally* last_tally = nullptr;
  FrameworkId last_tally_framework;
  bool run_repeated = false;  // the allocator skipped the run as quiet: the numbers stand
  void count_skip(FrameworkId framework, std::string_view role, SkipReason reason);
  // After each allocate(): publishes the counts that changed (OfferSkipped) and starts afresh.
  void publish_skips();
  // The events published most (per task transition, per offer, per run), each built in an
  // event of its own kind that is reused: assigning into its strings and vectors (resources,
  // labels) reuses their storage where a fresh event would allocate them. Observers see an event
  // only during emit() (MasterObserver's contract). reuse() stamps the time and returns the body
  // to assign every field of.
  MasterEvent task_event, offer_made_event, offer_declined_event, recovered_event, filter_event,
      run_event;
  template <typename Body>
  Body& reuse(MasterEvent& event) {
    event.time = m.clock_.now();
    if (auto* body = std::get_if<Body>(&event.body)) return *body;
    return event.body.template emplace<Body>();
  }
  void forget_skips(FrameworkId framework);

  // master.cpp
  // Hot paths (per offer, per task transition) test observed() before calling publish(): an
  // unobserved master should not build event bodies (id strings, Resources) only to drop them.
  // The body is built in place in the event (no move of the whole variant on the hot path).
  template <typename Body>
  void publish(Body&& body) {
    if (observed()) emit(MasterEvent{m.clock_.now(), MasterEventBody(std::forward<Body>(body))});
  }
  void emit(const MasterEvent& event);
  bool observed() const { return !m.observers_.empty(); }
  void send(Endpoint to, Message&& message);
  // Sends the event with this body (Update, Offers, ...) to `f` if it is connected. The event is
  // built in place in the message: one move of the body less than an Event, then a Message.
  template <typename Body>
  void send_event(Framework& f, Body&& body) {
    if (f.connected && f.endpoint) {
      send(*f.endpoint,
           Message(std::in_place_type<v1::scheduler::Event>, std::forward<Body>(body)));
    }
  }
  void reject(std::optional<v1::FrameworkID> framework, std::string_view call,
              CallRejectedReason reason, std::string message);
  Framework* framework_by_id(std::string_view id) const;
  Framework* framework_at_endpoint(Endpoint from);
  Agent* agent_by_id(std::string_view id);
  Agent* agent_at_endpoint(Endpoint from);
  Framework* framework_by_handle(FrameworkId h) const {
    return h.value < framework_slots.size() ? framework_slots[h.value].get() : nullptr;
  }
  Agent* agent_by_handle(AgentId h) const {
    return h.value < agent_slots.size() ? agent_slots[h.value].get() : nullptr;
  }
  // Tasks and offers by their external ids (nullptr: unknown) and by slot.
  Task* find_task(IdPairView key);
  // The live task with `key` whose terminal update has `uuid` (nullptr: none).
  Task* find_awaiting_ack(IdPairView key, const Uuid& uuid);
  void set_terminal_uuid(Task& t, const Uuid& uuid);
  Task& task_at(TaskRef ref) { return task_slots[ref.value]; }
  const Task& task_at(TaskRef ref) const { return task_slots[ref.value]; }
  static TaskRef ref_of(const Task& t) { return t.ref; }
  const Offer* find_offer(std::string_view id) const;
  Offer* find_offer(std::string_view id) {
    return const_cast<Offer*>(std::as_const(*this).find_offer(id));
  }
  v1::OfferID offer_id(const Offer& o) const;
  Offer& offer_at(OfferRef ref) { return offer_slots[ref.value]; }
  static IdPairView key_of(const Task& t) {
    return {t.task.framework_id.value, t.task.task_id.value};
  }
  // Puts a task in the books: its slot, the index, its framework's and agent's lists.
  Task& add_task(Framework& f, Agent& a, v1::Task task);
  // Takes a task or an offer out of its agent's or its framework's list (`place`: at_agent or
  // at_framework), where its record says it is; the list's last entry takes its place.
  void unlist(std::vector<TaskRef>& list, uint32_t Task::*place, Task& t);
  void unlist(std::vector<OfferRef>& list, uint32_t Offer::*place, OfferRef o);
  // Takes a task out of the books (index, sets, unreachable lists) and frees its slot; returns
  // the record.
  Task remove_task(Task& t);
  void start_timers();
  void stop_timers();

  // master_frameworks.cpp
  void subscribe(Endpoint from, const v1::scheduler::Call& call);
  // Consumes the call: an ACCEPT's task infos move on into the agents' RunTaskMessages.
  void handle_call(Endpoint from, v1::scheduler::Call& call);
  void disconnect_framework(Framework& f);
  void remove_framework(Framework& f, FrameworkRemovedReason reason);
  Framework& add_framework(const v1::FrameworkInfo& info, bool connected,
                           const std::vector<std::string>& suppressed);
  void decline(Framework& f, const v1::scheduler::Decline& decline);
  void heartbeat();
  // Master::validate for a leader; sets *caller (when given) to the caller's framework, if
  // known, so that a valid call's handler need not look it up again.
  std::optional<CallError> validate_call(Endpoint from, const v1::scheduler::Call& call,
                                         Framework** caller) const;
  // master_update_framework.cpp: UPDATE_FRAMEWORK (validated by validate_update).
  static std::optional<CallError> validate_update(const Framework& f, const v1::FrameworkID& caller,
                                                  const v1::scheduler::UpdateFramework& update);
  void update_framework(Framework& f, const v1::scheduler::UpdateFramework& update);
  // master_executors.cpp: MESSAGE and SHUTDOWN, forwarded to the executor's agent.
  void message(Framework& f, const v1::scheduler::Message& message);
  void shutdown_executor(Framework& f, const v1::scheduler::Shutdown& shutdown);
  uint64_t valid_framework_to_executor_messages = 0;
  uint64_t invalid_framework_to_executor_messages = 0;
  static FrameworkInfo allocator_info(const v1::FrameworkInfo& info,
                                      const std::vector<std::string>& suppressed);

  // master_offers.cpp
  void request_allocation_soon();
  void run_allocation();
  std::vector<Allocation> allocations;  // run_allocation's offers, kept for the capacity
  void make_offers(const std::vector<Allocation>& allocations, std::optional<Duration> took,
                   bool deferred);
  static constexpr uint32_t kNoBatch = UINT32_MAX;
  std::vector<uint32_t> batch_of;  // make_offers: a framework handle's batch, or kNoBatch
  std::vector<uint32_t> batch_size;  // make_offers: a framework handle's allocations in the run
  // Forgets the offer; its resources go back to the allocator unless `give_back` is empty.
  void remove_offer(Offer& o, std::optional<RecoveredReason> give_back,
                    std::optional<Duration> filter);
  void rescind_offer(Offer& o, OfferRescindedReason reason);
  // An agent's or a framework's offers in the order of their ids: the order of every walk
  // whose messages or events depend on it (a copy, so the walk may remove them).
  std::vector<OfferRef> offers_of(const std::vector<OfferRef>& offers) const;
  // An agent's tasks by (framework id, task id), a framework's by task id: the order of every
  // walk whose messages or events depend on it (a copy, so the walk may remove them).
  std::vector<TaskRef> tasks_of(const Agent& a) const;
  std::vector<TaskRef> tasks_of(const Framework& f) const;
  void recover(const Framework& f, const Agent& a, const std::string& role,
               const Resources& resources, std::optional<Duration> filter, RecoveredReason reason);

  // master_accept.cpp
  void accept(Framework& f, v1::scheduler::Accept& accept);
  void drop_tasks(Framework& f, const std::vector<v1::Operation>& operations,
                  v1::TaskStatusReason reason, const std::string& message);

  // master_agents.cpp
  void register_agent(Endpoint from, const v1::RegisterAgentMessage& msg);
  // Consumes the message: the tasks it reports move into the books.
  void reregister_agent(Endpoint from, v1::ReregisterAgentMessage& msg);
  // nullptr if the allocator refuses the agent (it is then told to shut down).
  Agent* admit_agent(Endpoint from, const v1::AgentInfo& info, bool reregistered,
                     const std::vector<UsedResources>& used);
  // The agent at `endpoint` missed `missed` pings in a row (AgentHealth's failure handler).
  void health_check_failed(Endpoint endpoint, int missed);
  void reregister_known_agent(Agent& a, Endpoint from, const v1::ReregisterAgentMessage& msg);
  // Takes a task a re-registering agent reports as the master's own (its framework is known);
  // the report is moved into the books.
  Task& adopt_task(Agent& a, v1::Task&& reported);
  void agent_exited(Agent& a);
  void mark_unreachable(Agent& a, AgentRemovedReason why, const std::string& reason);
  void reregister_timeout();
  void usage_report(Endpoint from, const v1::UsageReportMessage& report);
  // Keeps a task of an unreachable agent, dropping its framework's oldest beyond the bound.
  void add_unreachable(Task& t);
  // Forgets an unreachable task without telling anyone (Mesos does the same).
  void forget_unreachable(Task& t);
  void registry_gc();
  Duration total_ping_timeout() const;

  // master_tasks.cpp
  // Moves from `update`: its status goes on to the framework, not copied.
  void status_update(Endpoint from, v1::StatusUpdate&& update);
  // Consumes the call's ids (they move into the message to the agent).
  void acknowledge(Framework& f, v1::scheduler::Acknowledge& ack);
  void kill(Framework& f, const v1::scheduler::Kill& kill);
  void reconcile(Framework& f, const v1::scheduler::Reconcile& reconcile);
  // master_requests.cpp: a REQUEST becomes the framework's demands in the allocator.
  void request(Framework& f, const v1::scheduler::Request& request);
  // The one path of a task's state: `status` is one update (from the agent, or generated by the
  // master) and `latest` the task's newest state (the agent's latest_state; default: the
  // update's own). Sets the latest state; publishes the update if it is news (publish_state);
  // releases the task's resources when the latest state is terminal or unreachable; tells the
  // framework if `forward` (with `uuid` when the agent wants an acknowledgement). Returns
  // whether the update was published.
  bool transition(Task& t, v1::TaskStatus status, bool forward,
                  std::optional<v1::TaskState> latest = std::nullopt);
  // Publishes TaskStateChanged for one update unless the stream already told of the task in
  // this or a later lifecycle state. Returns whether it did.
  bool publish_state(Task& t, const v1::TaskStatus& status);
  // The master learns the task in `t.task.state` without an update (it launches it; a
  // re-registering agent reports it): published as news even if the stream said a later state
  // before (an unreachable task coming back).
  void publish_reported(Task& t, v1::TaskStatusSource source, std::string_view message);
  void release(Task& t);
  void complete(Task& t);
  v1::TaskState visible_state(const Framework& f, v1::TaskState state) const;
  // A status the master itself generates: source SOURCE_MASTER, stamped now, no uuid (nobody
  // acknowledges it).
  v1::TaskStatus master_status(const v1::TaskID& task, const v1::AgentID& agent,
                               std::optional<v1::ExecutorID> executor, v1::TaskState state,
                               std::optional<v1::TaskStatusReason> reason,
                               std::string message) const;
  v1::TaskStatus master_status(const Task& t, v1::TaskState state,
                               std::optional<v1::TaskStatusReason> reason,
                               std::string message) const {
    return master_status(t.task.task_id, t.task.agent_id, t.task.executor_id, state, reason,
                         std::move(message));
  }
};

}  // namespace mesosim
