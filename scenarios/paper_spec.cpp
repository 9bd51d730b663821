#include "scenarios/paper_spec.hpp"

#include <array>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "scenarios/yaml_reader.hpp"

namespace mesosim {
namespace {

using analysis::FigureValue;
using analysis::PaperExperiment;
using analysis::PaperFigure;
using analysis::PaperSpec;
using scenario_yaml::LoadFailure;
using scenario_yaml::Reader;

constexpr std::array<std::string_view, 1> kTopKeys{"experiments"};
constexpr std::array<std::string_view, 5> kExperimentKeys{"scenario", "name", "seeds", "set",
                                                          "figures"};
constexpr std::array<std::string_view, 7> kFigureKeys{"label", "paper",  "paper_text", "mesosim",
                                                      "unit",  "digits", "gap"};
constexpr std::array<std::string_view, 5> kValueKeys{"variant", "path", "ratio", "difference",
                                                     "scale"};

// A name that is a folder and a file stem: no separators, no blanks.
bool plain_name(const std::string& s) {
  return !s.empty() &&
         s.find_first_not_of(
             "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
             "0123456789._-") == std::string::npos &&
         s[0] != '.';
}

FigureValue parse_value(const Reader& r, const YAML::Node& node, const std::string& path) {
  r.check_keys(node, path, kValueKeys);
  FigureValue v;
  if (node["scale"])
    v.scale = r.number(node["scale"], scenario_yaml::join(path, "scale"), -1e12, 1e12);
  const bool value = node["variant"] || node["path"];
  const int kinds = (value ? 1 : 0) + (node["ratio"] ? 1 : 0) + (node["difference"] ? 1 : 0);
  if (kinds != 1) {
    r.fail(node, path,
           fmt::format("{}: expected exactly one of {{variant, path}}, ratio: [A, B] or "
                       "difference: [A, B]",
                       path));
  }
  if (value) {
    if (!node["variant"] || !node["path"]) {
      r.fail(node, path, fmt::format("{}: a value needs both variant and path", path));
    }
    v.variant = r.text(node["variant"], scenario_yaml::join(path, "variant"));
    const std::string where = scenario_yaml::join(path, "path");
    auto p = analysis::parse_summary_path(r.text(node["path"], where));
    if (!p) r.fail(node["path"], where, fmt::format("{}: {}", where, p.error().message));
    v.path = std::move(p).value();
    return v;
  }
  const char* op = node["ratio"] ? "ratio" : "difference";
  v.kind = node["ratio"] ? FigureValue::Kind::kRatio : FigureValue::Kind::kDifference;
  const std::string where = scenario_yaml::join(path, op);
  const YAML::Node pair = node[op];
  if (!pair.IsSequence() || pair.size() != 2) {
    r.fail(pair, where, fmt::format("{}: expected a list of two values [A, B]", where));
  }
  v.a = std::make_shared<FigureValue>(parse_value(r, pair[0], where + ".0"));
  v.b = std::make_shared<FigureValue>(parse_value(r, pair[1], where + ".1"));
  return v;
}

PaperFigure parse_figure(const Reader& r, const YAML::Node& node, const std::string& path) {
  r.check_keys(node, path, kFigureKeys);
  for (const char* key : {"label", "paper", "paper_text", "mesosim"}) {
    if (!node[key]) r.fail(node, path, fmt::format("{}: missing key '{}'", path, key));
  }
  PaperFigure f;
  f.label = r.text(node["label"], scenario_yaml::join(path, "label"));
  const std::string paper = scenario_yaml::join(path, "paper");
  const YAML::Node p = node["paper"];
  if (p.IsSequence()) {
    if (p.size() != 2) r.fail(p, paper, fmt::format("{}: expected a number or [low, high]", paper));
    f.paper_low = r.number(p[0], paper + ".0", -1e15, 1e15);
    f.paper_high = r.number(p[1], paper + ".1", -1e15, 1e15);
    if (f.paper_high <= f.paper_low) {
      r.fail(p, paper, fmt::format("{}: a range [low, high] needs low < high", paper));
    }
  } else {
    f.paper_low = f.paper_high = r.number(p, paper, -1e15, 1e15);
  }
  f.paper_text = r.text(node["paper_text"], scenario_yaml::join(path, "paper_text"));
  f.value = parse_value(r, node["mesosim"], scenario_yaml::join(path, "mesosim"));
  if (node["unit"]) f.unit = r.text(node["unit"], scenario_yaml::join(path, "unit"));
  if (node["digits"]) {
    f.digits =
        static_cast<int>(r.integer(node["digits"], scenario_yaml::join(path, "digits"), 0, 9));
  }
  if (node["gap"]) f.gap = r.text(node["gap"], scenario_yaml::join(path, "gap"));
  return f;
}

PaperExperiment parse_experiment(const Reader& r, const YAML::Node& node, const std::string& path,
                                 const std::filesystem::path& base_dir) {
  r.check_keys(node, path, kExperimentKeys);
  for (const char* key : {"scenario", "figures"}) {
    if (!node[key]) r.fail(node, path, fmt::format("{}: missing key '{}'", path, key));
  }
  PaperExperiment e;
  const std::string scenario = scenario_yaml::join(path, "scenario");
  e.scenario = r.text(node["scenario"], scenario);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(base_dir / e.scenario, ec)) {
    r.fail(node["scenario"], scenario,
           fmt::format("{}: no scenario file '{}'", scenario, (base_dir / e.scenario).string()));
  }
  e.name = std::filesystem::path(e.scenario).stem().string();
  if (node["name"]) e.name = r.text(node["name"], scenario_yaml::join(path, "name"));
  if (!plain_name(e.name)) {
    r.fail(node["name"] ? node["name"] : node["scenario"], path,
           fmt::format("{}: the name '{}' must be letters, digits, '.', '_' or '-'", path, e.name));
  }
  if (node["seeds"]) {
    e.seeds =
        static_cast<int>(r.integer(node["seeds"], scenario_yaml::join(path, "seeds"), 1, 1000));
  }
  if (node["set"]) {
    const std::string set = scenario_yaml::join(path, "set");
    for (const auto& [key, value] : r.text_map(node["set"], set)) {
      if ((key + value).find_first_of("\t\n") != std::string::npos) {
        r.fail(node["set"], set, fmt::format("{}: '{}' has a tab or a line break", set, key));
      }
      e.sets.push_back(key + "=" + value);
    }
  }
  const std::string figures = scenario_yaml::join(path, "figures");
  r.require_sequence(node["figures"], figures);
  if (node["figures"].size() == 0) r.fail(node["figures"], figures, figures + ": no figures");
  for (size_t i = 0; i < node["figures"].size(); ++i) {
    e.figures.push_back(parse_figure(r, node["figures"][i], fmt::format("{}.{}", figures, i)));
  }
  return e;
}

PaperSpec parse(const std::string& text, const std::string& file) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    ScenarioError err{file, e.mark.line + 1, e.mark.column + 1, ""};
    err.message = fmt::format("bad YAML ({}) at {}:{}:{}", e.msg, file, err.line, err.column);
    throw LoadFailure{std::move(err)};
  }
  const Reader r(file, {});
  r.check_keys(root, "", kTopKeys);
  if (!root["experiments"]) r.fail(root, "", "missing key 'experiments'");
  r.require_sequence(root["experiments"], "experiments");
  const std::filesystem::path base_dir = std::filesystem::path(file).parent_path();
  PaperSpec spec;
  spec.file = file;
  std::set<std::string> names;
  for (size_t i = 0; i < root["experiments"].size(); ++i) {
    const std::string path = fmt::format("experiments.{}", i);
    const YAML::Node node = root["experiments"][i];
    PaperExperiment e = parse_experiment(r, node, path, base_dir);
    if (!names.insert(e.name).second) {
      r.fail(node, path,
             fmt::format("{}: a second experiment named '{}' (give one a `name:`)", path, e.name));
    }
    spec.experiments.push_back(std::move(e));
  }
  return spec;
}

}  // namespace

ScenarioResult<analysis::PaperSpec> load_paper_spec_text(const std::string& text,
                                                         const std::string& file) {
  try {
    return parse(text, file);
  } catch (const LoadFailure& f) {
    return f.error;
  } catch (const YAML::Exception& e) {
    return scenario_yaml::unexpected_structure(file, e);
  }
}

ScenarioResult<analysis::PaperSpec> load_paper_spec(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return ScenarioError{path, 0, 0, fmt::format("cannot open the spec file '{}'", path)};
  std::stringstream ss;
  ss << in.rdbuf();
  return load_paper_spec_text(ss.str(), path);
}

}  // namespace mesosim
