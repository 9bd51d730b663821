#pragma once

// Analysis of a recorded run: feeds an event log (sim/master/event_log.hpp, JSON Lines) to an
// observer, usually an analysis::Collector, exactly as the master published it. A live-mode
// recording is analysed this way; so is a simulated run's log, with the same result as
// observing the run itself.

#include <istream>
#include <string>

#include "allocator/result.hpp"
#include "sim/master/event_log.hpp"

namespace mesosim::analysis {

struct ReplayedLog {
  EventLogHeader header;
  uint64_t events = 0;
  Time last;  // the last event's time (the header's time base); epoch if there were none
};

// Reads every event of `in` into `observer`. Stops at the first bad line with the reader's
// error ("run.jsonl:7: ..."); the events before it have been delivered.
Result<ReplayedLog> replay_event_log(std::istream& in, const std::string& name,
                                     MasterObserver& observer);

}  // namespace mesosim::analysis
