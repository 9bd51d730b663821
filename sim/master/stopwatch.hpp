#pragma once

// A source of elapsed real time, for measuring how long the master's own work takes (an
// allocation run). The core never reads the wall clock: a master measures only when it is given
// a Stopwatch (MasterOptions::stopwatch). Simulations leave it unset so their output stays a
// function of the seed; live mode passes a steady (monotonic) clock; tests pass a fake.

#include "allocator/time.hpp"

namespace mesosim {

class Stopwatch {
 public:
  virtual ~Stopwatch() = default;
  // A reading of a monotonic clock; only differences between readings mean anything.
  virtual Duration elapsed() = 0;
};

}  // namespace mesosim
