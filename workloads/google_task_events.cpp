#include <limits>

#include <fmt/format.h>

#include "allocator/text.hpp"
#include "workloads/google_trace.hpp"

namespace mesosim {
namespace {

enum EventType {
  kSubmit = 0,
  kSchedule = 1,
  kEvict = 2,
  kFail = 3,
  kFinish = 4,
  kKill = 5,
  kLost = 6,
  kUpdatePending = 7,
  kUpdateRunning = 8,
};

constexpr int64_t kAfterTrace = std::numeric_limits<int64_t>::max();
// Task indices index a vector per job; the 2011 trace's largest job has ~90,000 tasks.
constexpr int64_t kMaxTaskIndex = 10'000'000;

TaskOutcome outcome_of(int8_t terminal) {
  switch (terminal) {
    case kFail:
      return TaskOutcome::kFailed;
    case kEvict:
    case kKill:
      return TaskOutcome::kKilled;
    case kLost:
      return TaskOutcome::kLost;
    default:
      return TaskOutcome::kFinished;
  }
}

std::optional<RowError> optional_fraction(std::string_view text, const char* field,
                                          std::optional<double>& out) {
  text = trim_space(text);
  if (text.empty()) return std::nullopt;
  const auto v = parse_double(text);
  if (!v || *v < 0) return RowError{field, "a normalised amount >= 0 or empty", std::string(text)};
  out = *v;
  return std::nullopt;
}

}  // namespace

Result<std::unique_ptr<GoogleTaskEventReader>> GoogleTaskEventReader::open(
    std::vector<std::string> paths, GoogleOptions options) {
  if (paths.empty()) return Error{"google task_events: no file given"};
  auto scale = GoogleScale::parse(options.reference_machine);
  if (!scale.ok()) return scale.error();
  if (options.reorder_window < Duration::zero()) {
    return Error{"google reorder window: expected a duration >= 0"};
  }
  if (auto first = LineReader::open(paths.front()); !first.ok()) return first.error();
  return std::unique_ptr<GoogleTaskEventReader>(
      new GoogleTaskEventReader(std::move(paths), std::move(options), scale.value()));
}

GoogleTaskEventReader::GoogleTaskEventReader(std::vector<std::string> paths, GoogleOptions options,
                                             GoogleScale scale)
    : lines_(std::move(paths)), options_(std::move(options)), scale_(scale) {}

std::optional<RowError> GoogleTaskEventReader::parse_row(const std::vector<std::string_view>& f,
                                                         Event& e) {
  if (f.size() != 13) {
    return RowError{"count", "13 comma-separated task_events fields", fmt::format("{}", f.size())};
  }
  const auto time = parse_int(f[0]);
  if (!time || *time < 0) return RowError{"1 (time)", "microseconds >= 0", std::string(f[0])};
  if (*time < now_) {
    return RowError{"1 (time)",
                    fmt::format("microseconds >= the previous event's {} (time order)", now_),
                    std::string(f[0])};
  }
  const auto job = parse_int(f[2]);
  if (!job || *job < 0) return RowError{"3 (job ID)", "an integer >= 0", std::string(f[2])};
  const auto task = parse_int(f[3]);
  if (!task || *task < 0 || *task > kMaxTaskIndex) {
    return RowError{"4 (task index)", "an integer from 0 to 10000000", std::string(f[3])};
  }
  const auto type = parse_int(f[5]);
  if (!type || *type < 0 || *type > 8) {
    return RowError{"6 (event type)", "an event type from 0 to 8", std::string(f[5])};
  }
  if (const std::string_view m = trim_space(f[4]); !m.empty() && !parse_int(m)) {
    return RowError{"5 (machine ID)", "an integer or empty", std::string(m)};
  }
  for (int i : {1, 7, 8, 12}) {
    static constexpr const char* kNames[13] = {"",
                                               "2 (missing info)",
                                               "",
                                               "",
                                               "",
                                               "",
                                               "",
                                               "8 (scheduling class)",
                                               "9 (priority)",
                                               "",
                                               "",
                                               "",
                                               "13 (different-machines restriction)"};
    const std::string_view t = trim_space(f[static_cast<size_t>(i)]);
    if (!t.empty() && !parse_int(t))
      return RowError{kNames[i], "an integer or empty", std::string(t)};
  }
  e = Event{*time, *job, *task, static_cast<int>(*type), trim_space(f[6]), {}, {}, {}};
  if (auto bad = optional_fraction(f[9], "10 (CPU request)", e.cpus)) return bad;
  if (auto bad = optional_fraction(f[10], "11 (memory request)", e.mem)) return bad;
  if (auto bad = optional_fraction(f[11], "12 (disk request)", e.disk)) return bad;
  return std::nullopt;
}

void GoogleTaskEventReader::apply(const Event& e) {
  if (e.time != kAfterTrace) now_ = e.time;
  if (recently_emitted_.count(e.job) != 0) {
    summary_.note("event for a job already emitted (ignored)");
    return;
  }
  auto it = jobs_.find(e.job);
  if (it == jobs_.end()) {
    if (e.type != kSubmit) {
      summary_.note("event for a job with no SUBMIT before it (ignored)");
      return;
    }
    it = jobs_.emplace(e.job, JobState{}).first;
    it->second.submit = Time::from_micros(e.time == kAfterTrace ? now_ : e.time);
    it->second.user = std::string(e.user);
    order_.push_back(e.job);
  }
  JobState& job = it->second;
  const auto index = static_cast<size_t>(e.task);
  if (index >= job.tasks.size()) {
    if (e.type != kSubmit) {
      summary_.note("event for a task with no SUBMIT before it (ignored)");
      return;
    }
    job.tasks.resize(index + 1);
  }
  TaskState& t = job.tasks[index];
  if (!t.present && e.type != kSubmit) {
    summary_.note("event for a task with no SUBMIT before it (ignored)");
    return;
  }
  if (e.cpus) t.cpus = static_cast<float>(*e.cpus);
  if (e.mem) t.mem = static_cast<float>(*e.mem);
  if (e.disk) t.disk = static_cast<float>(*e.disk);
  switch (e.type) {
    case kSubmit:
      if (t.open) {
        summary_.note("SUBMIT of a task already pending or running (request updated)");
        break;
      }
      if (t.present) summary_.note("task resubmitted after it ended (its last run is kept)");
      t.present = true;
      t.open = true;
      t.scheduled = -1;
      t.ended = -1;
      t.terminal = -1;
      ++job.open_tasks;
      break;
    case kSchedule:
      if (!t.open) {
        // The trace resubmits a task before rescheduling it; a missing SUBMIT is taken as one.
        summary_.note("SCHEDULE of a task that had ended: taken as a resubmission");
        t.open = true;
        t.ended = -1;
        t.terminal = -1;
        ++job.open_tasks;
      }
      t.scheduled = e.time;
      break;
    case kUpdatePending:
    case kUpdateRunning:
      break;
    default:  // terminal
      if (!t.open) {
        summary_.note("terminal event of a task that had ended (ignored)");
        break;
      }
      t.open = false;
      t.ended = e.time;
      t.terminal = static_cast<int8_t>(e.type);
      --job.open_tasks;
      job.last_end = e.time;
      break;
  }
}

Job GoogleTaskEventReader::build(int64_t id, JobState& state) {
  Job job;
  job.id = fmt::format("{}", id);
  job.user = std::move(state.user);
  job.framework = options_.framework;
  job.role = options_.role;
  job.submit = state.submit;
  job.tasks.reserve(state.tasks.size());
  for (const TaskState& t : state.tasks) {
    if (!t.present) continue;
    TaskSpec spec;
    spec.resources = scale_.resources(t.cpus, t.mem, t.disk);
    if (t.open || t.ended == kAfterTrace) {
      spec.duration = Duration::max();
      summary_.note("task with no end in the trace or the reorder window: duration inf");
    } else if (t.scheduled < 0) {
      spec.duration = Duration::zero();
      summary_.note("task ended before it was scheduled: duration 0");
    } else {
      spec.duration = Duration::micros(t.ended - t.scheduled);
    }
    spec.outcome = t.open ? TaskOutcome::kFinished : outcome_of(t.terminal);
    job.tasks.push_back(std::move(spec));
  }
  return job;
}

void GoogleTaskEventReader::release(bool end_of_trace) {
  while (!order_.empty()) {
    const int64_t id = order_.front();
    auto it = jobs_.find(id);
    JobState& state = it->second;
    const bool complete = state.open_tasks == 0 && (end_of_trace || state.last_end < now_);
    const bool out_of_window = Time::from_micros(now_) > state.submit + options_.reorder_window;
    if (!complete && !out_of_window && !end_of_trace) break;
    if (!complete && !end_of_trace)
      summary_.note("job emitted by the reorder window before its tasks ended");
    ready_.push_back(build(id, state));
    jobs_.erase(it);
    order_.pop_front();
    recently_emitted_[id] = now_;
    emitted_order_.emplace_back(now_, id);
  }
  // Forget emitted jobs one window after they were emitted.
  while (!emitted_order_.empty() &&
         Time::from_micros(now_) >
             Time::from_micros(emitted_order_.front().first) + options_.reorder_window) {
    const auto [when, id] = emitted_order_.front();
    emitted_order_.pop_front();
    auto it = recently_emitted_.find(id);
    if (it != recently_emitted_.end() && it->second == when) recently_emitted_.erase(it);
  }
}

Result<std::optional<Job>> GoogleTaskEventReader::next() {
  for (;;) {
    if (!ready_.empty()) {
      std::optional<Job> job(std::move(ready_.front()));
      ready_.pop_front();
      return job;
    }
    if (done_error_) return *done_error_;
    if (done_) return std::optional<Job>();
    auto line = lines_.next();
    if (!line.ok()) {
      done_error_ = line.error();
      continue;
    }
    if (!line.value()) {
      done_ = true;
      release(true);
      continue;
    }
    ++summary_.lines;
    const std::string_view text = *line.value();
    if (trim_space(text).empty() || text.front() == '#') continue;
    std::string quote_error;
    Event e;
    std::optional<RowError> bad;
    if (!csv_.split(text, &quote_error)) {
      bad = RowError{"quoting", "CSV", quote_error};
    } else {
      bad = parse_row(csv_.fields(), e);
    }
    if (bad) {
      if (options_.read.skip_bad_rows) {
        summary_.skip(*bad, lines_.path(), lines_.line_number());
        continue;
      }
      // Jobs already complete come out first; the error follows them.
      done_error_ = Error{bad->message(lines_.path(), lines_.line_number())};
      continue;
    }
    ++summary_.rows;
    apply(e);
    release(false);
  }
}

}  // namespace mesosim
