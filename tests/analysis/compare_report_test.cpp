// The combined comparison report (analysis/compare_report.hpp): the plots' data come from each
// variant's run folders, compare.html holds the table, the plots and links to every run, and a
// missing file or gnuplot is said, not fatal to the table.

#include "analysis/compare_report.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace mesosim::analysis {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class CompareReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "mesosim-cr-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  // A run folder with run.json, summary.json, jobs.csv (the given completion times; an empty
  // string is an unfinished job) and a timeseries.csv of two instants where the frameworks hold
  // `cpus` of the cluster's 10 cpus (and 100 of 400 mem).
  std::filesystem::path folder(const std::string& variant, int index, uint64_t seed,
                               const std::vector<std::string>& completions,
                               const std::vector<double>& cpus) {
    const auto dir = root_ / "runs" / fmt::format("{}-{}", variant, seed);
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "run.json") << run_identity_json({"s", variant, index, seed, "drf"});
    std::ofstream(dir / "summary.json")
        << R"({"format":"mesosim-analysis-summary","version":2,
              "cluster":{"allocated_share":{"cpus":0.5}}})";
    std::ofstream jobs(dir / "jobs.csv");
    jobs << "job_id,framework,group,tasks,size_bin,submit_s,ready_s,start_s,finish_s,"
            "completion_s,wait_s,state\n";
    for (size_t i = 0; i < completions.size(); ++i) {
      jobs << fmt::format("j{},\"fw, one\",g,1,1,0,0,0,,{},0,succeeded\n", i, completions[i]);
    }
    std::ofstream ts(dir / "timeseries.csv");
    ts << "time_s,kind,name,dominant_share,cpus_allocated,cpus_used,mem_allocated,mem_used\n";
    for (size_t k = 0; k < cpus.size(); ++k) {
      ts << fmt::format("{}.000000,cluster_total,total,0,10,0,400,0\n", k * 10);
      ts << fmt::format("{}.000000,total,total,0.5,{},0,100,0\n", k * 10, cpus[k]);
      ts << fmt::format("{}.000000,framework,f,0.5,{},0,100,0\n", k * 10, cpus[k]);
    }
    return dir;
  }
  static std::string read(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  Comparison two_variants() {
    auto c = compare_run_folders({folder("base", 0, 1, {"30.000000", "10.000000"}, {2, 5}),
                                  folder("base", 0, 2, {"20.000000", ""}, {1, 1}),
                                  folder("static", 1, 1, {"50.000000"}, {4, 8})});
    EXPECT_TRUE(c.ok()) << c.error().message;
    return c.ok() ? c.value() : Comparison{};
  }

  std::filesystem::path root_;
};

TEST_F(CompareReportTest, ThePlotsPoolEveryFinishedJobOfAVariantAndShowItsFirstSeedsShares) {
  const Comparison c = two_variants();
  ASSERT_EQ(c.folders.size(), 2u);
  Result<std::string> script = compare_plots_script(c);
  ASSERT_TRUE(script.ok()) << script.error().message;
  const std::string& s = script.value();
  // base: the three finished jobs of both seeds, sorted, as a CDF from 0; static: its one job.
  EXPECT_THAT(s, HasSubstr("$jct0 << EOD\n10.000000,0\n10.000000,0.333333\n20.000000,0.666667\n"
                           "30.000000,1.000000\nEOD\n"));
  EXPECT_THAT(s, HasSubstr("$jct1 << EOD\n50.000000,0\n50.000000,1.000000\nEOD\n"));
  EXPECT_THAT(s, HasSubstr("title 'base (3 jobs)'"));
  // cpus share of seed 1 only (2/10 then 5/10), not seed 2's; mem 100/400.
  EXPECT_THAT(s, HasSubstr("$cpus0 << EOD\n0.000000,0.200000\n10.000000,0.500000\nEOD\n"));
  EXPECT_THAT(s, HasSubstr("$cpus1 << EOD\n0.000000,0.400000\n10.000000,0.800000\nEOD\n"));
  EXPECT_THAT(s, HasSubstr("$mem0 << EOD\n0.000000,0.250000\n"));
  EXPECT_THAT(s, HasSubstr("set output 'compare_cpus_share.svg'"));
  EXPECT_THAT(s, HasSubstr("title 'static (seed 1)'"));
}

TEST_F(CompareReportTest, AMissingOrBrokenCsvIsAnErrorNamingTheFile) {
  Comparison c = two_variants();
  std::filesystem::remove(c.folders[1][0] / "jobs.csv");
  Result<std::string> missing = compare_plots_script(c);
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.error().message, HasSubstr((c.folders[1][0] / "jobs.csv").string()));

  std::ofstream(c.folders[1][0] / "jobs.csv") << "job_id,completion_s\nj1,soon\n";
  Result<std::string> bad = compare_plots_script(c);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error().message, HasSubstr("jobs.csv:2: 'soon' is not a number"));

  std::ofstream(c.folders[1][0] / "jobs.csv") << "job_id,finish_s\nj1,3\n";
  Result<std::string> column = compare_plots_script(c);
  ASSERT_FALSE(column.ok());
  EXPECT_THAT(column.error().message, HasSubstr("no column 'completion_s'"));
}

TEST_F(CompareReportTest, ThePageHasTheTableTheNotesAndALinkToEveryRun) {
  const Comparison c = two_variants();
  const std::filesystem::path out = root_ / "compare";
  const std::string html = compare_html(c, out, {"plots <skipped>"});
  EXPECT_THAT(html, HasSubstr("<th>static/base</th>"));
  EXPECT_THAT(html, HasSubstr("<td>cluster cpus allocated share</td><td>0.5 ± 0</td>"));
  EXPECT_THAT(html, HasSubstr("plots &lt;skipped&gt;"));
  EXPECT_THAT(html, HasSubstr("<a href=\"../runs/base-1/report.html\">seed 1</a>"));
  EXPECT_THAT(html, HasSubstr("<a href=\"../runs/base-2/report.html\">seed 2</a>"));
  EXPECT_THAT(html, HasSubstr("<a href=\"../runs/static-1/report.html\">seed 1</a>"));
  EXPECT_THAT(html, HasSubstr("compare_jct_cdf.svg was not rendered"));
}

TEST_F(CompareReportTest, WithoutGnuplotTheReportIsWrittenAndSaysWhy) {
  const Comparison c = two_variants();
  const std::filesystem::path out = root_ / "compare";
  CompareReportOptions options;
  options.gnuplot = "mesosim-no-such-gnuplot";
  std::vector<std::string> notes;
  auto written = write_comparison(c, out, options, &notes);
  ASSERT_TRUE(written.ok()) << written.error().message;
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_THAT(notes[0], HasSubstr("'mesosim-no-such-gnuplot' not found on PATH"));
  EXPECT_THAT(read(out / "compare.html"), HasSubstr("not found on PATH"));
  EXPECT_FALSE(std::filesystem::exists(out / "compare_jct_cdf.svg"));

  options.plots = false;
  notes.clear();
  ASSERT_TRUE(write_comparison(c, out, options, &notes).ok());
  EXPECT_TRUE(notes.empty());
  EXPECT_THAT(read(out / "compare.html"), Not(HasSubstr("not found on PATH")));
}

TEST_F(CompareReportTest, WithGnuplotEveryPlotIsRenderedAndInlined) {
  const Comparison c = two_variants();
  const std::filesystem::path out = root_ / "compare";
  std::vector<std::string> notes;
  auto written = write_comparison(c, out, CompareReportOptions{}, &notes);
  ASSERT_TRUE(written.ok()) << written.error().message;
  if (!notes.empty()) GTEST_SKIP() << notes[0];
  const std::string html = read(out / "compare.html");
  size_t inlined = 0;
  for (size_t p = html.find("<svg"); p != std::string::npos; p = html.find("<svg", p + 1)) {
    ++inlined;
  }
  EXPECT_EQ(inlined, compare_plot_files().size());
  for (const std::string& svg : compare_plot_files()) {
    EXPECT_THAT(read(out / svg), HasSubstr("<svg")) << svg;
  }
}

}  // namespace
}  // namespace mesosim::analysis
