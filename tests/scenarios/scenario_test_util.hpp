#pragma once

// Helpers for scenario tests: fixture paths and loading inline YAML.

#include <gtest/gtest.h>

#include <string>

#include "scenarios/scenario_load.hpp"

namespace mesosim::testing {

inline std::string source_path(const std::string& relative) {
  return std::string(MESOSIM_SOURCE_DIR) + "/" + relative;
}
inline std::string fixture(const std::string& name) {
  return source_path("tests/data/scenarios/" + name);
}

// Loads `text` as if it were "t.yaml" in tests/data/scenarios.
inline ScenarioResult<Scenario> load_text(const std::string& text, LoadOptions options = {}) {
  return load_scenario_text(text, "t.yaml", source_path("tests/data/scenarios"), options);
}

// The message of the error `text` gives (fails the test if it loads).
inline ScenarioError error_of(const std::string& text, LoadOptions options = {}) {
  auto r = load_text(text, std::move(options));
  EXPECT_FALSE(r.ok()) << "loaded without error:\n" << text;
  return r.ok() ? ScenarioError{} : r.error();
}

// A valid scenario to start error cases from: one agent group, one batch framework.
inline std::string minimal(const std::string& extra_top = "",
                           const std::string& framework_extra = "") {
  return "duration: 1m\n"
         "cluster:\n"
         "  groups:\n"
         "    - {count: 2, resources: \"cpus:4;mem:8192\"}\n"
         "frameworks:\n"
         "  - name: b\n"
         "    model: batch\n" +
         framework_extra +
         "    workload: {generator: mpi, params: {small: 1, large: 0, tasks: 2}}\n" + extra_top;
}

}  // namespace mesosim::testing
