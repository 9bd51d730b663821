#include "analysis/job_stats.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include <fmt/format.h>

namespace mesosim::analysis {

namespace {

// The figures of a sorted sample of `n` values, which `visit` passes in order, as (value, how
// many times in a row), to the function it is given.
template <typename Visit>
Distribution describe_ordered(uint64_t n, const Visit& visit) {
  Distribution d;
  d.count = n;
  if (n == 0) return d;
  constexpr std::array<double, 3> kQuantiles = {0.5, 0.95, 0.99};
  // The ranks each quantile interpolates between, and the values found there.
  std::array<uint64_t, 6> rank{};
  std::array<double, 6> at{};
  for (size_t q = 0; q < kQuantiles.size(); ++q) {
    const double pos = kQuantiles[q] * static_cast<double>(n - 1);
    rank[2 * q] = static_cast<uint64_t>(std::floor(pos));
    rank[2 * q + 1] = std::min(rank[2 * q] + 1, n - 1);
  }
  double sum = 0;
  double last = 0;
  uint64_t i = 0;  // rank of the first of the values given next
  visit([&](double x, uint64_t times) {
    // One addition per value, in order: the mean rounds as a sum over the sorted sample does.
    for (uint64_t t = 0; t < times; ++t) sum += x;
    for (size_t k = 0; k < rank.size(); ++k) {
      if (rank[k] >= i && rank[k] - i < times) at[k] = x;
    }
    last = x;
    i += times;
  });
  d.mean = sum / static_cast<double>(n);
  auto quantile = [&](size_t q) {
    const double pos = kQuantiles[q] * static_cast<double>(n - 1);
    const double lo = at[2 * q];
    return lo + (at[2 * q + 1] - lo) * (pos - static_cast<double>(rank[2 * q]));
  };
  d.median = quantile(0);
  d.p95 = quantile(1);
  d.p99 = quantile(2);
  d.max = last;
  return d;
}

}  // namespace

Distribution describe(std::vector<double> sample) {
  std::sort(sample.begin(), sample.end());
  return describe_ordered(sample.size(), [&](const auto& f) {
    for (double x : sample) f(x, 1);
  });
}

Distribution describe_counts(std::vector<std::pair<double, uint64_t>> counts) {
  std::sort(counts.begin(), counts.end());
  uint64_t n = 0;
  for (const auto& [x, times] : counts) n += times;
  return describe_ordered(n, [&](const auto& f) {
    for (const auto& [x, times] : counts) f(x, times);
  });
}

std::string RunResult::size_bin_name(size_t bin) {
  if (bin + 1 >= kSizeBinLow.size()) return fmt::format("{}+", kSizeBinLow.back());
  if (kSizeBinLow[bin] + 1 == kSizeBinLow[bin + 1]) return fmt::format("{}", kSizeBinLow[bin]);
  return fmt::format("{}-{}", kSizeBinLow[bin], kSizeBinLow[bin + 1] - 1);
}

size_t size_bin(size_t tasks) {
  size_t bin = 0;
  while (bin + 1 < RunResult::kSizeBinLow.size() && tasks >= RunResult::kSizeBinLow[bin + 1]) {
    ++bin;
  }
  return bin;
}

WaitBreakdown attribute_wait(const TaskOutcome& task, const CauseTimeline* timeline,
                             const ExecutorPresence* executors, Time end) {
  WaitBreakdown out{};
  const auto on_timeline = [&](Time from, Time to) {
    if (timeline != nullptr) {
      timeline->attribute(from, to, out);
    } else {
      out[static_cast<size_t>(WaitCause::kUnexplained)] += (to - from).seconds_f();
    }
  };
  const Time stop = task.launched ? *task.launched : end;
  if (stop > task.ready) {
    if (executors != nullptr) {
      executors->attribute(task.ready, stop, out, on_timeline);
    } else {
      on_timeline(task.ready, stop);
    }
  }
  if (task.launched) {
    const Duration last =
        *task.launched > task.ready ? *task.launched - task.ready : Duration::zero();
    if (task.wait > last) {
      out[static_cast<size_t>(WaitCause::kEarlierAttempts)] += (task.wait - last).seconds_f();
    }
  }
  return out;
}

std::string job_state(const JobOutcome& job) {
  if (job.abandoned) return "abandoned";
  if (!job.finish) return "unfinished";
  for (const TaskOutcome& t : job.tasks) {
    if (t.final_state != "TASK_FINISHED") return "failed";
  }
  return "succeeded";
}

JobStats job_stats(const std::vector<JobOutcome>& jobs, const std::vector<size_t>& which,
                   const std::vector<TaskRow>& rows, const std::vector<size_t>& first_row) {
  JobStats s;
  std::vector<double> completion, run_time, wait, task_wait;
  std::vector<std::vector<double>> by_size(RunResult::kSizeBinLow.size());
  s.wait_by_cause.fill(0.0);
  for (const char* state : {"succeeded", "failed", "unfinished", "abandoned"}) {
    s.job_states[state] = 0;
  }
  for (size_t j : which) {
    const JobOutcome& job = jobs[j];
    ++s.jobs;
    ++s.job_states[job_state(job)];
    if (job.finish && !job.abandoned) {
      ++s.finished;
      const double jct = (*job.finish - job.submit).seconds_f();
      completion.push_back(jct);
      const double run = (*job.finish - job.ready.value_or(job.submit)).seconds_f();
      run_time.push_back(run);
      s.run_time_sum_s += run;
      by_size[size_bin(job.tasks.size())].push_back(jct);
    }
    if (job.start) wait.push_back((*job.start - job.submit).seconds_f());
    for (size_t t = 0; t < job.tasks.size(); ++t) {
      const TaskOutcome& task = job.tasks[t];
      if (task.launched) {
        task_wait.push_back(task.wait.seconds_f());
        ++s.locality[task.locality];
      }
      const TaskRow& row = rows[first_row[j] + t];
      for (size_t c = 0; c < kWaitCauseCount; ++c) s.wait_by_cause[c] += row.wait_by_cause[c];
    }
  }
  s.completion_s = describe(std::move(completion));
  s.run_time_s = describe(std::move(run_time));
  s.wait_s = describe(std::move(wait));
  s.task_wait_s = describe(std::move(task_wait));
  for (auto& bin : by_size) s.completion_by_size_s.push_back(describe(std::move(bin)));
  // The Mesos paper's "data locality": node-local maps over all maps, so tasks that prefer no
  // place (reduces, `any`) do not dilute it.
  constexpr const char* kPlaced[] = {"node_local", "rack_local", "remote"};
  size_t with_preference = 0;
  for (const char* c : kPlaced) {
    if (auto it = s.locality.find(c); it != s.locality.end()) with_preference += it->second;
  }
  for (const char* c : kPlaced) {
    const auto it = s.locality.find(c);
    const size_t n = it == s.locality.end() ? 0 : it->second;
    s.locality_fraction[c] =
        with_preference == 0 ? 0.0 : static_cast<double>(n) / static_cast<double>(with_preference);
  }
  return s;
}

}  // namespace mesosim::analysis
