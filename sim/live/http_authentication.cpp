#include "sim/live/http_authentication.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sim/live/uuid.hpp"

namespace mesosim::live {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

Status add(Credentials& out, std::string principal, std::string secret, std::string_view where) {
  if (principal.empty()) return Error{fmt::format("{}: the principal is empty", where)};
  if (out.secrets.contains(principal)) {
    return Error{fmt::format("{}: principal '{}' is given twice", where, principal)};
  }
  out.secrets.emplace(std::move(principal), std::move(secret));
  return {};
}

Result<Credentials> parse_json(std::string_view text, std::string_view source) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // Where, not what: the text around the error may be a secret.
    const std::string_view before =
        text.substr(0, std::min(text.size(), e.byte > 0 ? e.byte - 1 : 0));
    const size_t line = 1 + static_cast<size_t>(std::count(before.begin(), before.end(), '\n'));
    const size_t newline = before.rfind('\n');
    const size_t column = before.size() - (newline == std::string_view::npos ? 0 : newline + 1) + 1;
    return Error{fmt::format("{}:{}:{}: not valid JSON", source, line, column)};
  }
  if (!doc.is_object() || !doc.contains("credentials") || !doc["credentials"].is_array()) {
    return Error{fmt::format("{}: expected an array at 'credentials'", source)};
  }
  Credentials out;
  const nlohmann::json& list = doc["credentials"];
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string path = fmt::format("{}: credentials[{}]", source, i);
    const nlohmann::json& c = list[i];
    if (!c.is_object()) return Error{path + ": expected an object"};
    for (const char* field : {"principal", "secret"}) {
      if (!c.contains(field) || !c[field].is_string()) {
        return Error{fmt::format("{}.{}: expected a string", path, field)};
      }
    }
    Status added =
        add(out, c["principal"].get<std::string>(), c["secret"].get<std::string>(), path);
    if (!added) return added.error();
  }
  return out;
}

// One `principal secret` per line, as Mesos's credential files were before JSON.
Result<Credentials> parse_text(std::string_view text, std::string_view source) {
  Credentials out;
  std::istringstream lines{std::string(text)};
  std::string line;
  for (size_t number = 1; std::getline(lines, line); ++number) {
    std::istringstream fields(line);
    std::vector<std::string> tokens;
    for (std::string t; fields >> t;) tokens.push_back(std::move(t));
    if (tokens.empty()) continue;
    const std::string where = fmt::format("{}:{}", source, number);
    if (tokens.size() != 2) {
      return Error{
          fmt::format("{}: expected 'principal secret', found {} fields", where, tokens.size())};
    }
    Status added = add(out, std::move(tokens[0]), std::move(tokens[1]), where);
    if (!added) return added.error();
  }
  return out;
}

}  // namespace

Result<Credentials> parse_credentials(std::string_view text, std::string_view source) {
  size_t first = 0;
  while (first < text.size() && is_space(text[first])) ++first;
  Result<Credentials> parsed = first < text.size() && text[first] == '{' ? parse_json(text, source)
                                                                         : parse_text(text, source);
  if (parsed && parsed.value().secrets.empty()) {
    return Error{fmt::format("{}: must contain at least one credential", source)};
  }
  return parsed;
}

Result<Credentials> read_credentials(std::string_view path) {
  std::string_view file = path;
  if (file.starts_with("file://")) file.remove_prefix(7);
  std::ifstream in{std::string(file)};
  if (!in) return Error{fmt::format("{}: cannot open for reading", file)};
  std::ostringstream text;
  text << in.rdbuf();
  return parse_credentials(text.str(), file);
}

std::optional<std::string> authenticate_basic(std::optional<std::string_view> authorization,
                                              const Credentials& credentials) {
  if (!authorization) return std::nullopt;
  constexpr std::string_view kScheme = "Basic ";
  std::string_view value = *authorization;
  // As Mesos: exactly "Basic" and one token, separated by one space.
  if (!value.starts_with(kScheme)) return std::nullopt;
  value.remove_prefix(kScheme.size());
  if (value.empty() || value.find(' ') != std::string_view::npos) return std::nullopt;
  Result<std::string> decoded = base64_decode(value);
  if (!decoded) return std::nullopt;
  const std::string& pair = decoded.value();
  const size_t colon = pair.find(':');
  if (colon == std::string::npos || pair.find(':', colon + 1) != std::string::npos) {
    return std::nullopt;
  }
  const std::string principal = pair.substr(0, colon);
  auto it = credentials.secrets.find(principal);
  if (it == credentials.secrets.end() || it->second != pair.substr(colon + 1)) return std::nullopt;
  return principal;
}

std::string basic_challenge(std::string_view realm) {
  return "Basic realm=\"" + std::string(realm) + "\"";
}

}  // namespace mesosim::live
