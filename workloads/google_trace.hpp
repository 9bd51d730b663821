#pragma once

// Readers of the Google cluster-data 2011 trace (clusterdata-2011-2): task_events become jobs,
// machine_events become machine events. Several part files (part-00000-of-00500.csv.gz, ...)
// are read in the order given as one stream. Lines starting with '#' are skipped.
//
// CPU, memory and disk in the trace are normalised to the largest machine; they are scaled by
// a reference machine (GoogleOptions::reference_machine). Times are microseconds; 0 means
// "before the trace", 2^63-1 "after the trace".
//
// How jobs are assembled from interleaved task events (all in workloads/README.md): a job
// starts at its first SUBMIT; a task's duration runs from its last SCHEDULE to its terminal
// event (EVICT, FAIL, FINISH, KILL, LOST). Jobs come out in order of their first SUBMIT, each
// once all its tasks have ended and the trace has moved past the time of the last end (so a
// resubmission at the same time as an EVICT keeps the job open), or when the trace's time has
// passed its submit time by the reorder window (its unended tasks then get an infinite duration),
// or at the end of the trace. Memory holds only the jobs submitted within the last window and
// the ids emitted within it, never the whole trace.

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "workloads/line_reader.hpp"
#include "workloads/machine_event.hpp"
#include "workloads/trace_fields.hpp"
#include "workloads/trace_reader.hpp"

namespace mesosim {

struct GoogleOptions {
  ReadOptions read;
  // What a normalised 1.0 stands for. Names other than cpus, mem and disk are ignored; a
  // request for a resource the reference does not name is dropped.
  std::string reference_machine = "cpus:32;mem:131072";
  std::string framework = "google";  // Job::framework of every job
  std::string role;                  // Job::role of every job
  // How long a job may wait for its tasks to end before it is emitted regardless.
  Duration reorder_window = Duration::hours(6);
};

// The lines of several files read one after another, as one stream.
class ChainedLines {
 public:
  explicit ChainedLines(std::vector<std::string> paths) : paths_(std::move(paths)) {}
  Result<std::optional<std::string_view>> next();
  const std::string& path() const;
  int64_t line_number() const { return current_ ? current_->line_number() : 0; }

 private:
  std::vector<std::string> paths_;
  size_t index_ = 0;
  std::unique_ptr<LineReader> current_;
};

// Reference-machine scaling of normalised values, resolved once.
struct GoogleScale {
  Scalar cpus, mem, disk;
  static Result<GoogleScale> parse(const std::string& reference_machine);
  Resources resources(double cpus, double mem, double disk) const;
};

// One machine_events row (time,machine ID,event type,platform,cpus,memory) for `e`, capacity
// normalised by `scale`, ending in '\n': what GoogleMachineEventReader reads back.
void append_google_machine_event_row(const MachineEvent& e, const GoogleScale& scale,
                                     std::string& out);

class GoogleTaskEventReader : public TraceReader {
 public:
  static Result<std::unique_ptr<GoogleTaskEventReader>> open(std::vector<std::string> paths,
                                                             GoogleOptions options);

  Result<std::optional<Job>> next() override;
  std::string_view format() const override { return "google-task-events"; }
  const ReadSummary& summary() const override { return summary_; }
  // Jobs held now (submitted, not yet emitted): what the reader's memory grows with.
  size_t open_jobs() const { return jobs_.size(); }

 private:
  struct TaskState {
    float cpus = 0, mem = 0, disk = 0;  // normalised request
    int64_t scheduled = -1;             // time of the last SCHEDULE, -1 if none
    int64_t ended = -1;                 // time of the terminal event
    int8_t terminal = -1;               // event type that ended it
    bool present = false;               // submitted at least once
    bool open = false;                  // submitted and not ended
  };
  struct JobState {
    Time submit;
    std::string user;
    std::vector<TaskState> tasks;  // by task index
    int64_t open_tasks = 0;
    int64_t last_end = 0;  // time of the latest terminal event
  };
  struct Event {
    int64_t time, job, task;
    int type;
    std::string_view user;
    std::optional<double> cpus, mem, disk;
  };

  GoogleTaskEventReader(std::vector<std::string> paths, GoogleOptions options, GoogleScale scale);
  std::optional<RowError> parse_row(const std::vector<std::string_view>& f, Event& e);
  void apply(const Event& e);
  // Moves jobs at the front of the submit order that are complete (or out of the window, or
  // all of them at the end) to ready_.
  void release(bool end_of_trace);
  Job build(int64_t id, JobState& state);

  ChainedLines lines_;
  GoogleOptions options_;
  GoogleScale scale_;
  ReadSummary summary_;
  CsvSplitter csv_;
  std::unordered_map<int64_t, JobState> jobs_;
  std::deque<int64_t> order_;  // open job ids by first SUBMIT
  // Jobs emitted recently (id -> emit time), so late events for them are recognised; kept for
  // one reorder window.
  std::unordered_map<int64_t, int64_t> recently_emitted_;
  std::deque<std::pair<int64_t, int64_t>> emitted_order_;
  std::deque<Job> ready_;
  int64_t now_ = 0;
  std::optional<Error> done_error_;
  bool done_ = false;
};

class GoogleMachineEventReader : public MachineEventSource {
 public:
  static Result<std::unique_ptr<GoogleMachineEventReader>> open(std::vector<std::string> paths,
                                                                GoogleOptions options);
  Result<std::optional<MachineEvent>> next() override;
  const ReadSummary& summary() const { return summary_; }

 private:
  GoogleMachineEventReader(std::vector<std::string> paths, GoogleOptions options,
                           GoogleScale scale);
  std::optional<RowError> parse_row(const std::vector<std::string_view>& f, MachineEvent& e);

  ChainedLines lines_;
  GoogleOptions options_;
  GoogleScale scale_;
  ReadSummary summary_;
  CsvSplitter csv_;
  int64_t last_time_ = 0;
  std::optional<Error> done_error_;
  bool done_ = false;
};

}  // namespace mesosim
