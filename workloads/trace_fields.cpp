#include "workloads/trace_fields.hpp"

#include <charconv>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace mesosim {

bool CsvSplitter::split(std::string_view line, std::string* error) {
  fields_.clear();
  unquoted_.clear();
  if (line.find('"') == std::string_view::npos) {
    size_t start = 0;
    for (;;) {
      const size_t comma = line.find(',', start);
      if (comma == std::string_view::npos) {
        fields_.push_back(line.substr(start));
        return true;
      }
      fields_.push_back(line.substr(start, comma - start));
      start = comma + 1;
    }
  }
  size_t i = 0;
  for (;;) {
    if (i < line.size() && line[i] == '"') {
      std::string& text = unquoted_.emplace_back();
      size_t j = i + 1;
      for (;;) {
        if (j >= line.size()) {
          *error = fmt::format("unterminated quoted field starting at column {}", i + 1);
          return false;
        }
        if (line[j] == '"') {
          if (j + 1 < line.size() && line[j + 1] == '"') {
            text.push_back('"');
            j += 2;
            continue;
          }
          break;
        }
        text.push_back(line[j++]);
      }
      fields_.push_back(text);
      i = j + 1;
      if (i == line.size()) return true;
      if (line[i] != ',') {
        *error = fmt::format("expected ',' after the quoted field ending at column {}", i);
        return false;
      }
      ++i;
      continue;
    }
    const size_t comma = line.find(',', i);
    const std::string_view field =
        line.substr(i, comma == std::string_view::npos ? std::string_view::npos : comma - i);
    if (field.find('"') != std::string_view::npos) {
      *error = fmt::format("a '\"' inside the unquoted field starting at column {}", i + 1);
      return false;
    }
    fields_.push_back(field);
    if (comma == std::string_view::npos) return true;
    i = comma + 1;
  }
}

void split_whitespace(std::string_view line, std::vector<std::string_view>& out) {
  out.clear();
  size_t i = 0;
  const size_t n = line.size();
  while (i < n) {
    while (i < n && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i == n) break;
    const size_t start = i;
    while (i < n && line[i] != ' ' && line[i] != '\t') ++i;
    out.push_back(line.substr(start, i - start));
  }
}

std::optional<int64_t> parse_int(std::string_view text) {
  int64_t v = 0;
  const char* first = text.data();
  const char* last = text.data() + text.size();
  if (first != last && *first == '+') ++first;
  auto [end, ec] = std::from_chars(first, last, v);
  if (ec != std::errc() || end != last || first == last) return std::nullopt;
  return v;
}

std::optional<double> parse_double(std::string_view text) {
  double v = 0;
  const char* first = text.data();
  const char* last = text.data() + text.size();
  if (first != last && *first == '+') ++first;
  auto [end, ec] = std::from_chars(first, last, v);
  if (ec != std::errc() || end != last || first == last || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<int64_t> parse_seconds_micros(std::string_view text) {
  if (text == "inf") return std::numeric_limits<int64_t>::max();
  const size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  if (whole.empty()) return std::nullopt;
  int64_t s = 0;
  auto [end, ec] = std::from_chars(whole.data(), whole.data() + whole.size(), s);
  if (ec != std::errc() || end != whole.data() + whole.size() || s < 0) return std::nullopt;
  if (s > std::numeric_limits<int64_t>::max() / 1'000'000 - 1) return std::nullopt;
  int64_t frac = 0;
  if (dot != std::string_view::npos) {
    const std::string_view digits = text.substr(dot + 1);
    if (digits.empty() || digits.size() > 6) return std::nullopt;
    int scale = 1'000'000;
    for (char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
      scale /= 10;
      frac += (c - '0') * scale;
    }
  }
  return s * 1'000'000 + frac;
}

std::string format_seconds_micros(int64_t micros) {
  if (micros == std::numeric_limits<int64_t>::max()) return "inf";
  const int64_t whole = micros / 1'000'000;
  int64_t frac = micros % 1'000'000;
  if (frac == 0) return fmt::format("{}", whole);
  int digits = 6;
  while (frac % 10 == 0) {
    frac /= 10;
    --digits;
  }
  return fmt::format("{}.{:0{}}", whole, frac, digits);
}

void append_csv_field(std::string& out, std::string_view field) {
  const bool quote = field.find_first_of(",;\"") != std::string_view::npos ||
                     (!field.empty() && (field.front() == ' ' || field.back() == ' '));
  if (!quote) {
    out.append(field);
    return;
  }
  out.push_back('"');
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

}  // namespace mesosim
