// JSON -> v1 scheduler Calls (include/mesos/v1/scheduler/scheduler.proto, message Call), with the
// structural checks of Mesos's scheduler call validation (src/master/validation.cpp) that need
// no master state: the call's own message is present, framework ids agree, a task has exactly one
// of command and executor.

#include <array>

#include "allocator/role_name.hpp"
#include "sim/live/v1_json.hpp"
#include "sim/live/v1_json_reader.hpp"

namespace mesosim::live {

namespace detail {
Resources read_resources(const nlohmann::json& array, const std::string& path);
}  // namespace detail

using nlohmann::json;
using namespace detail;
namespace sched = v1::scheduler;

namespace {

template <typename Id>
std::vector<Id> id_list(const json& object, std::string_view key, const std::string& path) {
  std::vector<Id> ids;
  const json& list = array_field(object, key, path);
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string p = path_of(path_of(path, key), i);
    require_object(list[i], p);
    std::string value = string_field(list[i], "value", p);
    if (value.empty()) fail_expected("a non-empty id", path_of(p, "value"), list[i]["value"]);
    ids.push_back(Id{std::move(value)});
  }
  return ids;
}

std::vector<std::string> string_list(const json& object, std::string_view key,
                                     const std::string& path) {
  std::vector<std::string> out;
  const json& list = array_field(object, key, path);
  for (size_t i = 0; i < list.size(); ++i) {
    out.push_back(string_value(list[i], path_of(path_of(path, key), i)));
  }
  return out;
}

void check_framework_role(const std::string& role, const std::string& path) {
  if (role == "*") return;
  Status valid = validate_role(role);
  if (!valid.ok()) fail("bad role at '" + path + "': " + valid.error().message);
}

std::vector<std::string> role_list(const json& object, std::string_view key,
                                   const std::string& path) {
  std::vector<std::string> roles = string_list(object, key, path);
  for (size_t i = 0; i < roles.size(); ++i) {
    check_framework_role(roles[i], path_of(path_of(path, key), i));
  }
  return roles;
}

v1::Filters read_filters(const json& call_body, const std::string& path) {
  v1::Filters filters;
  if (const json* f = optional_object_field(call_body, "filters", path)) {
    filters.refuse_seconds = optional_double_field(*f, "refuse_seconds", path_of(path, "filters"));
  }
  return filters;
}

std::vector<std::pair<std::string, std::string>> read_labels(const json& object,
                                                             const std::string& path) {
  std::vector<std::pair<std::string, std::string>> out;
  const json* labels = optional_object_field(object, "labels", path);
  if (labels == nullptr) return out;
  const std::string lp = path_of(path, "labels");
  const json& list = array_field(*labels, "labels", lp);
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string p = path_of(path_of(lp, "labels"), i);
    require_object(list[i], p);
    out.emplace_back(string_field(list[i], "key", p),
                     optional_string_field(list[i], "value", p).value_or(""));
  }
  return out;
}

v1::FrameworkInfo read_framework_info(const json& f, const std::string& path) {
  v1::FrameworkInfo info;
  info.user = string_field(f, "user", path);
  info.name = string_field(f, "name", path);
  if (auto id = optional_id_field(f, "id", path)) info.id = v1::FrameworkID{*id};
  if (auto t = optional_double_field(f, "failover_timeout", path)) {
    if (*t < 0)
      fail_expected("a non-negative number", path_of(path, "failover_timeout"),
                    f["failover_timeout"]);
    info.failover_timeout = *t;
  }
  info.checkpoint = optional_bool_field(f, "checkpoint", path).value_or(false);
  info.hostname = optional_string_field(f, "hostname", path).value_or("");
  info.principal = optional_string_field(f, "principal", path).value_or("");
  const json& capabilities = array_field(f, "capabilities", path);
  for (size_t i = 0; i < capabilities.size(); ++i) {
    const std::string p = path_of(path_of(path, "capabilities"), i);
    require_object(capabilities[i], p);
    std::optional<std::string> type = optional_string_field(capabilities[i], "type", p);
    // Like Mesos (proto2 parsing), an unknown value of an optional enum is dropped.
    if (type) {
      if (auto c = v1::parse_capability(*type)) info.capabilities.push_back(*c);
    }
  }
  std::optional<std::string> role = optional_string_field(f, "role", path);
  std::vector<std::string> roles = role_list(f, "roles", path);
  if (info.has(v1::FrameworkCapability::MULTI_ROLE)) {
    if (role) fail("'" + path_of(path, "role") + "' must not be set with MULTI_ROLE; use 'roles'");
    info.roles = std::move(roles);
  } else {
    if (!roles.empty()) {
      fail("'" + path_of(path, "roles") + "' needs the MULTI_ROLE capability; use 'role'");
    }
    info.roles = {role.value_or("*")};
    check_framework_role(info.roles[0], path_of(path, "role"));
  }
  return info;
}

v1::CommandInfo read_command(const json& c, const std::string& path) {
  v1::CommandInfo command;
  if (!array_field(c, "uris", path).empty()) {
    fail("'" + path_of(path, "uris") + "' is not supported by mesosim (no fetcher)");
  }
  command.shell = optional_bool_field(c, "shell", path).value_or(true);
  command.value = optional_string_field(c, "value", path).value_or("");
  command.arguments = string_list(c, "arguments", path);
  if (command.shell && command.value.empty()) fail_missing(path_of(path, "value"));
  if (const json* env = optional_object_field(c, "environment", path)) {
    const std::string ep = path_of(path, "environment");
    const json& vars = array_field(*env, "variables", ep);
    for (size_t i = 0; i < vars.size(); ++i) {
      const std::string p = path_of(path_of(ep, "variables"), i);
      require_object(vars[i], p);
      std::optional<std::string> type = optional_string_field(vars[i], "type", p);
      if (type && *type != "VALUE") {
        fail("'" + path_of(p, "type") + "': only VALUE variables are supported, found \"" + *type +
             "\"");
      }
      command.environment.emplace_back(string_field(vars[i], "name", p),
                                       optional_string_field(vars[i], "value", p).value_or(""));
    }
  }
  return command;
}

v1::ExecutorInfo read_executor(const json& e, const std::string& path) {
  v1::ExecutorInfo executor;
  executor.executor_id = v1::ExecutorID{id_field(e, "executor_id", path)};
  executor.name = optional_string_field(e, "name", path).value_or("");
  executor.command = read_command(object_field(e, "command", path), path_of(path, "command"));
  executor.resources =
      read_resources(array_field(e, "resources", path), path_of(path, "resources"));
  return executor;
}

v1::TaskInfo read_task(const json& t, const std::string& path) {
  require_object(t, path);
  v1::TaskInfo task;
  task.name = string_field(t, "name", path);
  task.task_id = v1::TaskID{id_field(t, "task_id", path)};
  task.agent_id = v1::AgentID{id_field(t, "agent_id", path)};
  task.resources = read_resources(array_field(t, "resources", path), path_of(path, "resources"));
  if (const json* e = optional_object_field(t, "executor", path)) {
    task.executor = read_executor(*e, path_of(path, "executor"));
  }
  if (const json* c = optional_object_field(t, "command", path)) {
    task.command = read_command(*c, path_of(path, "command"));
  }
  if (task.executor.has_value() == task.command.has_value()) {
    fail("'" + path + "' must have exactly one of 'command' and 'executor'");
  }
  task.labels = read_labels(t, path);
  return task;
}

v1::Operation read_operation(const json& o, const std::string& path) {
  require_object(o, path);
  v1::Operation op;
  std::string type = string_field(o, "type", path);
  if (type == "LAUNCH") {
    op.type = v1::Operation::Type::LAUNCH;
    const std::string p = path_of(path, "launch");
    const json& tasks = array_field(object_field(o, "launch", path), "task_infos", p);
    for (size_t i = 0; i < tasks.size(); ++i) {
      op.task_infos.push_back(read_task(tasks[i], path_of(path_of(p, "task_infos"), i)));
    }
  } else if (type == "RESERVE" || type == "UNRESERVE") {
    op.type = type == "RESERVE" ? v1::Operation::Type::RESERVE : v1::Operation::Type::UNRESERVE;
    const std::string key = type == "RESERVE" ? "reserve" : "unreserve";
    const json& body = object_field(o, key, path);
    op.resources = read_resources(array_field(body, "resources", path_of(path, key)),
                                  path_of(path_of(path, key), "resources"));
  } else if (type == "LAUNCH_GROUP" || type == "CREATE" || type == "DESTROY" ||
             type == "GROW_VOLUME" || type == "SHRINK_VOLUME" || type == "CREATE_DISK" ||
             type == "DESTROY_DISK") {
    fail("operation type '" + type + "' at '" + path_of(path, "type") +
         "' is not supported by mesosim");
  } else {
    fail_expected("an operation type (LAUNCH, RESERVE, UNRESERVE)", path_of(path, "type"),
                  o["type"]);
  }
  return op;
}

sched::Subscribe read_subscribe(const json& s, const std::string& path) {
  sched::Subscribe subscribe;
  subscribe.framework_info =
      read_framework_info(object_field(s, "framework_info", path), path_of(path, "framework_info"));
  subscribe.suppressed_roles = role_list(s, "suppressed_roles", path);
  return subscribe;
}

sched::Accept read_accept(const json& a, const std::string& path) {
  sched::Accept accept;
  accept.offer_ids = id_list<v1::OfferID>(a, "offer_ids", path);
  const json& ops = array_field(a, "operations", path);
  for (size_t i = 0; i < ops.size(); ++i) {
    accept.operations.push_back(read_operation(ops[i], path_of(path_of(path, "operations"), i)));
  }
  accept.filters = read_filters(a, path);
  return accept;
}

sched::Acknowledge read_acknowledge(const json& a, const std::string& path) {
  sched::Acknowledge ack;
  ack.agent_id = v1::AgentID{id_field(a, "agent_id", path)};
  ack.task_id = v1::TaskID{id_field(a, "task_id", path)};
  ack.uuid = uuid_field(a, "uuid", path);
  return ack;
}

sched::Reconcile read_reconcile(const json& r, const std::string& path) {
  sched::Reconcile reconcile;
  const json& tasks = array_field(r, "tasks", path);
  for (size_t i = 0; i < tasks.size(); ++i) {
    const std::string p = path_of(path_of(path, "tasks"), i);
    require_object(tasks[i], p);
    sched::Reconcile::Task task{v1::TaskID{id_field(tasks[i], "task_id", p)}, std::nullopt};
    if (auto agent = optional_id_field(tasks[i], "agent_id", p))
      task.agent_id = v1::AgentID{*agent};
    reconcile.tasks.push_back(std::move(task));
  }
  return reconcile;
}

// Mesos's Request: an optional agent_id and resources; one task's worth each.
sched::Request read_request(const json& r, const std::string& path) {
  sched::Request request;
  const json& requests = array_field(r, "requests", path);
  for (size_t i = 0; i < requests.size(); ++i) {
    const std::string p = path_of(path_of(path, "requests"), i);
    require_object(requests[i], p);
    sched::ResourceRequest one;
    if (auto agent = optional_id_field(requests[i], "agent_id", p)) {
      one.agent_id = v1::AgentID{*agent};
    }
    one.resources = read_resources(array_field(requests[i], "resources", p),
                                   path_of(p, "resources"));
    request.requests.push_back(std::move(one));
  }
  return request;
}

// Mesos's Call.Message: agent_id, executor_id and data are all required.
sched::Message read_message(const json& m, const std::string& path) {
  return sched::Message{v1::AgentID{id_field(m, "agent_id", path)},
                        v1::ExecutorID{id_field(m, "executor_id", path)},
                        bytes_field(m, "data", path)};
}

sched::Shutdown read_shutdown(const json& s, const std::string& path) {
  return sched::Shutdown{v1::ExecutorID{id_field(s, "executor_id", path)},
                         v1::AgentID{id_field(s, "agent_id", path)}};
}

sched::UpdateFramework read_update_framework(const json& u, const std::string& path) {
  sched::UpdateFramework update;
  update.framework_info =
      read_framework_info(object_field(u, "framework_info", path), path_of(path, "framework_info"));
  update.suppressed_roles = role_list(u, "suppressed_roles", path);
  return update;
}

constexpr std::array<std::string_view, 4> kUnsupportedCalls = {
    "ACCEPT_INVERSE_OFFERS", "DECLINE_INVERSE_OFFERS", "ACKNOWLEDGE_OPERATION_STATUS",
    "RECONCILE_OPERATIONS"};

sched::Call read_call(const json& root) {
  if (!root.is_object()) fail_expected("a JSON object (a Call)", ".", root);
  sched::Call call;
  if (auto id = optional_id_field(root, "framework_id", ""))
    call.framework_id = v1::FrameworkID{*id};
  const std::string type = string_field(root, "type", "");
  if (type == "SUBSCRIBE") {
    sched::Subscribe s = read_subscribe(object_field(root, "subscribe", ""), "subscribe");
    if (s.framework_info.id != call.framework_id) {
      fail("'framework_id' differs from 'subscribe.framework_info.id'");
    }
    call.call = std::move(s);
    return call;
  }
  if (std::find(kUnsupportedCalls.begin(), kUnsupportedCalls.end(), type) !=
      kUnsupportedCalls.end()) {
    fail("call type '" + type + "' is not supported by mesosim");
  }
  if (type == "TEARDOWN") {
    call.call = sched::Teardown{};
  } else if (type == "REQUEST") {
    call.call = read_request(object_field(root, "request", ""), "request");
  } else if (type == "ACCEPT") {
    call.call = read_accept(object_field(root, "accept", ""), "accept");
  } else if (type == "DECLINE") {
    const json& d = object_field(root, "decline", "");
    call.call =
        sched::Decline{id_list<v1::OfferID>(d, "offer_ids", "decline"), read_filters(d, "decline")};
  } else if (type == "REVIVE" || type == "SUPPRESS") {
    const std::string key = type == "REVIVE" ? "revive" : "suppress";
    std::vector<std::string> roles;
    if (const json* body = optional_object_field(root, key, ""))
      roles = role_list(*body, "roles", key);
    if (type == "REVIVE") {
      call.call = sched::Revive{std::move(roles)};
    } else {
      call.call = sched::Suppress{std::move(roles)};
    }
  } else if (type == "KILL") {
    const json& k = object_field(root, "kill", "");
    sched::Kill kill{v1::TaskID{id_field(k, "task_id", "kill")}, std::nullopt};
    if (auto agent = optional_id_field(k, "agent_id", "kill")) kill.agent_id = v1::AgentID{*agent};
    call.call = std::move(kill);
  } else if (type == "ACKNOWLEDGE") {
    call.call = read_acknowledge(object_field(root, "acknowledge", ""), "acknowledge");
  } else if (type == "RECONCILE") {
    call.call = read_reconcile(object_field(root, "reconcile", ""), "reconcile");
  } else if (type == "MESSAGE") {
    call.call = read_message(object_field(root, "message", ""), "message");
  } else if (type == "SHUTDOWN") {
    call.call = read_shutdown(object_field(root, "shutdown", ""), "shutdown");
  } else if (type == "UPDATE_FRAMEWORK") {
    sched::UpdateFramework u =
        read_update_framework(object_field(root, "update_framework", ""), "update_framework");
    // Mesos's scheduler call validation.
    if (u.framework_info.id != call.framework_id) {
      fail("'framework_id' differs from 'update_framework.framework_info.id'");
    }
    call.call = std::move(u);
  } else {
    fail_expected(
        "a call type (SUBSCRIBE, TEARDOWN, ACCEPT, DECLINE, REVIVE, SUPPRESS, KILL, ACKNOWLEDGE, "
        "RECONCILE, REQUEST, MESSAGE, SHUTDOWN, UPDATE_FRAMEWORK)",
        "type", root["type"]);
  }
  if (!call.framework_id) fail_missing("framework_id");
  return call;
}

}  // namespace

Result<sched::Call> call_from_json(const json& call) {
  try {
    return read_call(call);
  } catch (const JsonDecodeFailure& failure) {
    return Error{failure.message};
  }
}

Result<sched::Call> decode_call(std::string_view body) {
  // No Call nests deeper than about a dozen levels. Refusing deeper documents while parsing keeps
  // the recursive parts of nlohmann::json (dump, comparison) away from hostile nesting.
  constexpr int kMaxDepth = 64;
  bool too_deep = false;
  json::parser_callback_t limit_depth = [&](int depth, json::parse_event_t, json&) {
    if (depth > kMaxDepth) too_deep = true;
    return !too_deep;
  };
  json root;
  try {
    root = json::parse(body, limit_depth);
  } catch (const json::parse_error& e) {
    return Error{"malformed JSON at byte " + std::to_string(e.byte) + ": " + e.what()};
  }
  if (too_deep) return Error{"JSON nested deeper than " + std::to_string(kMaxDepth) + " levels"};
  return call_from_json(root);
}

}  // namespace mesosim::live
