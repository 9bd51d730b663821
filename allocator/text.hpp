#pragma once

// Small text helpers shared by the parsers of resource text (resources_text.cpp, ranges.cpp).

#include <string_view>

namespace mesosim {

// The whitespace the resource text format allows between tokens, so values may span lines.
constexpr bool is_text_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

constexpr std::string_view trim_space(std::string_view s) {
  while (!s.empty() && is_text_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_text_space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace mesosim
