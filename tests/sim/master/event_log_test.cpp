// The event log format: every event type round-trips through a file, the reader's errors name
// file:line and what was expected, and a simulated run's log reads back as the run's stream.

#include "sim/master/event_log.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <set>
#include <sstream>

#include "tests/sim/sim_test_util.hpp"

namespace mesosim {
namespace {

using namespace mesosim::testing;
using namespace master_event;

const v1::FrameworkID kFw{"M1-0001"};
const v1::AgentID kAgent{"M1-S0"};

Quota some_quota() {
  Quota q;
  q.guarantees = Quantities::parse("cpus:2;mem:1024").value();
  q.limits = {{ResourceName::cpus(), Scalar::parse("4.5").value()}};
  return q;
}

// One event of every type, each field set to something other than its default.
std::vector<MasterEvent> one_of_each() {
  const Time t = Time::from_micros(12'000'250);
  const Resources r = Res("cpus:1.5;mem:256;ports:[31000-31009]");
  const Resources reserved = Res("cpus(r){DYN:ops:team=a}:1");
  std::vector<MasterEventBody> bodies = {
      LeaderElected{"M1"},
      MasterCrashed{"M1"},
      AgentAdded{kAgent, "host-1", r, {{"rack", "r1"}, {"zone", "z"}}, true},
      AgentDisconnected{kAgent},
      AgentRemoved{kAgent, true, AgentRemovedReason::kHealthCheckFailed, "5 missed pings"},
      AgentTotalChanged{kAgent, r + reserved},
      FrameworkAdded{kFw, "spark \"x\"", {"a", "b/c"}, true, {"b/c"}},
      FrameworkDisconnected{kFw},
      FrameworkRemoved{kFw, FrameworkRemovedReason::kFailoverTimeout},
      OffersSuppressed{kFw, {"a"}},
      OffersRevived{kFw, {"a", "b/c"}},
      WeightChanged{"a", 2.5},
      QuotaChanged{"b/c", some_quota()},
      OfferMade{v1::OfferID{"M1-O7"}, kFw, kAgent, "a", r},
      OfferDeclined{v1::OfferID{"M1-O7"}, kFw, Duration::seconds(5), "locality"},
      OfferAccepted{v1::OfferID{"M1-O8"}, kFw, 3},
      OfferRescinded{v1::OfferID{"M1-O9"}, kFw, OfferRescindedReason::kAgentUnreachable},
      OfferVoided{v1::OfferID{"M1-O10"}, kFw},
      ResourcesRecovered{kFw, kAgent, "a", r, RecoveredReason::kAcceptUnused},
      ResourcesAdopted{kFw, kAgent, "a", r},
      FilterSet{kFw, kAgent, "a", r, Duration::millis(1500)},
      ReservationApplied{kFw, kAgent, "r", v1::Operation::Type::UNRESERVE, reserved,
                         Res("cpus:1")},
      TaskStateChanged{v1::TaskID{"t1"}, kFw, kAgent, "a", v1::TaskState::TASK_FAILED,
                       v1::TaskStatusReason::REASON_CONTAINER_LIMITATION_MEMORY,
                       v1::TaskStatusSource::SOURCE_EXECUTOR, r, "oom\nkilled",
                       Time::from_micros(11'000'000), "task one",
                       {{std::string(kJobIdLabel), "job-7"}, {"k", "v"}}},
      TaskUsage{v1::TaskID{"t1"}, kFw, kAgent, Res("cpus:0.5;mem:100"),
                Time::from_micros(11'500'000)},
      AllocationRun{4, Duration::micros(321)},
      OfferSkipped{kFw, "a", SkipReason::kQuotaLimit, 3},
      CallRejected{kFw, "ACCEPT", CallRejectedReason::kInvalidOffers, "offer M1-O3 is gone"},
  };
  std::vector<MasterEvent> out;
  for (auto& b : bodies) out.push_back(MasterEvent{t, std::move(b)});
  return out;
}

std::string log_of(const std::vector<MasterEvent>& events, EventLogHeader header = {
                                                               kEventLogVersion, "test",
                                                               TimeBase::kSimulated}) {
  std::ostringstream out;
  EventLogWriter writer(out, std::move(header));
  for (const auto& e : events) writer.on_event(e);
  return out.str();
}

std::vector<MasterEvent> read_all(const std::string& text) {
  std::istringstream in(text);
  auto reader = EventLogReader::open(in, "run.jsonl");
  EXPECT_TRUE(reader.ok()) << (reader.ok() ? "" : reader.error().message);
  std::vector<MasterEvent> out;
  if (!reader.ok()) return out;
  while (true) {
    auto next = reader.value().next();
    EXPECT_TRUE(next.ok()) << (next.ok() ? "" : next.error().message);
    if (!next.ok() || !next.value()) break;
    out.push_back(std::move(*next.value()));
  }
  return out;
}

// The error the reader gives for a log whose header is fine and whose second line is `line`.
std::string error_for_event(const std::string& line) {
  std::istringstream in(log_of({}) + line + "\n");
  auto reader = EventLogReader::open(in, "run.jsonl");
  if (!reader.ok()) return "header refused: " + reader.error().message;
  auto next = reader.value().next();
  return next.ok() ? "no error" : next.error().message;
}

std::string error_for_header(const std::string& line) {
  std::istringstream in(line + "\n");
  auto reader = EventLogReader::open(in, "run.jsonl");
  return reader.ok() ? "no error" : reader.error().message;
}

TEST(EventLogTest, EveryEventTypeRoundTripsThroughAFile) {
  const auto events = one_of_each();
  std::set<std::string_view> types;
  for (const auto& e : events) types.insert(event_type(e.body));
  ASSERT_EQ(types.size(), std::variant_size_v<MasterEventBody>) << "one event of each type";

  const std::string text = log_of(events);
  const auto back = read_all(text);
  ASSERT_EQ(back.size(), events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(back[i].body.index(), events[i].body.index());
    EXPECT_EQ(back[i].time, events[i].time);
    EXPECT_EQ(to_json_line(back[i]), to_json_line(events[i]));
    EXPECT_EQ(to_string(back[i]), to_string(events[i]));
  }
  for (const auto& e : back) {
    if (const auto* d = std::get_if<OfferDeclined>(&e.body)) {
      EXPECT_EQ(d->reason, "locality");
    }
  }
  // Fields to_string does not print survive too.
  const auto& task = std::get<TaskStateChanged>(back[22].body);
  EXPECT_EQ(task.name, "task one");
  ASSERT_EQ(task.labels.size(), 2u);
  EXPECT_EQ(task.labels[0].first, kJobIdLabel);
  EXPECT_EQ(task.labels[0].second, "job-7");
  EXPECT_EQ(task.timestamp, Time::from_micros(11'000'000));
  const auto& quota = std::get<QuotaChanged>(back[12].body).quota;
  EXPECT_EQ(quota.guarantees, some_quota().guarantees);
  ASSERT_EQ(quota.limits.size(), 1u);
  EXPECT_EQ(quota.limits[0].second, Scalar::parse("4.5").value());
  EXPECT_EQ(std::get<AgentAdded>(back[2].body).attributes[1].value, "z");
  EXPECT_EQ(std::get<ReservationApplied>(back[21].body).from, Res("cpus(r){DYN:ops:team=a}:1"));
}

TEST(EventLogTest, AbsentValuesAreWrittenAsNullAndReadBack) {
  std::vector<MasterEvent> events = {
      {Time::from_micros(5), OfferDeclined{v1::OfferID{"o"}, kFw, std::nullopt}},
      {Time::from_micros(6), AllocationRun{0, std::nullopt}},
      {Time::from_micros(7), CallRejected{std::nullopt, "SUBSCRIBE",
                                          CallRejectedReason::kInvalidCall, "no name"}},
  };
  const std::string text = log_of(events);
  EXPECT_NE(text.find("\"duration_us\":null"), std::string::npos) << text;
  const auto back = read_all(text);
  ASSERT_EQ(back.size(), 3u);
  EXPECT_FALSE(std::get<OfferDeclined>(back[0].body).filter.has_value());
  // A decline without a reason has no "reason" key: logs from before it existed read the same.
  const std::string declined = log_of({events[0]});
  EXPECT_EQ(declined.find("\"reason\""), std::string::npos) << declined;
  EXPECT_FALSE(std::get<OfferDeclined>(back[0].body).reason.has_value());
  EXPECT_FALSE(std::get<AllocationRun>(back[1].body).duration.has_value());
  EXPECT_FALSE(std::get<CallRejected>(back[2].body).framework.has_value());
}

TEST(EventLogTest, HeaderNamesVersionWriterAndTimeBase) {
  const std::string text =
      log_of({}, EventLogHeader{kEventLogVersion, "mesosim live", TimeBase::kUnixEpoch});
  EXPECT_EQ(text,
            "{\"format\":\"mesosim-master-events\",\"version\":2,\"writer\":\"mesosim live\","
            "\"time_base\":\"unix_epoch\"}\n");
  std::istringstream in(text);
  auto reader = EventLogReader::open(in, "live.jsonl");
  ASSERT_TRUE(reader.ok()) << reader.error().message;
  EXPECT_EQ(reader.value().header().writer, "mesosim live");
  EXPECT_EQ(reader.value().header().time_base, TimeBase::kUnixEpoch);
  auto end = reader.value().next();
  ASSERT_TRUE(end.ok());
  EXPECT_FALSE(end.value().has_value());
}

TEST(EventLogTest, WrongVersionIsRefusedNamingFileLineAndVersions) {
  // Version 1 logs (an OFFER_SKIPPED per agent and run) are refused, not misread.
  EXPECT_EQ(error_for_header(
                R"({"format":"mesosim-master-events","version":1,"writer":"w","time_base":"simulated"})"),
            "run.jsonl:1: header: expected version 2, found version 1");
  EXPECT_EQ(error_for_header(R"({"format":"other","version":2})"),
            "run.jsonl:1: header: expected \"format\": \"mesosim-master-events\"");
  EXPECT_EQ(error_for_header(
                R"({"format":"mesosim-master-events","version":2,"writer":"w","time_base":"mars"})"),
            "run.jsonl:1: header: expected \"time_base\": \"simulated\" or \"unix_epoch\"");
  EXPECT_EQ(error_for_header("not json"),
            "run.jsonl:1: header: expected one JSON object, found malformed JSON");
  std::istringstream empty("");
  auto reader = EventLogReader::open(empty, "empty.jsonl");
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.error().message, "empty.jsonl:1: expected a header line, found an empty file");
}

TEST(EventLogTest, UnknownEventTypeIsAnErrorListingTheKnownOnes) {
  const std::string e = error_for_event(R"({"t":1,"type":"OFFER_EATEN"})");
  EXPECT_EQ(e.rfind("run.jsonl:2: unknown event type 'OFFER_EATEN'; expected one of LEADER_ELECTED, ", 0),
            0u)
      << e;
  EXPECT_NE(e.find("TASK_USAGE"), std::string::npos) << e;
}

TEST(EventLogTest, MissingFieldIsAnErrorNamingTheField) {
  EXPECT_EQ(error_for_event(R"({"t":1,"type":"OFFER_MADE","offer":"o","framework":"f","agent":"a","role":"r"})"),
            "run.jsonl:2: missing field 'resources'");
  EXPECT_EQ(error_for_event(R"({"type":"LEADER_ELECTED","master_id":"M1"})"),
            "run.jsonl:2: missing field 't'");
}

TEST(EventLogTest, WrongTypesAndBadValuesAreErrorsSayingWhatWasExpected) {
  EXPECT_EQ(error_for_event(R"({"t":"soon","type":"LEADER_ELECTED","master_id":"M1"})"),
            "run.jsonl:2: field 't': expected an integer number of microseconds, found \"soon\"");
  EXPECT_EQ(error_for_event(R"({"t":1,"type":"AGENT_REMOVED","agent":"a","unreachable":true,"reason":"BORED","message":""})"),
            "run.jsonl:2: field 'reason': unknown name 'BORED'");
  EXPECT_EQ(error_for_event(R"({"t":1,"type":"AGENT_DISCONNECTED","agent":7})"),
            "run.jsonl:2: field 'agent': expected a string, found 7");
  const std::string bad_res = error_for_event(
      R"({"t":1,"type":"AGENT_TOTAL_CHANGED","agent":"a","total":"cpus:lots"})");
  EXPECT_EQ(bad_res.rfind("run.jsonl:2: field 'total': ", 0), 0u) << bad_res;
}

TEST(EventLogTest, MalformedJsonIsAnErrorOnItsLineAndReadingGoesOn) {
  const std::string text = log_of(one_of_each()) + "{\"t\":1,\n\n" +
                           to_json_line(MasterEvent{Time::from_micros(9), LeaderElected{"M2"}}) +
                           "\n[1,2]\n";
  std::istringstream in(text);
  auto reader = EventLogReader::open(in, "run.jsonl");
  ASSERT_TRUE(reader.ok());
  for (size_t i = 0; i < one_of_each().size(); ++i) ASSERT_TRUE(reader.value().next().ok());
  const size_t bad_line = one_of_each().size() + 2;
  auto bad = reader.value().next();
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message,
            fmt::format("run.jsonl:{}: expected one JSON object, found malformed JSON", bad_line));
  auto good = reader.value().next();  // the blank line is skipped
  ASSERT_TRUE(good.ok()) << good.error().message;
  ASSERT_TRUE(good.value().has_value());
  EXPECT_EQ(std::get<LeaderElected>(good.value()->body).master_id, "M2");
  auto array = reader.value().next();
  ASSERT_FALSE(array.ok());
  EXPECT_EQ(array.error().message,
            fmt::format("run.jsonl:{}: expected one JSON object, found array", bad_line + 3));
}

// A whole simulated run written by the writer reads back as the same stream, event for event.
TEST(EventLogTest, ASimulatedRunReadsBackAsItsStream) {
  SimCluster cluster(SimClusterOptions{});
  cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
  QueueScheduler s;
  s.add({"t1", "cpus:1;mem:128", Duration::seconds(5), ""});
  s.add({"t2", "cpus:1;mem:128", Duration::seconds(8), ""});
  cluster.add_framework(framework("fw"), &s);
  EventLines lines;
  std::ostringstream out;
  EventLogWriter writer(out, EventLogHeader{kEventLogVersion, "test", TimeBase::kSimulated});
  cluster.add_observer(&lines);
  cluster.add_observer(&writer);
  cluster.start();
  cluster.run_until(secs(30));

  const auto back = read_all(out.str());
  ASSERT_EQ(back.size(), lines.lines.size());
  ASSERT_GT(back.size(), 10u);
  for (size_t i = 0; i < back.size(); ++i) EXPECT_EQ(to_string(back[i]), lines.lines[i]);
}

}  // namespace
}  // namespace mesosim
