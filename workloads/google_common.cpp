#include <fmt/format.h>

#include "workloads/google_trace.hpp"

namespace mesosim {

std::string_view to_string(MachineEvent::Kind kind) {
  switch (kind) {
    case MachineEvent::Kind::kAdd:
      return "add";
    case MachineEvent::Kind::kRemove:
      return "remove";
    case MachineEvent::Kind::kUpdate:
      return "update";
  }
  return "?";
}

Result<std::optional<std::string_view>> ChainedLines::next() {
  for (;;) {
    if (!current_) {
      if (index_ >= paths_.size()) return std::optional<std::string_view>();
      auto opened = LineReader::open(paths_[index_]);
      if (!opened.ok()) return opened.error();
      current_ = std::move(opened).value();
    }
    auto line = current_->next();
    if (!line.ok() || line.value()) return line;
    // Keep the finished file's name and line count for messages until the next one opens.
    if (index_ + 1 >= paths_.size()) return std::optional<std::string_view>();
    ++index_;
    current_.reset();
  }
}

const std::string& ChainedLines::path() const {
  static const std::string kNone = "(no file)";
  if (paths_.empty()) return kNone;
  return paths_[std::min(index_, paths_.size() - 1)];
}

Result<GoogleScale> GoogleScale::parse(const std::string& reference_machine) {
  auto r = Resources::parse(reference_machine);
  if (!r.ok()) {
    return Error{
        fmt::format("google reference machine '{}': {}", reference_machine, r.error().message)};
  }
  GoogleScale s;
  s.cpus = r.value().get(ResourceName::cpus());
  s.mem = r.value().get(ResourceName::mem());
  s.disk = r.value().get(ResourceName::disk());
  if (s.cpus.is_zero() || s.mem.is_zero()) {
    return Error{fmt::format("google reference machine: expected cpus and mem > 0, found '{}'",
                             reference_machine)};
  }
  return s;
}

Resources GoogleScale::resources(double cpus_n, double mem_n, double disk_n) const {
  Resources r;
  if (cpus_n > 0)
    r += Resources::scalar(ResourceName::cpus(), Scalar::from_double(cpus_n * cpus.to_double()));
  if (mem_n > 0)
    r += Resources::scalar(ResourceName::mem(), Scalar::from_double(mem_n * mem.to_double()));
  if (disk_n > 0 && !disk.is_zero()) {
    r += Resources::scalar(ResourceName::disk(), Scalar::from_double(disk_n * disk.to_double()));
  }
  return r;
}

void append_google_machine_event_row(const MachineEvent& e, const GoogleScale& scale,
                                     std::string& out) {
  out += fmt::format("{},{},{},{},", e.time.micros(), e.machine_id, static_cast<int>(e.kind),
                     e.platform);
  if (!e.resources.empty()) {
    out += fmt::format("{},{}",
                       e.resources.get(ResourceName::cpus()).to_double() / scale.cpus.to_double(),
                       e.resources.get(ResourceName::mem()).to_double() / scale.mem.to_double());
  } else {
    out.push_back(',');
  }
  out.push_back('\n');
}

}  // namespace mesosim
