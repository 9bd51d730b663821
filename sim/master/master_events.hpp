#pragma once

// The master's event stream: everything analysis, logs and the why-explanations need, as
// structured values. One schema for the simulator and live mode: live mode records it to a file
// (sim/master/event_log.hpp) that the simulator and analysis read back. Observers are called
// synchronously, in order; with none installed, nothing is built. Every event and field is
// documented in sim/README.md ("The event stream"), which is the schema readers code against.
//
// Allocation accounting from the stream alone. What the leading master's allocator holds for a
// (framework, agent, role) is the sum of
//   + OfferMade.resources          resources offered
//   + ResourcesAdopted.resources   used resources a re-registering agent reports
//   - ResourcesRecovered.resources declined, rescinded, voided, unused by an ACCEPT, task ended
//   - ReservationApplied.from, + ReservationApplied.to   RESERVE/UNRESERVE re-keys an allocation
// and MasterCrashed and LeaderElected each reset every allocation to nothing (a new leader
// starts empty). Nothing else changes allocations. Agent and framework removal recover what
// they held first, on the stream, before the AgentRemoved / FrameworkRemoved.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "allocator/allocator.hpp"
#include "sim/master/protocol.hpp"

namespace mesosim {

// Why an agent left the master's books.
enum class AgentRemovedReason {
  kRefused,            // the allocator refused what it reported (it is told to shut down)
  kHealthCheckFailed,  // it missed max_agent_ping_timeouts pings: unreachable, may come back
  kNotReregistered,    // it did not re-register within agent_reregister_timeout (after a
                       // master failover, or of its own connection breaking)
};
std::string_view to_string(AgentRemovedReason reason);
std::optional<AgentRemovedReason> parse_agent_removed_reason(std::string_view text);

enum class FrameworkRemovedReason {
  kTeardown,         // the scheduler sent TEARDOWN
  kFailoverTimeout,  // disconnected for longer than its failover_timeout
  kNoFailover,       // disconnected with failover_timeout 0
};
std::string_view to_string(FrameworkRemovedReason reason);
std::optional<FrameworkRemovedReason> parse_framework_removed_reason(std::string_view text);

enum class OfferRescindedReason {
  kAgentDisconnected,
  kAgentUnreachable,
  kFrameworkDisconnected,
  kFrameworkFailedOver,  // the scheduler re-subscribed on a new connection
  kFrameworkRemoved,
  kOfferTimeout,
  kFrameworkRoleRemoved,  // UPDATE_FRAMEWORK took the offer's role from the framework
};
std::string_view to_string(OfferRescindedReason reason);
std::optional<OfferRescindedReason> parse_offer_rescinded_reason(std::string_view text);

// Why resources went back from a framework to the allocator.
enum class RecoveredReason {
  kDeclined,        // DECLINE
  kAcceptUnused,    // what an ACCEPT's operations left unused
  kRescinded,       // an OfferRescinded precedes it
  kOfferVoided,     // an OfferVoided (invalid ACCEPT) precedes it
  kTaskReleased,    // a task turned terminal or unreachable
};
std::string_view to_string(RecoveredReason reason);
std::optional<RecoveredReason> parse_recovered_reason(std::string_view text);

enum class CallRejectedReason {
  kInvalidCall,       // the call failed validation (Master::validate); message says how
  kInvalidOffers,     // ACCEPT named offers that cannot be used together
  kInvalidOperation,  // a RESERVE/UNRESERVE of an ACCEPT could not be applied
  kUnknownAgent,      // ACKNOWLEDGE named an agent that is not registered
};
std::string_view to_string(CallRejectedReason reason);
std::optional<CallRejectedReason> parse_call_rejected_reason(std::string_view text);

std::optional<SkipReason> parse_skip_reason(std::string_view text);

namespace master_event {

struct LeaderElected {  // a new leader: it holds no allocations
  std::string master_id;
};
struct MasterCrashed {  // the leader died: every allocation it held is void
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
  AgentRemovedReason reason = AgentRemovedReason::kHealthCheckFailed;
  std::string message;
};
struct AgentTotalChanged {  // RESERVE/UNRESERVE re-keyed the agent's resources
  v1::AgentID agent;
  Resources total;
};
struct FrameworkAdded {
  v1::FrameworkID framework;
  std::string name;
  std::vector<std::string> roles;
  bool resubscribed = false;
  std::vector<std::string> suppressed_roles;  // suppressed from the start (SUBSCRIBE)
};
struct FrameworkDisconnected {
  v1::FrameworkID framework;
};
struct FrameworkRemoved {
  v1::FrameworkID framework;
  FrameworkRemovedReason reason = FrameworkRemovedReason::kTeardown;
};
struct OffersSuppressed {  // the framework asked for no offers in these roles
  v1::FrameworkID framework;
  std::vector<std::string> roles;
};
struct OffersRevived {  // the framework wants offers again in these roles; filters cleared
  v1::FrameworkID framework;
  std::vector<std::string> roles;
};
struct WeightChanged {
  std::string role;
  double weight = 1;
};
struct QuotaChanged {
  std::string role;
  Quota quota;
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
  std::optional<std::string> reason = {};  // the DECLINE's reason, when the framework gave one
};
struct OfferAccepted {
  v1::OfferID offer;
  v1::FrameworkID framework;
  size_t tasks_launched = 0;
};
struct OfferRescinded {
  v1::OfferID offer;
  v1::FrameworkID framework;
  OfferRescindedReason reason = OfferRescindedReason::kOfferTimeout;
};
struct OfferVoided {  // a valid offer named in an invalid ACCEPT: it goes back unfiltered
  v1::OfferID offer;
  v1::FrameworkID framework;
};
struct ResourcesRecovered {
  v1::FrameworkID framework;
  v1::AgentID agent;
  std::string role;
  Resources resources;
  RecoveredReason reason = RecoveredReason::kDeclined;
};
struct ResourcesAdopted {  // used by tasks a re-registering agent reports; now allocated
  v1::FrameworkID framework;
  v1::AgentID agent;
  std::string role;
  Resources resources;
};
struct FilterSet {  // the allocator will not offer these to the framework in the role for a while
  v1::FrameworkID framework;
  v1::AgentID agent;
  std::string role;
  Resources resources;
  Duration duration;
};
struct ReservationApplied {  // RESERVE or UNRESERVE of an ACCEPT, applied
  v1::FrameworkID framework;
  v1::AgentID agent;
  std::string role;
  v1::Operation::Type operation = v1::Operation::Type::RESERVE;
  Resources from;  // what the framework's allocation held
  Resources to;    // what it holds instead
};
// One status update of a task, published once, in the task's lifecycle order (STAGING,
// STARTING, RUNNING, KILLING, UNREACHABLE, terminal): an update older than what the stream
// already said of the task (a resend, or an update that arrives after a re-registering agent
// reported a later state) is not repeated. Everything but name/labels/resources/role is that
// one update's.
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
  Time timestamp;  // when the state was reached (the update's timestamp)
  std::string name;
  std::vector<std::pair<std::string, std::string>> labels;  // TaskInfo.labels; job: "job_id"
};
struct TaskUsage {  // what a task really uses, as its agent measured it
  v1::TaskID task;
  v1::FrameworkID framework;
  v1::AgentID agent;
  Resources usage;
  Time timestamp;  // when the agent measured it
};
struct AllocationRun {
  size_t offers = 0;
  std::optional<Duration> duration;  // measured with MasterOptions::stopwatch; absent without
};
// Why-explanations, only when enabled (MasterOptions::explain_allocation): on how many agents the
// last allocation run passed (framework, role) over for `reason`. Published when that number
// changes from what the last event for (framework, role, reason) said (0 when none any more), so
// the numbers stand until a later event changes them; a run that changes nothing publishes none.
// A new leader starts from none: after LeaderElected every number is 0 until an event says
// otherwise.
struct OfferSkipped {
  v1::FrameworkID framework;
  std::string role;
  SkipReason reason;
  size_t agents = 0;
};
struct CallRejected {  // a scheduler call the master could not act on, and why
  std::optional<v1::FrameworkID> framework;
  std::string call;
  CallRejectedReason reason = CallRejectedReason::kInvalidCall;
  std::string message;
};

}  // namespace master_event

using MasterEventBody = std::variant<
    master_event::LeaderElected, master_event::MasterCrashed, master_event::AgentAdded,
    master_event::AgentDisconnected, master_event::AgentRemoved, master_event::AgentTotalChanged,
    master_event::FrameworkAdded, master_event::FrameworkDisconnected,
    master_event::FrameworkRemoved, master_event::OffersSuppressed, master_event::OffersRevived,
    master_event::WeightChanged, master_event::QuotaChanged, master_event::OfferMade,
    master_event::OfferDeclined, master_event::OfferAccepted, master_event::OfferRescinded,
    master_event::OfferVoided, master_event::ResourcesRecovered, master_event::ResourcesAdopted,
    master_event::FilterSet, master_event::ReservationApplied, master_event::TaskStateChanged,
    master_event::TaskUsage, master_event::AllocationRun, master_event::OfferSkipped,
    master_event::CallRejected>;

struct MasterEvent {
  Time time;
  MasterEventBody body;
};

// The event's type name as on the stream: "OFFER_MADE", "TASK_STATE", ...
std::string_view event_type(const MasterEventBody& body);

// One line, stable across runs: "12.000250 OFFER_MADE offer=m1-O3 framework=... ...".
std::string to_string(const MasterEvent& event);

class MasterObserver {
 public:
  virtual ~MasterObserver() = default;
  // `event` lives for the call only (the master reuses the storage of some): copy what you keep.
  virtual void on_event(const MasterEvent& event) = 0;
};

// The label key under which a framework gives a task's job (TaskInfo.labels), so that analysis
// can group tasks into jobs.
inline constexpr std::string_view kJobIdLabel = "job_id";

}  // namespace mesosim
