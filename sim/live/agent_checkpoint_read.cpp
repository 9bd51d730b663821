// Reading the agent's checkpoint back (layout and format: agent_checkpoint.hpp), with errors that
// name the file, the line and the field.

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <iterator>
#include <nlohmann/json.hpp>

#include "sim/live/agent_checkpoint.hpp"
#include "sim/live/control_files.hpp"
#include "sim/live/uuid.hpp"

namespace mesosim::live {
namespace {

using nlohmann::json;

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
  Result<std::string> raw = base64_decode(r.str(j, "uuid", path));
  if (!raw) {
    r.fail("bad base64 at '" + path + ".uuid'");
  } else if (Result<Uuid> uuid = uuid_from_bytes(raw.value(), path + ".uuid"); !uuid) {
    r.fail(uuid.error().message);
  } else {
    u.status.uuid = uuid.value();
  }
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

void command_and_labels_from_json(Reader& r, const json& j, LiveTask& t) {
  if (auto command = j.find("command"); command != j.end() && !command->is_null()) {
    if (!command->is_object()) {
      r.fail("expected an object or null at 'command'");
    } else {
      t.info.command = v1::CommandInfo{};
      t.info.command->shell = r.boolean(*command, "shell", "command");
      t.info.command->value = r.str(*command, "value", "command");
    }
  }
  if (const json* labels = r.field(j, "labels", "", json::value_t::array)) {
    for (const json& label : *labels) {
      if (!label.is_array() || label.size() != 2 || !label[0].is_string() ||
          !label[1].is_string()) {
        r.fail("expected [key, value] strings in 'labels'");
        break;
      }
      t.info.labels.emplace_back(label[0].get<std::string>(), label[1].get<std::string>());
    }
  }
}

LiveTask task_from_json(Reader& r, const json& j, const v1::FrameworkID& framework_id) {
  LiveTask t;
  t.framework_id = framework_id;
  t.info.task_id = v1::TaskID{r.str(j, "task_id", "")};
  t.info.name = r.str(j, "name", "");
  t.role = r.str(j, "role", "");
  t.executor_id = v1::ExecutorID{r.str(j, "executor_id", "")};
  Result<Resources> resources = Resources::parse(r.str(j, "resources", ""));
  if (resources)
    t.info.resources = resources.value();
  else if (!r.failed())
    r.fail("'resources': " + resources.error().message);
  command_and_labels_from_json(r, j, t);
  return t;
}

// One task.updates line applied to the task read so far.
void apply_changes(Reader& r, const json& j, LiveTask& t) {
  static constexpr const char* kKeys[] = {"container",    "sandbox",        "statuses", "updates",
                                          "acknowledged", "unacknowledged", "killing"};
  for (const auto& [key, value] : j.items()) {
    if (std::find(std::begin(kKeys), std::end(kKeys), key) == std::end(kKeys)) {
      r.fail("unknown key '" + key + "'");
    }
  }
  if (j.contains("container")) {
    t.container = r.str(j, "container", "");
    t.sandbox = r.str(j, "sandbox", "");
  }
  if (j.contains("statuses")) {
    const json* statuses = r.field(j, "statuses", "", json::value_t::array);
    for (size_t i = 0; statuses && i < statuses->size() && !r.failed(); ++i) {
      const json& s = (*statuses)[i];
      std::optional<v1::TaskState> state;
      if (s.is_array() && s.size() == 2 && s[0].is_string() && s[1].is_number_integer()) {
        state = v1::parse_task_state(s[0].get<std::string>());
      }
      if (!state) {
        r.fail("expected [state, timestamp_us] at 'statuses[" + std::to_string(i) + "]'");
        break;
      }
      t.statuses.emplace_back(*state, Time::from_micros(s[1].get<int64_t>()));
    }
  }
  const auto read_updates = [&](const char* key, std::deque<v1::StatusUpdate>& into) {
    const json* updates = r.field(j, key, "", json::value_t::array);
    for (size_t i = 0; updates && i < updates->size() && !r.failed(); ++i) {
      const std::string at = std::string(key) + "[" + std::to_string(i) + "]";
      into.push_back(update_from_json(r, (*updates)[i], at, t));
    }
  };
  if (j.contains("updates")) read_updates("updates", t.unacknowledged);
  const bool restated = j.contains("unacknowledged");
  if (j.contains("acknowledged")) {
    const json* n = r.field(j, "acknowledged", "", json::value_t::number_float);
    const int64_t acked = n && n->is_number_integer() ? n->get<int64_t>() : -1;
    if (acked < 0 || (!restated && static_cast<uint64_t>(acked) > t.unacknowledged.size())) {
      r.fail("'acknowledged' is " + (n ? n->dump() : std::string("missing")) + " but " +
             std::to_string(t.unacknowledged.size()) + " update(s) are unacknowledged");
    } else {
      if (!restated) {
        t.unacknowledged.erase(t.unacknowledged.begin(), t.unacknowledged.begin() + acked);
      }
      t.acknowledged += static_cast<uint64_t>(acked);
    }
  }
  if (restated) {
    std::deque<v1::StatusUpdate> queue;
    read_updates("unacknowledged", queue);
    t.unacknowledged = std::move(queue);
  }
  if (j.contains("killing")) t.killing = r.boolean(j, "killing", "");
}

// Replays task.updates into `t`; cuts a torn last line off the file.
Status replay_task_updates(const std::string& path, LiveTask& t) {
  Result<std::string> text = read_file(path);
  if (!text) return text.error();
  const std::string& all = text.value();
  const size_t last_newline = all.rfind('\n');
  const size_t whole = last_newline == std::string::npos ? 0 : last_newline + 1;
  if (whole < all.size() && ::truncate(path.c_str(), static_cast<off_t>(whole)) != 0) {
    return Error{"cannot cut the torn last line off " + path + ": " + std::strerror(errno)};
  }
  size_t line_number = 0;
  for (size_t begin = 0; begin < whole;) {
    const size_t end = all.find('\n', begin);
    const std::string_view line(all.data() + begin, end - begin);
    begin = end + 1;
    ++line_number;
    const std::string where = path + ":" + std::to_string(line_number);
    json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) return Error{where + ": not a JSON object"};
    Reader r(where);
    apply_changes(r, j, t);
    if (r.failed()) return Error{r.error()};
  }
  return Status::success();
}

// nullopt if the directory has no task.json yet (a crash before its rename).
Result<std::optional<LiveTask>> read_task(const std::string& dir,
                                          const v1::FrameworkID& framework_id) {
  const std::string info_path = dir + "/task.json";
  if (!path_exists(info_path)) return std::optional<LiveTask>();
  Result<std::string> text = read_file(info_path);
  if (!text) return text.error();
  json j = json::parse(text.value(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Error{info_path + ": not a JSON object"};
  Reader r(info_path);
  LiveTask t = task_from_json(r, j, framework_id);
  if (r.failed()) return Error{r.error()};
  const std::string updates_path = dir + "/task.updates";
  if (path_exists(updates_path)) {
    if (Status replayed = replay_task_updates(updates_path, t); !replayed) {
      return replayed.error();
    }
  }
  t.state = t.statuses.empty() ? v1::TaskState::TASK_STAGING : t.statuses.back().first;
  t.checkpointed.recorded = true;
  t.checkpointed.launched = !t.container.empty();
  t.checkpointed.killing = t.killing;
  t.checkpointed.statuses = t.statuses.size();
  t.checkpointed.acknowledged = t.acknowledged;
  t.checkpointed.updates = t.acknowledged + t.unacknowledged.size();
  return std::optional<LiveTask>(std::move(t));
}

v1::FrameworkInfo framework_from_json(Reader& r, const json& j) {
  v1::FrameworkInfo info;
  info.id = v1::FrameworkID{r.str(j, "id", "")};
  info.name = r.str(j, "name", "");
  info.user = r.str(j, "user", "");
  if (const json* roles = r.field(j, "roles", "", json::value_t::array)) {
    for (const json& role : *roles) {
      if (!role.is_string()) {
        r.fail("expected strings in 'roles'");
        break;
      }
      info.roles.push_back(role.get<std::string>());
    }
  }
  if (const json* caps = r.field(j, "capabilities", "", json::value_t::array)) {
    for (const json& c : *caps) {
      std::optional<v1::FrameworkCapability> cap =
          c.is_string() ? v1::parse_capability(c.get<std::string>()) : std::nullopt;
      if (cap)
        info.capabilities.push_back(*cap);
      else
        r.fail("unknown capability " + c.dump() + " at 'capabilities'");
    }
  }
  if (const json* t = r.field(j, "failover_timeout", "", json::value_t::number_float)) {
    info.failover_timeout = t->get<double>();
  }
  info.principal = r.str(j, "principal", "");
  info.hostname = r.str(j, "hostname", "");
  info.checkpoint = r.boolean(j, "checkpoint", "");
  return info;
}

// nullopt if the directory has no framework.json yet (a crash before its rename).
Result<std::optional<LiveFramework>> read_framework(const std::string& dir) {
  const std::string info_path = dir + "/framework.json";
  if (!path_exists(info_path)) return std::optional<LiveFramework>();
  Result<std::string> text = read_file(info_path);
  if (!text) return text.error();
  json j = json::parse(text.value(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Error{info_path + ": not a JSON object"};
  Reader r(info_path);
  LiveFramework f;
  f.info = framework_from_json(r, j);
  if (r.failed()) return Error{r.error()};
  f.checkpointed = f.info;
  const std::string tasks_dir = dir + "/tasks";
  if (!is_directory(tasks_dir)) return std::optional<LiveFramework>(std::move(f));
  Result<std::vector<std::string>> names = list_subdirectories(tasks_dir);
  if (!names) return names.error();
  for (const std::string& name : names.value()) {
    Result<std::optional<LiveTask>> task = read_task(tasks_dir + "/" + name, *f.info.id);
    if (!task) return task.error();
    if (!task.value()) continue;
    const v1::TaskID task_id = task.value()->info.task_id;
    f.tasks.emplace(task_id, std::move(*task.value()));
  }
  return std::optional<LiveFramework>(std::move(f));
}

Result<std::optional<v1::AgentID>> read_agent_id(const std::string& path) {
  Result<std::string> text = read_file(path);
  if (!text) return text.error();
  json j = json::parse(text.value(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Error{path + ": not a JSON object"};
  if (j.contains("frameworks")) {
    return Error{path +
                 ": written by an earlier mesosim that kept all its tasks in this one file, a "
                 "format never released; remove the work dir"};
  }
  if (!j.contains("agent_id")) return std::optional<v1::AgentID>();
  Reader r(path);
  v1::AgentID id{r.str(j, "agent_id", "")};
  if (r.failed()) return Error{r.error()};
  return std::optional<v1::AgentID>(std::move(id));
}

}  // namespace

Result<std::optional<AgentCheckpoint>> read_agent_checkpoint(const std::string& work_dir) {
  const std::string agent_path = agent_checkpoint_path(work_dir);
  const std::string frameworks = frameworks_checkpoint_dir(work_dir);
  const bool has_agent = path_exists(agent_path);
  if (!has_agent && !is_directory(frameworks)) return std::optional<AgentCheckpoint>();
  AgentCheckpoint checkpoint;
  if (has_agent) {
    Result<std::optional<v1::AgentID>> id = read_agent_id(agent_path);
    if (!id) return id.error();
    checkpoint.agent_id = id.value();
  }
  if (is_directory(frameworks)) {
    Result<std::vector<std::string>> names = list_subdirectories(frameworks);
    if (!names) return names.error();
    for (const std::string& name : names.value()) {
      Result<std::optional<LiveFramework>> framework = read_framework(frameworks + "/" + name);
      if (!framework) return framework.error();
      if (framework.value()) checkpoint.frameworks.push_back(std::move(*framework.value()));
    }
  }
  return std::optional<AgentCheckpoint>(std::move(checkpoint));
}

}  // namespace mesosim::live
