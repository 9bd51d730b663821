// The papers table's spec (scenarios/paper_spec.hpp): the shipped figures.yaml loads, and a
// wrong spec is an error naming the file, line and column.

#include "scenarios/paper_spec.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/scenarios/scenario_test_util.hpp"

namespace mesosim {
namespace {

using ::testing::HasSubstr;
using testing::source_path;

// Loaded as if it were scenarios/papers/t.yaml, so `scenario:` finds the shipped files.
ScenarioResult<analysis::PaperSpec> load(const std::string& text) {
  return load_paper_spec_text(text, source_path("scenarios/papers/t.yaml"));
}

std::string error_of(const std::string& text) {
  auto r = load(text);
  EXPECT_FALSE(r.ok()) << "loaded without error:\n" << text;
  return r.ok() ? "" : r.error().message;
}

// A valid spec with `figure` (indented as a list item of figures) as its only figure.
std::string with_figure(const std::string& figure) {
  return "experiments:\n"
         "  - scenario: mesos-macrobenchmark.yaml\n"
         "    figures:\n" +
         figure;
}

constexpr const char* kSpeedup =
    "      - label: speedup\n"
    "        paper: 1.14\n"
    "        paper_text: \"1.14×\"\n"
    "        mesosim:\n"
    "          ratio:\n"
    "            - {variant: static, path: "
    "\"frameworks[name=facebook-hadoop].jobs.run_time_sum_s\"}\n"
    "            - {variant: base, path: "
    "\"frameworks[name=facebook-hadoop].jobs.run_time_sum_s\"}\n";

TEST(PaperSpec, TheShippedSpecLoads) {
  auto r = load_paper_spec(source_path("scenarios/papers/figures.yaml"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_GE(r.value().experiments.size(), 2u);
  for (const auto& e : r.value().experiments) {
    EXPECT_GE(e.seeds, 5) << e.name;
    EXPECT_FALSE(e.figures.empty()) << e.name;
  }
}

TEST(PaperSpec, DefaultsAndAllFields) {
  auto r = load(with_figure(kSpeedup));
  ASSERT_TRUE(r.ok()) << r.error().message;
  const analysis::PaperExperiment& e = r.value().experiments.at(0);
  EXPECT_EQ(e.name, "mesos-macrobenchmark");
  EXPECT_EQ(e.seeds, 5);
  const analysis::PaperFigure& f = e.figures.at(0);
  EXPECT_EQ(f.value.kind, analysis::FigureValue::Kind::kRatio);
  EXPECT_EQ(f.value.a->variant, "static");
  EXPECT_EQ(f.value.b->path.steps.at(0).value, "facebook-hadoop");
  EXPECT_FALSE(f.range());
  EXPECT_EQ(f.digits, 2);

  auto full = load(
      "experiments:\n"
      "  - scenario: drf-example.yaml\n"
      "    name: drf-weighted\n"
      "    seeds: 7\n"
      "    set: {allocator.allocation_interval: 2s}\n"
      "    figures:\n"
      "      - {label: x, paper: [4, 8], paper_text: \"4–8 s\", unit: s, digits: 0, gap: g,\n"
      "         mesosim: {difference: [{variant: base, path: a, scale: 100},\n"
      "                                {variant: base, path: b}], scale: 2}}\n");
  ASSERT_TRUE(full.ok()) << full.error().message;
  const analysis::PaperExperiment& w = full.value().experiments.at(0);
  EXPECT_EQ(w.name, "drf-weighted");
  EXPECT_EQ(w.seeds, 7);
  EXPECT_EQ(w.sets, (std::vector<std::string>{"allocator.allocation_interval=2s"}));
  const analysis::PaperFigure& x = w.figures.at(0);
  EXPECT_TRUE(x.range());
  EXPECT_EQ(x.paper_low, 4);
  EXPECT_EQ(x.paper_high, 8);
  EXPECT_EQ(x.value.kind, analysis::FigureValue::Kind::kDifference);
  EXPECT_EQ(x.value.scale, 2);
  EXPECT_EQ(x.value.a->scale, 100);
  EXPECT_EQ(x.unit, "s");
  EXPECT_EQ(x.digits, 0);
}

TEST(PaperSpec, ErrorsNameTheFileLineAndWhat) {
  EXPECT_THAT(error_of("experimens: []\n"),
              HasSubstr("unknown key 'experimens' at " + source_path("scenarios/papers/t.yaml") +
                        ":1:1; did you mean 'experiments'?"));
  EXPECT_THAT(error_of("experiments:\n  - scenario: nope.yaml\n    figures: []\n"),
              HasSubstr("experiments.0.scenario: no scenario file"));
  EXPECT_THAT(error_of("experiments:\n  - scenario: nope.yaml\n    figures: []\n"),
              HasSubstr("t.yaml:2:15"));
  EXPECT_THAT(error_of(with_figure("      - {label: x, paper: 1, paper_text: a}\n")),
              HasSubstr("experiments.0.figures.0: missing key 'mesosim' at"));
  EXPECT_THAT(error_of(with_figure("      - {label: x, paper: one, paper_text: a, mesosim: "
                                   "{variant: base, path: a}}\n")),
              HasSubstr("experiments.0.figures.0.paper: expected a number"));
  EXPECT_THAT(error_of(with_figure("      - {label: x, paper: [8, 4], paper_text: a, mesosim: "
                                   "{variant: base, path: a}}\n")),
              HasSubstr("needs low < high"));
  EXPECT_THAT(error_of(with_figure("      - {label: x, paper: 1, paper_text: a, mesosim: "
                                   "{variant: base}}\n")),
              HasSubstr("a value needs both variant and path at"));
  EXPECT_THAT(error_of(with_figure("      - {label: x, paper: 1, paper_text: a, mesosim: "
                                   "{variant: base, path: a, ratio: [{variant: b, path: c}, "
                                   "{variant: b, path: c}]}}\n")),
              HasSubstr("expected exactly one of"));
  EXPECT_THAT(error_of(with_figure("      - {label: x, paper: 1, paper_text: a, mesosim: "
                                   "{ratio: [{variant: b, path: c}]}}\n")),
              HasSubstr("mesosim.ratio: expected a list of two values [A, B]"));
  EXPECT_THAT(error_of(with_figure("      - {label: x, paper: 1, paper_text: a, mesosim: "
                                   "{variant: base, path: \"a[x]\"}}\n")),
              HasSubstr("mesosim.path: path 'a[x]': expected [N] or [field=value]"));
  EXPECT_THAT(error_of(with_figure(std::string(kSpeedup) + "        gpa: typo\n")),
              HasSubstr("unknown key 'gpa' in experiments.0.figures.0"));
  EXPECT_THAT(error_of("experiments:\n"
                       "  - {scenario: drf-example.yaml, figures: [{label: x, paper: 1, "
                       "paper_text: a, mesosim: {variant: base, path: a}}]}\n"
                       "  - {scenario: drf-example.yaml, figures: [{label: x, paper: 1, "
                       "paper_text: a, mesosim: {variant: base, path: a}}]}\n"),
              HasSubstr("a second experiment named 'drf-example' (give one a `name:`) at"));
  EXPECT_THAT(error_of("experiments:\n  - {scenario: drf-example.yaml, name: a/b, figures: []}\n"),
              HasSubstr("the name 'a/b' must be"));
  EXPECT_THAT(error_of("experiments: [\n"), HasSubstr("bad YAML"));
  auto missing = load_paper_spec("/nonexistent/figures.yaml");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, "cannot open the spec file '/nonexistent/figures.yaml'");
}

}  // namespace
}  // namespace mesosim
