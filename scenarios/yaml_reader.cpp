#include "scenarios/yaml_reader.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "allocator/quantities.hpp"
#include "allocator/resources.hpp"
#include "workloads/trace_fields.hpp"

namespace mesosim::scenario_yaml {

std::string join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : fmt::format("{}.{}", path, key);
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

std::optional<std::string_view> nearest(std::string_view word,
                                        std::span<const std::string_view> known) {
  std::optional<std::string_view> best;
  size_t best_distance = 0;
  for (std::string_view k : known) {
    const size_t d = edit_distance(word, k);
    if (!best || d < best_distance) {
      best = k;
      best_distance = d;
    }
  }
  // A typo changes a few letters; anything further is a different word.
  const size_t allowed = std::max<size_t>(2, word.size() / 3);
  if (!best || best_distance > allowed) return std::nullopt;
  return best;
}

std::optional<Duration> parse_duration(std::string_view text) {
  size_t unit_at = text.size();
  while (unit_at > 0 && std::isalpha(static_cast<unsigned char>(text[unit_at - 1]))) --unit_at;
  const std::string_view number = text.substr(0, unit_at);
  const std::string_view unit = text.substr(unit_at);
  const auto value = parse_double(number);
  if (!value || !std::isfinite(*value) || *value < 0) return std::nullopt;
  double micros_per_unit = 0;
  if (unit.empty() || unit == "s") {
    micros_per_unit = 1e6;
  } else if (unit == "us") {
    micros_per_unit = 1;
  } else if (unit == "ms") {
    micros_per_unit = 1e3;
  } else if (unit == "m" || unit == "min") {
    micros_per_unit = 60e6;
  } else if (unit == "h") {
    micros_per_unit = 3600e6;
  } else if (unit == "d") {
    micros_per_unit = 86400e6;
  } else {
    return std::nullopt;
  }
  const double micros = *value * micros_per_unit;
  if (micros > 9e18) return std::nullopt;
  return Duration::micros(static_cast<int64_t>(std::llround(micros)));
}

const Origin* Reader::origin_of(const std::string& path) const {
  // The latest override wins, as it was applied last.
  for (auto it = origins_.rbegin(); it != origins_.rend(); ++it) {
    const std::string& p = it->path;
    if (path == p ||
        (path.size() > p.size() && path.compare(0, p.size(), p) == 0 && path[p.size()] == '.')) {
      return &*it;
    }
  }
  return nullptr;
}

ScenarioError unexpected_structure(const std::string& file, const YAML::Exception& e) {
  ScenarioError err{file, e.mark.line + 1, e.mark.column + 1, ""};
  err.message =
      fmt::format("unexpected YAML structure ({}) at {}:{}:{}", e.msg, file, err.line, err.column);
  return err;
}

ScenarioError Reader::error_at(const YAML::Node& at, const std::string& path,
                               const std::string& what) const {
  ScenarioError e;
  const YAML::Mark mark = at.IsDefined() ? at.Mark() : YAML::Mark::null_mark();
  if (const Origin* o = origin_of(path); o && (!o->file_marks || mark.is_null())) {
    e.file = o->file_marks ? file_ : "--set";
    e.message = fmt::format("{} (from {})", what, o->where);
    return e;
  }
  e.file = file_;
  if (mark.is_null()) {
    e.message = fmt::format("{} in {}", what, file_);
    return e;
  }
  e.line = mark.line + 1;
  e.column = mark.column + 1;
  e.message = fmt::format("{} at {}:{}:{}", what, file_, e.line, e.column);
  return e;
}

void Reader::fail(const YAML::Node& at, const std::string& path, const std::string& what) const {
  throw LoadFailure{error_at(at, path, what)};
}

void Reader::check_keys(const YAML::Node& node, const std::string& path,
                        std::span<const std::string_view> known) const {
  require_map(node, path);
  for (auto it = node.begin(); it != node.end(); ++it) {
    const YAML::Node key = it->first;
    const std::string name = key.IsScalar() ? key.Scalar() : std::string("<not a scalar>");
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    const std::string where = path.empty() ? "" : fmt::format(" in {}", path);
    ScenarioError e =
        error_at(key, join(path, name), fmt::format("unknown key '{}'{}", name, where));
    if (auto near = nearest(name, known)) {
      e.message += fmt::format("; did you mean '{}'?", *near);
    } else {
      std::string list;
      for (std::string_view k : known) list += fmt::format("{}{}", list.empty() ? "" : ", ", k);
      e.message += fmt::format(" (known: {})", list);
    }
    throw LoadFailure{std::move(e)};
  }
}

void Reader::require_map(const YAML::Node& node, const std::string& path) const {
  if (!node.IsMap()) {
    fail(node, path, fmt::format("{}: expected a map of keys", path.empty() ? "scenario" : path));
  }
}

void Reader::require_sequence(const YAML::Node& node, const std::string& path) const {
  if (!node.IsSequence()) fail(node, path, fmt::format("{}: expected a list", path));
}

std::string Reader::scalar(const YAML::Node& node, const std::string& path,
                           std::string_view expected) const {
  if (!node.IsScalar()) {
    fail(node, path,
         fmt::format("{}: expected {}, found a {}", path, expected,
                     node.IsMap()        ? "map"
                     : node.IsSequence() ? "list"
                                         : "null"));
  }
  return node.Scalar();
}

std::string Reader::text(const YAML::Node& node, const std::string& path) const {
  return scalar(node, path, "text");
}

bool Reader::boolean(const YAML::Node& node, const std::string& path) const {
  const std::string s = scalar(node, path, "true or false");
  if (s == "true") return true;
  if (s == "false") return false;
  fail(node, path, fmt::format("{}: expected true or false, found '{}'", path, s));
}

int64_t Reader::integer(const YAML::Node& node, const std::string& path, int64_t min,
                        int64_t max) const {
  const std::string expected = fmt::format("an integer from {} to {}", min, max);
  const std::string s = scalar(node, path, expected);
  const auto v = parse_int(s);
  if (!v || *v < min || *v > max)
    fail(node, path, fmt::format("{}: expected {}, found '{}'", path, expected, s));
  return *v;
}

double Reader::number(const YAML::Node& node, const std::string& path, double min,
                      double max) const {
  const std::string expected = fmt::format("a number from {} to {}", min, max);
  const std::string s = scalar(node, path, expected);
  const auto v = parse_double(s);
  if (!v || !std::isfinite(*v) || *v < min || *v > max) {
    fail(node, path, fmt::format("{}: expected {}, found '{}'", path, expected, s));
  }
  return *v;
}

Duration Reader::duration(const YAML::Node& node, const std::string& path) const {
  constexpr std::string_view kExpected =
      "a duration (seconds, or a number with a unit: 250us, 5ms, 10s, 2m, 1.5h, 1d)";
  const std::string s = scalar(node, path, kExpected);
  const auto d = parse_duration(s);
  if (!d) fail(node, path, fmt::format("{}: expected {}, found '{}'", path, kExpected, s));
  return *d;
}

std::string Reader::choice(const YAML::Node& node, const std::string& path,
                           std::span<const std::string_view> known, std::string_view what) const {
  std::string list;
  for (std::string_view k : known) list += fmt::format("{}{}", list.empty() ? "" : ", ", k);
  const std::string s = scalar(node, path, fmt::format("a {} ({})", what, list));
  if (std::find(known.begin(), known.end(), s) != known.end()) return s;
  std::string msg = fmt::format("{}: unknown {} '{}' (known: {})", path, what, s, list);
  ScenarioError e = error_at(node, path, msg);
  if (auto near = nearest(s, known)) e.message += fmt::format("; did you mean '{}'?", *near);
  throw LoadFailure{std::move(e)};
}

std::string Reader::resources(const YAML::Node& node, const std::string& path) const {
  const std::string s = scalar(node, path, "resources in Mesos text (cpus:4;mem:8192)");
  auto r = Resources::parse(s);
  if (!r.ok())
    fail(node, path, fmt::format("{}: bad resources '{}': {}", path, s, r.error().message));
  if (r.value().empty())
    fail(node, path, fmt::format("{}: expected some resources, found none", path));
  return s;
}

std::string Reader::quantities(const YAML::Node& node, const std::string& path) const {
  const std::string s = scalar(node, path, "resource amounts (cpus:4;mem:8192)");
  auto q = Quantities::parse(s);
  if (!q.ok())
    fail(node, path, fmt::format("{}: bad resource amounts '{}': {}", path, s, q.error().message));
  return s;
}

std::vector<std::string> Reader::text_list(const YAML::Node& node, const std::string& path) const {
  if (node.IsScalar()) return {node.Scalar()};
  require_sequence(node, path);
  std::vector<std::string> out;
  for (size_t i = 0; i < node.size(); ++i)
    out.push_back(text(node[i], join(path, std::to_string(i))));
  return out;
}

std::map<std::string, std::string> Reader::text_map(const YAML::Node& node,
                                                    const std::string& path) const {
  require_map(node, path);
  std::map<std::string, std::string> out;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string key = text(it->first, path);
    out[key] = text(it->second, join(path, key));
  }
  return out;
}

}  // namespace mesosim::scenario_yaml
