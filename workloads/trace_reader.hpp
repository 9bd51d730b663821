#pragma once

// What every trace reader shares: the options that decide what happens to a bad row, the
// summary of what was read and skipped, and the JobSource a reader is.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "workloads/job_source.hpp"

namespace mesosim {

struct ReadOptions {
  // false: the first malformed row ends the stream with an error naming file:line and field.
  // true: the row is skipped and counted in the summary with its reason.
  bool skip_bad_rows = false;
};

// A malformed row: which field, what was expected and what was found.
struct RowError {
  std::string field;
  std::string expected;
  std::string found;
  // "<file>:<line>: field <field>: expected <expected>, found '<found>'"
  std::string message(std::string_view file, int64_t line) const;
  // "field <field>: expected <expected>" (what rows skipped for the same reason share).
  std::string reason() const;
};

// Counts of what a reader read, skipped and defaulted. Reasons are few (one per kind of
// problem), so the maps stay small however long the trace.
struct ReadSummary {
  int64_t lines = 0;         // every line read, comments included
  int64_t rows = 0;          // data rows accepted
  int64_t skipped_rows = 0;  // data rows skipped (skip_bad_rows)
  std::map<std::string, int64_t> skipped_by_reason;
  std::map<std::string, std::string> first_skipped;  // reason -> first full message
  // Values accepted but not taken as written (unknown fields given a default, events that
  // came too late): counted so nothing is silently changed.
  std::map<std::string, int64_t> notes;

  void skip(const RowError& e, std::string_view file, int64_t line);
  void note(const std::string& what) { ++notes[what]; }
};

class TraceReader : public JobSource {
 public:
  virtual std::string_view format() const = 0;
  virtual const ReadSummary& summary() const = 0;
};

}  // namespace mesosim
