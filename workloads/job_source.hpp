#pragma once

// A stream of jobs in submit order: what trace readers and generators produce and what the
// simulator feeds to framework models as simulated time reaches each submit time. Streaming, so
// memory does not grow with the length of a trace.

#include <optional>

#include "allocator/result.hpp"
#include "workloads/job.hpp"

namespace mesosim {

class JobSource {
 public:
  virtual ~JobSource() = default;
  // The next job (submit times never decrease), nullopt at the end, or an error naming the
  // file, line and field. After an error or the end, every later call returns the same.
  virtual Result<std::optional<Job>> next() = 0;
};

}  // namespace mesosim
