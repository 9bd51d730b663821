#pragma once

// RecordIO, the framing of the v1 scheduler API's event stream (Mesos docs/recordio.md): each
// record is its length in bytes as decimal ASCII, a line feed, then exactly that many bytes.
//
//   encode_record("{}") == "2\n{}"
//
// RecordIODecoder is incremental: feed it bytes as they arrive, in chunks split anywhere, and it
// returns every record completed so far. After an error it stays failed (the stream cannot be
// resynchronised) and every later decode() returns the same error.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "allocator/result.hpp"

namespace mesosim::live {

std::string encode_record(std::string_view record);

class RecordIODecoder {
 public:
  static constexpr size_t kDefaultMaxRecordBytes = 64 * 1024 * 1024;

  // Records longer than `max_record_bytes` are an error, reported as soon as the length header
  // exceeds it (before the newline, before any of the record's bytes arrive).
  explicit RecordIODecoder(size_t max_record_bytes = kDefaultMaxRecordBytes);

  // The records completed by `chunk`, in order; an Error on a malformed stream.
  Result<std::vector<std::string>> decode(std::string_view chunk);

  // True between records: no partial header or body is buffered.
  bool at_record_boundary() const;

 private:
  Status consume_header_byte(char c);

  size_t max_record_bytes_;
  bool in_body_ = false;
  std::string header_;       // digits of the length so far
  size_t header_value_ = 0;  // their value, never above max_record_bytes_
  size_t body_length_ = 0;
  std::string body_;
  std::optional<Error> failed_;
};

}  // namespace mesosim::live
