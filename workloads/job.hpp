#pragma once

// The work a trace or a generator describes, before any framework has seen it: jobs made of
// tasks, with what each task asks for, how long it runs, what it really uses and how it ended.
// Readers produce these in submit order; framework models (workloads/*_framework.hpp) consume
// them and turn tasks into offers accepted and TaskInfos launched.
//
// Values only: no clock, no I/O. Times are simulated times relative to the trace's start.

#include <cstdint>
#include <memory>
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

// A Resources value that copies of a TaskSpec share: the P identical tasks of a gang (an SWF
// row) or of a generated job hold one immutable Resources, so copying a task costs a reference
// count, not an allocation and a copy. It reads as a `const Resources&` (other member calls
// through `->`); assigning a Resources replaces the value of this task only, never of its copies.
class SharedResources {
 public:
  SharedResources() = default;
  // Implicit, so that `task.resources = some_resources;` reads as it did for a plain Resources.
  SharedResources(Resources value);  // NOLINT(google-explicit-constructor)

  const Resources& value() const { return value_ ? *value_ : empty_value(); }
  operator const Resources&() const { return value(); }  // NOLINT(google-explicit-constructor)
  const Resources* operator->() const { return &value(); }
  bool empty() const { return !value_; }
  // The read-only calls most used on a task's resources, forwarded.
  std::string to_string() const { return value().to_string(); }
  Scalar get(ResourceName name) const { return value().get(name); }
  bool contains(const Resources& other) const { return value().contains(other); }

  friend bool operator==(const SharedResources& a, const SharedResources& b) {
    return a.value_ == b.value_ || a.value() == b.value();
  }
  friend bool operator==(const SharedResources& a, const Resources& b) { return a.value() == b; }

 private:
  static const Resources& empty_value();
  std::shared_ptr<const Resources> value_;  // null: no resources
};

struct TaskSpec {
  SharedResources resources;  // what the task asks for (Mesos text format in files)
  Duration duration;          // run time once RUNNING
  // What the task really uses while it runs (cpus, mem); empty means all it asked for.
  SharedResources usage;
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
