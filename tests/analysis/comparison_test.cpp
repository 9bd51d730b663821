// Comparing run folders (analysis/comparison.hpp): means and 95% intervals over seeds, ratios to
// the first variant, order-independence, and errors that name the folder.

#include "analysis/comparison.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include <fmt/format.h>

namespace mesosim::analysis {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class ComparisonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "mesosim-cmp-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  // A run folder whose summary has the given cluster cpus share and JCT mean.
  std::filesystem::path folder(const std::string& variant, int index, uint64_t seed, double share,
                               double jct, const std::string& scenario = "s") {
    const auto dir = root_ / fmt::format("{}-{}", variant, seed);
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "run.json") << run_identity_json({scenario, variant, index, seed, "drf"});
    std::ofstream(dir / "summary.json") << fmt::format(
        R"({{"format":"mesosim-analysis-summary","version":2,
            "cluster":{{"allocated_share":{{"cpus":{}}},"used_share":{{"cpus":{}}}}},
            "jobs":{{"finished":4,"completion_s":{{"mean":{},"p95":{}}}}},
            "frameworks":[{{"name":"f","jobs":{{"completion_s":{{"mean":{}}}}}}}]}})",
        share, share, jct, jct, jct);
    return dir;
  }
  const ComparedFigure& figure(const Comparison& c, const std::string& name) {
    for (const auto& f : c.figures) {
      if (f.name == name) return f;
    }
    ADD_FAILURE() << "no figure " << name;
    static ComparedFigure none;
    return none;
  }

  std::filesystem::path root_;
};

TEST_F(ComparisonTest, MeansIntervalsAndRatiosOverSeeds) {
  auto c =
      compare_run_folders({folder("base", 0, 1, 0.5, 10), folder("base", 0, 2, 0.7, 20),
                           folder("static", 1, 1, 0.25, 40), folder("static", 1, 2, 0.35, 60)});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c.value().variants, (std::vector<std::string>{"base", "static"}));
  const ComparedFigure& share = figure(c.value(), "cluster cpus allocated share");
  ASSERT_EQ(share.cells.size(), 2u);
  EXPECT_NEAR(share.cells[0].mean, 0.6, 1e-12);
  // s.d. of {0.5, 0.7} is 0.1414; t(1) = 12.706; half-width = 12.706 * 0.1414 / sqrt(2) = 1.2706.
  EXPECT_NEAR(share.cells[0].half_width, 1.2706, 1e-3);
  EXPECT_NEAR(share.cells[1].mean, 0.3, 1e-12);
  const ComparedFigure& jct = figure(c.value(), "f: JCT mean (s)");
  EXPECT_NEAR(jct.cells[1].mean / jct.cells[0].mean, 50.0 / 15.0, 1e-12);
  const std::string table = comparison_table(c.value());
  EXPECT_THAT(table, HasSubstr("static/base"));
  EXPECT_THAT(table, HasSubstr("3.333"));  // the JCT ratio
}

TEST_F(ComparisonTest, TheOrderFoldersAreNamedInDoesNotMatter) {
  const auto a = folder("base", 0, 1, 0.5, 10), b = folder("base", 0, 2, 0.7, 20),
             c = folder("slow", 1, 1, 0.4, 30);
  auto one = compare_run_folders({a, b, c});
  auto two = compare_run_folders({c, b, a});
  ASSERT_TRUE(one.ok() && two.ok());
  EXPECT_EQ(comparison_table(one.value()), comparison_table(two.value()));
}

TEST_F(ComparisonTest, RunsOfTwoScenariosOrTwiceTheSameSeedAreErrors) {
  auto mixed =
      compare_run_folders({folder("base", 0, 1, 0.5, 10), folder("base", 0, 2, 0.5, 10, "other")});
  ASSERT_FALSE(mixed.ok());
  EXPECT_THAT(mixed.error().message, HasSubstr("compare one scenario"));
  const auto a = folder("base", 0, 1, 0.5, 10);
  const auto dup = root_ / "copy";
  std::filesystem::copy(a, dup);
  auto twice = compare_run_folders({a, dup});
  ASSERT_FALSE(twice.ok());
  EXPECT_THAT(twice.error().message, HasSubstr("both variant 'base' with seed 1"));
}

TEST_F(ComparisonTest, AFolderThatIsNotARunIsNamed) {
  auto r = compare_run_folders({root_});
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr((root_ / "run.json").string()));
}

TEST_F(ComparisonTest, ManyFrameworksLeaveTheirRowsToTheFiles) {
  auto c = compare_run_folders({folder("base", 0, 1, 0.5, 10), folder("static", 1, 1, 0.25, 40)});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(figure(c.value(), "f: JCT mean (s)").framework, "f");
  EXPECT_EQ(figure(c.value(), "JCT mean (s)").framework, "");
  EXPECT_THAT(comparison_table(c.value()), HasSubstr("f: JCT mean (s)"));
  const std::string few = comparison_table(c.value(), 0);
  EXPECT_THAT(few, Not(HasSubstr("f: JCT mean (s)")));
  EXPECT_THAT(few, HasSubstr("JCT mean (s)"));
  EXPECT_THAT(few, HasSubstr("1 frameworks: their own figures are left out here"));
}

TEST(StudentT, KnownQuantiles) {
  EXPECT_DOUBLE_EQ(student_t95(1), 12.706);
  EXPECT_DOUBLE_EQ(student_t95(9), 2.262);
  EXPECT_DOUBLE_EQ(student_t95(1000), 1.960);
}

}  // namespace
}  // namespace mesosim::analysis
