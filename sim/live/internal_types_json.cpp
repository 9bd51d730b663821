// JSON of the protocol structs inside internal messages (see internal_messages_json.hpp).

#include "sim/live/internal_types_json.hpp"

#include <fmt/format.h>

#include "sim/live/uuid.hpp"
#include "sim/live/v1_json_reader.hpp"

namespace mesosim::live::detail {

namespace {

Json pairs_json(const std::vector<std::pair<std::string, std::string>>& pairs, const char* first,
                const char* second) {
  Json out = Json::array();
  for (const auto& [a, b] : pairs) out.push_back({{first, a}, {second, b}});
  return out;
}

std::vector<std::pair<std::string, std::string>> read_pairs(const JsonIn& object,
                                                            std::string_view key,
                                                            const std::string& path,
                                                            const char* first, const char* second) {
  std::vector<std::pair<std::string, std::string>> out;
  const std::string at = path_of(path, key);
  const JsonIn& list = array_field(object, key, path);
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string item = path_of(at, i);
    require_object(list[i], item);
    out.emplace_back(string_field(list[i], first, item), string_field(list[i], second, item));
  }
  return out;
}

std::vector<std::string> read_strings(const JsonIn& object, std::string_view key,
                                      const std::string& path) {
  std::vector<std::string> out;
  const JsonIn& list = array_field(object, key, path);
  for (size_t i = 0; i < list.size(); ++i) {
    out.push_back(string_value(list[i], path_of(path_of(path, key), i)));
  }
  return out;
}

template <typename T, typename Parse>
T read_enum(const JsonIn& object, std::string_view key, const std::string& path, Parse parse,
            std::string_view what) {
  const std::string text = string_field(object, key, path);
  auto value = parse(text);
  if (!value) fail_expected(what, path_of(path, key), JsonIn(text));
  return *value;
}

Json command_json(const v1::CommandInfo& c) {
  return {{"shell", c.shell},
          {"value", c.value},
          {"arguments", c.arguments},
          {"environment", pairs_json(c.environment, "name", "value")}};
}

v1::CommandInfo read_command(const JsonIn& value, const std::string& path) {
  require_object(value, path);
  v1::CommandInfo c;
  c.shell = optional_bool_field(value, "shell", path).value_or(true);
  c.value = optional_string_field(value, "value", path).value_or("");
  c.arguments = read_strings(value, "arguments", path);
  c.environment = read_pairs(value, "environment", path, "name", "value");
  return c;
}

}  // namespace

int64_t read_micros(const JsonIn& object, std::string_view key, const std::string& path) {
  const JsonIn* v = member(object, key);
  if (v == nullptr) fail_missing(path_of(path, key));
  if (!v->is_number_integer()) fail_expected("an integer", path_of(path, key), *v);
  return v->get<int64_t>();
}

v1::TaskState read_task_state(const JsonIn& object, std::string_view key, const std::string& path) {
  return read_enum<v1::TaskState>(object, key, path, v1::parse_task_state, "a task state");
}

Json resources_text(const Resources& resources) { return resources.to_string(); }

Resources read_resources(const JsonIn& object, std::string_view key, const std::string& path) {
  const std::string text = string_field(object, key, path);
  Result<Resources> parsed = Resources::parse(text);
  if (!parsed) fail(fmt::format("at '{}': {}", path_of(path, key), parsed.error().message));
  return std::move(parsed).value();
}

Json agent_info_json(const v1::AgentInfo& a) {
  Json j{{"hostname", a.hostname}};
  if (a.id) j["id"] = id_json(*a.id);
  j["resources"] = resources_text(a.resources);
  Json attributes = Json::array();
  for (const auto& attr : a.attributes)
    attributes.push_back({{"name", attr.name}, {"value", attr.value}});
  j["attributes"] = attributes;
  return j;
}

v1::AgentInfo read_agent_info(const JsonIn& value, const std::string& path) {
  require_object(value, path);
  v1::AgentInfo a;
  a.hostname = string_field(value, "hostname", path);
  if (auto id = optional_id_field(value, "id", path)) a.id = v1::AgentID{*id};
  a.resources = read_resources(value, "resources", path);
  for (auto& [name, text] : read_pairs(value, "attributes", path, "name", "value")) {
    a.attributes.push_back({name, text});
  }
  return a;
}

Json framework_info_json(const v1::FrameworkInfo& f) {
  Json j{{"user", f.user}, {"name", f.name}};
  if (f.id) j["id"] = id_json(*f.id);
  j["roles"] = f.roles;
  Json caps = Json::array();
  for (auto c : f.capabilities) caps.push_back(std::string(v1::to_string(c)));
  j["capabilities"] = caps;
  j["failover_timeout"] = f.failover_timeout;
  j["principal"] = f.principal;
  j["hostname"] = f.hostname;
  j["checkpoint"] = f.checkpoint;
  return j;
}

v1::FrameworkInfo read_framework_info(const JsonIn& value, const std::string& path) {
  require_object(value, path);
  v1::FrameworkInfo f;
  f.user = string_field(value, "user", path);
  f.name = string_field(value, "name", path);
  if (auto id = optional_id_field(value, "id", path)) f.id = v1::FrameworkID{*id};
  f.roles = read_strings(value, "roles", path);
  const std::string caps_path = path_of(path, "capabilities");
  const JsonIn& caps = array_field(value, "capabilities", path);
  for (size_t i = 0; i < caps.size(); ++i) {
    const std::string text = string_value(caps[i], path_of(caps_path, i));
    auto c = v1::parse_capability(text);
    if (!c) fail_expected("a framework capability", path_of(caps_path, i), caps[i]);
    f.capabilities.push_back(*c);
  }
  f.failover_timeout = optional_double_field(value, "failover_timeout", path).value_or(0);
  f.principal = optional_string_field(value, "principal", path).value_or("");
  f.hostname = optional_string_field(value, "hostname", path).value_or("");
  f.checkpoint = optional_bool_field(value, "checkpoint", path).value_or(false);
  return f;
}

Json task_info_json(const v1::TaskInfo& t) {
  Json j{{"name", t.name}, {"task_id", id_json(t.task_id)}, {"agent_id", id_json(t.agent_id)}};
  j["resources"] = resources_text(t.resources);
  if (t.command) j["command"] = command_json(*t.command);
  if (t.executor) {
    j["executor"] = {{"executor_id", id_json(t.executor->executor_id)},
                     {"name", t.executor->name},
                     {"command", command_json(t.executor->command)},
                     {"resources", resources_text(t.executor->resources)}};
  }
  j["labels"] = pairs_json(t.labels, "key", "value");
  return j;
}

v1::TaskInfo read_task_info(const JsonIn& value, const std::string& path) {
  require_object(value, path);
  v1::TaskInfo t;
  t.name = string_field(value, "name", path);
  t.task_id = v1::TaskID{id_field(value, "task_id", path)};
  t.agent_id = v1::AgentID{id_field(value, "agent_id", path)};
  t.resources = read_resources(value, "resources", path);
  if (const JsonIn* c = member(value, "command"))
    t.command = read_command(*c, path_of(path, "command"));
  if (const JsonIn* e = member(value, "executor")) {
    const std::string at = path_of(path, "executor");
    require_object(*e, at);
    v1::ExecutorInfo ex;
    ex.executor_id = v1::ExecutorID{id_field(*e, "executor_id", at)};
    ex.name = optional_string_field(*e, "name", at).value_or("");
    ex.command = read_command(object_field(*e, "command", at), path_of(at, "command"));
    ex.resources = read_resources(*e, "resources", at);
    t.executor = std::move(ex);
  }
  t.labels = read_pairs(value, "labels", path, "key", "value");
  return t;
}

Json task_json(const v1::Task& t) {
  Json j{{"name", t.name},
         {"task_id", id_json(t.task_id)},
         {"framework_id", id_json(t.framework_id)},
         {"agent_id", id_json(t.agent_id)}};
  if (t.executor_id) j["executor_id"] = id_json(*t.executor_id);
  j["resources"] = resources_text(t.resources);
  j["state"] = std::string(v1::to_string(t.state));
  j["role"] = t.role;
  j["labels"] = pairs_json(t.labels, "key", "value");
  return j;
}

v1::Task read_task(const JsonIn& value, const std::string& path) {
  require_object(value, path);
  v1::Task t;
  t.name = string_field(value, "name", path);
  t.task_id = v1::TaskID{id_field(value, "task_id", path)};
  t.framework_id = v1::FrameworkID{id_field(value, "framework_id", path)};
  t.agent_id = v1::AgentID{id_field(value, "agent_id", path)};
  if (auto e = optional_id_field(value, "executor_id", path)) t.executor_id = v1::ExecutorID{*e};
  t.resources = read_resources(value, "resources", path);
  t.state = read_task_state(value, "state", path);
  t.role = string_field(value, "role", path);
  t.labels = read_pairs(value, "labels", path, "key", "value");
  return t;
}

Json task_status_json(const v1::TaskStatus& s) {
  Json j{{"task_id", id_json(s.task_id)},
         {"state", std::string(v1::to_string(s.state))},
         {"agent_id", id_json(s.agent_id)}};
  if (s.executor_id) j["executor_id"] = id_json(*s.executor_id);
  j["timestamp_us"] = s.timestamp.micros();
  if (s.uuid) j["uuid"] = base64_encode(s.uuid->view());
  j["source"] = std::string(v1::to_string(s.source));
  if (s.reason) j["reason"] = std::string(v1::to_string(*s.reason));
  j["message"] = s.message;
  return j;
}

v1::TaskStatus read_task_status(const JsonIn& value, const std::string& path) {
  require_object(value, path);
  v1::TaskStatus s;
  s.task_id = v1::TaskID{id_field(value, "task_id", path)};
  s.state = read_task_state(value, "state", path);
  s.agent_id = v1::AgentID{id_field(value, "agent_id", path)};
  if (auto e = optional_id_field(value, "executor_id", path)) s.executor_id = v1::ExecutorID{*e};
  s.timestamp = Time::from_micros(read_micros(value, "timestamp_us", path));
  if (member(value, "uuid")) s.uuid = uuid_field(value, "uuid", path);
  s.source = read_enum<v1::TaskStatusSource>(value, "source", path, v1::parse_task_status_source,
                                             "a task status source");
  if (member(value, "reason")) {
    s.reason = read_enum<v1::TaskStatusReason>(value, "reason", path, v1::parse_task_status_reason,
                                               "a task status reason");
  }
  s.message = optional_string_field(value, "message", path).value_or("");
  return s;
}

}  // namespace mesosim::live::detail
