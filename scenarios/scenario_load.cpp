// File reading, compare variants and --set overrides around the section parsers.

#include "scenarios/scenario_load.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "scenarios/scenario_parse.hpp"
#include "scenarios/scenario_run.hpp"
#include "workloads/trace_fields.hpp"

namespace mesosim {
namespace {

using scenario_yaml::LoadFailure;
using scenario_yaml::Origin;

ScenarioError plain_error(std::string file, std::string message) {
  return ScenarioError{std::move(file), 0, 0, std::move(message)};
}

YAML::Node parse_yaml(const std::string& text, const std::string& file) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    ScenarioError err{file, e.mark.line + 1, e.mark.column + 1, ""};
    err.message = fmt::format("bad YAML ({}) at {}:{}:{}", e.msg, file, err.line, err.column);
    throw LoadFailure{std::move(err)};
  }
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> out;
  std::stringstream ss(path);
  for (std::string seg; std::getline(ss, seg, '.');) out.push_back(seg);
  return out;
}

// The item of a list named by `seg`: an index, or the item whose `name` is `seg`.
std::optional<size_t> list_item(const YAML::Node& list, const std::string& seg) {
  if (auto i = parse_int(seg); i && *i >= 0 && static_cast<size_t>(*i) < list.size()) {
    return static_cast<size_t>(*i);
  }
  for (size_t i = 0; i < list.size(); ++i) {
    if (list[i].IsMap() && list[i]["name"] && list[i]["name"].IsScalar() &&
        list[i]["name"].Scalar() == seg) {
      return i;
    }
  }
  return std::nullopt;
}

// Sets `path` in `root` to `value`, making maps on the way; a null value removes the key (its
// default applies again). Returns the path with list items by index, as the parser names them.
// `where` names the override.
std::string apply_set(YAML::Node root, const std::string& path, const YAML::Node& value,
                      const std::string& where) {
  const std::vector<std::string> segs = split_path(path);
  if (segs.empty() || std::any_of(segs.begin(), segs.end(), [](auto& s) { return s.empty(); })) {
    throw LoadFailure{plain_error("--set", fmt::format("bad key path '{}' in {}", path, where))};
  }
  YAML::Node cur = root;
  std::string done;
  for (size_t i = 0; i < segs.size(); ++i) {
    const std::string& seg = segs[i];
    const bool last = i + 1 == segs.size();
    if (cur.IsSequence()) {
      const auto index = list_item(cur, seg);
      if (!index) {
        throw LoadFailure{plain_error(
            "--set", fmt::format("'{}' is a list with no item '{}' (an index below {} or an item's "
                                 "name) in {}",
                                 done, seg, cur.size(), where))};
      }
      done = scenario_yaml::join(done, std::to_string(*index));
      if (last) {
        cur[*index] = value;
        return done;
      }
      YAML::Node next = cur[*index];
      cur.reset(next);
      continue;
    } else if (cur.IsMap() || cur.IsNull()) {
      if (last) {
        if (value.IsNull()) {
          cur.remove(seg);
        } else {
          cur[seg] = value;
        }
        return scenario_yaml::join(done, seg);
      }
      if (!cur[seg] || cur[seg].IsNull()) cur[seg] = YAML::Node(YAML::NodeType::Map);
      YAML::Node next = cur[seg];
      cur.reset(next);
    } else {
      throw LoadFailure{plain_error(
          "--set",
          fmt::format("'{}' is a single value, it has no key '{}' in {}", done, seg, where))};
    }
    done = scenario_yaml::join(done, seg);
  }
  return done;
}

void apply_variant(YAML::Node root, const std::string& variant, const std::string& file,
                   std::vector<Origin>& origins) {
  const YAML::Node compare = root["compare"];
  std::string known = "base";
  if (compare && compare.IsSequence()) {
    for (size_t i = 0; i < compare.size(); ++i) {
      const YAML::Node v = compare[i];
      if (!v.IsMap() || !v["name"] || !v["name"].IsScalar()) continue;
      known += ", " + v["name"].Scalar();
      if (v["name"].Scalar() != variant) continue;
      const YAML::Node set = v["set"];
      if (!set) return;
      if (!set.IsMap()) continue;  // the compare parser reports it
      for (auto it = set.begin(); it != set.end(); ++it) {
        const std::string path = it->first.Scalar();
        const YAML::Mark m = it->first.Mark();
        const std::string where =
            fmt::format("variant '{}' ({}:{}:{})", variant, file, m.line + 1, m.column + 1);
        origins.push_back(Origin{apply_set(root, path, it->second, where), where, true});
      }
      return;
    }
  }
  throw LoadFailure{
      plain_error(file, fmt::format("unknown variant '{}' (known: {})", variant, known))};
}

void apply_overrides(YAML::Node root, const std::vector<std::string>& overrides,
                     std::vector<Origin>& origins) {
  for (const std::string& o : overrides) {
    const size_t eq = o.find('=');
    const std::string where = fmt::format("--set {}", o);
    if (eq == std::string::npos || eq == 0) {
      throw LoadFailure{
          plain_error("--set", fmt::format("expected key=value, found '{}' in {}", o, where))};
    }
    const std::string path = o.substr(0, eq);
    YAML::Node value;
    try {
      value = YAML::Load(o.substr(eq + 1));
    } catch (const YAML::Exception& e) {
      throw LoadFailure{
          plain_error("--set", fmt::format("bad YAML value ({}) in {}", e.msg, where))};
    }
    origins.push_back(Origin{apply_set(root, path, value, where), where, false});
  }
}

Scenario load(const std::string& text, const std::string& file, const std::string& base_dir,
              const LoadOptions& options) {
  YAML::Node root = parse_yaml(text, file);
  if (!root.IsMap()) {
    throw LoadFailure{plain_error(file, fmt::format("expected a map of keys (cluster, allocator, "
                                                    "frameworks, ...) in {}",
                                                    file))};
  }
  std::vector<Origin> origins;
  if (options.variant != "base") apply_variant(root, options.variant, file, origins);
  apply_overrides(root, options.overrides, origins);
  const scenario_yaml::Reader reader(file, std::move(origins));
  Scenario s = scenario_yaml::parse_scenario(root, {reader, base_dir});
  s.file = file;
  s.variant = options.variant;
  return s;
}

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Error{fmt::format("cannot open scenario file '{}': {}", path, std::strerror(errno))};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

ScenarioResult<Scenario> load_scenario_text(const std::string& text, const std::string& file,
                                            const std::string& base_dir,
                                            const LoadOptions& options) {
  try {
    return load(text, file, base_dir, options);
  } catch (const LoadFailure& f) {
    return f.error;
  } catch (const YAML::Exception& e) {
    return scenario_yaml::unexpected_structure(file, e);
  }
}

ScenarioResult<Scenario> load_scenario(const std::string& path, const LoadOptions& options) {
  auto text = read_file(path);
  if (!text.ok()) return plain_error(path, text.error().message);
  const std::string dir = std::filesystem::path(path).parent_path().string();
  return load_scenario_text(text.value(), path, dir, options);
}

ScenarioResult<ScenarioCheck> validate_scenario(const std::string& path,
                                                const std::vector<std::string>& overrides) {
  auto base = load_scenario(path, {overrides, "base"});
  if (!base.ok()) return base.error();
  const Scenario& s = base.value();
  // Building a run (without running it) checks what only the allocator and the trace readers
  // can: partitions, quota under the policy, machine traces.
  auto build = [&](const Scenario& v) -> std::optional<ScenarioError> {
    auto run = ScenarioRun::create(v);
    if (run.ok()) return std::nullopt;
    return plain_error(path,
                       fmt::format("{} (variant {}): {}", path, v.variant, run.error().message));
  };
  if (auto e = build(s)) return *e;
  for (const auto& v : s.variants) {
    auto loaded = load_scenario(path, {overrides, v.name});
    if (!loaded.ok()) return loaded.error();
    if (auto e = build(loaded.value())) return *e;
  }
  return ScenarioCheck{static_cast<size_t>(s.agent_group_count()), s.cluster.machines.has_value(),
                       s.frameworks.size(), s.variants.size()};
}

}  // namespace mesosim
