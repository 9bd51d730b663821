#pragma once

// Internal to scenarios/: YAML nodes to a Scenario, one section per function. Each throws
// scenario_yaml::LoadFailure on the first error (scenario_load.cpp turns it into a value).

#include <yaml-cpp/yaml.h>

#include <string>

#include "scenarios/scenario.hpp"
#include "scenarios/yaml_reader.hpp"

namespace mesosim::scenario_yaml {

// Where relative paths are resolved, and what the sections need to know of each other.
struct ParseContext {
  const Reader& reader;
  std::string base_dir;  // the scenario file's folder
};

Scenario parse_scenario(const YAML::Node& root, const ParseContext& ctx);
ClusterSpec parse_cluster(const YAML::Node& node, const ParseContext& ctx);
AllocatorSpec parse_allocator(const YAML::Node& node, const ParseContext& ctx);
std::vector<FrameworkSpec> parse_frameworks(const YAML::Node& node, const ParseContext& ctx);
// Faults name agents, masters and frameworks: checked against `scenario`'s.
void parse_faults(const YAML::Node& node, const ParseContext& ctx, Scenario& scenario);
std::vector<VariantSpec> parse_compare(const YAML::Node& node, const ParseContext& ctx);

// A trace file path resolved against the scenario's folder; an error if it does not exist.
std::string resolve_file(const YAML::Node& node, const std::string& path, const std::string& file,
                         const ParseContext& ctx);

// Every agent hostname the groups make, in order.
std::vector<std::string> group_hostnames(const ClusterSpec& cluster);

}  // namespace mesosim::scenario_yaml
