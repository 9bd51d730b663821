#include "sim/live/live_agent_options.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <charconv>
#include <climits>
#include <filesystem>
#include <utility>

#include "sim/live/control_files.hpp"

namespace mesosim::live {
namespace {

bool attribute_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '/' || c == '-';
}

std::string trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

// One "name:value" item of --attributes, starting at 1-based `column`.
Result<v1::Attribute> parse_attribute(std::string_view item, size_t number, size_t column) {
  const std::string where = "--attributes: item " + std::to_string(number) + " ('" +
                            std::string(item) + "') at column " + std::to_string(column);
  const size_t colon = item.find(':');
  if (colon == std::string_view::npos) return Error{where + ": expected 'name:value'"};
  std::string name = trimmed(item.substr(0, colon));
  std::string value = trimmed(item.substr(colon + 1));
  if (name.empty()) return Error{where + ": expected a name before ':'"};
  for (char c : name) {
    if (!attribute_name_char(c)) {
      return Error{where + ": expected a name of letters, digits, '_', '.', '/' or '-', found '" +
                   std::string(1, c) + "'"};
    }
  }
  if (value.empty()) return Error{where + ": expected a value after ':'"};
  return v1::Attribute{std::move(name), std::move(value)};
}

}  // namespace

Result<MasterAddress> parse_master_flag(std::string_view text) {
  const std::string found = "'" + std::string(text) + "'";
  if (text.starts_with("zk://") || text.starts_with("file://")) {
    return Error{"--master: expected host:port, found " + found +
                 " (mesosim has no ZooKeeper or file detector)"};
  }
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Error{"--master: expected host:port, found " + found};
  }
  std::string_view port_text = text.substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
      port == 0 || port > 65535) {
    return Error{"--master: expected a port 1-65535 after ':', found '" + std::string(port_text) +
                 "' in " + found};
  }
  return MasterAddress{std::string(text.substr(0, colon)), static_cast<uint16_t>(port)};
}

Result<Resources> parse_resources_flag(std::string_view text) {
  if (trimmed(text).empty()) return Error{"--resources: expected resources, found nothing"};
  Result<Resources> parsed = Resources::parse(text);
  if (!parsed) return Error{"--resources: " + parsed.error().message};
  return parsed;
}

Result<std::vector<v1::Attribute>> parse_attributes_flag(std::string_view text) {
  std::vector<v1::Attribute> attributes;
  size_t start = 0;
  size_t number = 0;
  while (start <= text.size()) {
    size_t end = text.find(';', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view item = text.substr(start, end - start);
    ++number;
    // A trailing ';' (or an empty flag) adds nothing, as in Mesos.
    if (!trimmed(item).empty() || end != text.size()) {
      Result<v1::Attribute> attribute = parse_attribute(item, number, start + 1);
      if (!attribute) return attribute.error();
      attributes.push_back(std::move(attribute).value());
    }
    start = end + 1;
  }
  return attributes;
}

Result<std::string> parse_isolation_flag(std::string_view text) {
  for (std::string_view kind : {"auto", "cgroups", "cgroups/v1", "cgroups/v2", "posix"}) {
    if (text == kind) return std::string(kind);
  }
  // A Mesos isolator list: every item of one family.
  bool cgroups = false;
  bool posix = false;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view item = text.substr(start, end - start);
    if (item == "cgroups/cpu" || item == "cgroups/mem" || item == "cgroups/pids") {
      cgroups = true;
    } else if (item == "posix/cpu" || item == "posix/mem") {
      posix = true;
    } else {
      return Error{
          "--isolation: expected auto, cgroups, cgroups/v1, cgroups/v2, posix or a list "
          "of cgroups/cpu, cgroups/mem, cgroups/pids, posix/cpu, posix/mem; found '" +
          std::string(item) + "' at column " + std::to_string(start + 1)};
    }
    start = end + 1;
  }
  if (cgroups && posix) {
    return Error{"--isolation: '" + std::string(text) + "' mixes cgroups and posix isolators"};
  }
  return std::string(cgroups ? "cgroups" : "posix");
}

Result<Duration> parse_duration_flag(std::string_view text, std::string_view flag) {
  static constexpr std::pair<std::string_view, double> kUnits[] = {
      {"ns", 1e-3},   {"us", 1},       {"ms", 1e3},       {"secs", 1e6},
      {"mins", 60e6}, {"hrs", 3600e6}, {"days", 86400e6}, {"weeks", 604800e6}};
  const std::string found = "'" + std::string(text) + "'";
  size_t digits = 0;
  while (digits < text.size() &&
         ((text[digits] >= '0' && text[digits] <= '9') || text[digits] == '.')) {
    ++digits;
  }
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + digits, value);
  if (digits == 0 || ec != std::errc() || end != text.data() + digits) {
    return Error{"--" + std::string(flag) + ": expected a number and a unit (e.g. 5secs), found " +
                 found};
  }
  const std::string_view unit = text.substr(digits);
  for (const auto& [name, micros] : kUnits) {
    if (unit == name) return Duration::from_seconds(value * micros / 1e6);
  }
  return Error{"--" + std::string(flag) +
               ": expected a unit ns, us, ms, secs, mins, hrs, days or " +
               "weeks after the number, found '" + std::string(unit) + "' in " + found};
}

Result<bool> parse_bool_flag(std::string_view text, std::string_view flag) {
  if (text == "true" || text == "1") return true;
  if (text == "false" || text == "0") return false;
  return Error{"--" + std::string(flag) + ": expected true or false, found '" + std::string(text) +
               "'"};
}

Result<LiveAgentConfig> agent_config(const LiveAgentOptions& options, const MachineFacts& facts,
                                     std::string default_hostname) {
  if (options.work_dir.empty()) return Error{"--work_dir: required, found nothing"};
  if (Result<MasterAddress> master = parse_master_flag(options.master); !master) {
    return master.error();
  }
  if (Result<std::string> isolation = parse_isolation_flag(options.isolation); !isolation) {
    return isolation.error();
  }
  if (options.executor_shutdown_grace_period < Duration::zero()) {
    return Error{"--executor_shutdown_grace_period: expected a duration >= 0, found " +
                 options.executor_shutdown_grace_period.to_string()};
  }
  LiveAgentConfig config;
  Resources given;
  if (options.resources) {
    Result<Resources> parsed = parse_resources_flag(*options.resources);
    if (!parsed) return parsed.error();
    given = std::move(parsed).value();
  }
  config.resources = agent_resources(facts, given);
  if (options.attributes) {
    Result<std::vector<v1::Attribute>> parsed = parse_attributes_flag(*options.attributes);
    if (!parsed) return parsed.error();
    config.attributes = std::move(parsed).value();
  }
  config.hostname = options.hostname ? *options.hostname : std::move(default_hostname);
  if (config.hostname.empty()) return Error{"--hostname: expected a host name, found nothing"};
  config.port = options.port;
  config.work_dir = options.work_dir;
  config.executor_shutdown_grace_period = options.executor_shutdown_grace_period;
  return config;
}

Result<LiveAgentConfig> agent_config(const LiveAgentOptions& options) {
  if (options.work_dir.empty()) return Error{"--work_dir: required, found nothing"};
  if (Status made = make_directories(options.work_dir); !made) {
    return Error{"--work_dir: " + made.error().message};
  }
  Result<MachineFacts> facts = probe_machine(options.work_dir);
  if (!facts) return facts.error();
  char host[HOST_NAME_MAX + 1] = {};
  std::string hostname = ::gethostname(host, sizeof host) == 0 ? host : "localhost";
  return agent_config(options, facts.value(), std::move(hostname));
}

Result<IsolationDetection> agent_isolation(const LiveAgentOptions& options,
                                           const std::string& mount_root) {
  Result<std::string> kind = parse_isolation_flag(options.isolation);
  if (!kind) return kind.error();
  if (kind.value() != "cgroups") return choose_isolation(kind.value(), mount_root);
  IsolationDetection detected = detect_isolation(mount_root);
  if (detected.kind == IsolationKind::kPosix) {
    return Error{"--isolation=cgroups: neither cgroups v2 nor v1 is usable: " +
                 detected.explanation};
  }
  return detected;
}

std::string container_prefix(const std::string& work_dir) {
  std::filesystem::path normal = std::filesystem::absolute(work_dir).lexically_normal();
  if (!normal.has_filename() && normal.has_relative_path()) normal = normal.parent_path();
  const std::string path = normal.string();
  uint32_t hash = 2166136261u;
  for (unsigned char c : path) {
    hash ^= c;
    hash *= 16777619u;
  }
  return fmt::format("w{:08x}-", hash);
}

ContainerizerOptions containerizer_options(const LiveAgentOptions& options,
                                           const LiveAgentConfig& config) {
  ContainerizerOptions c;
  c.work_dir = config.work_dir;
  c.switch_user = options.switch_user;
  c.agent_endpoint = config.hostname + ":" + std::to_string(config.port);
  c.container_prefix = container_prefix(config.work_dir);
  return c;
}

}  // namespace mesosim::live
