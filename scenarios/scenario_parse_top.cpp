// The top level of a scenario file, its faults and its compare variants.

#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "scenarios/scenario_parse.hpp"

namespace mesosim {

std::vector<std::string_view> allocator_policies() { return {"drf", "static", "quincy"}; }
std::vector<std::string_view> framework_models() {
  return {"batch", "hadoop", "spark", "storm", "service", "gang"};
}

int Scenario::agent_group_count() const {
  int n = 0;
  for (const auto& g : cluster.groups) n += g.count;
  return n;
}

namespace scenario_yaml {
namespace {

constexpr std::string_view kTopKeys[] = {
    "name",         "description", "seed",           "duration", "run_to_completion",
    "max_duration", "masters",     "election_delay", "latency",  "outputs",
    "cluster",      "allocator",   "frameworks",     "faults",   "compare"};
constexpr std::string_view kFaultKeys[] = {
    "at", "type", "agent", "machine_lost", "restart_after", "side_a", "side_b", "framework"};
constexpr std::string_view kFaultTypes[] = {"agent_crash", "agent_restart",   "partition",
                                            "heal",        "master_failover", "scheduler_crash"};
constexpr std::string_view kRandomKeys[] = {"agent_crash_interval",     "machine_lost_probability",
                                            "agent_restart_after",      "master_failover_interval",
                                            "scheduler_crash_interval", "scheduler_restart_after",
                                            "partition_interval",       "partition_heal_after"};

// The names faults may use: agents, frameworks, masters.
struct Names {
  std::set<std::string> agents;
  std::set<std::string> frameworks;
  std::set<std::string> masters;  // master1..masterN and "masters"
  bool agents_from_trace = false;
};

std::string name_of(const YAML::Node& node, const std::string& path, const Reader& r,
                    const std::set<std::string>& known, std::string_view what) {
  const std::string name = r.text(node, path);
  if (!known.count(name)) {
    r.fail(node, path, fmt::format("{}: no {} named '{}' in this scenario", path, what, name));
  }
  return name;
}

std::vector<std::string> side(const YAML::Node& node, const std::string& path, const Reader& r,
                              const Names& names) {
  std::vector<std::string> out = r.text_list(node, path);
  for (const auto& n : out) {
    const bool known = names.agents.count(n) || names.frameworks.count(n) ||
                       names.masters.count(n) || names.agents_from_trace;
    if (!known) {
      r.fail(node, path, fmt::format("{}: no agent, framework or master named '{}'", path, n));
    }
  }
  return out;
}

Fault parse_fault(const YAML::Node& node, const std::string& path, const Reader& r,
                  const Names& names) {
  const std::string type = r.choice(node["type"], join(path, "type"), kFaultTypes, "fault type");
  auto need = [&](const char* key) {
    if (!node[key]) r.fail(node, path, fmt::format("{}: a {} needs '{}'", path, type, key));
    return node[key];
  };
  auto agent = [&] {
    const YAML::Node n = need("agent");
    if (names.agents_from_trace) return r.text(n, join(path, "agent"));
    return name_of(n, join(path, "agent"), r, names.agents, "agent");
  };
  auto restart_after = [&]() -> std::optional<Duration> {
    if (!node["restart_after"]) return std::nullopt;
    return r.duration(node["restart_after"], join(path, "restart_after"));
  };
  if (type == "agent_crash") {
    fault::AgentCrash f{agent(), false, restart_after()};
    if (node["machine_lost"])
      f.machine_lost = r.boolean(node["machine_lost"], join(path, "machine_lost"));
    return f;
  }
  if (type == "agent_restart") return fault::AgentRestart{agent()};
  if (type == "partition" || type == "heal") {
    std::vector<std::string> a, b;
    if (type == "partition" || node["side_a"])
      a = side(need("side_a"), join(path, "side_a"), r, names);
    if (type == "partition" || node["side_b"])
      b = side(need("side_b"), join(path, "side_b"), r, names);
    if (type == "partition") return fault::Partition{a, b};
    return fault::Heal{a, b};
  }
  if (type == "master_failover") return fault::MasterFailover{};
  return fault::SchedulerCrash{
      name_of(need("framework"), join(path, "framework"), r, names.frameworks, "framework"),
      restart_after()};
}

RandomFaultsSpec parse_random(const YAML::Node& node, const std::string& path, const Reader& r) {
  r.check_keys(node, path, kRandomKeys);
  RandomFaultsSpec s;
  auto interval = [&](const char* key, std::optional<Duration>& out) {
    if (!node[key]) return;
    out = r.duration(node[key], join(path, key));
    if (*out <= Duration::zero()) {
      r.fail(node[key], join(path, key),
             fmt::format("{}: expected a mean interval above zero", join(path, key)));
    }
  };
  interval("agent_crash_interval", s.agent_crash_interval);
  interval("master_failover_interval", s.master_failover_interval);
  interval("scheduler_crash_interval", s.scheduler_crash_interval);
  interval("partition_interval", s.partition_interval);
  if (node["machine_lost_probability"]) {
    s.machine_lost_probability =
        r.number(node["machine_lost_probability"], join(path, "machine_lost_probability"), 0, 1);
  }
  if (node["agent_restart_after"])
    s.agent_restart_after =
        r.duration(node["agent_restart_after"], join(path, "agent_restart_after"));
  if (node["scheduler_restart_after"]) {
    s.scheduler_restart_after =
        r.duration(node["scheduler_restart_after"], join(path, "scheduler_restart_after"));
  }
  if (node["partition_heal_after"])
    s.partition_heal_after =
        r.duration(node["partition_heal_after"], join(path, "partition_heal_after"));
  return s;
}

void parse_top_scalars(const YAML::Node& root, const Reader& r, Scenario& s) {
  if (root["name"]) s.name = r.text(root["name"], "name");
  if (root["description"]) s.description = r.text(root["description"], "description");
  if (root["seed"]) s.seed = static_cast<uint64_t>(r.integer(root["seed"], "seed", 0, INT64_MAX));
  if (root["duration"]) s.duration = r.duration(root["duration"], "duration");
  if (root["run_to_completion"])
    s.run_to_completion = r.boolean(root["run_to_completion"], "run_to_completion");
  if (root["max_duration"]) s.max_duration = r.duration(root["max_duration"], "max_duration");
  if (s.duration.has_value() == s.run_to_completion) {
    r.fail(root, "", "expected either 'duration' or 'run_to_completion: true' (not both)");
  }
  if (s.duration && *s.duration <= Duration::zero())
    r.fail(root["duration"], "duration", "duration: expected a duration above zero");
  if (root["masters"]) s.masters = static_cast<int>(r.integer(root["masters"], "masters", 1, 9));
  if (root["election_delay"])
    s.election_delay = r.duration(root["election_delay"], "election_delay");
  if (const YAML::Node l = root["latency"]) {
    constexpr std::string_view kLatencyKeys[] = {"fixed", "jitter"};
    r.check_keys(l, "latency", kLatencyKeys);
    if (l["fixed"]) s.latency.fixed = r.duration(l["fixed"], "latency.fixed");
    if (l["jitter"]) s.latency.jitter = r.duration(l["jitter"], "latency.jitter");
  }
  if (const YAML::Node o = root["outputs"]) {
    constexpr std::string_view kOutputKeys[] = {"dir", "explain_waits", "plots", "samples"};
    r.check_keys(o, "outputs", kOutputKeys);
    if (o["dir"]) s.out_dir = r.text(o["dir"], "outputs.dir");
    if (o["explain_waits"])
      s.explain_waits = r.boolean(o["explain_waits"], "outputs.explain_waits");
    if (o["plots"]) s.plots = r.boolean(o["plots"], "outputs.plots");
    if (o["samples"]) {
      s.samples = static_cast<size_t>(r.integer(o["samples"], "outputs.samples", 2, 100000));
    }
  }
}

Names names_of(const Scenario& s) {
  Names n;
  for (auto& h : group_hostnames(s.cluster)) n.agents.insert(h);
  n.agents_from_trace = s.cluster.machines.has_value();
  for (const auto& f : s.frameworks) n.frameworks.insert(f.name);
  n.masters.insert("masters");
  for (int i = 1; i <= s.masters; ++i) n.masters.insert(fmt::format("master{}", i));
  return n;
}

}  // namespace

void parse_faults(const YAML::Node& node, const ParseContext& ctx, Scenario& scenario) {
  constexpr std::string_view kFaultsKeys[] = {"scheduled", "random"};
  const Reader& r = ctx.reader;
  r.check_keys(node, "faults", kFaultsKeys);
  const Names names = names_of(scenario);
  if (const YAML::Node list = node["scheduled"]) {
    r.require_sequence(list, "faults.scheduled");
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string path = fmt::format("faults.scheduled.{}", i);
      r.check_keys(list[i], path, kFaultKeys);
      if (!list[i]["at"]) r.fail(list[i], path, fmt::format("{}: missing key 'at'", path));
      if (!list[i]["type"]) r.fail(list[i], path, fmt::format("{}: missing key 'type'", path));
      const Duration at = r.duration(list[i]["at"], join(path, "at"));
      scenario.faults.push_back({at, parse_fault(list[i], path, r, names)});
    }
  }
  if (node["random"]) scenario.random_faults = parse_random(node["random"], "faults.random", r);
}

std::vector<VariantSpec> parse_compare(const YAML::Node& node, const ParseContext& ctx) {
  constexpr std::string_view kVariantKeys[] = {"name", "set"};
  const Reader& r = ctx.reader;
  r.require_sequence(node, "compare");
  std::vector<VariantSpec> out;
  std::set<std::string> seen = {"base"};
  for (size_t i = 0; i < node.size(); ++i) {
    const std::string path = fmt::format("compare.{}", i);
    r.check_keys(node[i], path, kVariantKeys);
    if (!node[i]["name"]) r.fail(node[i], path, fmt::format("{}: missing key 'name'", path));
    VariantSpec v;
    v.name = r.text(node[i]["name"], join(path, "name"));
    if (!seen.insert(v.name).second) {
      r.fail(node[i]["name"], join(path, "name"),
             fmt::format("{}.name: duplicate variant name '{}' ('base' is the scenario itself)",
                         path, v.name));
    }
    if (const YAML::Node set = node[i]["set"]) {
      r.require_map(set, join(path, "set"));
      for (auto it = set.begin(); it != set.end(); ++it) {
        v.set.emplace_back(r.text(it->first, join(path, "set")), YAML::Dump(it->second));
      }
    }
    out.push_back(std::move(v));
  }
  return out;
}

Scenario parse_scenario(const YAML::Node& root, const ParseContext& ctx) {
  const Reader& r = ctx.reader;
  r.check_keys(root, "", kTopKeys);
  Scenario s;
  s.name = std::filesystem::path(r.file()).stem().string();
  parse_top_scalars(root, r, s);
  if (!root["cluster"]) r.fail(root, "", "missing key 'cluster'");
  s.cluster = parse_cluster(root["cluster"], ctx);
  if (root["allocator"]) s.allocator = parse_allocator(root["allocator"], ctx);
  if (!root["frameworks"]) r.fail(root, "", "missing key 'frameworks'");
  s.frameworks = parse_frameworks(root["frameworks"], ctx);
  const Names names = names_of(s);
  for (size_t i = 0; i < s.frameworks.size(); ++i) {
    const auto& f = s.frameworks[i];
    if (names.agents.count(f.name) || names.masters.count(f.name)) {
      const std::string path = fmt::format("frameworks.{}.name", i);
      r.fail(root["frameworks"][i]["name"], path,
             fmt::format("{}: '{}' is already the name of an agent or master", path, f.name));
    }
  }
  if (root["faults"]) parse_faults(root["faults"], ctx, s);
  if (root["compare"]) s.variants = parse_compare(root["compare"], ctx);
  if (s.out_dir.empty()) s.out_dir = fmt::format("mesosim-out/{}", s.name);
  return s;
}

}  // namespace scenario_yaml
}  // namespace mesosim
