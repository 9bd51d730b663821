#pragma once

// The master's event stream on file: one JSON object per line (JSON Lines). The first line is
// a header naming the schema version, the program that wrote it and the time base; every other
// line is one MasterEvent. Live mode records with EventLogWriter; the simulator writes the same
// format; analysis and replay read it with EventLogReader. The schema (every event type and
// field) is documented in sim/README.md, "The event stream".
//
//   {"format":"mesosim-master-events","version":1,"writer":"mesosim sim","time_base":"simulated"}
//   {"t":1000000,"type":"LEADER_ELECTED","master_id":"M1"}
//
// Times ("t", "timestamp") are integer microseconds in the header's time base; durations are
// integer microseconds in fields ending in "_us"; resources are in the text format of
// allocator/resources.hpp; enums are written by name. A field whose value is absent is null.

#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "allocator/result.hpp"
#include "sim/master/master_events.hpp"

namespace mesosim {

// 2: OFFER_SKIPPED counts agents per (framework, role, reason) and is published when a count
// changes; version 1 had an event per agent passed over in every run.
inline constexpr int kEventLogVersion = 2;

enum class TimeBase {
  kSimulated,  // microseconds since the start of the run
  kUnixEpoch,  // microseconds since 1970-01-01T00:00:00Z (live mode)
};
std::string_view to_string(TimeBase base);

struct EventLogHeader {
  int version = kEventLogVersion;
  std::string writer;  // the program and mode that wrote the log, e.g. "mesosim sim"
  TimeBase time_base = TimeBase::kSimulated;
};

// One event as one line of JSON (no newline). Deterministic: the same event, the same bytes.
std::string to_json_line(const MasterEvent& event);
// The inverse. Errors say what was expected (the field, its type, the known names), without
// the place: EventLogReader prefixes file:line.
Result<MasterEvent> parse_event_line(std::string_view line);

// An observer that writes the header at construction and then each event as a line. `out` must
// outlive it. Flushes nothing itself: the stream's owner decides.
class EventLogWriter final : public MasterObserver {
 public:
  EventLogWriter(std::ostream& out, EventLogHeader header);
  void on_event(const MasterEvent& event) override;

 private:
  std::ostream& out_;
};

// Reads a log line by line, never holding more than one line. `in` must outlive it; `name`
// (the file name) prefixes every error: "run.jsonl:7: ...".
class EventLogReader {
 public:
  // Reads and checks the header: a JSON object with format "mesosim-master-events", a version
  // this reader knows (1), a writer and a time base.
  static Result<EventLogReader> open(std::istream& in, std::string name);

  const EventLogHeader& header() const { return header_; }
  // The next event; nullopt at the end of the log; an error naming file:line. Blank lines are
  // skipped. After an error the reader may be read on (the next line).
  Result<std::optional<MasterEvent>> next();
  size_t line() const { return line_; }

 private:
  EventLogReader(std::istream& in, std::string name) : in_(&in), name_(std::move(name)) {}
  std::istream* in_;
  std::string name_;
  size_t line_ = 0;
  EventLogHeader header_;
};

}  // namespace mesosim
