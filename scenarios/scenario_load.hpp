#pragma once

// Loading a scenario file: YAML (yaml-cpp) into a Scenario, every key checked, with errors that
// name file:line:column (or the --set override) and say what was expected. scenarios/README.md
// documents the keys.
//
// Order of application: the file, then the chosen compare variant's `set` entries, then the
// --set overrides (the command line wins). Overrides and variant entries name a key by its
// dotted path ("allocator.policy", "frameworks.0.role" or "frameworks.hadoop.role": list items
// by index or by their `name`); the value is YAML ("static", "2", "{weight: 2}"); `null`
// removes the key, so that its default applies.

#include <string>
#include <vector>

#include "scenarios/scenario.hpp"
#include "scenarios/scenario_error.hpp"

namespace mesosim {

struct LoadOptions {
  std::vector<std::string> overrides;  // "dotted.path=yaml value"
  std::string variant = "base";        // "base" or a name from the file's compare list
};

ScenarioResult<Scenario> load_scenario(const std::string& path, const LoadOptions& options = {});
// As load_scenario on `text` as if read from `file` (named in errors) in folder `base_dir`
// (where relative trace paths are resolved).
ScenarioResult<Scenario> load_scenario_text(const std::string& text, const std::string& file,
                                            const std::string& base_dir,
                                            const LoadOptions& options = {});

// What `mesosim validate` reports: the base and every variant loaded, and built into a run
// (not run), without error.
struct ScenarioCheck {
  size_t agents = 0;  // from agent groups
  bool machines_from_trace = false;
  size_t frameworks = 0;
  size_t variants = 0;  // compare entries (the base not counted)
};
ScenarioResult<ScenarioCheck> validate_scenario(const std::string& path,
                                                const std::vector<std::string>& overrides = {});

}  // namespace mesosim
