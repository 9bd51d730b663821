// --set overrides, compare variants and `validate` (scenario_load.hpp).

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "scenarios/scenario_load.hpp"
#include "tests/scenarios/scenario_test_util.hpp"

namespace mesosim {
namespace {

using testing::error_of;
using testing::fixture;
using testing::load_text;
using testing::minimal;

Scenario tiny(LoadOptions options) {
  auto r = load_scenario(fixture("tiny.yaml"), options);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? r.value() : Scenario{};
}

TEST(ScenarioOverrides, SetReplacesAValueByDottedPath) {
  const Scenario s = tiny({{"allocator.policy=static", "seed=9", "cluster.groups.0.count=6"}});
  EXPECT_EQ(s.allocator.policy, "static");
  EXPECT_EQ(s.seed, 9u);
  EXPECT_EQ(s.cluster.groups[0].count, 6);
  EXPECT_EQ(tiny({}).allocator.policy, "drf");
}

TEST(ScenarioOverrides, SetNamesListItemsByIndexOrByName) {
  const Scenario s = tiny({{"frameworks.hadoop.role=c", "frameworks.0.t_job=5ms"}});
  EXPECT_EQ(s.frameworks[1].role, "c");
  EXPECT_EQ(s.frameworks[0].t_job, Duration::millis(5));
}

TEST(ScenarioOverrides, SetValuesAreYamlAndNullRestoresTheDefault) {
  const Scenario maps = tiny({{"allocator.roles={x: {weight: 4}}"}});
  ASSERT_EQ(maps.allocator.roles.size(), 1u);
  EXPECT_EQ(maps.allocator.roles[0].name, "x");
  EXPECT_EQ(maps.allocator.roles[0].weight, 4);
  EXPECT_TRUE(tiny({{"allocator.roles=null"}}).allocator.roles.empty());
  // A key the file does not have is added, maps made on the way.
  EXPECT_EQ(tiny({{"latency.fixed=3ms"}}).latency.fixed, Duration::millis(3));
}

TEST(ScenarioOverrides, TheLastSetWins) { EXPECT_EQ(tiny({{"seed=3", "seed=4"}}).seed, 4u); }

TEST(ScenarioOverrides, ErrorsInASetValueNameTheOverride) {
  auto r = load_scenario(fixture("tiny.yaml"), {{"seed=abc"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().file, "--set");
  EXPECT_EQ(r.error().line, 0);
  EXPECT_EQ(
      r.error().message,
      "seed: expected an integer from 0 to 9223372036854775807, found 'abc' (from --set seed=abc)");
  auto key = load_scenario(fixture("tiny.yaml"), {{"allocator.polcy=static"}});
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().message,
            "unknown key 'polcy' in allocator (from --set allocator.polcy=static); did you mean "
            "'policy'?");
}

TEST(ScenarioOverrides, MalformedSetsAreErrors) {
  auto no_eq = load_scenario(fixture("tiny.yaml"), {{"seed"}});
  ASSERT_FALSE(no_eq.ok());
  EXPECT_EQ(no_eq.error().message, "expected key=value, found 'seed' in --set seed");
  auto scalar = load_scenario(fixture("tiny.yaml"), {{"seed.x=1"}});
  ASSERT_FALSE(scalar.ok());
  EXPECT_EQ(scalar.error().message,
            "'seed' is a single value, it has no key 'x' in --set seed.x=1");
  auto item = load_scenario(fixture("tiny.yaml"), {{"frameworks.nope.role=a"}});
  ASSERT_FALSE(item.ok());
  EXPECT_NE(item.error().message.find("'frameworks' is a list with no item 'nope'"),
            std::string::npos)
      << item.error().message;
  auto yaml = load_scenario(fixture("tiny.yaml"), {{"seed=[1"}});
  ASSERT_FALSE(yaml.ok());
  EXPECT_NE(yaml.error().message.find("bad YAML value"), std::string::npos);
}

TEST(ScenarioOverrides, VariantsApplyTheirSetToTheBase) {
  const Scenario base = tiny({});
  ASSERT_EQ(base.variants.size(), 2u);
  const Scenario st = tiny({{}, "static"});
  EXPECT_EQ(st.allocator.policy, "static");
  EXPECT_EQ(st.variant, "static");
  const Scenario slow = tiny({{}, "slow"});
  EXPECT_EQ(slow.allocator.allocation_interval, Duration::seconds(5));
  EXPECT_EQ(slow.frameworks[0].t_task, Duration::millis(50));
  EXPECT_EQ(slow.allocator.policy, "drf");
  EXPECT_EQ(base.allocator.allocation_interval, Duration::seconds(1));
}

TEST(ScenarioOverrides, TheCommandLineWinsOverTheVariant) {
  EXPECT_EQ(tiny({{"allocator.policy=drf"}, "static"}).allocator.policy, "drf");
}

TEST(ScenarioOverrides, AVariantsBadValueIsNamedWhereTheVariantSetsIt) {
  const std::string text = minimal("compare:\n  - name: v\n    set: {allocator.policy: omega}\n");
  auto r = load_text(text, {{}, "v"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().line, 11);
  EXPECT_EQ(r.error().column, 29);
  EXPECT_EQ(r.error().message,
            "allocator.policy: unknown policy 'omega' (known: drf, static, quincy) at t.yaml:11:29");
  auto key =
      load_text(minimal("compare:\n  - name: v\n    set: {allocator.polcy: static}\n"), {{}, "v"});
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(
      key.error().message,
      "unknown key 'polcy' in allocator (from variant 'v' (t.yaml:11:11)); did you mean 'policy'?");
}

TEST(ScenarioOverrides, AnUnknownVariantListsTheKnownOnes) {
  auto r = load_scenario(fixture("tiny.yaml"), {{}, "fast"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "unknown variant 'fast' (known: base, static, slow)");
  const auto dup = error_of(minimal("compare:\n  - {name: base}\n"));
  EXPECT_NE(dup.message.find("duplicate variant name 'base'"), std::string::npos) << dup.message;
}

TEST(ScenarioValidate, TheQuickstartValidates) {
  auto r = validate_scenario(testing::source_path("scenarios/quickstart.yaml"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value().agents, 32u);
  EXPECT_EQ(r.value().frameworks, 5u);
  EXPECT_EQ(r.value().variants, 1u);
  EXPECT_FALSE(r.value().machines_from_trace);
}

TEST(ScenarioValidate, EveryVariantIsBuiltSoPolicyErrorsShow) {
  // Quota under static partitioning is refused by the allocator, not by the YAML schema.
  const auto path = std::filesystem::temp_directory_path() / "mesosim_validate_variant.yaml";
  std::ofstream(path) << minimal(
      "allocator: {roles: {r: {quota: {guarantees: \"cpus:1\"}}}}\n"
      "compare:\n  - {name: st, set: {allocator.policy: static}}\n");
  auto r = validate_scenario(path.string());
  std::filesystem::remove(path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("(variant st): allocator.roles.r.quota: cannot set quota"),
            std::string::npos)
      << r.error().message;
}

}  // namespace
}  // namespace mesosim
