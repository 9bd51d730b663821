#include "workloads/vector_job_source.hpp"

namespace mesosim {

Result<std::optional<Job>> VectorJobSource::next() {
  if (error_) return *error_;
  if (next_ >= jobs_.size()) return std::optional<Job>();
  if (next_ > 0 && jobs_[next_].submit < jobs_[next_ - 1].submit) {
    error_ = Error{"job " + jobs_[next_].id + " (submit " + jobs_[next_].submit.to_string() +
                   ") comes after job " + jobs_[next_ - 1].id + " (submit " +
                   jobs_[next_ - 1].submit.to_string() + "): jobs must be in submit order"};
    return *error_;
  }
  return std::optional<Job>(jobs_[next_++]);
}

}  // namespace mesosim
