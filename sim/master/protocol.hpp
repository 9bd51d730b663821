#pragma once

// The messages of the Mesos protocol as plain structs, named after the Mesos v1 API
// (scheduler calls and events) and Mesos's internal agent messages. They carry no transport
// detail: the simulator moves them as values, and live mode maps them to the v1 JSON shapes
// (field names here are the protobuf names, so the mapping is mechanical).
//
// IDs are Mesos's string IDs (`{"value": "..."}` in JSON). The allocator's dense handles are the
// master's business and never appear here.

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "allocator/resources.hpp"
#include "allocator/time.hpp"
#include "sim/master/uuid.hpp"

namespace mesosim::v1 {

template <typename Tag>
struct StringId {
  std::string value;
  auto operator<=>(const StringId&) const = default;
};
struct FrameworkIdTag {};
struct AgentIdTag {};
struct OfferIdTag {};
struct TaskIdTag {};
struct ExecutorIdTag {};
using FrameworkID = StringId<FrameworkIdTag>;
using AgentID = StringId<AgentIdTag>;
using OfferID = StringId<OfferIdTag>;
using TaskID = StringId<TaskIdTag>;
using ExecutorID = StringId<ExecutorIdTag>;

enum class TaskState {
  TASK_STAGING,
  TASK_STARTING,
  TASK_RUNNING,
  TASK_KILLING,
  TASK_FINISHED,
  TASK_FAILED,
  TASK_KILLED,
  TASK_ERROR,
  TASK_LOST,
  TASK_DROPPED,
  TASK_UNREACHABLE,
  TASK_GONE,
  TASK_GONE_BY_OPERATOR,
  TASK_UNKNOWN,
};
std::string_view to_string(TaskState state);
std::optional<TaskState> parse_task_state(std::string_view text);
// FINISHED, FAILED, KILLED, ERROR, LOST, DROPPED, GONE, GONE_BY_OPERATOR.
bool is_terminal(TaskState state);

enum class TaskStatusSource { SOURCE_MASTER, SOURCE_AGENT, SOURCE_EXECUTOR };
std::string_view to_string(TaskStatusSource source);
std::optional<TaskStatusSource> parse_task_status_source(std::string_view text);

enum class TaskStatusReason {
  REASON_AGENT_DISCONNECTED,
  REASON_AGENT_REMOVED,
  REASON_AGENT_REREGISTERED,
  REASON_AGENT_RESTARTED,
  REASON_AGENT_UNKNOWN,
  REASON_COMMAND_EXECUTOR_FAILED,
  REASON_CONTAINER_LIMITATION_MEMORY,
  REASON_EXECUTOR_TERMINATED,
  REASON_FRAMEWORK_REMOVED,
  REASON_INVALID_OFFERS,
  REASON_MASTER_DISCONNECTED,
  REASON_RECONCILIATION,
  REASON_RESOURCES_UNKNOWN,
  REASON_TASK_INVALID,
  REASON_TASK_KILLED_DURING_LAUNCH,
  REASON_TASK_UNKNOWN,
  REASON_TASK_UNAUTHORIZED,
};
std::string_view to_string(TaskStatusReason reason);
std::optional<TaskStatusReason> parse_task_status_reason(std::string_view text);

enum class FrameworkCapability {
  MULTI_ROLE,
  GPU_RESOURCES,
  PARTITION_AWARE,
  REVOCABLE_RESOURCES,
  TASK_KILLING_STATE,
  REGION_AWARE,
  RESERVATION_REFINEMENT,  // offers carry the `reservations` list (live mode's JSON format)
};
std::string_view to_string(FrameworkCapability capability);
std::optional<FrameworkCapability> parse_capability(std::string_view text);

struct FrameworkInfo {
  std::string user;
  std::string name;
  std::optional<FrameworkID> id;
  std::vector<std::string> roles;
  std::vector<FrameworkCapability> capabilities;
  double failover_timeout = 0;  // seconds
  std::string principal;
  std::string hostname;
  // Whether its executors and status updates survive an agent restart (Mesos's default: no).
  // Without it, the tasks on an agent whose connection to the master breaks are lost at once.
  bool checkpoint = false;

  bool has(FrameworkCapability c) const;
  bool operator==(const FrameworkInfo&) const = default;
};

struct Attribute {
  std::string name;
  std::string value;  // TEXT attributes (rack, zone, ...)
  bool operator==(const Attribute&) const = default;
};

struct AgentInfo {
  std::string hostname;
  std::optional<AgentID> id;
  Resources resources;
  std::vector<Attribute> attributes;
};

struct Offer {
  OfferID id;
  FrameworkID framework_id;
  AgentID agent_id;
  std::string hostname;
  std::string role;  // allocation_info.role
  Resources resources;
  std::vector<Attribute> attributes;
  std::vector<ExecutorID> executor_ids = {};  // the framework's executors running on the agent
};

struct CommandInfo {
  bool shell = true;
  std::string value;
  std::vector<std::string> arguments;
  std::vector<std::pair<std::string, std::string>> environment;
};

struct ExecutorInfo {
  ExecutorID executor_id;
  std::string name;
  CommandInfo command;
  Resources resources;
};

// Simulation only: what a simulated agent does with a task. Live agents run `command` instead
// and ignore this.
struct SimulatedWork {
  Duration duration;                            // run time once RUNNING
  TaskState final_state = TaskState::TASK_FINISHED;  // FINISHED or FAILED
  Resources usage;                              // what it really uses; empty = its resources
};

struct TaskInfo {
  std::string name;
  TaskID task_id;
  AgentID agent_id;
  Resources resources;
  std::optional<CommandInfo> command;    // a command task runs under a command executor
  std::optional<ExecutorInfo> executor;  // or under the framework's own executor
  std::vector<std::pair<std::string, std::string>> labels;
  std::optional<SimulatedWork> work;
};

struct Filters {
  std::optional<double> refuse_seconds;
};

struct Operation {
  enum class Type { LAUNCH, RESERVE, UNRESERVE };
  Type type = Type::LAUNCH;
  std::vector<TaskInfo> task_infos;  // LAUNCH
  Resources resources;               // RESERVE / UNRESERVE
};
std::string_view to_string(Operation::Type type);
std::optional<Operation::Type> parse_operation_type(std::string_view text);

struct TaskStatus {
  TaskID task_id;
  TaskState state = TaskState::TASK_STAGING;
  AgentID agent_id;
  std::optional<ExecutorID> executor_id;
  Time timestamp;
  std::optional<Uuid> uuid;  // present when the update must be acknowledged
  TaskStatusSource source = TaskStatusSource::SOURCE_MASTER;
  std::optional<TaskStatusReason> reason;
  std::string message;
};

// A task as the agent reports it when re-registering, and as master state shows it.
struct Task {
  std::string name;
  TaskID task_id;
  FrameworkID framework_id;
  AgentID agent_id;
  std::optional<ExecutorID> executor_id;
  Resources resources;
  TaskState state = TaskState::TASK_STAGING;  // latest state
  std::string role;
  std::vector<std::pair<std::string, std::string>> labels = {};  // from its TaskInfo
};

// The leading master as a SUBSCRIBED event describes it (live mode fills it in).
struct MasterInfo {
  std::string id;
  uint32_t ip = 0;  // IPv4 address in network byte order read as a host integer, as Mesos does
  uint32_t port = 5050;
  std::string hostname;
  std::string version;
  std::string address_ip;  // dotted quad for `address.ip`; empty: no `address`
};

namespace scheduler {

struct Subscribe {
  FrameworkInfo framework_info;
  std::vector<std::string> suppressed_roles;
};
struct Teardown {};
struct Accept {
  std::vector<OfferID> offer_ids;
  std::vector<Operation> operations;
  Filters filters;
};
struct Decline {
  std::vector<OfferID> offer_ids;
  Filters filters;
  // Beyond Mesos (simulator only; never on the wire): why the framework declined, e.g.
  // "locality" (delay scheduling) or "gang_hold_released", carried to OFFER_DECLINED so analysis
  // can say why its tasks waited. Empty: not said.
  std::string reason = {};
};
struct Revive {
  std::vector<std::string> roles;  // empty: all roles
};
struct Suppress {
  std::vector<std::string> roles;  // empty: all roles
};
struct Kill {
  TaskID task_id;
  std::optional<AgentID> agent_id;
};
struct Acknowledge {
  AgentID agent_id;
  TaskID task_id;
  Uuid uuid;
};
struct Reconcile {
  struct Task {
    TaskID task_id;
    std::optional<AgentID> agent_id;
  };
  std::vector<Task> tasks;  // empty: implicit reconciliation
};

// REQUEST: what the framework would like placed. Mesos's Request holds resources and an optional
// agent, and Mesos's allocator ignores it; a centralized placer places exactly these
// (Allocator::set_demands). Each REQUEST replaces the framework's earlier ones; an empty one
// withdraws them. Beyond Mesos (simulator only; the wire format carries agent_id and resources):
// the role (default: the framework's only role), how many tasks of `resources`, preferred
// agents by hostname with a cost each, and since when the tasks have waited.
struct ResourceRequest {
  std::optional<AgentID> agent_id;  // a preferred agent, at cost 0
  Resources resources;              // one task's worth
  std::optional<std::string> role;
  uint32_t count = 1;
  std::vector<std::pair<std::string, int64_t>> preferred_hosts;
  std::optional<Time> since;  // absent: when the master receives it
};
struct Request {
  std::vector<ResourceRequest> requests;
};

// MESSAGE: opaque bytes for one of the framework's executors, forwarded by the master to the
// agent as a FrameworkToExecutorMessage (dropped if the agent is unknown or disconnected).
struct Message {
  AgentID agent_id;
  ExecutorID executor_id;
  std::string data;  // raw bytes (base64 on the wire)
};
// SHUTDOWN: the agent shuts the executor down; its live tasks end (a command executor's task is
// killed: TASK_KILLED).
struct Shutdown {
  ExecutorID executor_id;
  AgentID agent_id;
};
// UPDATE_FRAMEWORK (Mesos 1.9+): replaces the framework's FrameworkInfo (framework_info.id must
// be the caller's; user, principal and checkpoint may not change) and its suppressed roles.
// Offers in roles it leaves are rescinded; its tasks in those roles keep running.
struct UpdateFramework {
  FrameworkInfo framework_info;
  std::vector<std::string> suppressed_roles;
};

struct Call {
  std::optional<FrameworkID> framework_id;  // absent only on a first SUBSCRIBE
  std::variant<Subscribe, Teardown, Accept, Decline, Revive, Suppress, Kill, Acknowledge, Reconcile,
               Request, Message, Shutdown, UpdateFramework>
      call;
};
// "SUBSCRIBE", "ACCEPT", ...
std::string_view call_type(const Call& call);

struct Subscribed {
  FrameworkID framework_id;
  double heartbeat_interval_seconds = 15;
  std::string master_id;
  std::optional<MasterInfo> master_info = {};
};
struct Offers {
  std::vector<Offer> offers;
};
struct Rescind {
  OfferID offer_id;
};
struct Update {
  TaskStatus status;
};
struct Failure {
  std::optional<AgentID> agent_id;
  std::optional<ExecutorID> executor_id;
  std::optional<int> status;
};
struct Error {
  std::string message;
};
struct Heartbeat {};

struct Event {
  std::variant<Subscribed, Offers, Rescind, Update, Failure, Error, Heartbeat> event;
};
// "SUBSCRIBED", "OFFERS", ...
std::string_view event_type(const Event& event);

}  // namespace scheduler

// Agent <-> master messages, named after Mesos's internal messages.
struct RegisterAgentMessage {
  AgentInfo agent;
};
// total_ping_timeout: agent_ping_timeout × max_agent_ping_timeouts of the master that answers
// (Mesos's MasterSlaveConnection): an agent that hears no ping for that long re-registers.
struct AgentRegisteredMessage {
  AgentID agent_id;
  std::optional<Duration> total_ping_timeout = std::nullopt;
};
struct ReregisterAgentMessage {
  AgentInfo agent;  // with its id
  std::vector<Task> tasks;
  std::vector<FrameworkInfo> frameworks;  // of those tasks, with ids
};
// The master's request that the agent account for tasks the master holds on it and the agent
// did not report when re-registering (Mesos's ReconcileTasksMessage). The agent answers each
// task it does not know with a reliable TASK_LOST (TASK_DROPPED for a partition-aware
// framework) with REASON_RECONCILIATION.
struct ReconcileTasksMessage {
  FrameworkInfo framework;  // with its id
  std::vector<TaskID> task_ids;
};
struct AgentReregisteredMessage {
  AgentID agent_id;
  std::vector<ReconcileTasksMessage> reconciliations;
  std::optional<Duration> total_ping_timeout = std::nullopt;
};
struct RunTaskMessage {
  FrameworkInfo framework;  // with its id
  TaskInfo task;
  std::string role;  // allocation role of the task's resources
};
struct KillTaskMessage {
  FrameworkID framework_id;
  TaskID task_id;
};
struct StatusUpdate {
  FrameworkID framework_id;
  TaskStatus status;  // status.uuid identifies the update
  std::optional<TaskState> latest_state;  // the agent's newest state of the task
  // What the task uses once in this update's state, when the agent measures usage (simulated:
  // TaskInfo.work.usage while RUNNING or KILLING, nothing otherwise).
  std::optional<Resources> usage;
};
struct StatusUpdateMessage {
  StatusUpdate update;
};
struct StatusUpdateAcknowledgementMessage {
  AgentID agent_id;
  FrameworkID framework_id;
  TaskID task_id;
  Uuid uuid;
};
// An agent's periodic sample of what its running tasks use (sent every usage_sample_interval
// while registered, if set). Not reliable: a lost sample is not resent.
struct UsageReportMessage {
  struct Sample {
    FrameworkID framework_id;
    TaskID task_id;
    Resources usage;
  };
  AgentID agent_id;
  Time timestamp;  // when the agent measured
  std::vector<Sample> samples;
};
struct PingAgentMessage {
  bool connected = true;
};
struct PongAgentMessage {};
struct ShutdownFrameworkMessage {
  FrameworkID framework_id;
};
struct ShutdownAgentMessage {
  std::string message;
};
// A scheduler's MESSAGE on its way to an executor (Mesos's FrameworkToExecutorMessage). Not
// reliable: an agent that does not know the framework or executor drops it.
struct FrameworkToExecutorMessage {
  AgentID agent_id;
  FrameworkID framework_id;
  ExecutorID executor_id;
  std::string data;
};
// A scheduler's SHUTDOWN of one of its executors (Mesos's ShutdownExecutorMessage).
struct ShutdownExecutorMessage {
  FrameworkID framework_id;
  ExecutorID executor_id;
};

}  // namespace mesosim::v1
