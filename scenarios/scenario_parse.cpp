// The top level, the cluster, the allocator, faults and compare variants of a scenario file.

#include "scenarios/scenario_parse.hpp"

#include <algorithm>
#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "allocator/role_name.hpp"

namespace mesosim::scenario_yaml {
namespace {

constexpr std::string_view kGroupKeys[] = {"name",  "count",       "resources", "name_prefix",
                                           "racks", "rack_prefix", "zone",      "attributes"};
constexpr std::string_view kMachineKeys[] = {
    "trace", "reference_machine", "limit", "name_prefix",
    "racks", "rack_prefix",       "zone",  "skip_bad_rows"};
constexpr std::string_view kAllocatorKeys[] = {"policy",
                                               "allocation_interval",
                                               "min_allocatable_resources",
                                               "fair_sharing_excluded_resource_names",
                                               "default_filter",
                                               "offer_timeout",
                                               "allocate_on_task_end",
                                               "charge_cycle_time",
                                               "roles",
                                               "static",
                                               "quincy"};

AgentGroup parse_group(const YAML::Node& node, const std::string& path, const Reader& r) {
  r.check_keys(node, path, kGroupKeys);
  AgentGroup g;
  if (node["name"]) g.name = r.text(node["name"], join(path, "name"));
  if (!node["count"]) r.fail(node, path, fmt::format("{}: missing key 'count'", path));
  g.count = static_cast<int>(r.integer(node["count"], join(path, "count"), 0, 1'000'000));
  if (!node["resources"]) r.fail(node, path, fmt::format("{}: missing key 'resources'", path));
  g.resources = r.resources(node["resources"], join(path, "resources"));
  if (node["name_prefix"]) g.name_prefix = r.text(node["name_prefix"], join(path, "name_prefix"));
  if (node["racks"])
    g.racks = static_cast<int>(r.integer(node["racks"], join(path, "racks"), 1, 100'000));
  if (node["rack_prefix"]) g.rack_prefix = r.text(node["rack_prefix"], join(path, "rack_prefix"));
  if (node["zone"]) g.zone = r.text(node["zone"], join(path, "zone"));
  if (node["attributes"]) {
    g.attributes = r.text_map(node["attributes"], join(path, "attributes"));
    for (const auto& [k, v] : g.attributes) {
      if (k == "rack" || k == "zone") {
        r.fail(node["attributes"], join(path, "attributes"),
               fmt::format("{}.attributes: '{}' is set from the group's racks and zone", path, k));
      }
    }
  }
  return g;
}

MachineTraceSpec parse_machines(const YAML::Node& node, const std::string& path,
                                const ParseContext& ctx) {
  const Reader& r = ctx.reader;
  r.check_keys(node, path, kMachineKeys);
  MachineTraceSpec m;
  if (!node["trace"]) r.fail(node, path, fmt::format("{}: missing key 'trace'", path));
  const std::string tpath = join(path, "trace");
  for (const auto& f : r.text_list(node["trace"], tpath)) {
    m.files.push_back(resolve_file(node["trace"], tpath, f, ctx));
  }
  if (node["reference_machine"]) {
    m.reference_machine = r.resources(node["reference_machine"], join(path, "reference_machine"));
  }
  if (node["limit"]) m.limit = r.integer(node["limit"], join(path, "limit"), 0, 10'000'000);
  if (node["name_prefix"]) m.name_prefix = r.text(node["name_prefix"], join(path, "name_prefix"));
  if (node["racks"])
    m.racks = static_cast<int>(r.integer(node["racks"], join(path, "racks"), 1, 100'000));
  if (node["rack_prefix"]) m.rack_prefix = r.text(node["rack_prefix"], join(path, "rack_prefix"));
  if (node["zone"]) m.zone = r.text(node["zone"], join(path, "zone"));
  if (node["skip_bad_rows"])
    m.skip_bad_rows = r.boolean(node["skip_bad_rows"], join(path, "skip_bad_rows"));
  return m;
}

RoleSpec parse_role(const std::string& name, const YAML::Node& key, const YAML::Node& node,
                    const std::string& path, const Reader& r) {
  if (Status s = validate_role(name); !s.ok()) {
    r.fail(key, path, fmt::format("{}: bad role name: {}", path, s.error().message));
  }
  constexpr std::string_view kRoleKeys[] = {"weight", "quota"};
  constexpr std::string_view kQuotaKeys[] = {"guarantees", "limits"};
  RoleSpec role;
  role.name = name;
  r.check_keys(node, path, kRoleKeys);
  if (node["weight"]) role.weight = r.number(node["weight"], join(path, "weight"), 1e-6, 1e9);
  if (const YAML::Node q = node["quota"]) {
    const std::string qpath = join(path, "quota");
    r.check_keys(q, qpath, kQuotaKeys);
    if (q["guarantees"])
      role.quota_guarantees = r.quantities(q["guarantees"], join(qpath, "guarantees"));
    if (q["limits"]) role.quota_limits = r.quantities(q["limits"], join(qpath, "limits"));
  }
  return role;
}

void parse_quincy(const YAML::Node& node, const std::string& path, const Reader& r,
                  AllocatorSpec& a) {
  constexpr std::string_view kQuincyKeys[] = {"remote_cost", "wait_cost", "wait_cost_per_second"};
  constexpr int64_t kMaxCost = 1'000'000'000;
  r.check_keys(node, path, kQuincyKeys);
  QuincyOptions& q = a.quincy;
  if (node["remote_cost"]) {
    q.remote_cost = r.integer(node["remote_cost"], join(path, "remote_cost"), 0, kMaxCost);
  }
  if (node["wait_cost"]) {
    q.wait_cost = r.integer(node["wait_cost"], join(path, "wait_cost"), 0, kMaxCost);
  }
  if (node["wait_cost_per_second"]) {
    q.wait_cost_per_second =
        r.integer(node["wait_cost_per_second"], join(path, "wait_cost_per_second"), 0, kMaxCost);
  }
}

void parse_static(const YAML::Node& node, const std::string& path, const Reader& r,
                  AllocatorSpec& a) {
  constexpr std::string_view kStaticKeys[] = {"mode", "partitions"};
  constexpr std::string_view kModes[] = {"slice", "whole_agents"};
  r.check_keys(node, path, kStaticKeys);
  if (node["mode"]) {
    a.static_mode = r.choice(node["mode"], join(path, "mode"), kModes, "static mode") == "slice"
                        ? StaticMode::kSliceEveryAgent
                        : StaticMode::kWholeAgents;
  }
  if (const YAML::Node p = node["partitions"]) {
    const std::string ppath = join(path, "partitions");
    r.require_map(p, ppath);
    for (auto it = p.begin(); it != p.end(); ++it) {
      const std::string role = r.text(it->first, ppath);
      a.partitions.emplace_back(role, r.number(it->second, join(ppath, role), 1e-9, 1));
    }
  }
}

}  // namespace

std::string resolve_file(const YAML::Node& node, const std::string& path, const std::string& file,
                         const ParseContext& ctx) {
  namespace fs = std::filesystem;
  fs::path p(file);
  if (p.is_relative() && !ctx.base_dir.empty()) p = fs::path(ctx.base_dir) / p;
  std::error_code ec;
  if (!fs::is_regular_file(p, ec)) {
    ctx.reader.fail(node, path,
                    fmt::format("{}: trace file '{}' not found (looked for {})", path, file,
                                p.lexically_normal().string()));
  }
  return p.lexically_normal().string();
}

std::vector<std::string> group_hostnames(const ClusterSpec& cluster) {
  std::vector<std::string> out;
  std::map<std::string, int> next;  // by prefix
  for (const auto& g : cluster.groups) {
    for (int i = 0; i < g.count; ++i)
      out.push_back(fmt::format("{}{}", g.name_prefix, next[g.name_prefix]++));
  }
  return out;
}

ClusterSpec parse_cluster(const YAML::Node& node, const ParseContext& ctx) {
  constexpr std::string_view kClusterKeys[] = {"groups", "machines"};
  const Reader& r = ctx.reader;
  r.check_keys(node, "cluster", kClusterKeys);
  ClusterSpec c;
  if (const YAML::Node groups = node["groups"]) {
    r.require_sequence(groups, "cluster.groups");
    for (size_t i = 0; i < groups.size(); ++i) {
      c.groups.push_back(parse_group(groups[i], fmt::format("cluster.groups.{}", i), r));
    }
  }
  if (node["machines"]) c.machines = parse_machines(node["machines"], "cluster.machines", ctx);
  int agents = 0;
  for (const auto& g : c.groups) agents += g.count;
  if (agents == 0 && !c.machines) {
    r.fail(node, "cluster",
           "cluster: expected at least one agent (groups with a count, or machines)");
  }
  return c;
}

AllocatorSpec parse_allocator(const YAML::Node& node, const ParseContext& ctx) {
  const Reader& r = ctx.reader;
  r.check_keys(node, "allocator", kAllocatorKeys);
  AllocatorSpec a;
  if (node["policy"]) {
    const auto known = allocator_policies();
    a.policy = r.choice(node["policy"], "allocator.policy", known, "policy");
  }
  if (node["allocation_interval"]) {
    a.allocation_interval =
        r.duration(node["allocation_interval"], "allocator.allocation_interval");
    if (a.allocation_interval <= Duration::zero()) {
      r.fail(node["allocation_interval"], "allocator.allocation_interval",
             "allocator.allocation_interval: expected a duration above zero, found 0");
    }
  }
  if (const YAML::Node m = node["min_allocatable_resources"]) {
    a.min_allocatable_resources = r.text(m, "allocator.min_allocatable_resources");
    if (auto parsed = parse_min_allocatable(a.min_allocatable_resources); !parsed.ok()) {
      r.fail(m, "allocator.min_allocatable_resources",
             fmt::format("allocator.min_allocatable_resources: bad value '{}': {}",
                         a.min_allocatable_resources, parsed.error().message));
    }
  }
  if (const YAML::Node f = node["fair_sharing_excluded_resource_names"]) {
    a.fair_sharing_excluded_resource_names =
        r.text_list(f, "allocator.fair_sharing_excluded_resource_names");
  }
  if (node["default_filter"])
    a.default_filter = r.duration(node["default_filter"], "allocator.default_filter");
  if (node["offer_timeout"])
    a.offer_timeout = r.duration(node["offer_timeout"], "allocator.offer_timeout");
  if (node["charge_cycle_time"]) {
    a.charge_cycle_time = r.boolean(node["charge_cycle_time"], "allocator.charge_cycle_time");
  }
  if (node["allocate_on_task_end"]) {
    a.allocate_on_task_end =
        r.boolean(node["allocate_on_task_end"], "allocator.allocate_on_task_end");
  }
  if (const YAML::Node roles = node["roles"]) {
    r.require_map(roles, "allocator.roles");
    for (auto it = roles.begin(); it != roles.end(); ++it) {
      const std::string name = r.text(it->first, "allocator.roles");
      a.roles.push_back(parse_role(name, it->first, it->second, join("allocator.roles", name), r));
    }
  }
  if (node["static"]) parse_static(node["static"], "allocator.static", r, a);
  if (node["quincy"]) parse_quincy(node["quincy"], "allocator.quincy", r, a);
  return a;
}

}  // namespace mesosim::scenario_yaml
