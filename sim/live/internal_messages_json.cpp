// Internal messages <-> JSON, one encoder and one decoder per message.

#include "sim/live/internal_messages_json.hpp"

#include <fmt/format.h>

#include "sim/live/internal_types_json.hpp"
#include "sim/live/uuid.hpp"
#include "sim/live/v1_json_reader.hpp"

namespace mesosim::live {

using namespace detail;  // NOLINT: the JSON helpers of this file's own layer

namespace {

template <typename T>
constexpr std::string_view kName = "";
#define MESOSIM_INTERNAL_MESSAGE(T) \
  template <>                       \
  constexpr std::string_view kName<v1::T> = #T;
MESOSIM_INTERNAL_MESSAGE(RegisterAgentMessage)
MESOSIM_INTERNAL_MESSAGE(AgentRegisteredMessage)
MESOSIM_INTERNAL_MESSAGE(ReregisterAgentMessage)
MESOSIM_INTERNAL_MESSAGE(AgentReregisteredMessage)
MESOSIM_INTERNAL_MESSAGE(RunTaskMessage)
MESOSIM_INTERNAL_MESSAGE(KillTaskMessage)
MESOSIM_INTERNAL_MESSAGE(StatusUpdateMessage)
MESOSIM_INTERNAL_MESSAGE(StatusUpdateAcknowledgementMessage)
MESOSIM_INTERNAL_MESSAGE(PingAgentMessage)
MESOSIM_INTERNAL_MESSAGE(PongAgentMessage)
MESOSIM_INTERNAL_MESSAGE(ShutdownFrameworkMessage)
MESOSIM_INTERNAL_MESSAGE(ShutdownAgentMessage)
MESOSIM_INTERNAL_MESSAGE(UsageReportMessage)
MESOSIM_INTERNAL_MESSAGE(FrameworkToExecutorMessage)
MESOSIM_INTERNAL_MESSAGE(ShutdownExecutorMessage)
#undef MESOSIM_INTERNAL_MESSAGE

Json to_json(const v1::RegisterAgentMessage& m) { return {{"agent", agent_info_json(m.agent)}}; }
// Mesos's MasterSlaveConnection.total_ping_timeout_seconds, in microseconds as every duration.
void put_ping_timeout(Json& j, const std::optional<Duration>& timeout) {
  if (timeout) j["total_ping_timeout_us"] = timeout->micros();
}
std::optional<Duration> read_ping_timeout(const JsonIn& j, const std::string& p) {
  if (member(j, "total_ping_timeout_us") == nullptr) return std::nullopt;
  const int64_t us = read_micros(j, "total_ping_timeout_us", p);
  if (us <= 0) fail_expected("a positive duration", path_of(p, "total_ping_timeout_us"), us);
  return Duration::micros(us);
}

Json to_json(const v1::AgentRegisteredMessage& m) {
  Json j{{"agent_id", id_json(m.agent_id)}};
  put_ping_timeout(j, m.total_ping_timeout);
  return j;
}
Json to_json(const v1::ReregisterAgentMessage& m) {
  Json tasks = Json::array();
  for (const auto& t : m.tasks) tasks.push_back(task_json(t));
  Json frameworks = Json::array();
  for (const auto& f : m.frameworks) frameworks.push_back(framework_info_json(f));
  return {{"agent", agent_info_json(m.agent)}, {"tasks", tasks}, {"frameworks", frameworks}};
}
Json to_json(const v1::AgentReregisteredMessage& m) {
  Json list = Json::array();
  for (const auto& r : m.reconciliations) {
    Json ids = Json::array();
    for (const auto& t : r.task_ids) ids.push_back(id_json(t));
    list.push_back({{"framework", framework_info_json(r.framework)}, {"task_ids", ids}});
  }
  Json j{{"agent_id", id_json(m.agent_id)}, {"reconciliations", list}};
  put_ping_timeout(j, m.total_ping_timeout);
  return j;
}
Json to_json(const v1::RunTaskMessage& m) {
  return {{"framework", framework_info_json(m.framework)},
          {"task", task_info_json(m.task)},
          {"role", m.role}};
}
Json to_json(const v1::KillTaskMessage& m) {
  return {{"framework_id", id_json(m.framework_id)}, {"task_id", id_json(m.task_id)}};
}
Json to_json(const v1::StatusUpdateMessage& m) {
  const v1::StatusUpdate& u = m.update;
  Json j{{"framework_id", id_json(u.framework_id)}, {"status", task_status_json(u.status)}};
  if (u.latest_state) j["latest_state"] = std::string(v1::to_string(*u.latest_state));
  if (u.usage) j["usage"] = resources_text(*u.usage);
  return {{"update", j}};
}
Json to_json(const v1::StatusUpdateAcknowledgementMessage& m) {
  return {{"agent_id", id_json(m.agent_id)},
          {"framework_id", id_json(m.framework_id)},
          {"task_id", id_json(m.task_id)},
          {"uuid", base64_encode(m.uuid.view())}};
}
Json to_json(const v1::PingAgentMessage& m) { return {{"connected", m.connected}}; }
Json to_json(const v1::PongAgentMessage&) { return Json::object(); }
Json to_json(const v1::ShutdownFrameworkMessage& m) {
  return {{"framework_id", id_json(m.framework_id)}};
}
Json to_json(const v1::ShutdownAgentMessage& m) { return {{"message", m.message}}; }
Json to_json(const v1::UsageReportMessage& m) {
  Json samples = Json::array();
  for (const auto& s : m.samples) {
    samples.push_back({{"framework_id", id_json(s.framework_id)},
                       {"task_id", id_json(s.task_id)},
                       {"usage", resources_text(s.usage)}});
  }
  return {{"agent_id", id_json(m.agent_id)},
          {"timestamp_us", m.timestamp.micros()},
          {"samples", samples}};
}

Json to_json(const v1::FrameworkToExecutorMessage& m) {
  return {{"slave_id", id_json(m.agent_id)},
          {"framework_id", id_json(m.framework_id)},
          {"executor_id", id_json(m.executor_id)},
          {"data", base64_encode(m.data)}};
}
Json to_json(const v1::ShutdownExecutorMessage& m) {
  return {{"executor_id", id_json(m.executor_id)}, {"framework_id", id_json(m.framework_id)}};
}

// ---- decoding; `p` is the root path (empty) ----

Message read_register(const JsonIn& j, const std::string& p) {
  return v1::RegisterAgentMessage{read_agent_info(object_field(j, "agent", p), "agent")};
}
Message read_registered(const JsonIn& j, const std::string& p) {
  return v1::AgentRegisteredMessage{v1::AgentID{id_field(j, "agent_id", p)},
                                    read_ping_timeout(j, p)};
}
Message read_reregister(const JsonIn& j, const std::string& p) {
  v1::ReregisterAgentMessage m;
  m.agent = read_agent_info(object_field(j, "agent", p), "agent");
  const JsonIn& tasks = array_field(j, "tasks", p);
  for (size_t i = 0; i < tasks.size(); ++i)
    m.tasks.push_back(read_task(tasks[i], path_of("tasks", i)));
  const JsonIn& fws = array_field(j, "frameworks", p);
  for (size_t i = 0; i < fws.size(); ++i) {
    m.frameworks.push_back(read_framework_info(fws[i], path_of("frameworks", i)));
  }
  return m;
}
Message read_reregistered(const JsonIn& j, const std::string& p) {
  v1::AgentReregisteredMessage m{v1::AgentID{id_field(j, "agent_id", p)}, {}};
  const JsonIn& list = array_field(j, "reconciliations", p);
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string at = path_of("reconciliations", i);
    require_object(list[i], at);
    v1::ReconcileTasksMessage r;
    r.framework =
        read_framework_info(object_field(list[i], "framework", at), path_of(at, "framework"));
    const JsonIn& ids = array_field(list[i], "task_ids", at);
    for (size_t k = 0; k < ids.size(); ++k) {
      const std::string id_at = path_of(path_of(at, "task_ids"), k);
      require_object(ids[k], id_at);
      r.task_ids.push_back(v1::TaskID{string_field(ids[k], "value", id_at)});
    }
    m.reconciliations.push_back(std::move(r));
  }
  m.total_ping_timeout = read_ping_timeout(j, p);
  return m;
}
Message read_run_task(const JsonIn& j, const std::string& p) {
  return v1::RunTaskMessage{read_framework_info(object_field(j, "framework", p), "framework"),
                            read_task_info(object_field(j, "task", p), "task"),
                            string_field(j, "role", p)};
}
Message read_kill_task(const JsonIn& j, const std::string& p) {
  return v1::KillTaskMessage{v1::FrameworkID{id_field(j, "framework_id", p)},
                             v1::TaskID{id_field(j, "task_id", p)}};
}
Message read_status_update(const JsonIn& j, const std::string& p) {
  const JsonIn& u = object_field(j, "update", p);
  v1::StatusUpdate update;
  update.framework_id = v1::FrameworkID{id_field(u, "framework_id", "update")};
  update.status = read_task_status(object_field(u, "status", "update"), "update.status");
  if (member(u, "latest_state")) update.latest_state = read_task_state(u, "latest_state", "update");
  if (member(u, "usage")) update.usage = read_resources(u, "usage", "update");
  return v1::StatusUpdateMessage{std::move(update)};
}
Message read_ack(const JsonIn& j, const std::string& p) {
  return v1::StatusUpdateAcknowledgementMessage{
      v1::AgentID{id_field(j, "agent_id", p)}, v1::FrameworkID{id_field(j, "framework_id", p)},
      v1::TaskID{id_field(j, "task_id", p)}, uuid_field(j, "uuid", p)};
}
Message read_ping(const JsonIn& j, const std::string& p) {
  return v1::PingAgentMessage{optional_bool_field(j, "connected", p).value_or(true)};
}
Message read_pong(const JsonIn&, const std::string&) { return v1::PongAgentMessage{}; }
Message read_shutdown_framework(const JsonIn& j, const std::string& p) {
  return v1::ShutdownFrameworkMessage{v1::FrameworkID{id_field(j, "framework_id", p)}};
}
Message read_shutdown_agent(const JsonIn& j, const std::string& p) {
  return v1::ShutdownAgentMessage{optional_string_field(j, "message", p).value_or("")};
}
Message read_usage(const JsonIn& j, const std::string& p) {
  v1::UsageReportMessage m;
  m.agent_id = v1::AgentID{id_field(j, "agent_id", p)};
  m.timestamp = Time::from_micros(read_micros(j, "timestamp_us", p));
  const JsonIn& list = array_field(j, "samples", p);
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string at = path_of("samples", i);
    require_object(list[i], at);
    m.samples.push_back({v1::FrameworkID{id_field(list[i], "framework_id", at)},
                         v1::TaskID{id_field(list[i], "task_id", at)},
                         read_resources(list[i], "usage", at)});
  }
  return m;
}

// Field names as Mesos's messages.proto (FrameworkToExecutorMessage keeps `slave_id`).
Message read_framework_to_executor(const JsonIn& j, const std::string& p) {
  return v1::FrameworkToExecutorMessage{
      v1::AgentID{id_field(j, "slave_id", p)}, v1::FrameworkID{id_field(j, "framework_id", p)},
      v1::ExecutorID{id_field(j, "executor_id", p)}, bytes_field(j, "data", p)};
}
Message read_shutdown_executor(const JsonIn& j, const std::string& p) {
  return v1::ShutdownExecutorMessage{v1::FrameworkID{id_field(j, "framework_id", p)},
                                     v1::ExecutorID{id_field(j, "executor_id", p)}};
}

using Reader = Message (*)(const JsonIn&, const std::string&);
struct Entry {
  std::string_view name;
  Reader read;
};
constexpr Entry kReaders[] = {
    {kName<v1::RegisterAgentMessage>, read_register},
    {kName<v1::AgentRegisteredMessage>, read_registered},
    {kName<v1::ReregisterAgentMessage>, read_reregister},
    {kName<v1::AgentReregisteredMessage>, read_reregistered},
    {kName<v1::RunTaskMessage>, read_run_task},
    {kName<v1::KillTaskMessage>, read_kill_task},
    {kName<v1::StatusUpdateMessage>, read_status_update},
    {kName<v1::StatusUpdateAcknowledgementMessage>, read_ack},
    {kName<v1::PingAgentMessage>, read_ping},
    {kName<v1::PongAgentMessage>, read_pong},
    {kName<v1::ShutdownFrameworkMessage>, read_shutdown_framework},
    {kName<v1::ShutdownAgentMessage>, read_shutdown_agent},
    {kName<v1::UsageReportMessage>, read_usage},
    {kName<v1::FrameworkToExecutorMessage>, read_framework_to_executor},
    {kName<v1::ShutdownExecutorMessage>, read_shutdown_executor},
};

}  // namespace

std::optional<std::string_view> internal_message_name(const Message& message) {
  return std::visit(
      [](const auto& m) -> std::optional<std::string_view> {
        using T = std::decay_t<decltype(m)>;
        if constexpr (kName<T>.empty()) {
          return std::nullopt;
        } else {
          return kName<T>;
        }
      },
      message);
}

std::string encode_internal_message(const Message& message) {
  return std::visit(
      [](const auto& m) -> std::string {
        using T = std::decay_t<decltype(m)>;
        if constexpr (kName<T>.empty()) {
          MESOSIM_CHECK(false, "this message never leaves its process");
          return {};
        } else {
          return to_json(m).dump();
        }
      },
      message);
}

Result<Message> decode_internal_message(std::string_view name, std::string_view body) {
  const Entry* entry = nullptr;
  for (const Entry& e : kReaders) {
    if (e.name == name) entry = &e;
  }
  if (entry == nullptr) return Error{fmt::format("unknown internal message '{}'", name)};
  // No message nests deeper than a dozen levels; deeper documents are pruned while parsing so
  // hostile nesting never reaches nlohmann::json's recursive code (as decode_call does).
  constexpr int kMaxDepth = 64;
  bool too_deep = false;
  JsonIn::parser_callback_t limit_depth = [&](int depth, JsonIn::parse_event_t, JsonIn&) {
    if (depth > kMaxDepth) too_deep = true;
    return !too_deep;
  };
  JsonIn json = JsonIn::parse(body, limit_depth, false);
  if (json.is_discarded()) return Error{fmt::format("{}: the body is not valid JSON", name)};
  if (too_deep) return Error{fmt::format("{}: JSON nested deeper than {} levels", name, kMaxDepth)};
  try {
    require_object(json, "");
    return entry->read(json, "");
  } catch (const JsonDecodeFailure& failure) {
    return Error{fmt::format("{}: {}", name, failure.message)};
  }
}

}  // namespace mesosim::live
