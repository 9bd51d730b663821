// The outputs: documented columns, byte-identical files for the same input, log replay giving
// what live observation gives, clear errors for a bad log and a missing gnuplot.

#include "analysis/writers.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "analysis/replay.hpp"
#include "sim/master/event_log.hpp"
#include "tests/analysis/analysis_test_util.hpp"

namespace mesosim::analysis {
namespace {

using namespace testing;
using v1::TaskState;

const std::string kData = MESOSIM_TEST_DATA_DIR "/analysis/";

// Two frameworks in two roles over a crash, with usage, explanations and jobs.
Stream busy_stream() {
  Stream s;
  s.agent(0, "a1", "cpus:8;mem:4096;disk:100").agent(0, "a2", "cpus:4;mem:2048");
  s.framework(0, "f1", "spark, the \"first\"", "analytics").framework(0, "f2", "mpi", "hpc");
  s.add(1, OfferSkipped{fw("f2"), "hpc", SkipReason::kLowerInDrfOrder, 1});
  s.offer(1, "o1", "f1", "a1", "cpus:8;mem:4096;disk:100", "analytics");
  s.offer(1, "o2", "f2", "a2", "cpus:4;mem:2048", "hpc");
  s.add(1, AllocationRun{2, std::nullopt});
  s.add(2, OfferAccepted{of("o1"), fw("f1"), 2});
  s.recover(2, "f1", "a1", "cpus:4;mem:2048;disk:100", RecoveredReason::kAcceptUnused, "analytics");
  s.task(2, "j1/0.0", "f1", "a1", TaskState::TASK_RUNNING, "cpus:4;mem:2048", "analytics");
  s.usage(3, "j1/0.0", "f1", "a1", "cpus:3.5;mem:1000");
  s.add(4, OfferDeclined{of("o2"), fw("f2"), Duration::seconds(5)});
  s.recover(4, "f2", "a2", "cpus:4;mem:2048", RecoveredReason::kDeclined, "hpc");
  s.add(6, MasterCrashed{"M1"}).add(8, LeaderElected{"M2"});
  s.add(9, AgentAdded{ag("a1"), "host-a1", res("cpus:8;mem:4096;disk:100"), {}, true});
  s.add(9, ResourcesAdopted{fw("f1"), ag("a1"), "analytics", res("cpus:4;mem:2048")});
  s.task(12, "j1/0.0", "f1", "a1", TaskState::TASK_FINISHED, "cpus:4;mem:2048", "analytics");
  s.recover(12, "f1", "a1", "cpus:4;mem:2048", RecoveredReason::kTaskReleased, "analytics");
  return s;
}

std::vector<JobOutcome> busy_jobs() {
  JobOutcome j;
  j.id = "j1";
  j.group = "alice";
  j.framework = "spark, the \"first\"";
  j.submit = at(0);
  j.start = at(2);
  j.finish = at(12);
  TaskOutcome t;
  t.ready = at(0);
  t.launched = at(2);
  t.running = at(2);
  t.ended = at(12);
  t.wait = Duration::seconds(2);
  t.locality = "node_local";
  t.agent = "host-a1";
  t.final_state = "TASK_FINISHED";
  t.attempts = 1;
  t.resources = res("cpus:4;mem:2048");
  j.tasks = {t, t};
  j.tasks[1].launched.reset();
  j.tasks[1].running.reset();
  j.tasks[1].ended.reset();
  j.tasks[1].final_state = "";
  j.tasks[1].locality = "";
  JobOutcome k = j;
  k.id = "k1";
  k.framework = "mpi";
  k.finish.reset();
  return {j, k};
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::filesystem::path fresh_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("mesosim_analysis_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  return dir;
}

TEST(WritersTest, CsvFilesHaveTheDocumentedColumns) {
  const RunResult r = busy_stream().run(20, busy_jobs());
  EXPECT_EQ(r.resources, (std::vector<std::string>{"cpus", "disk", "mem"}));
  EXPECT_EQ(first_line(timeseries_csv(r, 10)),
            "time_s,kind,name,dominant_share,cpus_allocated,cpus_used,cpus_allocated_share,"
            "cpus_used_share,disk_allocated,disk_used,disk_allocated_share,disk_used_share,"
            "mem_allocated,mem_used,mem_allocated_share,mem_used_share");
  EXPECT_EQ(first_line(jobs_csv(r)),
            "job_id,framework,group,tasks,size_bin,submit_s,ready_s,start_s,finish_s,"
            "completion_s,wait_s,state");
  EXPECT_EQ(first_line(tasks_csv(r)),
            "job_id,framework,task_index,resources,ready_s,launched_s,running_s,ended_s,wait_s,"
            "attempts,locality,agent,final_state,wait_no_free_resources_s,"
            "wait_lower_in_drf_order_s,wait_quota_limit_s,wait_quota_headroom_s,wait_filtered_s,"
            "wait_suppressed_s,wait_framework_declined_s,wait_gang_hold_s,wait_locality_wait_s,"
            "wait_executor_slot_s,wait_framework_inactive_s,"
            "wait_reserved_for_other_roles_s,wait_other_s,wait_unexplained_s,"
            "wait_earlier_attempts_s");
  // 11 instants × (cluster_total, total, 2 frameworks, 2 roles) rows + header.
  const std::string ts = timeseries_csv(r, 10);
  EXPECT_EQ(std::count(ts.begin(), ts.end(), '\n'), 1 + 11 * 6);
  // A framework name with a comma and quotes is quoted as RFC 4180 says.
  EXPECT_NE(jobs_csv(r).find("j1,\"spark, the \"\"first\"\"\",alice,2,2-10,"), std::string::npos);
  EXPECT_NE(tasks_csv(r).find("k1,mpi,1,cpus:4;mem:2048,0.000000,,,,2.000000,1,,host-a1,"),
            std::string::npos);
}

std::string fixed6(double x) {
  std::string s = "x=";  // appends: what is there stays
  append_fixed6(s, x);
  return s;
}

std::string csv_number(double x) {
  std::string s;
  append_csv_number(s, x);
  return s;
}

TEST(WritersTest, NumbersHaveSixDecimalsRoundedHalfToEvenAsPrintfWritesThem) {
  EXPECT_EQ(fixed6(0.0), "x=0.000000");
  EXPECT_EQ(fixed6(2.5), "x=2.500000");
  EXPECT_EQ(fixed6(0.1), "x=0.100000");
  // Dyadic ties are exact in binary: half to even, down and up.
  EXPECT_EQ(fixed6(0.0078125), "x=0.007812");
  EXPECT_EQ(fixed6(0.0234375), "x=0.023438");
  EXPECT_EQ(fixed6(-3.0000005), "x=-3.000001");
  EXPECT_EQ(fixed6(123456789.123456789), "x=123456789.123457");
  EXPECT_EQ(fixed6(1e21), "x=1000000000000000000000.000000");
  const std::string max = fixed6(-std::numeric_limits<double>::max());
  EXPECT_EQ(max.size(), 2 + 317u);
  EXPECT_EQ(max.substr(0, 12), "x=-179769313");
  EXPECT_EQ(max.substr(max.size() - 10), "368.000000");
  EXPECT_EQ(fixed6(std::numeric_limits<double>::infinity()), "x=inf");
  // printf keeps the sign of a negative that rounds to zero; the CSV files drop it.
  EXPECT_EQ(fixed6(-0.0), "x=-0.000000");
  EXPECT_EQ(fixed6(-1e-9), "x=-0.000000");
  EXPECT_EQ(csv_number(-0.0), "0.000000");
  EXPECT_EQ(csv_number(-1e-9), "0.000000");
  EXPECT_EQ(csv_number(-4e-7), "0.000000");
  EXPECT_EQ(csv_number(-6e-7), "-0.000001");
  EXPECT_EQ(csv_number(0.0078125), "0.007812");
  EXPECT_EQ(csv_number(1e21), "1000000000000000000000.000000");
}

TEST(WritersTest, NumbersAreTheTextFmtGaveForManyValues) {
  std::mt19937_64 rng(7);  // a fixed seed: the same values every run
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  std::uniform_int_distribution<int> exponent(-30, 30);
  for (int i = 0; i < 100000; ++i) {
    const double x = std::ldexp(unit(rng), exponent(rng));
    std::string s;
    append_fixed6(s, x);
    ASSERT_EQ(s, fmt::format("{:.6f}", x)) << "for " << x;
  }
}

std::string seconds_text(int64_t micros) {
  std::string s;
  append_seconds(s, micros);
  return s;
}

TEST(WritersTest, MicrosecondsAreWrittenAsTheirSecondsWithSixDecimals) {
  EXPECT_EQ(seconds_text(0), "0.000000");
  EXPECT_EQ(seconds_text(1), "0.000001");
  EXPECT_EQ(seconds_text(-1), "-0.000001");
  EXPECT_EQ(seconds_text(1500000), "1.500000");
  EXPECT_EQ(seconds_text(-2000001), "-2.000001");
  EXPECT_EQ(seconds_text(123456789012), "123456.789012");
  EXPECT_EQ(seconds_text(Time::max().micros()), csv_number(Time::max().seconds_f()));
  EXPECT_EQ(seconds_text(INT64_MIN), csv_number(static_cast<double>(INT64_MIN) / 1e6));
  // The same text as the double seconds_f() gives, at every magnitude and around the limit
  // where the integers take over.
  std::mt19937_64 rng(11);
  for (int i = 0; i < 100000; ++i) {
    const int bits = static_cast<int>(rng() % 63);
    int64_t us = static_cast<int64_t>(rng() >> (63 - bits));
    if (rng() % 2 == 1) us = -us;
    ASSERT_EQ(seconds_text(us), csv_number(Duration::micros(us).seconds_f())) << us;
  }
  for (int64_t us = (int64_t{1} << 51) - 1000; us < (int64_t{1} << 51) + 1000; ++us) {
    ASSERT_EQ(seconds_text(us), csv_number(static_cast<double>(us) / 1e6)) << us;
    ASSERT_EQ(seconds_text(-us), csv_number(static_cast<double>(-us) / 1e6)) << -us;
  }
}

TEST(WritersTest, SummaryJsonHoldsTheDocumentedSections) {
  const RunResult r = busy_stream().run(20, busy_jobs());
  const auto j = nlohmann::json::parse(summary_json(r));
  for (const char* key :
       {"format", "version", "start_s", "end_s", "duration_s", "events", "explanations",
        "resources", "cluster", "fairness", "offers", "allocation", "task_states", "jobs",
        "fragmentation", "frameworks", "roles"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j["frameworks"].size(), 2u);
  EXPECT_EQ(j["frameworks"][0]["name"], "mpi");
  EXPECT_EQ(j["offers"]["made"], 2);
  EXPECT_EQ(j["allocation"]["runs"], 1);
  EXPECT_FALSE(j["allocation"].contains("cycle_ms")) << "an unmeasured run has no duration";
  EXPECT_EQ(j["task_states"]["TASK_FINISHED"], 1);
  EXPECT_EQ(j["jobs"]["states"]["succeeded"], 0);  // j1 has a task that never ran
  EXPECT_TRUE(j["jobs"]["wait_by_cause_s"].contains("lower_in_drf_order"));
  // Each job has one launched task, node-local (the other never ran).
  EXPECT_EQ(j["jobs"]["locality_fraction"]["node_local"], 1.0);
  EXPECT_EQ(j["frameworks"][0]["jobs"]["locality_fraction"]["remote"], 0.0);
  EXPECT_TRUE(j["explanations"].get<bool>());
}

TEST(WritersTest, MeasuredAllocationRunsGiveTheirCycleTimes) {
  Stream s;
  s.agent(0, "a1", "cpus:1").framework(0, "f1", "batch");
  s.add(1, AllocationRun{0, Duration::millis(2)});
  s.add(2, AllocationRun{0, std::nullopt});
  s.add(3, AllocationRun{1, Duration::micros(4500)});
  const auto j = nlohmann::json::parse(summary_json(s.run(10)));
  EXPECT_EQ(j["allocation"]["runs"], 3);
  EXPECT_EQ(j["allocation"]["cycle_ms"]["count"], 2);
  EXPECT_DOUBLE_EQ(j["allocation"]["cycle_ms"]["mean"].get<double>(), 3.25);
  EXPECT_DOUBLE_EQ(j["allocation"]["cycle_ms"]["max"].get<double>(), 4.5);
}

TEST(WritersTest, InvalidUtf8InANameIsReplacedNotThrown) {
  Stream s;
  s.agent(0, "a1", "cpus:1").framework(0, "f1", "bad\xff name");
  const RunResult r = s.run(10);
  std::string json;
  ASSERT_NO_THROW(json = summary_json(r));
  EXPECT_NE(json.find("bad\xef\xbf\xbd name"), std::string::npos);  // U+FFFD
}

TEST(WritersTest, SameInputGivesByteIdenticalFiles) {
  const auto a = fresh_dir("a");
  const auto b = fresh_dir("b");
  const auto wa = write_outputs(busy_stream().run(20, busy_jobs()), a);
  const auto wb = write_outputs(busy_stream().run(20, busy_jobs()), b);
  ASSERT_TRUE(wa.ok()) << wa.error().message;
  ASSERT_TRUE(wb.ok()) << wb.error().message;
  ASSERT_EQ(wa.value().files.size(), wb.value().files.size());
  for (const auto& file : wa.value().files) {
    const std::string x = read(file);
    EXPECT_FALSE(x.empty()) << file;
    EXPECT_EQ(x, read(b / file.filename())) << file.filename();
  }
  for (const char* name :
       {"summary.json", "timeseries.csv", "jobs.csv", "tasks.csv", "report.html"}) {
    EXPECT_TRUE(std::filesystem::exists(a / name)) << name;
  }
  std::filesystem::remove_all(a);
  std::filesystem::remove_all(b);
}

TEST(WritersTest, PlotsAreRenderedAndInlinedWhenGnuplotIsThere) {
  const auto dir = fresh_dir("plots");
  const auto w = write_outputs(busy_stream().run(20, busy_jobs()), dir);
  ASSERT_TRUE(w.ok()) << w.error().message;
  if (!w.value().notes.empty()) GTEST_SKIP() << w.value().notes[0];
  const std::string html = read(dir / "report.html");
  for (const std::string& svg : plot_files()) {
    EXPECT_NE(read(dir / svg).find("<svg"), std::string::npos) << svg;
  }
  EXPECT_EQ(std::count(html.begin(), html.end(), '\n') > 0, true);
  size_t inlined = 0;
  for (size_t p = html.find("<svg"); p != std::string::npos; p = html.find("<svg", p + 1))
    ++inlined;
  EXPECT_EQ(inlined, plot_files().size());
  std::filesystem::remove_all(dir);
}

TEST(WritersTest, MissingGnuplotIsANoteAndTheReportIsStillWritten) {
  const auto dir = fresh_dir("nognuplot");
  OutputOptions options;
  options.gnuplot = "mesosim-no-such-gnuplot";
  const auto w = write_outputs(busy_stream().run(20, busy_jobs()), dir, options);
  ASSERT_TRUE(w.ok()) << w.error().message;
  ASSERT_EQ(w.value().notes.size(), 1u);
  EXPECT_NE(w.value().notes[0].find("'mesosim-no-such-gnuplot' not found on PATH"),
            std::string::npos);
  EXPECT_NE(read(dir / "report.html").find("not found on PATH"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir / "utilization.svg"));
  std::filesystem::remove_all(dir);
}

TEST(WritersTest, AFailingGnuplotIsAnErrorNamingTheScript) {
  const auto dir = fresh_dir("badgnuplot");
  OutputOptions options;
  options.gnuplot = "/bin/false";
  const auto w = write_outputs(busy_stream().run(20, busy_jobs()), dir, options);
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.error().message.find("plots.gp: gnuplot failed"), std::string::npos)
      << w.error().message;
  std::filesystem::remove_all(dir);
}

TEST(WritersTest, AnUnwritableFolderIsAnErrorNamingIt) {
  const auto w = write_outputs(busy_stream().run(20), "/proc/mesosim-cannot-be-here");
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.error().message.find("/proc/mesosim-cannot-be-here"), std::string::npos);
}

TEST(WritersTest, TheReportHasEveryTableAndEscapesNames) {
  const std::string html =
      report_html(busy_stream().run(20, busy_jobs()), "/nonexistent", {"a <note>"});
  for (const char* heading :
       {"<h2>Cluster</h2>", "<h2>Frameworks</h2>", "<h2>Shares of the cluster</h2>",
        "<h2>Job completion by job size</h2>", "<h2>Why did tasks wait?</h2>"}) {
    EXPECT_NE(html.find(heading), std::string::npos) << heading;
  }
  EXPECT_NE(html.find("<td>role</td><td>analytics</td>"), std::string::npos);
  EXPECT_NE(html.find("spark, the &quot;first&quot;"), std::string::npos);
  EXPECT_NE(html.find("a &lt;note&gt;"), std::string::npos);
  EXPECT_NE(html.find("utilization.svg was not rendered"), std::string::npos);
}

TEST(WritersTest, SummaryTableNamesEveryFrameworkAndTheCluster) {
  std::ostringstream out;
  print_summary_table(busy_stream().run(20, busy_jobs()), out);
  EXPECT_NE(out.str().find("mpi"), std::string::npos);
  EXPECT_NE(out.str().find("spark, the \"first\""), std::string::npos);
  EXPECT_NE(out.str().find("cluster: cpus"), std::string::npos);
  EXPECT_NE(out.str().find("fairness: Jain"), std::string::npos);
}

TEST(ReplayTest, ALoggedStreamGivesWhatLiveObservationGives) {
  const Stream s = busy_stream();
  std::stringstream log;
  EventLogWriter writer(log, EventLogHeader{kEventLogVersion, "test", TimeBase::kSimulated});
  s.feed(writer);
  Collector live;
  s.feed(live);
  Collector replayed;
  const auto done = replay_event_log(log, "busy.jsonl", replayed);
  ASSERT_TRUE(done.ok()) << done.error().message;
  EXPECT_EQ(done.value().events, s.events.size());
  EXPECT_EQ(done.value().last, at(12));
  const RunResult a = live.finish(at(20), busy_jobs());
  const RunResult b = replayed.finish(at(20), busy_jobs());
  EXPECT_EQ(summary_json(a), summary_json(b));
  EXPECT_EQ(timeseries_csv(a, 50), timeseries_csv(b, 50));
  EXPECT_EQ(tasks_csv(a), tasks_csv(b));
}

TEST(ReplayTest, AHandWrittenLogIsAnalysed) {
  std::ifstream in(kData + "small_run.jsonl");
  ASSERT_TRUE(in) << kData;
  Collector c;
  const auto done = replay_event_log(in, "small_run.jsonl", c);
  ASSERT_TRUE(done.ok()) << done.error().message;
  const RunResult r = c.finish(at(20), {});
  // 8 cpus on [1, 3), 2 on [3, 11): 32 cpu-seconds of 8 · 20.
  EXPECT_DOUBLE_EQ(r.total.allocated_share[resource_index(r, "cpus")], 0.2);
  EXPECT_EQ(r.offers.accepted, 1u);
  EXPECT_DOUBLE_EQ(r.offers.accept_latency_s.mean, 2.0);
}

TEST(ReplayTest, ABadLineIsAnErrorNamingFileAndLine) {
  std::ifstream in(kData + "bad_type.jsonl");
  ASSERT_TRUE(in);
  Collector c;
  const auto done = replay_event_log(in, "bad_type.jsonl", c);
  ASSERT_FALSE(done.ok());
  EXPECT_NE(done.error().message.find("bad_type.jsonl:3"), std::string::npos)
      << done.error().message;
  EXPECT_EQ(c.events(), 1u);  // the good line before it was delivered
}

}  // namespace
}  // namespace mesosim::analysis
