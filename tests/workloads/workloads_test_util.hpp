#pragma once

// Helpers for the trace reader tests: read a whole stream, and print jobs as native rows so an
// expectation names every field of every task in one readable string.

#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "workloads/job_source.hpp"
#include "workloads/native_format.hpp"

namespace mesosim::testing {

struct ReadAll {
  std::vector<Job> jobs;
  std::optional<std::string> error;  // the error that ended the stream, if any
};

inline ReadAll read_all(JobSource& source, size_t limit = 10'000'000) {
  ReadAll out;
  while (out.jobs.size() < limit) {
    auto job = source.next();
    if (!job.ok()) {
      out.error = job.error().message;
      // The contract: after an error every call returns the same error.
      auto again = source.next();
      EXPECT_FALSE(again.ok());
      if (!again.ok()) {
        EXPECT_EQ(again.error().message, *out.error);
      }
      break;
    }
    if (!job.value()) {
      auto again = source.next();
      EXPECT_TRUE(again.ok() && !again.value()) << "a stream that ended must stay ended";
      break;
    }
    out.jobs.push_back(std::move(*job.value()));
  }
  return out;
}

// The job as native rows without the header (the writer's canonical form).
inline std::string rows(const Job& job) {
  std::string out;
  append_native_rows(job, out);
  return out;
}

inline std::string rows(const std::vector<Job>& jobs) {
  std::string out;
  for (const Job& j : jobs) append_native_rows(j, out);
  return out;
}

inline std::string data_path(const std::string& name) { return "tests/data/workloads/" + name; }

}  // namespace mesosim::testing
