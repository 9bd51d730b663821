#include "sim/live/registry_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sim/live/control_files.hpp"
#include "sim/live/internal_types_json.hpp"
#include "sim/live/v1_json_reader.hpp"

namespace mesosim::live {
namespace {

using detail::Json;
using detail::JsonIn;

std::string_view state_name(Registry::AgentState state) {
  switch (state) {
    case Registry::AgentState::kAdmitted:
      return "admitted";
    case Registry::AgentState::kUnreachable:
      return "unreachable";
    case Registry::AgentState::kGone:
      return "gone";
  }
  return "admitted";
}

Registry::AgentState read_state(const JsonIn& object, const std::string& path) {
  const std::string text = detail::string_field(object, "state", path);
  for (auto state : {Registry::AgentState::kAdmitted, Registry::AgentState::kUnreachable,
                     Registry::AgentState::kGone}) {
    if (text == state_name(state)) return state;
  }
  detail::fail_expected("admitted, unreachable or gone", detail::path_of(path, "state"),
                        JsonIn(text));
}

Json quota_json(const Quota& q) {
  Json limits = Json::object();
  for (const auto& [name, value] : q.limits) limits[std::string(name.str())] = value.to_string();
  return {{"guarantees", q.guarantees.to_string()}, {"limits", std::move(limits)}};
}

Quota read_quota(const JsonIn& value, const std::string& path) {
  detail::require_object(value, path);
  Quota q;
  const std::string guarantees = detail::string_field(value, "guarantees", path);
  Result<Quantities> parsed = Quantities::parse(guarantees);
  if (!parsed) {
    detail::fail(
        fmt::format("at '{}': {}", detail::path_of(path, "guarantees"), parsed.error().message));
  }
  q.guarantees = std::move(parsed).value();
  const std::string limits_path = detail::path_of(path, "limits");
  const JsonIn& limits = detail::object_field(value, "limits", path);
  for (const auto& [name, limit] : limits.items()) {
    std::optional<Scalar> s =
        limit.is_string() ? Scalar::parse(limit.get<std::string>()) : std::nullopt;
    if (!s)
      detail::fail_expected("a decimal as a string", detail::path_of(limits_path, name), limit);
    q.limits.emplace_back(ResourceName::of(name), *s);
  }
  return q;
}

Registry::Agent read_agent(const JsonIn& value, const std::string& path) {
  detail::require_object(value, path);
  const std::string info_path = detail::path_of(path, "info");
  Registry::Agent agent;
  agent.info = detail::read_agent_info(detail::object_field(value, "info", path), info_path);
  if (!agent.info.id) detail::fail_missing(detail::path_of(info_path, "id"));
  agent.state = read_state(value, path);
  agent.since = Time::from_micros(detail::read_micros(value, "since_us", path));
  return agent;
}

Registry read_document(const JsonIn& j) {
  detail::require_object(j, "");
  const JsonIn* format = detail::member(j, "format");
  if (format == nullptr) detail::fail_missing("format");
  if (!format->is_number_integer() || format->get<int64_t>() != kRegistryFormat) {
    detail::fail_expected(fmt::format("format {}", kRegistryFormat), "format", *format);
  }
  Registry registry;
  const JsonIn& agents = detail::array_field(j, "agents", "");
  for (size_t i = 0; i < agents.size(); ++i) {
    const std::string at = detail::path_of("agents", i);
    Registry::Agent agent = read_agent(agents[i], at);
    const std::string id = agent.info.id->value;
    if (!registry.agents.emplace(id, std::move(agent)).second) {
      detail::fail(fmt::format("at '{}': agent '{}' is listed twice", at, id));
    }
  }
  if (const JsonIn* weights = detail::optional_object_field(j, "weights", "")) {
    for (const auto& [role, weight] : weights->items()) {
      const std::string at = detail::path_of("weights", role);
      if (!weight.is_number() || !std::isfinite(weight.get<double>()) ||
          weight.get<double>() <= 0) {
        detail::fail_expected("a positive number", at, weight);
      }
      registry.weights[role] = weight.get<double>();
    }
  }
  if (const JsonIn* quotas = detail::optional_object_field(j, "quotas", "")) {
    for (const auto& [role, quota] : quotas->items()) {
      registry.quotas[role] = read_quota(quota, detail::path_of("quotas", role));
    }
  }
  return registry;
}

Status fsync_directory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Error{fmt::format("cannot open {}: {}", dir, std::strerror(errno))};
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return Error{fmt::format("cannot fsync {}: {}", dir, std::strerror(err))};
  return Status::success();
}

}  // namespace

std::string registry_to_json(const Registry& registry) {
  Json agents = Json::array();
  for (const auto& [id, agent] : registry.agents) {
    agents.push_back({{"info", detail::agent_info_json(agent.info)},
                      {"state", state_name(agent.state)},
                      {"since_us", agent.since.micros()}});
  }
  Json weights = Json::object();
  for (const auto& [role, weight] : registry.weights) weights[role] = weight;
  Json quotas = Json::object();
  for (const auto& [role, quota] : registry.quotas) quotas[role] = quota_json(quota);
  const Json j{{"format", kRegistryFormat},
               {"agents", std::move(agents)},
               {"weights", std::move(weights)},
               {"quotas", std::move(quotas)}};
  return j.dump() + "\n";
}

Result<Registry> parse_registry(std::string_view text, const std::string& source) {
  JsonIn j = JsonIn::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Error{source + ": not valid JSON"};
  try {
    return read_document(j);
  } catch (const detail::JsonDecodeFailure& failure) {
    return Error{source + ": " + failure.message};
  }
}

std::string registry_path(const std::string& work_dir) { return work_dir + "/registry.json"; }

Status write_registry(const std::string& work_dir, const Registry& registry) {
  if (Status s = write_file_atomically(registry_path(work_dir), registry_to_json(registry)); !s) {
    return s;
  }
  // The rename is durable only once the directory is.
  return fsync_directory(work_dir);
}

Result<std::optional<Registry>> read_registry(const std::string& work_dir) {
  const std::string path = registry_path(work_dir);
  if (!path_exists(path)) return std::optional<Registry>();
  Result<std::string> text = read_file(path);
  if (!text) return text.error();
  Result<Registry> parsed = parse_registry(text.value(), path);
  if (!parsed) return parsed.error();
  return std::optional<Registry>(std::move(parsed).value());
}

}  // namespace mesosim::live
