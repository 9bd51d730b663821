#include "workloads/native_format.hpp"

#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/workloads/workloads_test_util.hpp"

namespace mesosim {
namespace {

using testing::data_path;
using ::testing::HasSubstr;
using testing::read_all;
using testing::rows;

std::unique_ptr<NativeReader> open_ok(const std::string& path, ReadOptions options = {}) {
  auto r = NativeReader::open(path, options);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? std::move(r).value() : nullptr;
}

TEST(NativeReaderTest, ReadsEveryColumnWithQuotingListsAndDefaults) {
  auto reader = open_ok(data_path("jobs.csv"));
  ASSERT_TRUE(reader);
  const auto all = read_all(*reader);
  ASSERT_FALSE(all.error) << *all.error;
  ASSERT_EQ(all.jobs.size(), 27u);
  std::vector<Job> first(all.jobs.begin(), all.jobs.begin() + 6);
  EXPECT_EQ(
      rows(first),
      "fb-1,alice,hadoop,analytics,0,,,0,2,\"cpus:1;mem:1024\",30,\"cpus:0.5;mem:512\","
      "finished,\"agent1;agent2\",rack1\n"
      "fb-1,alice,hadoop,analytics,0,,,0,1,\"cpus:1;mem:1024\",45.5,,failed,agent3,\n"
      "spark-a-0,bob,spark,,10.25,spark-a,,0,3,\"cpus:2;mem:4096\",12.000001,,finished,,\n"
      "spark-a-1,bob,spark,,10.25,spark-a,spark-a-0,0,3,\"cpus:2;mem:4096\",8,,finished,,\n"
      "spark-a-2,bob,spark,,10.25,spark-a,\"spark-a-0;spark-a-1\",0,1,\"cpus:2;mem:4096\",8,,"
      "killed,,\n"
      "mpi-1,carol,mpi,hpc,20,,,1,4,\"cpus:1;mem:2048\",600,,finished,,\n"
      "\"svc,1\",dave,marathon,web,25,,,0,2,\"cpus:0.5;mem:256;ports:[31000-31001,31005-31005]\","
      "inf,,finished,,\n");
  const Job& fb = all.jobs[0];
  ASSERT_EQ(fb.tasks.size(), 3u);
  EXPECT_EQ(fb.tasks[0].preferred_agents, (std::vector<std::string>{"agent1", "agent2"}));
  EXPECT_EQ(fb.tasks[2].duration, Duration::micros(45'500'000));
  EXPECT_EQ(all.jobs[2].depends_on, (std::vector<std::string>{"spark-a-0"}));
  EXPECT_EQ(all.jobs[3].depends_on, (std::vector<std::string>{"spark-a-0", "spark-a-1"}));
  EXPECT_TRUE(all.jobs[4].gang);
  EXPECT_EQ(all.jobs[5].id, "svc,1");
  EXPECT_EQ(all.jobs[5].tasks[0].duration, Duration::max());
  EXPECT_EQ(rows(all.jobs[6]), "lost-1,,hadoop,,25,,,0,1,\"cpus:1;mem:128\",1,,lost,,\n");
  EXPECT_EQ(rows(all.jobs[26]),
            "gen-19,user3,hadoop,,68.5,,,0,2,\"cpus:4;mem:1024\",29,,finished,,\n");
  EXPECT_EQ(reader->summary().rows, 28);
}

TEST(NativeReaderTest, GzipAndPlainGiveTheSameJobs) {
  auto plain = open_ok(data_path("jobs.csv"));
  auto gz = open_ok(data_path("jobs.csv.gz"));
  ASSERT_TRUE(plain && gz);
  const auto a = read_all(*plain);
  const auto b = read_all(*gz);
  ASSERT_FALSE(a.error || b.error);
  EXPECT_EQ(a.jobs.size(), 27u);
  EXPECT_EQ(rows(a.jobs), rows(b.jobs));
}

TEST(NativeReaderTest, WriterOutputReadsBackToTheSameJobs) {
  auto reader = open_ok(data_path("jobs.csv"));
  ASSERT_TRUE(reader);
  const auto all = read_all(*reader);
  ASSERT_FALSE(all.error);
  for (const char* name : {"mesosim_native_roundtrip.csv", "mesosim_native_roundtrip.csv.gz"}) {
    const auto path = (std::filesystem::temp_directory_path() / name).string();
    {
      auto w = NativeWriter::open(path);
      ASSERT_TRUE(w.ok()) << w.error().message;
      for (const Job& j : all.jobs) ASSERT_TRUE(w.value()->write(j).ok());
      ASSERT_TRUE(w.value()->close().ok());
    }
    auto again = open_ok(path);
    ASSERT_TRUE(again);
    const auto back = read_all(*again);
    std::filesystem::remove(path);
    ASSERT_FALSE(back.error) << *back.error;
    EXPECT_EQ(rows(back.jobs), rows(all.jobs)) << name;
    EXPECT_EQ(is_gzip_file(path), false);  // removed
  }
}

TEST(NativeReaderTest, ColumnsMayComeInAnyOrderAndOptionalOnesMayBeLeftOut) {
  const auto path = (std::filesystem::temp_directory_path() / "mesosim_native_cols.csv").string();
  {
    auto f = std::fopen(path.c_str(), "w");
    std::fputs("duration,resources,submit,job_id\r\n7,cpus:1,3,x\r\n7,cpus:1,3,x\r\n", f);
    std::fclose(f);
  }
  auto reader = open_ok(path);
  ASSERT_TRUE(reader);
  const auto all = read_all(*reader);
  std::filesystem::remove(path);
  ASSERT_FALSE(all.error) << *all.error;
  ASSERT_EQ(all.jobs.size(), 1u);
  EXPECT_EQ(rows(all.jobs[0]), "x,,,,3,,,0,2,cpus:1,7,,finished,,\n");
}

TEST(NativeReaderTest, AMalformedRowIsAnErrorNamingFileLineAndField) {
  auto reader = open_ok(data_path("bad_native.csv"));
  ASSERT_TRUE(reader);
  const auto all = read_all(*reader);
  // Job a is not emitted: the bad row might have been one of its rows.
  EXPECT_EQ(all.jobs.size(), 0u);
  ASSERT_TRUE(all.error);
  EXPECT_EQ(*all.error,
            "tests/data/workloads/bad_native.csv:3: field outcome: expected finished, failed, "
            "killed or lost, found 'done'");
}

TEST(NativeReaderTest, SkipBadRowsSkipsAndCountsEachReason) {
  ReadOptions options;
  options.skip_bad_rows = true;
  auto reader = open_ok(data_path("bad_native.csv"), options);
  ASSERT_TRUE(reader);
  const auto all = read_all(*reader);
  ASSERT_FALSE(all.error) << *all.error;
  EXPECT_EQ(rows(all.jobs),
            "a,u,hadoop,,0,,,0,1,\"cpus:1;mem:10\",5,,finished,,\n"
            "h,u,hadoop,,6,,,0,1,cpus:1,5,,finished,,\n"
            "k,u,hadoop,,8,,,0,1,\"cpus:1;mem:10\",5,,finished,,\n");
  const ReadSummary& s = reader->summary();
  EXPECT_EQ(s.rows, 3);
  EXPECT_EQ(s.skipped_rows, 10);
  const auto& first = s.first_skipped;
  const std::string f = "tests/data/workloads/bad_native.csv";
  EXPECT_EQ(first.at("field task_count: expected an integer from 1 to 10000000"),
            f + ":5: field task_count: expected an integer from 1 to 10000000, found '0'");
  EXPECT_EQ(first.at("field gang: expected 0, 1, true or false"),
            f + ":6: field gang: expected 0, 1, true or false, found 'maybe'");
  EXPECT_EQ(first.at("field submit: expected seconds >= 0 with at most 6 decimals"),
            f + ":7: field submit: expected seconds >= 0 with at most 6 decimals, found '-1'");
  EXPECT_EQ(first.at("field count: expected 15 fields as in the header"),
            f + ":8: field count: expected 15 fields as in the header, found '14'");
  EXPECT_EQ(first.at("field duration: expected seconds >= 0 with at most 6 decimals, or inf"),
            f + ":9: field duration: expected seconds >= 0 with at most 6 decimals, or inf, "
                "found '5.1234567'");
  EXPECT_EQ(first.at("field user: expected 'u' as in the job's earlier rows"),
            f + ":11: field user: expected 'u' as in the job's earlier rows, found 'v'");
  EXPECT_EQ(first.at("field submit: expected seconds >= the previous job's 6 (jobs in submit "
                     "order)"),
            f + ":12: field submit: expected seconds >= the previous job's 6 (jobs in submit "
                "order), found '1'");
  EXPECT_EQ(first.at("field quoting: expected CSV with fields quoted by '\"'"),
            f + ":13: field quoting: expected CSV with fields quoted by '\"', found "
                "'unterminated quoted field starting at column 1'");
  int resources_errors = 0;
  for (const auto& [reason, n] : s.skipped_by_reason) {
    if (reason.rfind("field resources:", 0) == 0) {
      resources_errors += static_cast<int>(n);
      EXPECT_THAT(first.at(reason), HasSubstr(f + ":4: field resources: expected resources in "
                                                  "Mesos text ("));
      EXPECT_THAT(first.at(reason), HasSubstr("found 'cpus:one'"));
    }
  }
  EXPECT_EQ(resources_errors, 1);
}

TEST(NativeReaderTest, AFileWithoutTheHeaderIsAnError) {
  auto reader = open_ok(data_path("small.swf"));
  ASSERT_TRUE(reader);
  const auto all = read_all(*reader);
  ASSERT_TRUE(all.error);
  EXPECT_THAT(*all.error, HasSubstr("small.swf:1: field 1 of the header: expected a native "
                                    "column name"));
}

}  // namespace
}  // namespace mesosim
