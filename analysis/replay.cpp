#include "analysis/replay.hpp"

namespace mesosim::analysis {

Result<ReplayedLog> replay_event_log(std::istream& in, const std::string& name,
                                     MasterObserver& observer) {
  Result<EventLogReader> reader = EventLogReader::open(in, name);
  if (!reader.ok()) return reader.error();
  ReplayedLog out;
  out.header = reader.value().header();
  while (true) {
    Result<std::optional<MasterEvent>> next = reader.value().next();
    if (!next.ok()) return next.error();
    if (!next.value()) break;
    const MasterEvent& event = *next.value();
    observer.on_event(event);
    ++out.events;
    out.last = event.time;
  }
  return out;
}

}  // namespace mesosim::analysis
