#pragma once

// `mesosim demo`: a small cluster served by the real allocator for a few allocation intervals,
// printing every offer and what each framework does with it. It is the default job of the
// quick start until scenarios land.

#include <cstdint>
#include <ostream>
#include <string>

#include "allocator/result.hpp"

namespace mesosim {

struct DemoOptions {
  std::string policy = "drf";  // drf | static
  int agents = 4;
  int cycles = 8;
  uint64_t seed = 42;
};

Status run_demo(const DemoOptions& options, std::ostream& out);

}  // namespace mesosim
