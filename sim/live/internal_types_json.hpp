#pragma once

// Internal to sim/live: the JSON of the protocol structs that internal messages are made of
// (internal_messages_json.hpp). Decoders throw detail::JsonDecodeFailure like v1_json_reader.

#include <string>

#include <nlohmann/json.hpp>

#include "sim/master/protocol.hpp"

namespace mesosim::live::detail {

using Json = nlohmann::ordered_json;
using JsonIn = nlohmann::json;

Json resources_text(const Resources& resources);
Resources read_resources(const JsonIn& object, std::string_view key, const std::string& path);

Json agent_info_json(const v1::AgentInfo& agent);
v1::AgentInfo read_agent_info(const JsonIn& value, const std::string& path);
Json framework_info_json(const v1::FrameworkInfo& framework);
v1::FrameworkInfo read_framework_info(const JsonIn& value, const std::string& path);
Json task_info_json(const v1::TaskInfo& task);
v1::TaskInfo read_task_info(const JsonIn& value, const std::string& path);
Json task_json(const v1::Task& task);
v1::Task read_task(const JsonIn& value, const std::string& path);
Json task_status_json(const v1::TaskStatus& status);
v1::TaskStatus read_task_status(const JsonIn& value, const std::string& path);

template <typename Tag>
Json id_json(const v1::StringId<Tag>& id) {
  return {{"value", id.value}};
}
int64_t read_micros(const JsonIn& object, std::string_view key, const std::string& path);
v1::TaskState read_task_state(const JsonIn& object, std::string_view key, const std::string& path);

}  // namespace mesosim::live::detail
