#include "workloads/swf_reader.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/workloads/workloads_test_util.hpp"

namespace mesosim {
namespace {

using testing::data_path;
using ::testing::HasSubstr;
using testing::read_all;
using testing::rows;

std::unique_ptr<SwfReader> open_ok(const std::string& path, SwfOptions options = {}) {
  auto r = SwfReader::open(path, options);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? std::move(r).value() : nullptr;
}

TEST(SwfReaderTest, MapsEachJobToARigidGangOfOneCpuTasks) {
  auto reader = open_ok(data_path("small.swf"));
  ASSERT_TRUE(reader);
  const auto all = read_all(*reader, 6);
  ASSERT_FALSE(all.error) << *all.error;
  ASSERT_EQ(all.jobs.size(), 6u);
  // 1: 4 allocated procs, 2048 KB requested per proc = 2 MB, completed.
  EXPECT_EQ(rows(all.jobs[0]), "1,7,mpi,,0,,,1,4,\"cpus:1;mem:2\",100,,finished,,\n");
  // 2: used memory 1024 KB and 30 s of CPU over 60 s: usage half a cpu, request taken from use.
  EXPECT_EQ(rows(all.jobs[1]),
            "2,8,mpi,,5,,,1,2,\"cpus:1;mem:1\",60,\"cpus:0.5;mem:1\",finished,,\n");
  // 3: cancelled before it ran: allocated -1, so the 8 requested procs; run time -1 -> 0; no
  // memory known -> 1024 MB default.
  EXPECT_EQ(rows(all.jobs[2]), "3,7,mpi,,5,,,1,8,\"cpus:1;mem:1024\",0,,killed,,\n");
  // 4: a tab-indented line; user -1 -> empty; failed.
  EXPECT_EQ(rows(all.jobs[3]), "4,,mpi,,20,,,1,1,\"cpus:1;mem:1024\",45,,failed,,\n");
  // 5: status 4 (last part of a failed checkpointed job), 8 MB requested, 4 MB used, cpu 2 of 1
  // capped at one cpu.
  EXPECT_EQ(rows(all.jobs[4]),
            "5,9,mpi,,20,,,1,16,\"cpus:1;mem:8\",300,\"cpus:1;mem:4\",failed,,\n");
  // 6: status -1 -> finished (noted).
  EXPECT_EQ(rows(all.jobs[5]), "6,9,mpi,,90,,,1,1,\"cpus:1;mem:1024\",1,,finished,,\n");
}

TEST(SwfReaderTest, ParsesTheHeaderComments) {
  auto reader = open_ok(data_path("small.swf"));
  ASSERT_TRUE(reader);
  ASSERT_TRUE(reader->next().ok());
  const SwfHeader& h = reader->header();
  EXPECT_EQ(h.version, "2.2");
  EXPECT_EQ(h.computer, "Test cluster for mesosim's SWF reader");
  EXPECT_EQ(h.max_jobs, 12);
  EXPECT_EQ(h.max_nodes, 16);
  EXPECT_EQ(h.max_procs, 64);
  EXPECT_EQ(h.unix_start_time, 1000000000);
  EXPECT_EQ(h.time_zone, 3600);
  EXPECT_EQ(h.time_zone_string, "Europe/Paris");
  EXPECT_EQ(h.end_time, "Sun Sep 09 06:00:00 CEST 2001");
  EXPECT_EQ(h.preemption, false);
  EXPECT_EQ(h.queues, (std::vector<std::string>{"0  interactive", "1  batch"}));
  EXPECT_EQ(h.notes.size(), 1u);
}

TEST(SwfReaderTest, ReadsTheWholeFixtureAndCountsWhatItDefaulted) {
  auto reader = open_ok(data_path("small.swf"));
  ASSERT_TRUE(reader);
  const auto all = read_all(*reader);
  ASSERT_FALSE(all.error) << *all.error;
  ASSERT_EQ(all.jobs.size(), 30u);
  EXPECT_EQ(all.jobs.back().id, "30");
  EXPECT_EQ(all.jobs.back().submit, Time::from_micros(330'000'000));
  size_t tasks = 0;
  for (const Job& j : all.jobs) tasks += j.tasks.size();
  EXPECT_EQ(tasks, 4u + 2 + 8 + 1 + 16 + 1 + 6 * (1 + 2 + 4 + 8));
  const ReadSummary& s = reader->summary();
  EXPECT_EQ(s.rows, 30);
  EXPECT_EQ(s.skipped_rows, 0);
  EXPECT_EQ(s.notes.at("run time unknown (-1): duration 0"), 1);
  EXPECT_EQ(s.notes.at("status unknown (-1): outcome finished"), 1);
  EXPECT_EQ(s.notes.at("memory unknown: default memory per processor"), 3);
  EXPECT_EQ(s.notes.at("requested memory unknown: used memory taken as the request"), 1);
}

TEST(SwfReaderTest, DefaultMemoryIsAnOption) {
  SwfOptions options;
  options.default_mem_mb = 300;
  options.framework = "torque";
  options.role = "hpc";
  auto reader = open_ok(data_path("small.swf"), options);
  ASSERT_TRUE(reader);
  const auto all = read_all(*reader, 3);
  ASSERT_EQ(all.jobs.size(), 3u);
  EXPECT_EQ(rows(all.jobs[2]), "3,7,torque,hpc,5,,,1,8,\"cpus:1;mem:300\",0,,killed,,\n");
}

TEST(SwfReaderTest, GzipAndPlainGiveTheSameJobs) {
  auto plain = open_ok(data_path("small.swf"));
  auto gz = open_ok(data_path("small.swf.gz"));
  ASSERT_TRUE(plain && gz);
  const auto a = read_all(*plain);
  const auto b = read_all(*gz);
  ASSERT_FALSE(a.error || b.error);
  EXPECT_EQ(rows(a.jobs), rows(b.jobs));
  EXPECT_EQ(a.jobs.size(), 30u);
}

TEST(SwfReaderTest, RecognisesGzipByItsMagicBytesWhateverTheName) {
  const auto copy = std::filesystem::temp_directory_path() / "mesosim_swf_gzip_named.txt";
  std::filesystem::copy_file(data_path("small.swf.gz"), copy,
                             std::filesystem::copy_options::overwrite_existing);
  auto gz = open_ok(copy.string());
  ASSERT_TRUE(gz);
  const auto all = read_all(*gz);
  std::filesystem::remove(copy);
  ASSERT_FALSE(all.error) << *all.error;
  EXPECT_EQ(all.jobs.size(), 30u);
}

TEST(SwfReaderTest, AMalformedRowIsAnErrorNamingFileLineAndField) {
  auto reader = open_ok(data_path("bad.swf"));
  ASSERT_TRUE(reader);
  const auto all = read_all(*reader);
  ASSERT_EQ(all.jobs.size(), 1u);
  ASSERT_TRUE(all.error);
  EXPECT_EQ(*all.error,
            "tests/data/workloads/bad.swf:3: field count: expected 18 whitespace-separated "
            "fields, found '17'");
}

TEST(SwfReaderTest, SkipBadRowsSkipsAndCountsEachReason) {
  SwfOptions options;
  options.read.skip_bad_rows = true;
  auto reader = open_ok(data_path("bad.swf"), options);
  ASSERT_TRUE(reader);
  const auto all = read_all(*reader);
  ASSERT_FALSE(all.error) << *all.error;
  ASSERT_EQ(all.jobs.size(), 2u);
  EXPECT_EQ(all.jobs[0].id, "1");
  EXPECT_EQ(all.jobs[1].id, "6");
  const ReadSummary& s = reader->summary();
  EXPECT_EQ(s.rows, 2);
  EXPECT_EQ(s.skipped_rows, 6);
  const auto& first = s.first_skipped;
  EXPECT_EQ(first.at("field 5 (allocated_procs): expected an integer >= -1"),
            "tests/data/workloads/bad.swf:4: field 5 (allocated_procs): expected an integer >= "
            "-1, found 'x'");
  EXPECT_EQ(first.at("field 5 (allocated_procs): expected allocated (or else requested, field "
                     "8) processors > 0"),
            "tests/data/workloads/bad.swf:5: field 5 (allocated_procs): expected allocated (or "
            "else requested, field 8) processors > 0, found '-1 and -1'");
  EXPECT_EQ(first.at("field 11 (status): expected a status of -1, 0, 1, 2, 3, 4 or 5"),
            "tests/data/workloads/bad.swf:6: field 11 (status): expected a status of -1, 0, 1, "
            "2, 3, 4 or 5, found '7'");
  EXPECT_EQ(first.at("field 2 (submit_time): expected a submit time >= the previous job's 9 s "
                     "(jobs in submit order)"),
            "tests/data/workloads/bad.swf:8: field 2 (submit_time): expected a submit time >= "
            "the previous job's 9 s (jobs in submit order), found '3'");
  EXPECT_EQ(first.at("field 7 (used_memory): expected a number >= -1"),
            "tests/data/workloads/bad.swf:9: field 7 (used_memory): expected a number >= -1, "
            "found '-2'");
  EXPECT_EQ(s.skipped_by_reason.at("field count: expected 18 whitespace-separated fields"), 1);
}

TEST(SwfReaderTest, AMissingFileIsAnErrorNamingIt) {
  auto r = SwfReader::open("tests/data/workloads/no-such.swf", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "tests/data/workloads/no-such.swf: cannot open: No such file or directory");
}

TEST(SwfReaderTest, ATruncatedGzipFileIsAnErrorNotAShortTrace) {
  std::ifstream in(data_path("small.swf.gz"), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto cut = std::filesystem::temp_directory_path() / "mesosim_swf_truncated.swf.gz";
  std::ofstream(cut, std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
  auto reader = open_ok(cut.string());
  ASSERT_TRUE(reader);
  const auto all = read_all(*reader);
  std::filesystem::remove(cut);
  ASSERT_TRUE(all.error);
  EXPECT_THAT(*all.error, HasSubstr("corrupt or truncated gzip data"));
  EXPECT_LT(all.jobs.size(), 30u);
}

}  // namespace
}  // namespace mesosim
