#pragma once

// Splitting trace lines into fields and parsing the fields, shared by every reader.
// std::from_chars throughout: no locale, no allocation, no iostreams.

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "allocator/result.hpp"
#include "allocator/time.hpp"

namespace mesosim {

// Splits one CSV line (RFC 4180 quoting: a field in double quotes may hold ',' ';' and '""'
// for a quote). Views point into the line or into storage the splitter owns, valid until the
// next split. Quoted fields spanning lines are not supported (no field here holds a newline).
class CsvSplitter {
 public:
  // False with `error` set when quoting is broken (unterminated quote, text after a quote).
  bool split(std::string_view line, std::string* error);
  const std::vector<std::string_view>& fields() const { return fields_; }

 private:
  std::vector<std::string_view> fields_;
  std::deque<std::string> unquoted_;
};

// Splits on runs of spaces and tabs, ignoring leading and trailing ones (SWF data lines).
void split_whitespace(std::string_view line, std::vector<std::string_view>& out);

std::optional<int64_t> parse_int(std::string_view text);
std::optional<double> parse_double(std::string_view text);
// Non-negative decimal seconds with at most six fractional digits ("12", "0.25", "3.000001"),
// exactly, without going through floating point; "inf" is Duration::max(). nullopt otherwise.
std::optional<int64_t> parse_seconds_micros(std::string_view text);
// Exact decimal seconds for a count of microseconds: "12", "0.25", "inf" for INT64_MAX.
std::string format_seconds_micros(int64_t micros);

// CSV text for one field: quoted when it holds ',', ';', '"' or leading/trailing spaces.
void append_csv_field(std::string& out, std::string_view field);

}  // namespace mesosim
