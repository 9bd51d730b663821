#pragma once

// Machines joining, leaving and changing during a run: what a trace's machine events (Google
// machine_events) and the cluster generators produce, and what the simulator turns into agents
// added, removed and updated at the event's time.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "allocator/resources.hpp"
#include "allocator/result.hpp"
#include "allocator/time.hpp"

namespace mesosim {

struct MachineEvent {
  enum class Kind { kAdd, kRemove, kUpdate };
  Time time;
  uint64_t machine_id = 0;
  Kind kind = Kind::kAdd;
  std::string platform;  // hardware platform (Google's platform ID); empty when unknown
  // Total resources after the event; empty when the trace leaves the capacity blank (and for
  // most removals).
  Resources resources;
  bool operator==(const MachineEvent&) const = default;
};
std::string_view to_string(MachineEvent::Kind kind);

// A stream of machine events in time order (times never decrease).
class MachineEventSource {
 public:
  virtual ~MachineEventSource() = default;
  // The next event, nullopt at the end, or an error naming file, line and field. After an
  // error or the end, every later call returns the same.
  virtual Result<std::optional<MachineEvent>> next() = 0;
};

}  // namespace mesosim
