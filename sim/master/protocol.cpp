#include "sim/master/protocol.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace mesosim::v1 {
namespace {

constexpr std::array<std::pair<TaskState, std::string_view>, 14> kTaskStates = {{
    {TaskState::TASK_STAGING, "TASK_STAGING"},
    {TaskState::TASK_STARTING, "TASK_STARTING"},
    {TaskState::TASK_RUNNING, "TASK_RUNNING"},
    {TaskState::TASK_KILLING, "TASK_KILLING"},
    {TaskState::TASK_FINISHED, "TASK_FINISHED"},
    {TaskState::TASK_FAILED, "TASK_FAILED"},
    {TaskState::TASK_KILLED, "TASK_KILLED"},
    {TaskState::TASK_ERROR, "TASK_ERROR"},
    {TaskState::TASK_LOST, "TASK_LOST"},
    {TaskState::TASK_DROPPED, "TASK_DROPPED"},
    {TaskState::TASK_UNREACHABLE, "TASK_UNREACHABLE"},
    {TaskState::TASK_GONE, "TASK_GONE"},
    {TaskState::TASK_GONE_BY_OPERATOR, "TASK_GONE_BY_OPERATOR"},
    {TaskState::TASK_UNKNOWN, "TASK_UNKNOWN"},
}};

constexpr std::array<std::pair<FrameworkCapability, std::string_view>, 7> kCapabilities = {{
    {FrameworkCapability::MULTI_ROLE, "MULTI_ROLE"},
    {FrameworkCapability::GPU_RESOURCES, "GPU_RESOURCES"},
    {FrameworkCapability::PARTITION_AWARE, "PARTITION_AWARE"},
    {FrameworkCapability::REVOCABLE_RESOURCES, "REVOCABLE_RESOURCES"},
    {FrameworkCapability::TASK_KILLING_STATE, "TASK_KILLING_STATE"},
    {FrameworkCapability::REGION_AWARE, "REGION_AWARE"},
    {FrameworkCapability::RESERVATION_REFINEMENT, "RESERVATION_REFINEMENT"},
}};

template <typename E, size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& table, E value) {
  for (const auto& [e, name] : table) {
    if (e == value) return name;
  }
  return "UNKNOWN";
}

template <typename E, size_t N>
std::optional<E> value_of(const std::array<std::pair<E, std::string_view>, N>& table,
                          std::string_view text) {
  for (const auto& [e, name] : table) {
    if (name == text) return e;
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(TaskState state) { return name_of(kTaskStates, state); }
std::optional<TaskState> parse_task_state(std::string_view text) {
  return value_of(kTaskStates, text);
}

bool is_terminal(TaskState s) {
  switch (s) {
    case TaskState::TASK_FINISHED:
    case TaskState::TASK_FAILED:
    case TaskState::TASK_KILLED:
    case TaskState::TASK_ERROR:
    case TaskState::TASK_LOST:
    case TaskState::TASK_DROPPED:
    case TaskState::TASK_GONE:
    case TaskState::TASK_GONE_BY_OPERATOR:
      return true;
    default:
      return false;
  }
}

std::string_view to_string(TaskStatusSource source) {
  switch (source) {
    case TaskStatusSource::SOURCE_MASTER: return "SOURCE_MASTER";
    case TaskStatusSource::SOURCE_AGENT: return "SOURCE_AGENT";
    case TaskStatusSource::SOURCE_EXECUTOR: return "SOURCE_EXECUTOR";
  }
  return "UNKNOWN";
}

std::optional<TaskStatusSource> parse_task_status_source(std::string_view text) {
  for (auto s : {TaskStatusSource::SOURCE_MASTER, TaskStatusSource::SOURCE_AGENT,
                 TaskStatusSource::SOURCE_EXECUTOR}) {
    if (to_string(s) == text) return s;
  }
  return std::nullopt;
}

std::optional<TaskStatusReason> parse_task_status_reason(std::string_view text) {
  for (int i = 0; i <= int(TaskStatusReason::REASON_TASK_UNAUTHORIZED); ++i) {
    if (to_string(TaskStatusReason(i)) == text) return TaskStatusReason(i);
  }
  return std::nullopt;
}

std::string_view to_string(TaskStatusReason reason) {
  switch (reason) {
    case TaskStatusReason::REASON_AGENT_DISCONNECTED: return "REASON_AGENT_DISCONNECTED";
    case TaskStatusReason::REASON_AGENT_REMOVED: return "REASON_AGENT_REMOVED";
    case TaskStatusReason::REASON_AGENT_REREGISTERED: return "REASON_AGENT_REREGISTERED";
    case TaskStatusReason::REASON_AGENT_RESTARTED: return "REASON_AGENT_RESTARTED";
    case TaskStatusReason::REASON_AGENT_UNKNOWN: return "REASON_AGENT_UNKNOWN";
    case TaskStatusReason::REASON_COMMAND_EXECUTOR_FAILED: return "REASON_COMMAND_EXECUTOR_FAILED";
    case TaskStatusReason::REASON_CONTAINER_LIMITATION_MEMORY:
      return "REASON_CONTAINER_LIMITATION_MEMORY";
    case TaskStatusReason::REASON_EXECUTOR_TERMINATED: return "REASON_EXECUTOR_TERMINATED";
    case TaskStatusReason::REASON_FRAMEWORK_REMOVED: return "REASON_FRAMEWORK_REMOVED";
    case TaskStatusReason::REASON_INVALID_OFFERS: return "REASON_INVALID_OFFERS";
    case TaskStatusReason::REASON_MASTER_DISCONNECTED: return "REASON_MASTER_DISCONNECTED";
    case TaskStatusReason::REASON_RECONCILIATION: return "REASON_RECONCILIATION";
    case TaskStatusReason::REASON_RESOURCES_UNKNOWN: return "REASON_RESOURCES_UNKNOWN";
    case TaskStatusReason::REASON_TASK_INVALID: return "REASON_TASK_INVALID";
    case TaskStatusReason::REASON_TASK_KILLED_DURING_LAUNCH:
      return "REASON_TASK_KILLED_DURING_LAUNCH";
    case TaskStatusReason::REASON_TASK_UNKNOWN: return "REASON_TASK_UNKNOWN";
    case TaskStatusReason::REASON_TASK_UNAUTHORIZED: return "REASON_TASK_UNAUTHORIZED";
  }
  return "UNKNOWN";
}

std::string_view to_string(FrameworkCapability capability) {
  return name_of(kCapabilities, capability);
}
std::optional<FrameworkCapability> parse_capability(std::string_view text) {
  return value_of(kCapabilities, text);
}

bool FrameworkInfo::has(FrameworkCapability c) const {
  return std::find(capabilities.begin(), capabilities.end(), c) != capabilities.end();
}

std::string_view to_string(Operation::Type type) {
  switch (type) {
    case Operation::Type::LAUNCH: return "LAUNCH";
    case Operation::Type::RESERVE: return "RESERVE";
    case Operation::Type::UNRESERVE: return "UNRESERVE";
  }
  return "UNKNOWN";
}

std::optional<Operation::Type> parse_operation_type(std::string_view text) {
  for (auto t : {Operation::Type::LAUNCH, Operation::Type::RESERVE, Operation::Type::UNRESERVE}) {
    if (to_string(t) == text) return t;
  }
  return std::nullopt;
}

namespace scheduler {

std::string_view call_type(const Call& call) {
  static constexpr std::array<std::string_view, 13> kNames = {
      "SUBSCRIBE",   "TEARDOWN",  "ACCEPT",  "DECLINE", "REVIVE",   "SUPPRESS",        "KILL",
      "ACKNOWLEDGE", "RECONCILE", "REQUEST", "MESSAGE", "SHUTDOWN", "UPDATE_FRAMEWORK"};
  static_assert(kNames.size() == std::variant_size_v<decltype(Call::call)>);
  return kNames[call.call.index()];
}

std::string_view event_type(const Event& event) {
  static constexpr std::array<std::string_view, 7> kNames = {
      "SUBSCRIBED", "OFFERS", "RESCIND", "UPDATE", "FAILURE", "ERROR", "HEARTBEAT"};
  return kNames[event.event.index()];
}

}  // namespace scheduler
}  // namespace mesosim::v1
