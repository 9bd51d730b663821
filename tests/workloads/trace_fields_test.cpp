#include "workloads/trace_fields.hpp"

#include <limits>

#include <gtest/gtest.h>

#include "workloads/trace_open.hpp"

namespace mesosim {
namespace {

std::vector<std::string> split(std::string_view line) {
  CsvSplitter s;
  std::string error;
  EXPECT_TRUE(s.split(line, &error)) << error;
  return {s.fields().begin(), s.fields().end()};
}

TEST(CsvSplitterTest, QuotedFieldsHoldCommasSemicolonsAndDoubledQuotes) {
  EXPECT_EQ(split("a,,c"), (std::vector<std::string>{"a", "", "c"}));
  EXPECT_EQ(split("\"x,y\",\"p;q\",\"say \"\"hi\"\"\","),
            (std::vector<std::string>{"x,y", "p;q", "say \"hi\"", ""}));
  EXPECT_EQ(split("\"\""), (std::vector<std::string>{""}));
}

TEST(CsvSplitterTest, BrokenQuotingIsReportedWithItsColumn) {
  CsvSplitter s;
  std::string error;
  EXPECT_FALSE(s.split("a,\"open", &error));
  EXPECT_EQ(error, "unterminated quoted field starting at column 3");
  EXPECT_FALSE(s.split("\"q\"x,b", &error));
  EXPECT_EQ(error, "expected ',' after the quoted field ending at column 3");
  EXPECT_FALSE(s.split("ab\"c", &error));
  EXPECT_EQ(error, "a '\"' inside the unquoted field starting at column 1");
}

TEST(SecondsTest, ParsesDecimalSecondsExactlyToTheMicrosecond) {
  EXPECT_EQ(parse_seconds_micros("12"), 12'000'000);
  EXPECT_EQ(parse_seconds_micros("0.25"), 250'000);
  EXPECT_EQ(parse_seconds_micros("3.000001"), 3'000'001);
  EXPECT_EQ(parse_seconds_micros("inf"), std::numeric_limits<int64_t>::max());
  for (const char* bad : {"", "-1", "1.", ".5", "1.2345678", "1e3", "1,5", "x"}) {
    EXPECT_EQ(parse_seconds_micros(bad), std::nullopt) << bad;
  }
  for (int64_t us : {int64_t{0}, int64_t{1}, int64_t{250'000}, int64_t{86'400'000'001},
                     std::numeric_limits<int64_t>::max()}) {
    EXPECT_EQ(parse_seconds_micros(format_seconds_micros(us)), us) << us;
  }
  EXPECT_EQ(format_seconds_micros(1'500'000), "1.5");
}

TEST(SplitWhitespaceTest, SplitsOnRunsOfSpacesAndTabs) {
  std::vector<std::string_view> out;
  split_whitespace("\t 1  -1\t2.5 ", out);
  EXPECT_EQ(out, (std::vector<std::string_view>{"1", "-1", "2.5"}));
}

TEST(TraceFormatTest, IsDetectedFromContent) {
  EXPECT_EQ(detect_trace_format("tests/data/workloads/small.swf").value(), TraceFormat::kSwf);
  EXPECT_EQ(detect_trace_format("tests/data/workloads/small.swf.gz").value(), TraceFormat::kSwf);
  EXPECT_EQ(detect_trace_format("tests/data/workloads/jobs.csv.gz").value(), TraceFormat::kNative);
  EXPECT_EQ(detect_trace_format("tests/data/workloads/google/bad_task_events.csv").value(),
            TraceFormat::kGoogleTaskEvents);
  EXPECT_EQ(detect_trace_format("tests/data/workloads/google/machine_events.csv").value(),
            TraceFormat::kGoogleMachineEvents);
  auto unknown = detect_trace_format("tests/CMakeLists.txt");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().message.rfind("tests/CMakeLists.txt:1: unknown trace format: expected "
                                          "a native header (job_id,...), SWF",
                                          0),
            0u)
      << unknown.error().message;
}

TEST(TraceFormatTest, OnlyGoogleTaskEventPartsJoinIntoOneTrace) {
  auto mixed = open_trace({"tests/data/workloads/small.swf", "tests/data/workloads/jobs.csv"}, {});
  ASSERT_FALSE(mixed.ok());
  EXPECT_EQ(mixed.error().message,
            "tests/data/workloads/jobs.csv: only Google task_events parts can be read as one "
            "trace; this is native after swf tests/data/workloads/small.swf");
  auto machines = open_trace({"tests/data/workloads/google/machine_events.csv"}, {});
  ASSERT_FALSE(machines.ok());
  EXPECT_EQ(machines.error().message,
            "tests/data/workloads/google/machine_events.csv: Google machine_events describe "
            "machines, not jobs");
}

}  // namespace
}  // namespace mesosim
