#include "sim/live/agent_checkpoint.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "sim/live/control_files.hpp"
#include "sim/live/uuid.hpp"

namespace mesosim::live {
namespace {

using nlohmann::json;

json update_to_json(const v1::StatusUpdate& u) {
  json j = {{"state", v1::to_string(u.status.state)},
            {"timestamp_us", u.status.timestamp.micros()},
            {"uuid", base64_encode(u.status.uuid.value_or(""))},
            {"source", v1::to_string(u.status.source)},
            {"message", u.status.message}};
  if (u.status.executor_id) j["executor_id"] = u.status.executor_id->value;
  if (u.status.reason) j["reason"] = v1::to_string(*u.status.reason);
  if (u.usage) j["usage"] = u.usage->to_string();
  return j;
}

json task_to_json(const LiveTask& t) {
  json statuses = json::array();
  for (const auto& [state, at] : t.statuses) {
    statuses.push_back({{"state", v1::to_string(state)}, {"timestamp_us", at.micros()}});
  }
  json updates = json::array();
  for (const v1::StatusUpdate& u : t.unacknowledged) updates.push_back(update_to_json(u));
  json command = nullptr;
  if (t.info.command)
    command = {{"shell", t.info.command->shell}, {"value", t.info.command->value}};
  return {{"task_id", t.info.task_id.value},
          {"name", t.info.name},
          {"role", t.role},
          {"executor_id", t.executor_id.value},
          {"state", v1::to_string(t.state)},
          {"resources", t.info.resources.to_string()},
          {"command", command},
          {"labels", t.info.labels},
          {"statuses", statuses},
          {"container", t.container},
          {"sandbox", t.sandbox},
          {"killing", t.killing},
          {"unacknowledged", updates}};
}

json framework_to_json(const LiveFramework& f) {
  json capabilities = json::array();
  for (v1::FrameworkCapability c : f.info.capabilities) capabilities.push_back(v1::to_string(c));
  json tasks = json::array();
  for (const auto& [task_id, task] : f.tasks) tasks.push_back(task_to_json(task));
  return {{"id", f.info.id ? f.info.id->value : ""},
          {"name", f.info.name},
          {"user", f.info.user},
          {"roles", f.info.roles},
          {"capabilities", capabilities},
          {"failover_timeout", f.info.failover_timeout},
          {"principal", f.info.principal},
          {"hostname", f.info.hostname},
          {"checkpoint", f.info.checkpoint},
          {"tasks", tasks}};
}

// Typed reads that remember the first error, with the JSON path where it happened.
class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  const json* field(const json& object, const char* key, const std::string& path,
                    json::value_t type) {
    if (failed()) return nullptr;
    const std::string where = path.empty() ? key : path + "." + key;
    auto it = object.find(key);
    const bool number = type == json::value_t::number_float;
    if (it == object.end() || (number ? !it->is_number() : it->type() != type)) {
      fail("expected " + std::string(kind(type)) + " at '" + where + "'");
      return nullptr;
    }
    return &*it;
  }
  std::string str(const json& o, const char* key, const std::string& path) {
    const json* v = field(o, key, path, json::value_t::string);
    return v ? v->get<std::string>() : std::string();
  }
  bool boolean(const json& o, const char* key, const std::string& path) {
    const json* v = field(o, key, path, json::value_t::boolean);
    return v && v->get<bool>();
  }
  Time time(const json& o, const char* key, const std::string& path) {
    const json* v = field(o, key, path, json::value_t::number_float);
    return v ? Time::from_micros(v->get<int64_t>()) : Time();
  }
  template <typename T>
  T parsed(const json& o, const char* key, const std::string& path,
           std::optional<T> (*parse)(std::string_view)) {
    std::string text = str(o, key, path);
    if (failed()) return T{};
    std::optional<T> value = parse(text);
    if (!value) fail("unknown value '" + text + "' at '" + path + "." + key + "'");
    return value.value_or(T{});
  }
  void fail(const std::string& what) {
    if (!failed()) error_ = source_ + ": " + what;
  }
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }

 private:
  static const char* kind(json::value_t type) {
    switch (type) {
      case json::value_t::string:
        return "a string";
      case json::value_t::boolean:
        return "a boolean";
      case json::value_t::array:
        return "an array";
      case json::value_t::object:
        return "an object";
      default:
        return "a number";
    }
  }
  std::string source_;
  std::string error_;
};

v1::StatusUpdate update_from_json(Reader& r, const json& j, const std::string& path,
                                  const LiveTask& task) {
  v1::StatusUpdate u;
  u.framework_id = task.framework_id;
  u.status.task_id = task.info.task_id;
  u.status.state = r.parsed(j, "state", path, &v1::parse_task_state);
  u.latest_state = u.status.state;
  u.status.timestamp = r.time(j, "timestamp_us", path);
  Result<std::string> uuid = base64_decode(r.str(j, "uuid", path));
  if (uuid)
    u.status.uuid = uuid.value();
  else
    r.fail("bad base64 at '" + path + ".uuid'");
  u.status.source = r.parsed(j, "source", path, &v1::parse_task_status_source);
  u.status.message = r.str(j, "message", path);
  if (j.contains("executor_id"))
    u.status.executor_id = v1::ExecutorID{r.str(j, "executor_id", path)};
  if (j.contains("reason"))
    u.status.reason = r.parsed(j, "reason", path, &v1::parse_task_status_reason);
  if (j.contains("usage")) {
    Result<Resources> usage = Resources::parse(r.str(j, "usage", path));
    if (usage)
      u.usage = usage.value();
    else
      r.fail("'" + path + ".usage': " + usage.error().message);
  }
  return u;
}

void task_details_from_json(Reader& r, const json& j, const std::string& path, LiveTask& t) {
  if (auto command = j.find("command"); command != j.end() && !command->is_null()) {
    if (!command->is_object()) {
      r.fail("expected an object or null at '" + path + ".command'");
    } else {
      t.info.command = v1::CommandInfo{};
      t.info.command->shell = r.boolean(*command, "shell", path + ".command");
      t.info.command->value = r.str(*command, "value", path + ".command");
    }
  }
  if (const json* labels = r.field(j, "labels", path, json::value_t::array)) {
    for (const json& label : *labels) {
      if (!label.is_array() || label.size() != 2 || !label[0].is_string() ||
          !label[1].is_string()) {
        r.fail("expected [key, value] strings in '" + path + ".labels'");
        break;
      }
      t.info.labels.emplace_back(label[0].get<std::string>(), label[1].get<std::string>());
    }
  }
  if (const json* statuses = r.field(j, "statuses", path, json::value_t::array)) {
    for (size_t i = 0; i < statuses->size(); ++i) {
      const std::string at = path + ".statuses[" + std::to_string(i) + "]";
      t.statuses.emplace_back(r.parsed((*statuses)[i], "state", at, &v1::parse_task_state),
                              r.time((*statuses)[i], "timestamp_us", at));
    }
  }
  if (const json* updates = r.field(j, "unacknowledged", path, json::value_t::array)) {
    for (size_t i = 0; i < updates->size(); ++i) {
      const std::string at = path + ".unacknowledged[" + std::to_string(i) + "]";
      t.unacknowledged.push_back(update_from_json(r, (*updates)[i], at, t));
    }
  }
}

LiveTask task_from_json(Reader& r, const json& j, const std::string& path,
                        const v1::FrameworkID& framework_id) {
  LiveTask t;
  t.framework_id = framework_id;
  t.info.task_id = v1::TaskID{r.str(j, "task_id", path)};
  t.info.name = r.str(j, "name", path);
  t.role = r.str(j, "role", path);
  t.executor_id = v1::ExecutorID{r.str(j, "executor_id", path)};
  t.state = r.parsed(j, "state", path, &v1::parse_task_state);
  Result<Resources> resources = Resources::parse(r.str(j, "resources", path));
  if (resources)
    t.info.resources = resources.value();
  else
    r.fail("'" + path + ".resources': " + resources.error().message);
  t.container = r.str(j, "container", path);
  t.sandbox = r.str(j, "sandbox", path);
  t.killing = r.boolean(j, "killing", path);
  task_details_from_json(r, j, path, t);
  return t;
}

LiveFramework framework_from_json(Reader& r, const json& j, const std::string& path) {
  LiveFramework f;
  f.info.id = v1::FrameworkID{r.str(j, "id", path)};
  f.info.name = r.str(j, "name", path);
  f.info.user = r.str(j, "user", path);
  if (const json* roles = r.field(j, "roles", path, json::value_t::array)) {
    for (const json& role : *roles)
      f.info.roles.push_back(role.is_string() ? role.get<std::string>() : "");
  }
  if (const json* caps = r.field(j, "capabilities", path, json::value_t::array)) {
    for (const json& c : *caps) {
      std::optional<v1::FrameworkCapability> cap =
          c.is_string() ? v1::parse_capability(c.get<std::string>()) : std::nullopt;
      if (cap)
        f.info.capabilities.push_back(*cap);
      else
        r.fail("unknown capability " + c.dump() + " at '" + path + ".capabilities'");
    }
  }
  if (const json* t = r.field(j, "failover_timeout", path, json::value_t::number_float)) {
    f.info.failover_timeout = t->get<double>();
  }
  f.info.principal = r.str(j, "principal", path);
  f.info.hostname = r.str(j, "hostname", path);
  f.info.checkpoint = r.boolean(j, "checkpoint", path);
  if (const json* tasks = r.field(j, "tasks", path, json::value_t::array)) {
    for (size_t i = 0; i < tasks->size() && !r.failed(); ++i) {
      LiveTask task =
          task_from_json(r, (*tasks)[i], path + ".tasks[" + std::to_string(i) + "]", *f.info.id);
      const v1::TaskID task_id = task.info.task_id;
      f.tasks.emplace(task_id, std::move(task));
    }
  }
  return f;
}

}  // namespace

std::string to_json(const AgentCheckpoint& checkpoint) {
  json frameworks = json::array();
  for (const LiveFramework& f : checkpoint.frameworks) frameworks.push_back(framework_to_json(f));
  json j = {{"frameworks", frameworks}};
  if (checkpoint.agent_id) j["agent_id"] = checkpoint.agent_id->value;
  return j.dump() + "\n";
}

Result<AgentCheckpoint> parse_agent_checkpoint(std::string_view text, const std::string& source) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Error{source + ": not a JSON object"};
  Reader r(source);
  AgentCheckpoint checkpoint;
  if (j.contains("agent_id")) checkpoint.agent_id = v1::AgentID{r.str(j, "agent_id", "")};
  if (const json* frameworks = r.field(j, "frameworks", "", json::value_t::array)) {
    for (size_t i = 0; i < frameworks->size() && !r.failed(); ++i) {
      checkpoint.frameworks.push_back(
          framework_from_json(r, (*frameworks)[i], "frameworks[" + std::to_string(i) + "]"));
    }
  }
  if (r.failed()) return Error{r.error()};
  return checkpoint;
}

std::string agent_checkpoint_path(const std::string& work_dir) {
  return work_dir + "/meta/agent.json";
}

Status write_agent_checkpoint(const std::string& work_dir, const AgentCheckpoint& checkpoint) {
  if (Status s = make_directories(work_dir + "/meta"); !s) return s;
  return write_file_atomically(agent_checkpoint_path(work_dir), to_json(checkpoint));
}

Result<std::optional<AgentCheckpoint>> read_agent_checkpoint(const std::string& work_dir) {
  const std::string path = agent_checkpoint_path(work_dir);
  if (!path_exists(path)) return std::optional<AgentCheckpoint>();
  Result<std::string> text = read_file(path);
  if (!text) return text.error();
  Result<AgentCheckpoint> parsed = parse_agent_checkpoint(text.value(), path);
  if (!parsed) return parsed.error();
  return std::optional<AgentCheckpoint>(std::move(parsed).value());
}

Status remove_agent_checkpoint(const std::string& work_dir) {
  const std::string path = agent_checkpoint_path(work_dir);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return Error{"cannot remove " + path + ": " + std::strerror(errno)};
  }
  return Status::success();
}

}  // namespace mesosim::live
