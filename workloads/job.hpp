#pragma once

// The work a trace or a generator describes, before any framework has seen it: jobs made of
// tasks, with what each task asks for, how long it runs, what it really uses and how it ended.
// Readers produce these in submit order; framework models (workloads/*_framework.hpp) consume
// them and turn tasks into offers accepted and TaskInfos launched.
//
// Values only: no clock, no I/O. Times are simulated times relative to the trace's start.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "allocator/resources.hpp"
#include "allocator/time.hpp"

namespace mesosim {

// How a task ended in the trace. A simulated task that runs to its duration ends as FINISHED
// or FAILED accordingly; KILLED and LOST tasks in a trace end that way after their duration.
enum class TaskOutcome { kFinished, kFailed, kKilled, kLost };
std::string_view to_string(TaskOutcome outcome);
std::optional<TaskOutcome> parse_task_outcome(std::string_view text);

struct TaskSpec {
  Resources resources;  // what the task asks for (Mesos text format in files)
  Duration duration;    // run time once RUNNING
  // What the task really uses while it runs (cpus, mem); empty means all it asked for.
  Resources usage;
  TaskOutcome outcome = TaskOutcome::kFinished;
  // Locality: agents (hostnames) and racks holding the task's input, best first. Empty: none.
  std::vector<std::string> preferred_agents;
  std::vector<std::string> preferred_racks;
  // MapReduce jobs: a reduce task, which starts once every other (map) task of its job finished.
  bool reduce = false;
};

struct Job {
  std::string id;         // unique within a trace
  std::string user;
  std::string framework;  // which framework model runs it (a scenario maps names to models)
  std::string role;       // Mesos role it runs in; empty: the framework's role
  Time submit;            // when the job arrives
  std::vector<TaskSpec> tasks;
  // Jobs (by id) that must finish before this one starts: the stages of a Spark-like DAG or
  // dependent batch jobs. They come earlier in the same trace.
  std::vector<std::string> depends_on;
  // The application a job belongs to (a Spark application's stages, an iterative job's
  // iterations); empty for a standalone job.
  std::string group;
  // Gang jobs (MPI/Torque): every task must run at once, never fewer.
  bool gang = false;
};

}  // namespace mesosim
