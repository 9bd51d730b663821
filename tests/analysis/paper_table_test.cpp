// The papers table (analysis/paper_table.hpp): summary paths, figures paired by seed with their
// 95% intervals, the markdown rows, errors naming the experiment and figure, and the README
// rewrite between the markers.

#include "analysis/paper_table.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include <fmt/format.h>

namespace mesosim::analysis {
namespace {

using ::testing::HasSubstr;

SummaryPath path(const std::string& text) {
  auto p = parse_summary_path(text);
  EXPECT_TRUE(p.ok()) << p.error().message;
  return p.ok() ? p.value() : SummaryPath{};
}

FigureValue value(const std::string& variant, const std::string& p, double scale = 1) {
  FigureValue v;
  v.variant = variant;
  v.path = path(p);
  v.scale = scale;
  return v;
}

FigureValue combine(FigureValue::Kind kind, FigureValue a, FigureValue b) {
  FigureValue v;
  v.kind = kind;
  v.a = std::make_shared<FigureValue>(std::move(a));
  v.b = std::make_shared<FigureValue>(std::move(b));
  return v;
}

PaperFigure figure(const std::string& label, FigureValue v, double low, double high = 0) {
  PaperFigure f;
  f.label = label;
  f.paper_low = low;
  f.paper_high = high > low ? high : low;
  f.paper_text = fmt::format("{}", low);
  f.value = std::move(v);
  return f;
}

class PaperTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "mesosim-papers-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  // <root>/<experiment>/<variant>/seed-<seed>, as `mesosim compare --out` lays it out: framework
  // "hadoop" with the given sum of job run times, "spark" after it, and a cluster cpus share.
  void run(const std::string& experiment, const std::string& variant, uint64_t seed,
           double hadoop_sum, double share = 0.5) {
    const auto dir = root_ / experiment / variant / fmt::format("seed-{}", seed);
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "run.json")
        << run_identity_json({experiment, variant, variant == "base" ? 0 : 1, seed, "drf"});
    std::ofstream(dir / "summary.json") << fmt::format(
        R"({{"format":"mesosim-analysis-summary","version":2,
            "cluster":{{"allocated_share":{{"cpus":{}}}}},
            "frameworks":[{{"name":"spark","jobs":{{"run_time_sum_s":1}}}},
                          {{"name":"hadoop","jobs":{{"run_time_sum_s":{}}}}}]}})",
        share, hadoop_sum);
  }
  // Seeds 1-3: base 10, 20, 30; static 20, 60, 30 (static/base per seed: 2, 3, 1).
  void three_seeds(const std::string& experiment = "macro") {
    const double base[] = {10, 20, 30}, stat[] = {20, 60, 30};
    for (uint64_t s = 1; s <= 3; ++s) {
      run(experiment, "base", s, base[s - 1], 0.8);
      run(experiment, "static", s, stat[s - 1], 0.3);
    }
  }
  PaperSpec spec(std::vector<PaperFigure> figures, const std::string& experiment = "macro") {
    PaperSpec s;
    s.file = "figures.yaml";
    s.experiments.push_back({experiment, experiment + ".yaml", 5, {}, std::move(figures)});
    return s;
  }

  std::filesystem::path root_;
};

TEST(SummaryPathTest, KeysIndicesAndFieldSelectors) {
  const SummaryPath p = path("frameworks[name=facebook-hadoop].jobs.run_time_sum_s");
  ASSERT_EQ(p.steps.size(), 3u);
  EXPECT_EQ(p.steps[0].key, "frameworks");
  EXPECT_EQ(p.steps[0].field, "name");
  EXPECT_EQ(p.steps[0].value, "facebook-hadoop");
  EXPECT_EQ(p.steps[2].key, "run_time_sum_s");
  EXPECT_EQ(path("frameworks[1].name").steps[0].index, 1u);
  // A selector's value may hold dots.
  EXPECT_EQ(path("frameworks[name=a.b].x").steps[0].value, "a.b");
}

TEST(SummaryPathTest, MalformedPathsAreErrors) {
  for (const char* bad : {"", "a..b", "a.", "a[", "a[x]", "a[=v]", "a[1]b", ".a"}) {
    auto p = parse_summary_path(bad);
    EXPECT_FALSE(p.ok()) << bad;
    if (!p.ok()) {
      EXPECT_THAT(p.error().message, HasSubstr(fmt::format("path '{}'", bad)));
    }
  }
}

TEST_F(PaperTableTest, RatioIsPairedBySeedThenSummarized) {
  three_seeds();
  const std::string p = "frameworks[name=hadoop].jobs.run_time_sum_s";
  const PaperSpec s = spec({figure(
      "speedup", combine(FigureValue::Kind::kRatio, value("static", p), value("base", p)), 1.5)});
  auto rows = compute_paper_rows(s, root_);
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  ASSERT_EQ(rows.value().size(), 1u);
  const auto& c = rows.value()[0].mesosim;
  EXPECT_EQ(c.n, 3u);
  // Per seed 2, 3, 1: mean 2 (the ratio of the means would be 110/60), sd 1.
  EXPECT_DOUBLE_EQ(c.mean, 2.0);
  EXPECT_NEAR(c.half_width, student_t95(2) / std::sqrt(3.0), 1e-12);
}

TEST_F(PaperTableTest, DifferenceScaleAndPlainValues) {
  three_seeds();
  const PaperSpec s =
      spec({figure("cpu gain",
                   combine(FigureValue::Kind::kDifference,
                           value("base", "cluster.allocated_share.cpus", 100),
                           value("static", "cluster.allocated_share.cpus", 100)),
                   10),
            figure("hadoop base", value("base", "frameworks[1].jobs.run_time_sum_s"), 20)});
  auto rows = compute_paper_rows(s, root_);
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  EXPECT_NEAR(rows.value()[0].mesosim.mean, 50.0, 1e-9);
  EXPECT_NEAR(rows.value()[0].mesosim.half_width, 0.0, 1e-9);
  EXPECT_DOUBLE_EQ(rows.value()[1].mesosim.mean, 20.0);
}

TEST_F(PaperTableTest, MarkdownRowsWithUnitsRatiosAndRanges) {
  three_seeds();
  const std::string p = "frameworks[name=hadoop].jobs.run_time_sum_s";
  PaperFigure speedup = figure(
      "speedup", combine(FigureValue::Kind::kRatio, value("static", p), value("base", p)), 1.6);
  speedup.paper_text = "1.6×";
  speedup.unit = "×";
  speedup.gap = "a | pipe\nand a line";
  PaperFigure within = figure("static sum", value("static", p), 30, 40);
  within.unit = "s";
  within.digits = 0;
  within.paper_text = "30–40 s";
  PaperFigure below = figure("base sum", value("base", p), 25, 50);
  PaperFigure big = figure("big", value("base", p, 1000), 0);
  const auto rows = compute_paper_rows(spec({speedup, within, below, big}), root_);
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  EXPECT_EQ(paper_table_markdown(rows.value()),
            "| experiment | figure | paper | mesosim (mean ± 95% CI) | mesosim ÷ paper | gap |\n"
            "|---|---|---:|---:|---:|---|\n"
            "| `macro` | speedup | 1.6× | 2.00 ± 2.48× (n=3) | 1.25 | a \\| pipe and a line |\n"
            "| `macro` | static sum | 30–40 s | 37 ± 52 s (n=3) | within |  |\n"
            "| `macro` | base sum | 25 | 20.00 ± 24.84 (n=3) | 0.80 (below) |  |\n"
            "| `macro` | big | 0 | 20,000.00 ± 24,843.38 (n=3) | – |  |\n");
}

TEST_F(PaperTableTest, SameFoldersGiveTheSameBytes) {
  three_seeds();
  const PaperSpec s = spec({figure("x", value("base", "cluster.allocated_share.cpus"), 1)});
  auto a = compute_paper_rows(s, root_);
  auto b = compute_paper_rows(s, root_);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(paper_table_markdown(a.value()), paper_table_markdown(b.value()));
}

TEST_F(PaperTableTest, MissingRunsVariantsSeedsAndPathsNameTheFigure) {
  const std::string p = "frameworks[name=hadoop].jobs.run_time_sum_s";
  auto none = compute_paper_rows(spec({figure("f", value("base", p), 1)}), root_);
  ASSERT_FALSE(none.ok());
  EXPECT_THAT(none.error().message, HasSubstr("experiment 'macro': no run folder"));

  three_seeds();
  auto variant = compute_paper_rows(spec({figure("f", value("fast", p), 1)}), root_);
  ASSERT_FALSE(variant.ok());
  EXPECT_THAT(variant.error().message,
              HasSubstr("experiment 'macro', figure 'f': no runs of variant 'fast' (found: base, "
                        "static)"));

  auto key =
      compute_paper_rows(spec({figure("f", value("base", "frameworks[name=storm].x"), 1)}), root_);
  ASSERT_FALSE(key.ok());
  EXPECT_THAT(key.error().message, HasSubstr("figure 'f'"));
  EXPECT_THAT(key.error().message, HasSubstr("no element 'frameworks[name=storm]'"));
  EXPECT_THAT(key.error().message, HasSubstr("base/seed-1/summary.json"));

  run("macro", "base", 4, 10);  // no static run with seed 4 to pair with
  auto pair = compute_paper_rows(
      spec({figure("f", combine(FigureValue::Kind::kRatio, value("base", p), value("static", p)),
                   1)}),
      root_);
  ASSERT_FALSE(pair.ok());
  EXPECT_THAT(pair.error().message,
              HasSubstr("figure 'f': variant 'static' has no run with seed 4 to pair with"));
}

TEST(PaperTableReadme, RewritesOnlyBetweenTheMarkers) {
  const std::string readme =
      "# Title\n\nbefore\n<!-- papers-table:begin -->\nold table\n<!-- papers-table:end -->\n"
      "after\n";
  auto once = replace_paper_table(readme, "| new |\n", "README.md");
  ASSERT_TRUE(once.ok()) << once.error().message;
  EXPECT_EQ(once.value(),
            "# Title\n\nbefore\n<!-- papers-table:begin -->\n| new |\n<!-- papers-table:end -->\n"
            "after\n");
  auto twice = replace_paper_table(once.value(), "| new |\n", "README.md");
  ASSERT_TRUE(twice.ok());
  EXPECT_EQ(twice.value(), once.value());
}

TEST(PaperTableReadme, MissingRepeatedOrSwappedMarkersAreErrors) {
  auto none = replace_paper_table("no markers\n", "t\n", "README.md");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().message, "README.md: no marker line '<!-- papers-table:begin -->'");
  auto twice = replace_paper_table(
      "<!-- papers-table:begin -->\n<!-- papers-table:begin -->\n<!-- papers-table:end -->\n",
      "t\n", "R.md");
  ASSERT_FALSE(twice.ok());
  EXPECT_THAT(twice.error().message, HasSubstr("more than one"));
  auto swapped = replace_paper_table("<!-- papers-table:end -->\n<!-- papers-table:begin -->\n",
                                     "t\n", "R.md");
  ASSERT_FALSE(swapped.ok());
  EXPECT_THAT(swapped.error().message, HasSubstr("comes before"));
}

}  // namespace
}  // namespace mesosim::analysis
