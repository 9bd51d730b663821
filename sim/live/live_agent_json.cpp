#include "sim/live/live_agent_json.hpp"

#include <map>
#include <utility>

namespace mesosim::live {
namespace {

using nlohmann::json;

std::string resource_label(const ResourceKey& key) {
  std::string name(key.name.str());
  return key.revocable ? name + "_revocable" : name;
}

json task_json(const LiveTask& task, const v1::AgentID& agent_id) {
  json statuses = json::array();
  for (const auto& [state, at] : task.statuses) {
    statuses.push_back({{"state", v1::to_string(state)}, {"timestamp", at.seconds_f()}});
  }
  json j = {{"id", task.info.task_id.value},
            {"name", task.info.name},
            {"framework_id", task.framework_id.value},
            {"executor_id", task.executor_id.value},
            {"slave_id", agent_id.value},
            {"state", v1::to_string(task.state)},
            {"resources", agent_resources_model(task.info.resources)},
            {"role", task.role},
            {"statuses", statuses}};
  if (!task.info.labels.empty()) {
    json labels = json::array();
    for (const auto& [key, value] : task.info.labels) {
      labels.push_back({{"key", key}, {"value", value}});
    }
    j["labels"] = std::move(labels);
  }
  return j;
}

// One command executor per task: it holds the task while it lives, and the task is its completed
// task once it has ended.
// A task whose launch is queued is the executor's queued task, as Mesos lists a task not yet
// delivered to its executor.
json executor_json(const LiveTask& task, const v1::AgentID& agent_id) {
  const bool live = !v1::is_terminal(task.state);
  json tasks = json::array();
  json queued = json::array();
  json completed = json::array();
  (!live ? completed : task.launch_pending() ? queued : tasks).push_back(task_json(task, agent_id));
  return {{"id", task.executor_id.value},
          {"name", command_executor_name(task.info)},
          {"source", task.info.task_id.value},
          {"container", task.container},
          {"directory", task.sandbox},
          {"resources", agent_resources_model(live ? task.info.resources : Resources{})},
          {"role", task.role},
          {"tasks", tasks},
          {"queued_tasks", queued},
          {"completed_tasks", completed}};
}

json framework_json(const LiveFramework& framework, const v1::AgentID& agent_id) {
  const v1::FrameworkInfo& info = framework.info;
  json j = {{"id", info.id ? info.id->value : ""},
            {"name", info.name},
            {"user", info.user},
            {"failover_timeout", info.failover_timeout},
            {"checkpoint", info.checkpoint},
            {"hostname", info.hostname}};
  if (!info.principal.empty()) j["principal"] = info.principal;
  if (info.has(v1::FrameworkCapability::MULTI_ROLE)) {
    j["roles"] = info.roles;
  } else {
    j["role"] = info.roles.empty() ? std::string("*") : info.roles.front();
  }
  json executors = json::array();
  json completed = json::array();
  for (const auto& [task_id, task] : framework.tasks) {
    (v1::is_terminal(task.state) ? completed : executors).push_back(executor_json(task, agent_id));
  }
  for (const LiveTask& task : framework.completed)
    completed.push_back(executor_json(task, agent_id));
  j["executors"] = std::move(executors);
  j["completed_executors"] = std::move(completed);
  return j;
}

json statistics_json(const ResourceStatistics& s, Time now) {
  return {{"timestamp", now.seconds_f()},
          {"processes", s.processes},
          {"cpus_user_time_secs", s.cpus_user_time_secs},
          {"cpus_system_time_secs", s.cpus_system_time_secs},
          {"cpus_limit", s.cpus_limit},
          {"cpus_nr_periods", s.cpus_nr_periods},
          {"cpus_nr_throttled", s.cpus_nr_throttled},
          {"cpus_throttled_time_secs", s.cpus_throttled_time_secs},
          {"mem_total_bytes", s.mem_total_bytes},
          {"mem_rss_bytes", s.mem_rss_bytes},
          {"mem_cache_bytes", s.mem_cache_bytes},
          {"mem_limit_bytes", s.mem_limit_bytes},
          {"mem_soft_limit_bytes", s.mem_soft_limit_bytes}};
}

// {role: model(resources reserved to it)}, as Mesos's reserved_resources.
json reserved_resources_model(const Resources& total) {
  const Resources reserved = total.reserved();
  std::map<std::string, Resources> by_role;
  for (const auto& entry : reserved.scalar_entries()) {
    by_role[entry.key.reservation.role()].add(entry.key, entry.value);
  }
  for (const auto& entry : reserved.range_entries()) {
    by_role[entry.key.reservation.role()].add(entry.key, entry.value);
  }
  json out = json::object();
  for (const auto& [role, resources] : by_role) out[role] = agent_resources_model(resources);
  return out;
}

}  // namespace

json agent_resources_model(const Resources& resources) {
  json j = {{"cpus", 0.0}, {"gpus", 0.0}, {"mem", 0.0}, {"disk", 0.0}};
  std::map<std::string, Scalar> scalars;
  for (const auto& entry : resources.scalar_entries())
    scalars[resource_label(entry.key)] += entry.value;
  for (const auto& [name, value] : scalars) j[name] = value.to_double();
  std::map<std::string, RangeSet> ranges;
  for (const auto& entry : resources.range_entries())
    ranges[resource_label(entry.key)].add(entry.value);
  for (const auto& [name, set] : ranges) {
    std::string text = "[";
    for (const Interval& i : set.intervals()) {
      if (text.size() > 1) text += ", ";
      text += std::to_string(i.begin) + "-" + std::to_string(i.end);
    }
    j[name] = text + "]";
  }
  return j;
}

std::string command_executor_name(const v1::TaskInfo& task) {
  std::string name = "(Task: " + task.task_id.value + ") ";
  if (!task.command || !task.command->shell) {
    name += "(Command: NO COMMAND)";
  } else {
    const std::string& value = task.command->value;
    name += "(Command: sh -c '" + (value.size() > 15 ? value.substr(0, 12) + "..." : value) + "')";
  }
  return "Command Executor " + name;
}

json agent_state_json(const LiveAgent& agent, std::string_view version, const json& flags) {
  const LiveAgentConfig& config = agent.config();
  const v1::AgentID agent_id = agent.agent_id().value_or(v1::AgentID{});
  json attributes = json::object();
  for (const v1::Attribute& a : config.attributes) attributes[a.name] = a.value;
  json frameworks = json::array();
  for (const auto& [id, framework] : agent.frameworks())
    frameworks.push_back(framework_json(framework, agent_id));
  json completed = json::array();
  for (const LiveFramework& framework : agent.completed_frameworks()) {
    completed.push_back(framework_json(framework, agent_id));
  }
  return {{"version", std::string(version)},
          {"start_time", agent.start_time().seconds_f()},
          {"id", agent_id.value},
          {"pid", "slave(1)@" + config.hostname + ":" + std::to_string(config.port)},
          {"hostname", config.hostname},
          {"capabilities", json::array()},
          {"resources", agent_resources_model(config.resources)},
          {"reserved_resources", reserved_resources_model(config.resources)},
          {"unreserved_resources", agent_resources_model(config.resources.unreserved())},
          {"attributes", attributes},
          {"flags", flags},
          {"frameworks", frameworks},
          {"completed_frameworks", completed}};
}

json monitor_statistics_json(const LiveAgent& agent, Time now) {
  json out = json::array();
  for (const LiveAgent::MeasuredTask& measured : agent.measure_running_tasks()) {
    if (!measured.stats) continue;
    const LiveTask& task = *measured.task;
    out.push_back({{"executor_id", task.executor_id.value},
                   {"executor_name", command_executor_name(task.info)},
                   {"framework_id", measured.framework_id->value},
                   {"source", measured.task_id->value},
                   {"statistics", statistics_json(measured.stats.value(), now)}});
  }
  return out;
}

}  // namespace mesosim::live
