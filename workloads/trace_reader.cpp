#include "workloads/trace_reader.hpp"

#include <fmt/format.h>

namespace mesosim {

std::string RowError::message(std::string_view file, int64_t line) const {
  return fmt::format("{}:{}: field {}: expected {}, found '{}'", file, line, field, expected,
                     found);
}

std::string RowError::reason() const {
  return fmt::format("field {}: expected {}", field, expected);
}

void ReadSummary::skip(const RowError& e, std::string_view file, int64_t line) {
  ++skipped_rows;
  const std::string reason = e.reason();
  if (++skipped_by_reason[reason] == 1) first_skipped[reason] = e.message(file, line);
}

}  // namespace mesosim
