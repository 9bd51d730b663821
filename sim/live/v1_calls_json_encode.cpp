// v1 scheduler Calls -> JSON, the inverse of decode_call: what a v1 framework sends. Tests
// round-trip through it, and tools that play a framework against a live master use it.

#include "sim/live/uuid.hpp"
#include "sim/live/v1_json.hpp"

namespace mesosim::live {

using nlohmann::ordered_json;
namespace sched = v1::scheduler;

namespace {

template <typename Tag>
ordered_json id_json(const v1::StringId<Tag>& id) {
  return {{"value", id.value}};
}

template <typename Id>
ordered_json id_list(const std::vector<Id>& ids) {
  ordered_json out = ordered_json::array();
  for (const Id& id : ids) out.push_back(id_json(id));
  return out;
}

ordered_json labels_json(const std::vector<std::pair<std::string, std::string>>& labels) {
  ordered_json list = ordered_json::array();
  for (const auto& [k, v] : labels) list.push_back({{"key", k}, {"value", v}});
  return {{"labels", list}};
}

ordered_json framework_info_json(const v1::FrameworkInfo& f) {
  ordered_json j;
  j["user"] = f.user;
  j["name"] = f.name;
  if (f.id) j["id"] = id_json(*f.id);
  j["failover_timeout"] = f.failover_timeout;
  j["checkpoint"] = f.checkpoint;
  const bool multi_role = f.has(v1::FrameworkCapability::MULTI_ROLE);
  if (!multi_role && !f.roles.empty()) j["role"] = f.roles[0];
  if (multi_role) j["roles"] = f.roles;
  if (!f.hostname.empty()) j["hostname"] = f.hostname;
  if (!f.principal.empty()) j["principal"] = f.principal;
  if (!f.capabilities.empty()) {
    ordered_json caps = ordered_json::array();
    for (v1::FrameworkCapability c : f.capabilities) {
      caps.push_back({{"type", std::string(v1::to_string(c))}});
    }
    j["capabilities"] = caps;
  }
  return j;
}

ordered_json command_json(const v1::CommandInfo& c) {
  ordered_json j;
  if (!c.environment.empty()) {
    ordered_json vars = ordered_json::array();
    for (const auto& [name, value] : c.environment) {
      vars.push_back({{"name", name}, {"type", "VALUE"}, {"value", value}});
    }
    j["environment"] = {{"variables", vars}};
  }
  j["shell"] = c.shell;
  if (!c.value.empty()) j["value"] = c.value;
  if (!c.arguments.empty()) j["arguments"] = c.arguments;
  return j;
}

ordered_json task_json(const v1::TaskInfo& t, const EncodeOptions& options) {
  ordered_json j;
  j["name"] = t.name;
  j["task_id"] = id_json(t.task_id);
  j["agent_id"] = id_json(t.agent_id);
  j["resources"] = resources_to_json(t.resources, "", options);
  if (t.executor) {
    ordered_json e;
    e["executor_id"] = id_json(t.executor->executor_id);
    e["command"] = command_json(t.executor->command);
    e["resources"] = resources_to_json(t.executor->resources, "", options);
    if (!t.executor->name.empty()) e["name"] = t.executor->name;
    j["executor"] = e;
  }
  if (t.command) j["command"] = command_json(*t.command);
  if (!t.labels.empty()) j["labels"] = labels_json(t.labels);
  return j;
}

ordered_json filters_json(const v1::Filters& f) {
  ordered_json j = ordered_json::object();
  if (f.refuse_seconds) j["refuse_seconds"] = *f.refuse_seconds;
  return j;
}

struct CallBody {
  EncodeOptions options;  // post-refinement: it round-trips every reservation exactly

  ordered_json operator()(const sched::Subscribe& c) const {
    ordered_json j;
    j["framework_info"] = framework_info_json(c.framework_info);
    if (!c.suppressed_roles.empty()) j["suppressed_roles"] = c.suppressed_roles;
    return j;
  }
  ordered_json operator()(const sched::Teardown&) const { return nullptr; }
  ordered_json operator()(const sched::Accept& c) const {
    ordered_json ops = ordered_json::array();
    for (const v1::Operation& op : c.operations) {
      ordered_json o;
      o["type"] = std::string(v1::to_string(op.type));
      if (op.type == v1::Operation::Type::LAUNCH) {
        ordered_json tasks = ordered_json::array();
        for (const v1::TaskInfo& t : op.task_infos) tasks.push_back(task_json(t, options));
        o["launch"] = {{"task_infos", tasks}};
      } else {
        const char* key = op.type == v1::Operation::Type::RESERVE ? "reserve" : "unreserve";
        o[key] = {{"resources", resources_to_json(op.resources, "", options)}};
      }
      ops.push_back(std::move(o));
    }
    return {{"offer_ids", id_list(c.offer_ids)},
            {"operations", ops},
            {"filters", filters_json(c.filters)}};
  }
  ordered_json operator()(const sched::Decline& c) const {
    return {{"offer_ids", id_list(c.offer_ids)}, {"filters", filters_json(c.filters)}};
  }
  ordered_json operator()(const sched::Revive& c) const { return {{"roles", c.roles}}; }
  ordered_json operator()(const sched::Suppress& c) const { return {{"roles", c.roles}}; }
  ordered_json operator()(const sched::Kill& c) const {
    ordered_json j;
    j["task_id"] = id_json(c.task_id);
    if (c.agent_id) j["agent_id"] = id_json(*c.agent_id);
    return j;
  }
  ordered_json operator()(const sched::Acknowledge& c) const {
    return {{"agent_id", id_json(c.agent_id)},
            {"task_id", id_json(c.task_id)},
            {"uuid", base64_encode(c.uuid.view())}};
  }
  ordered_json operator()(const sched::Reconcile& c) const {
    ordered_json tasks = ordered_json::array();
    for (const sched::Reconcile::Task& t : c.tasks) {
      ordered_json task;
      task["task_id"] = id_json(t.task_id);
      if (t.agent_id) task["agent_id"] = id_json(*t.agent_id);
      tasks.push_back(std::move(task));
    }
    return {{"tasks", tasks}};
  }
  // The wire holds Mesos's fields only: one entry per task, agent_id and resources.
  ordered_json operator()(const sched::Request& c) const {
    ordered_json requests = ordered_json::array();
    for (const sched::ResourceRequest& r : c.requests) {
      ordered_json one;
      if (r.agent_id) one["agent_id"] = id_json(*r.agent_id);
      one["resources"] = resources_to_json(r.resources, "", options);
      for (uint32_t i = 0; i < r.count; ++i) requests.push_back(one);
    }
    return {{"requests", requests}};
  }
  ordered_json operator()(const sched::Message& c) const {
    return {{"agent_id", id_json(c.agent_id)},
            {"executor_id", id_json(c.executor_id)},
            {"data", base64_encode(c.data)}};
  }
  ordered_json operator()(const sched::Shutdown& c) const {
    return {{"executor_id", id_json(c.executor_id)}, {"agent_id", id_json(c.agent_id)}};
  }
  ordered_json operator()(const sched::UpdateFramework& c) const {
    ordered_json j;
    j["framework_info"] = framework_info_json(c.framework_info);
    if (!c.suppressed_roles.empty()) j["suppressed_roles"] = c.suppressed_roles;
    return j;
  }
};

}  // namespace

ordered_json call_to_json(const sched::Call& call) {
  ordered_json j;
  if (call.framework_id) j["framework_id"] = id_json(*call.framework_id);
  std::string_view type = sched::call_type(call);
  j["type"] = std::string(type);
  ordered_json body =
      std::visit(CallBody{EncodeOptions{ResourceFormat::kPostRefinement}}, call.call);
  if (!body.is_null()) {
    std::string key(type);
    for (char& ch : key) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    j[key] = std::move(body);
  }
  return j;
}

}  // namespace mesosim::live
