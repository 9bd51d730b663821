#pragma once

// A JobSource over jobs held in memory: for tests, examples and generators that build a small
// workload whole. Jobs are returned in the order given; that order must already be by submit
// time (checked: a job submitted before its predecessor is an error naming both).

#include <vector>

#include "workloads/job_source.hpp"

namespace mesosim {

class VectorJobSource final : public JobSource {
 public:
  explicit VectorJobSource(std::vector<Job> jobs) : jobs_(std::move(jobs)) {}
  Result<std::optional<Job>> next() override;

 private:
  std::vector<Job> jobs_;
  size_t next_ = 0;
  std::optional<Error> error_;
};

}  // namespace mesosim
