#pragma once

// The live agent's read-only HTTP data, as Mesos's agent serves it (src/slave/http.cpp,
// src/common/http.cpp); the HTTP server serves these values as they are.
//
//   /state: {version, start_time, id, pid, hostname, resources, reserved_resources,
//            unreserved_resources, attributes, master_hostname?, flags, frameworks,
//            completed_frameworks}. A framework: {id, name, user, failover_timeout, checkpoint,
//            hostname, principal?, role | roles (MULTI_ROLE), executors, completed_executors}.
//            An executor (one command executor per task, id = task id): {id, name ("Command
//            Executor (Task: t) (Command: sh -c '...')"), source, container, directory,
//            resources, role, tasks, queued_tasks, completed_tasks}. A task: {id, name,
//            framework_id, executor_id, slave_id, state, resources, role, statuses [{state,
//            timestamp}], labels? [{key, value}]}. Live tasks are in `executors` (a STAGING
//            task whose launch is queued in its executor's `queued_tasks`, the others in
//            `tasks`); terminal ones (acknowledged or not) in `completed_executors`.
//   Resources as Mesos models them: {"cpus":0.5,"gpus":0,"mem":64,"disk":0,
//            "ports":"[31000-32000]"}; scalars summed over roles, revocable ones as
//            "<name>_revocable"; cpus, gpus, mem and disk always present.
//
//   /monitor/statistics: [{executor_id, executor_name, framework_id, source, statistics:
//            {timestamp, processes, cpus_user_time_secs, cpus_system_time_secs, cpus_limit,
//            cpus_nr_periods, cpus_nr_throttled, cpus_throttled_time_secs, mem_total_bytes,
//            mem_rss_bytes, mem_cache_bytes, mem_limit_bytes, mem_soft_limit_bytes}}] for every
//            running container whose usage can be read. cpus_limit and mem_limit_bytes are the
//            task's allocated cpus and mem, as Mesos's Slave::usage sets them (for posix
//            isolation too, which enforces neither).

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "allocator/resources.hpp"
#include "allocator/time.hpp"
#include "sim/live/live_agent.hpp"

namespace mesosim::live {

// Mesos's model(Resources).
nlohmann::json agent_resources_model(const Resources& resources);
// "Command Executor (Task: t1) (Command: sh -c 'sleep 10')", the command cut to 12 characters
// and "..." when longer than 15, as Mesos names a command executor.
std::string command_executor_name(const v1::TaskInfo& task);

// `version` is the program's version string; `flags` the agent's flags as strings.
nlohmann::json agent_state_json(const LiveAgent& agent, std::string_view version,
                                const nlohmann::json& flags = nlohmann::json::object());
nlohmann::json monitor_statistics_json(const LiveAgent& agent, Time now);

}  // namespace mesosim::live
