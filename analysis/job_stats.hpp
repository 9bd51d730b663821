#pragma once

// Job and task figures from the framework models' outcomes (internal to analysis/): completion
// times and waits with their distributions, size bins, locality, job states, and each task's
// wait split by cause over its framework's cause timeline.

#include <string>
#include <vector>

#include "analysis/run_result.hpp"
#include "analysis/wait_cause.hpp"

namespace mesosim::analysis {

// Attribution of one task's wait (analysis/README.md, "Why did my task wait?"): its last
// pending interval [ready, launched) (to `end` if never launched) as kExecutorSlot where
// `executors` (its application's executors; nullptr: none) were up, elsewhere over `timeline`
// (nullptr: an unknown framework, all unexplained), and what `wait` holds beyond that interval
// as earlier attempts.
WaitBreakdown attribute_wait(const TaskOutcome& task, const CauseTimeline* timeline,
                             const ExecutorPresence* executors, Time end);

// Figures over the jobs whose index is in `which`; `rows` as task_rows() built them, and
// `first_row[j]` the index of job j's first row.
JobStats job_stats(const std::vector<JobOutcome>& jobs, const std::vector<size_t>& which,
                   const std::vector<TaskRow>& rows, const std::vector<size_t>& first_row);

// "abandoned" (its framework gave up on it), "succeeded" (finished, every task TASK_FINISHED),
// "failed" (finished otherwise) or "unfinished".
std::string job_state(const JobOutcome& job);

// Which size bin (RunResult::kSizeBinLow) a job of `tasks` tasks falls in.
size_t size_bin(size_t tasks);

}  // namespace mesosim::analysis
