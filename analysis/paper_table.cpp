#include "analysis/paper_table.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include <fmt/format.h>

namespace mesosim::analysis {
namespace {

using Json = nlohmann::json;

// The runs of one experiment, by variant and seed.
using RunsBySeed = std::map<std::string, std::map<uint64_t, RunFolder>>;

Result<RunsBySeed> read_experiment_runs(const std::filesystem::path& dir,
                                        const std::string& experiment) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return Error{
        fmt::format("experiment '{}': no run folder {} (run `mesosim compare "
                    "... --out {}` first)",
                    experiment, dir.string(), dir.string())};
  }
  // <dir>/<variant>/seed-<seed>/run.json, visited in sorted order so errors are the same twice.
  std::vector<std::filesystem::path> folders;
  for (const auto& variant : std::filesystem::directory_iterator(dir, ec)) {
    if (!variant.is_directory()) continue;
    for (const auto& seed : std::filesystem::directory_iterator(variant.path(), ec)) {
      if (seed.is_directory() && std::filesystem::exists(seed.path() / "run.json")) {
        folders.push_back(seed.path());
      }
    }
  }
  std::sort(folders.begin(), folders.end());
  if (folders.empty()) {
    return Error{
        fmt::format("experiment '{}': no runs in {} (expected <variant>/seed-<n>/run.json "
                    "as `mesosim compare --out` writes)",
                    experiment, dir.string())};
  }
  RunsBySeed runs;
  std::string scenario;
  for (const auto& folder : folders) {
    auto run = read_run_folder(folder);
    if (!run) return Error{fmt::format("experiment '{}': {}", experiment, run.error().message)};
    RunFolder r = std::move(run).value();
    if (scenario.empty()) scenario = r.id.scenario;
    if (r.id.scenario != scenario) {
      return Error{fmt::format("experiment '{}': {} is a run of scenario '{}', not '{}'",
                               experiment, folder.string(), r.id.scenario, scenario)};
    }
    const std::string variant = r.id.variant;
    const uint64_t seed = r.id.seed;
    if (!runs[variant].emplace(seed, std::move(r)).second) {
      return Error{fmt::format("experiment '{}': two runs of variant '{}' with seed {} in {}",
                               experiment, variant, seed, dir.string())};
    }
  }
  return runs;
}

// The number at `path` in `summary`, or an error saying which step found nothing.
Result<double> at_path(const Json& summary, const SummaryPath& path) {
  const Json* at = &summary;
  std::string walked;
  for (const SummaryPath::Step& step : path.steps) {
    if (!step.key.empty()) {
      if (!at->is_object() || !at->contains(step.key)) {
        return Error{fmt::format("no key '{}' at '{}'", step.key, walked.empty() ? "." : walked)};
      }
      at = &(*at)[step.key];
      walked += (walked.empty() ? "" : ".") + step.key;
    }
    if (step.index || step.field) {
      if (!at->is_array()) return Error{fmt::format("'{}' is not a list", walked)};
      const Json* found = nullptr;
      if (step.index) {
        if (*step.index < at->size()) found = &(*at)[*step.index];
        walked += fmt::format("[{}]", *step.index);
      } else {
        for (const Json& element : *at) {
          const auto it = element.is_object() ? element.find(*step.field) : element.end();
          if (it != element.end() && it->is_string() && it->get<std::string>() == step.value) {
            found = &element;
            break;
          }
        }
        walked += fmt::format("[{}={}]", *step.field, step.value);
      }
      if (found == nullptr) return Error{fmt::format("no element '{}'", walked)};
      at = found;
    }
  }
  if (!at->is_number()) return Error{fmt::format("'{}' is not a number", path.text)};
  return at->get<double>();
}

// The figure's value for one seed.
Result<double> evaluate(const FigureValue& v, const RunsBySeed& runs, uint64_t seed) {
  if (v.kind == FigureValue::Kind::kValue) {
    const auto variant = runs.find(v.variant);
    if (variant == runs.end()) return Error{fmt::format("no runs of variant '{}'", v.variant)};
    const auto run = variant->second.find(seed);
    if (run == variant->second.end()) {
      return Error{
          fmt::format("variant '{}' has no run with seed {} to pair with", v.variant, seed)};
    }
    auto x = at_path(run->second.summary, v.path);
    if (!x) {
      return Error{fmt::format("{}: {} (path '{}')", (run->second.folder / "summary.json").string(),
                               x.error().message, v.path.text)};
    }
    return x.value() * v.scale;
  }
  auto a = evaluate(*v.a, runs, seed);
  if (!a) return a.error();
  auto b = evaluate(*v.b, runs, seed);
  if (!b) return b.error();
  if (v.kind == FigureValue::Kind::kDifference) return (a.value() - b.value()) * v.scale;
  if (b.value() == 0) return Error{fmt::format("seed {}: ratio with a denominator of 0", seed)};
  return a.value() / b.value() * v.scale;
}

// The variant whose seeds a figure is computed over: its first value's.
const std::string& first_variant(const FigureValue& v) {
  return v.kind == FigureValue::Kind::kValue ? v.variant : first_variant(*v.a);
}

Result<ComparedFigure::Cell> figure_over_seeds(const PaperFigure& figure, const RunsBySeed& runs) {
  const auto variant = runs.find(first_variant(figure.value));
  if (variant == runs.end()) {
    std::string known;
    for (const auto& [name, seeds] : runs) known += (known.empty() ? "" : ", ") + name;
    return Error{
        fmt::format("no runs of variant '{}' (found: {})", first_variant(figure.value), known)};
  }
  std::vector<double> xs;
  for (const auto& [seed, run] : variant->second) {
    auto x = evaluate(figure.value, runs, seed);
    if (!x) return x.error();
    xs.push_back(x.value());
  }
  return summarize_samples(xs);
}

// 12345.678 with 2 digits -> "12,345.68".
std::string grouped(double x, int digits) {
  std::string text = fmt::format("{:.{}f}", x, digits);
  if (text == fmt::format("{:.{}f}", -0.0, digits)) text = fmt::format("{:.{}f}", 0.0, digits);
  const size_t sign = text[0] == '-' ? 1 : 0;
  size_t point = text.find('.');
  if (point == std::string::npos) point = text.size();
  for (size_t at = point; at > sign + 3; at -= 3) text.insert(at - 3, ",");
  return text;
}

std::string with_unit(const std::string& number, const std::string& unit) {
  if (unit.empty()) return number;
  if (unit == "×" || unit == "%") return number + unit;
  return number + " " + unit;
}

std::string mesosim_cell(const PaperFigure& f, const ComparedFigure::Cell& c) {
  std::string number = grouped(c.mean, f.digits);
  if (c.n > 1) number += " ± " + grouped(c.half_width, f.digits);
  return fmt::format("{} (n={})", with_unit(number, f.unit), c.n);
}

std::string ratio_cell(const PaperFigure& f, const ComparedFigure::Cell& c) {
  if (!f.range()) {
    if (f.paper_low == 0) return "–";
    return fmt::format("{:.2f}", c.mean / f.paper_low);
  }
  if (c.mean >= f.paper_low && c.mean <= f.paper_high) return "within";
  const bool below = c.mean < f.paper_low;
  const double end = below ? f.paper_low : f.paper_high;
  if (end == 0) return below ? "below" : "above";
  return fmt::format("{:.2f} ({})", c.mean / end, below ? "below" : "above");
}

// Markdown table cell text: one line, pipes escaped.
std::string cell(const std::string& text) {
  std::string out;
  for (char ch : text) {
    if (ch == '\n') {
      out += ' ';
    } else if (ch == '|') {
      out += "\\|";
    } else {
      out += ch;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace

Result<SummaryPath> parse_summary_path(const std::string& text) {
  SummaryPath path;
  path.text = text;
  const auto bad = [&](const std::string& what) {
    return Error{fmt::format("path '{}': {}", text, what)};
  };
  size_t i = 0;
  while (i < text.size()) {
    SummaryPath::Step step;
    while (i < text.size() && text[i] != '.' && text[i] != '[') step.key += text[i++];
    if (i < text.size() && text[i] == '[') {
      const size_t close = text.find(']', i);
      if (close == std::string::npos) return bad("'[' without ']'");
      const std::string inside = text.substr(i + 1, close - i - 1);
      const size_t eq = inside.find('=');
      if (eq != std::string::npos) {
        if (eq == 0) return bad(fmt::format("'[{}]' names no field", inside));
        step.field = inside.substr(0, eq);
        step.value = inside.substr(eq + 1);
      } else {
        if (inside.empty() || inside.find_first_not_of("0123456789") != std::string::npos) {
          return bad(fmt::format("expected [N] or [field=value], found '[{}]'", inside));
        }
        step.index = std::stoul(inside);
      }
      i = close + 1;
    }
    if (step.key.empty() && !step.index && !step.field) return bad("an empty key");
    path.steps.push_back(std::move(step));
    if (i < text.size()) {
      if (text[i] != '.') return bad(fmt::format("expected '.' or '[' at '{}'", text.substr(i)));
      if (++i == text.size()) return bad("ends with '.'");
    }
  }
  if (path.steps.empty()) return bad("empty");
  return path;
}

Result<std::vector<PaperRow>> compute_paper_rows(const PaperSpec& spec,
                                                 const std::filesystem::path& runs_dir) {
  std::vector<PaperRow> rows;
  for (const PaperExperiment& e : spec.experiments) {
    auto runs = read_experiment_runs(runs_dir / e.name, e.name);
    if (!runs) return runs.error();
    for (const PaperFigure& f : e.figures) {
      auto cell = figure_over_seeds(f, runs.value());
      if (!cell) {
        return Error{
            fmt::format("experiment '{}', figure '{}': {}", e.name, f.label, cell.error().message)};
      }
      rows.push_back({e.name, f, cell.value()});
    }
  }
  return rows;
}

std::string paper_table_markdown(const std::vector<PaperRow>& rows) {
  std::string out =
      "| experiment | figure | paper | mesosim (mean ± 95% CI) | mesosim ÷ paper | gap |\n"
      "|---|---|---:|---:|---:|---|\n";
  for (const PaperRow& r : rows) {
    const PaperFigure& f = r.figure;
    out += fmt::format("| `{}` | {} | {} | {} | {} | {} |\n", r.experiment, cell(f.label),
                       cell(f.paper_text), mesosim_cell(f, r.mesosim), ratio_cell(f, r.mesosim),
                       cell(f.gap));
  }
  return out;
}

Result<std::string> replace_paper_table(const std::string& text, const std::string& table,
                                        const std::string& name) {
  // A marker is a line of its own: its position at a line start, and the line's end.
  const auto find_marker = [&](std::string_view marker) -> Result<size_t> {
    std::vector<size_t> found;
    for (size_t at = text.find(marker); at != std::string::npos; at = text.find(marker, at + 1)) {
      found.push_back(at);
    }
    if (found.size() != 1) {
      return Error{fmt::format("{}: {} marker line '{}'", name,
                               found.empty() ? "no" : "more than one", marker)};
    }
    return found[0];
  };
  auto begin = find_marker(kPaperTableBegin);
  if (!begin) return begin.error();
  auto end = find_marker(kPaperTableEnd);
  if (!end) return end.error();
  if (end.value() < begin.value()) {
    return Error{fmt::format("{}: '{}' comes before '{}'", name, kPaperTableEnd, kPaperTableBegin)};
  }
  const size_t after_begin = begin.value() + kPaperTableBegin.size();
  return text.substr(0, after_begin) + "\n" + table + text.substr(end.value());
}

}  // namespace mesosim::analysis
