#pragma once

// What the framework models know about jobs and tasks and the master's stream does not: when a
// task became pending, when its framework decided to launch it, how it was placed. Plain values,
// handed to Collector::finish() by whoever ran the models (the adapter from workloads' JobRecord
// and TaskRecord lives with the caller, so analysis/ depends on nothing above sim/master/).

#include <optional>
#include <string>
#include <vector>

#include "allocator/resources.hpp"
#include "allocator/time.hpp"

namespace mesosim::analysis {

struct TaskOutcome {
  Time ready;                    // last became pending (submit, parents done, re-queued)
  std::optional<Time> launched;  // when the decision that launched the last attempt was done
  std::optional<Time> running;   // last attempt's TASK_RUNNING
  std::optional<Time> ended;     // last attempt's terminal update
  Duration wait;                 // pending -> launched, summed over attempts
  // Placement as the framework judged it: "node_local", "rack_local", "remote", "any" (the task
  // named no preference), or "" when unknown (never launched).
  std::string locality;
  std::string agent;        // hostname of the last attempt; "" if never launched
  std::string final_state;  // Mesos state name of the last attempt ("TASK_FINISHED"); "" if none
  int attempts = 0;
  Resources resources;  // what the task asks for (used for fragmentation: "pending demand")
};

struct JobOutcome {
  std::string id;
  std::string group;      // the job's group (trace user or generator group); may be empty
  std::string framework;  // the framework's name (FrameworkInfo.name, as on FRAMEWORK_ADDED)
  Time submit;
  std::optional<Time> ready;   // every parent finished
  std::optional<Time> start;   // first TASK_RUNNING
  std::optional<Time> finish;  // every task done
  std::vector<TaskOutcome> tasks;
  // When its framework gave up on its tasks not yet launched (the Omega study's retry limit);
  // such a job counts as "abandoned", never as finished.
  std::optional<Time> abandoned;
};

}  // namespace mesosim::analysis
