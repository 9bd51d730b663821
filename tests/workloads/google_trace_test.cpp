#include "workloads/google_trace.hpp"

#include <cstdio>
#include <filesystem>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/workloads/workloads_test_util.hpp"

namespace mesosim {
namespace {

using testing::data_path;
using testing::read_all;
using testing::rows;

const std::vector<std::string> kParts = {
    data_path("google/task_events-part-00000-of-00002.csv"),
    data_path("google/task_events-part-00001-of-00002.csv.gz")};

std::unique_ptr<GoogleTaskEventReader> open_ok(std::vector<std::string> paths,
                                               GoogleOptions options = {}) {
  auto r = GoogleTaskEventReader::open(std::move(paths), options);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? std::move(r).value() : nullptr;
}

TEST(GoogleTaskEventsTest, AssemblesJobsFromInterleavedEventsAcrossParts) {
  auto reader = open_ok(kParts);
  ASSERT_TRUE(reader);
  const auto all = read_all(*reader);
  ASSERT_FALSE(all.error) << *all.error;
  // Submit order; normalised requests times the reference machine cpus:32;mem:131072 (the disk
  // request is dropped: the reference names no disk). Durations run from the last SCHEDULE:
  // job 100's task 0 from time 0 (scheduled before the trace) to its FINISH at 700 s, task 1
  // from 600 s to its LOST at 800 s; job 200's task from its rescheduling at 630 s (after an
  // EVICT and a resubmission with more memory) to its FAIL at 700 s; job 300's task was killed
  // while pending; job 400's task never ends in the trace.
  EXPECT_EQ(rows(all.jobs),
            "100,userA,google,,0,,,0,1,\"cpus:16;mem:32768\",700,,finished,,\n"
            "100,userA,google,,0,,,0,1,\"cpus:8;mem:16384\",200,,lost,,\n"
            "200,userB,google,,600,,,0,1,\"cpus:2;mem:8192\",70,,failed,,\n"
            "300,userC,google,,640,,,0,1,\"cpus:1;mem:2048\",0,,killed,,\n"
            "400,userD,google,,900,,,0,1,\"cpus:16;mem:65536\",inf,,finished,,\n");
  const ReadSummary& s = reader->summary();
  EXPECT_EQ(s.rows, 18);
  EXPECT_EQ(s.skipped_rows, 0);
  EXPECT_EQ(s.notes.at("task resubmitted after it ended (its last run is kept)"), 1);
  EXPECT_EQ(s.notes.at("task ended before it was scheduled: duration 0"), 1);
  EXPECT_EQ(s.notes.at("task with no end in the trace or the reorder window: duration inf"), 1);
  EXPECT_EQ(s.notes.at("event for a job already emitted (ignored)"), 1);
  EXPECT_EQ(s.notes.at("event for a job with no SUBMIT before it (ignored)"), 1);
}

TEST(GoogleTaskEventsTest, TheReorderWindowBoundsHowLongAJobIsHeld) {
  GoogleOptions options;
  options.reorder_window = Duration::seconds(100);
  auto reader = open_ok(kParts, options);
  ASSERT_TRUE(reader);
  const auto all = read_all(*reader);
  ASSERT_FALSE(all.error) << *all.error;
  // At 600 s job 100 has waited more than 100 s: it leaves with both tasks still open. Job 200
  // is not complete at its EVICT at 620 s: it is resubmitted at the same time.
  EXPECT_EQ(rows(all.jobs),
            "100,userA,google,,0,,,0,1,\"cpus:16;mem:32768\",inf,,finished,,\n"
            "100,userA,google,,0,,,0,1,\"cpus:8;mem:16384\",inf,,finished,,\n"
            "200,userB,google,,600,,,0,1,\"cpus:2;mem:8192\",70,,failed,,\n"
            "300,userC,google,,640,,,0,1,\"cpus:1;mem:2048\",0,,killed,,\n"
            "400,userD,google,,900,,,0,1,\"cpus:16;mem:65536\",inf,,finished,,\n");
  EXPECT_EQ(reader->summary().notes.at("job emitted by the reorder window before its tasks ended"),
            1);
}

TEST(GoogleTaskEventsTest, MemoryHoldsOnlyJobsThatAreNotYetEmitted) {
  auto reader = open_ok(kParts);
  ASSERT_TRUE(reader);
  auto first = reader->next();
  ASSERT_TRUE(first.ok() && first.value());
  EXPECT_EQ(first.value()->id, "100");
  // Job 100 left at the first event after its last end (job 400's SUBMIT at 900 s); 200 and
  // 300, complete behind it, left with it. Only job 400 is held.
  EXPECT_EQ(reader->open_jobs(), 1u);
  auto second = reader->next();
  ASSERT_TRUE(second.ok() && second.value());
  EXPECT_EQ(second.value()->id, "200");
}

TEST(GoogleTaskEventsTest, TheReferenceMachineScalesRequests) {
  GoogleOptions options;
  options.reference_machine = "cpus:64;mem:1000;disk:2000";
  auto reader = open_ok({kParts[0]}, options);
  ASSERT_TRUE(reader);
  const auto all = read_all(*reader);
  ASSERT_FALSE(all.error);
  ASSERT_GE(all.jobs.size(), 1u);
  EXPECT_EQ(all.jobs[0].tasks[0].resources.to_string(), "cpus:32;mem:250;disk:20");
}

TEST(GoogleTaskEventsTest, AMalformedRowIsAnErrorNamingFileLineAndField) {
  auto reader = open_ok({data_path("google/bad_task_events.csv")});
  ASSERT_TRUE(reader);
  const auto all = read_all(*reader);
  EXPECT_TRUE(all.jobs.empty());
  ASSERT_TRUE(all.error);
  EXPECT_EQ(*all.error,
            "tests/data/workloads/google/bad_task_events.csv:3: field count: expected 13 "
            "comma-separated task_events fields, found '12'");
}

TEST(GoogleTaskEventsTest, SkipBadRowsSkipsAndCountsEachReason) {
  GoogleOptions options;
  options.read.skip_bad_rows = true;
  auto reader = open_ok({data_path("google/bad_task_events.csv")}, options);
  ASSERT_TRUE(reader);
  const auto all = read_all(*reader);
  ASSERT_FALSE(all.error) << *all.error;
  EXPECT_EQ(rows(all.jobs), "1,u,google,,0,,,0,1,\"cpus:3.2;mem:13107.2\",0,,finished,,\n");
  const ReadSummary& s = reader->summary();
  EXPECT_EQ(s.rows, 2);
  EXPECT_EQ(s.skipped_rows, 5);
  const std::string f = "tests/data/workloads/google/bad_task_events.csv";
  EXPECT_EQ(s.first_skipped.at("field 6 (event type): expected an event type from 0 to 8"),
            f + ":4: field 6 (event type): expected an event type from 0 to 8, found '9'");
  EXPECT_EQ(s.first_skipped.at("field 10 (CPU request): expected a normalised amount >= 0 or "
                               "empty"),
            f + ":5: field 10 (CPU request): expected a normalised amount >= 0 or empty, found "
                "'abc'");
  EXPECT_EQ(s.first_skipped.at("field 4 (task index): expected an integer from 0 to 10000000"),
            f + ":6: field 4 (task index): expected an integer from 0 to 10000000, found 'x'");
  EXPECT_EQ(s.first_skipped.at("field 1 (time): expected microseconds >= the previous event's 7 "
                               "(time order)"),
            f + ":8: field 1 (time): expected microseconds >= the previous event's 7 (time "
                "order), found '3'");
}

TEST(GoogleMachineEventsTest, MachinesAreAddedUpdatedAndRemovedWithScaledCapacity) {
  auto r = GoogleMachineEventReader::open({data_path("google/machine_events.csv")}, {});
  ASSERT_TRUE(r.ok()) << r.error().message;
  std::vector<std::string> seen;
  for (;;) {
    auto e = r.value()->next();
    ASSERT_TRUE(e.ok()) << e.error().message;
    if (!e.value()) break;
    const MachineEvent& m = *e.value();
    seen.push_back(fmt::format("{} {} {} {} {}", m.time.micros(), m.machine_id, to_string(m.kind),
                               m.platform, m.resources.to_string()));
  }
  EXPECT_EQ(seen, (std::vector<std::string>{
                      "0 1 add plat-a cpus:16;mem:65536", "0 2 add plat-a cpus:32;mem:131072",
                      "3600000000 1 update plat-a cpus:16;mem:32768", "7200000000 2 remove  "}));
}

TEST(GoogleMachineEventsTest, ACapacityAboveOneIsAnError) {
  const auto path = (std::filesystem::temp_directory_path() / "mesosim_machine_bad.csv").string();
  {
    auto f = std::fopen(path.c_str(), "w");
    std::fputs("0,1,0,p,0.5,0.5\n5,1,2,p,1.5,0.5", f);
    std::fclose(f);
  }
  auto r = GoogleMachineEventReader::open({path}, {});
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r.value()->next().ok());
  auto e = r.value()->next();
  std::filesystem::remove(path);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().message, path +
                                   ":2: field 5 (CPUs): expected a normalised capacity from 0 "
                                   "to 1 or empty, found '1.5'");
}

}  // namespace
}  // namespace mesosim
