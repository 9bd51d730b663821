#include <fmt/format.h>

#include "allocator/text.hpp"
#include "workloads/google_trace.hpp"

namespace mesosim {

Result<std::unique_ptr<GoogleMachineEventReader>> GoogleMachineEventReader::open(
    std::vector<std::string> paths, GoogleOptions options) {
  if (paths.empty()) return Error{"google machine_events: no file given"};
  auto scale = GoogleScale::parse(options.reference_machine);
  if (!scale.ok()) return scale.error();
  // Fail early on a missing first file rather than at the first next().
  if (auto first = LineReader::open(paths.front()); !first.ok()) return first.error();
  return std::unique_ptr<GoogleMachineEventReader>(
      new GoogleMachineEventReader(std::move(paths), std::move(options), scale.value()));
}

GoogleMachineEventReader::GoogleMachineEventReader(std::vector<std::string> paths,
                                                   GoogleOptions options, GoogleScale scale)
    : lines_(std::move(paths)), options_(std::move(options)), scale_(scale) {}

std::optional<RowError> GoogleMachineEventReader::parse_row(const std::vector<std::string_view>& f,
                                                            MachineEvent& e) {
  if (f.size() != 6) {
    return RowError{"count", "6 comma-separated machine_events fields",
                    fmt::format("{}", f.size())};
  }
  const auto time = parse_int(f[0]);
  if (!time || *time < 0) return RowError{"1 (time)", "microseconds >= 0", std::string(f[0])};
  if (*time < last_time_) {
    return RowError{"1 (time)",
                    fmt::format("microseconds >= the previous event's {} (time order)", last_time_),
                    std::string(f[0])};
  }
  const auto machine = parse_int(f[1]);
  if (!machine || *machine < 0) {
    return RowError{"2 (machine ID)", "an integer >= 0", std::string(f[1])};
  }
  const auto type = parse_int(f[2]);
  if (!type || *type < 0 || *type > 2) {
    return RowError{"3 (event type)", "0 (ADD), 1 (REMOVE) or 2 (UPDATE)", std::string(f[2])};
  }
  double cap[2] = {0, 0};
  for (int i = 0; i < 2; ++i) {
    const std::string_view t = trim_space(f[4 + i]);
    if (t.empty()) continue;
    const auto v = parse_double(t);
    if (!v || *v < 0 || *v > 1) {
      return RowError{i == 0 ? "5 (CPUs)" : "6 (memory)",
                      "a normalised capacity from 0 to 1 or empty", std::string(t)};
    }
    cap[i] = *v;
  }
  e.time = Time::from_micros(*time);
  e.machine_id = static_cast<uint64_t>(*machine);
  e.kind = static_cast<MachineEvent::Kind>(*type);
  e.platform = std::string(trim_space(f[3]));
  e.resources = scale_.resources(cap[0], cap[1], 0);
  last_time_ = *time;
  return std::nullopt;
}

Result<std::optional<MachineEvent>> GoogleMachineEventReader::next() {
  if (done_error_) return *done_error_;
  if (done_) return std::optional<MachineEvent>();
  for (;;) {
    auto line = lines_.next();
    if (!line.ok()) {
      done_error_ = line.error();
      return *done_error_;
    }
    if (!line.value()) {
      done_ = true;
      return std::optional<MachineEvent>();
    }
    ++summary_.lines;
    const std::string_view text = *line.value();
    if (trim_space(text).empty() || text.front() == '#') continue;
    std::string quote_error;
    MachineEvent e;
    std::optional<RowError> bad;
    if (!csv_.split(text, &quote_error)) {
      bad = RowError{"quoting", "CSV", quote_error};
    } else {
      bad = parse_row(csv_.fields(), e);
    }
    if (bad) {
      if (options_.read.skip_bad_rows) {
        summary_.skip(*bad, lines_.path(), lines_.line_number());
        continue;
      }
      done_error_ = Error{bad->message(lines_.path(), lines_.line_number())};
      return *done_error_;
    }
    ++summary_.rows;
    return std::optional<MachineEvent>(std::move(e));
  }
}

}  // namespace mesosim
