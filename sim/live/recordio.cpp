#include "sim/live/recordio.hpp"

#include <algorithm>

namespace mesosim::live {

std::string encode_record(std::string_view record) {
  std::string out = std::to_string(record.size());
  out.push_back('\n');
  out.append(record);
  return out;
}

RecordIODecoder::RecordIODecoder(size_t max_record_bytes) : max_record_bytes_(max_record_bytes) {}

bool RecordIODecoder::at_record_boundary() const { return !in_body_ && header_.empty(); }

Status RecordIODecoder::consume_header_byte(char c) {
  if (c == '\n') {
    if (header_.empty()) return Error{"recordio: empty length header"};
    body_length_ = header_value_;
    header_.clear();
    header_value_ = 0;
    in_body_ = true;
    return Status::success();
  }
  if (c < '0' || c > '9') {
    std::string shown = (c >= 0x20 && c < 0x7f)
                            ? std::string(1, c)
                            : "\\x" + std::to_string(static_cast<unsigned char>(c));
    return Error{"recordio: expected a decimal digit or '\\n' in the length header, found '" +
                 shown + "'"};
  }
  header_.push_back(c);
  const size_t digit = static_cast<size_t>(c - '0');
  // Checked before multiplying, so the value never overflows.
  if (digit > max_record_bytes_ || header_value_ > (max_record_bytes_ - digit) / 10) {
    return Error{"recordio: record length " + header_ + "... exceeds the limit of " +
                 std::to_string(max_record_bytes_) + " bytes"};
  }
  header_value_ = header_value_ * 10 + digit;
  // Leading zeros are legal, but not without end.
  if (header_.size() > 32) return Error{"recordio: length header longer than 32 digits"};
  return Status::success();
}

Result<std::vector<std::string>> RecordIODecoder::decode(std::string_view chunk) {
  if (failed_) return *failed_;
  std::vector<std::string> records;
  size_t i = 0;
  while (i < chunk.size()) {
    if (in_body_) {
      size_t take = std::min(body_length_ - body_.size(), chunk.size() - i);
      body_.append(chunk.substr(i, take));
      i += take;
    } else {
      Status s = consume_header_byte(chunk[i]);
      ++i;
      if (!s.ok()) {
        failed_ = s.error();
        return *failed_;
      }
    }
    if (in_body_ && body_.size() == body_length_) {
      records.push_back(std::move(body_));
      body_.clear();
      in_body_ = false;
    }
  }
  return records;
}

}  // namespace mesosim::live
