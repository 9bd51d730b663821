#pragma once

// Internal to scenarios/: typed reads of yaml-cpp nodes that fail with a ScenarioError naming
// the node's place and what was expected. A failure is thrown as LoadFailure and turned back
// into a value by the loader's entry points (scenario_load.cpp), so parsing code reads
// straight through. Not part of the library's interface.

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "allocator/time.hpp"
#include "scenarios/scenario_error.hpp"

namespace mesosim::scenario_yaml {

struct LoadFailure {
  ScenarioError error;
};

// A yaml-cpp exception escaped the typed reads (they check a node's type before indexing it;
// this is the net under that rule): the error at its mark in `file`.
ScenarioError unexpected_structure(const std::string& file, const YAML::Exception& e);

// A value that came from outside the file: every node at or under `path` is described by
// `where` ("--set allocator.policy=foo") instead of a file position.
// file_marks: the value's nodes come from the file itself (a compare variant's `set` entry), so
// a node with a position is named by it and only the nodes the override created by `where`.
struct Origin {
  std::string path;
  std::string where;
  bool file_marks = false;
};

// "a.b" + "c" -> "a.b.c"; "" + "c" -> "c".
std::string join(const std::string& path, std::string_view key);

// Levenshtein distance, for "did you mean" suggestions.
size_t edit_distance(std::string_view a, std::string_view b);
// The nearest of `known` to `word`, if near enough to be a likely typo.
std::optional<std::string_view> nearest(std::string_view word,
                                        std::span<const std::string_view> known);

// "10s", "5ms", "250us", "2m", "2min", "1.5h", "1d", or a plain number of seconds.
std::optional<Duration> parse_duration(std::string_view text);

class Reader {
 public:
  Reader(std::string file, std::vector<Origin> origins)
      : file_(std::move(file)), origins_(std::move(origins)) {}

  [[noreturn]] void fail(const YAML::Node& at, const std::string& path,
                         const std::string& what) const;
  // The place of `at` (path: the dotted key, for values from an override).
  ScenarioError error_at(const YAML::Node& at, const std::string& path,
                         const std::string& what) const;

  // Every key of the map `node` must be in `known`; else "unknown key" with a suggestion.
  void check_keys(const YAML::Node& node, const std::string& path,
                  std::span<const std::string_view> known) const;
  void require_map(const YAML::Node& node, const std::string& path) const;
  void require_sequence(const YAML::Node& node, const std::string& path) const;

  std::string text(const YAML::Node& node, const std::string& path) const;
  bool boolean(const YAML::Node& node, const std::string& path) const;
  int64_t integer(const YAML::Node& node, const std::string& path, int64_t min, int64_t max) const;
  double number(const YAML::Node& node, const std::string& path, double min, double max) const;
  Duration duration(const YAML::Node& node, const std::string& path) const;
  // One of `known`; else an error listing them (with a suggestion when one is near).
  std::string choice(const YAML::Node& node, const std::string& path,
                     std::span<const std::string_view> known, std::string_view what) const;
  // Mesos resource text, checked with the allocator's parser.
  std::string resources(const YAML::Node& node, const std::string& path) const;
  // Quantities text ("cpus:4;mem:8192"), checked with the allocator's parser.
  std::string quantities(const YAML::Node& node, const std::string& path) const;
  // A scalar or a sequence of scalars.
  std::vector<std::string> text_list(const YAML::Node& node, const std::string& path) const;
  // A map of scalars (keys and values as text).
  std::map<std::string, std::string> text_map(const YAML::Node& node,
                                              const std::string& path) const;

  const std::string& file() const { return file_; }

 private:
  const Origin* origin_of(const std::string& path) const;
  std::string scalar(const YAML::Node& node, const std::string& path,
                     std::string_view expected) const;

  std::string file_;
  std::vector<Origin> origins_;
};

}  // namespace mesosim::scenario_yaml
