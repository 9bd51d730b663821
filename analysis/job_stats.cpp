#include "analysis/job_stats.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include <fmt/format.h>

namespace mesosim::analysis {

namespace {

// The figures of a sorted sample of `n` values, which `visit` passes in order to the function
// it is given.
template <typename Visit>
Distribution describe_ordered(size_t n, const Visit& visit) {
  Distribution d;
  d.count = n;
  if (n == 0) return d;
  constexpr std::array<double, 3> kQuantiles = {0.5, 0.95, 0.99};
  // The ranks each quantile interpolates between, and the values found there.
  std::array<size_t, 6> rank{};
  std::array<double, 6> at{};
  for (size_t q = 0; q < kQuantiles.size(); ++q) {
    const double pos = kQuantiles[q] * static_cast<double>(n - 1);
    rank[2 * q] = static_cast<size_t>(std::floor(pos));
    rank[2 * q + 1] = std::min(rank[2 * q] + 1, n - 1);
  }
  double sum = 0;
  double last = 0;
  size_t i = 0;
  visit([&](double x) {
    sum += x;
    for (size_t k = 0; k < rank.size(); ++k) {
      if (rank[k] == i) at[k] = x;
    }
    last = x;
    ++i;
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

Distribution describe(std::vector<double> sample) { return describe_in_place(sample); }

Distribution describe_in_place(std::vector<double>& sample) {
  std::sort(sample.begin(), sample.end());
  return describe_ordered(sample.size(), [&](const auto& f) {
    for (double x : sample) f(x);
  });
}

Distribution describe_sorted(const std::vector<const std::vector<double>*>& sorted) {
  std::vector<const std::vector<double>*> runs;
  size_t n = 0;
  for (const std::vector<double>* s : sorted) {
    if (s->empty()) continue;
    runs.push_back(s);
    n += s->size();
  }
  return describe_ordered(n, [&](const auto& f) {
    if (runs.size() == 1) {
      for (double x : *runs[0]) f(x);
      return;
    }
    // A k-way merge; k is the number of frameworks, so the smallest head is found by a scan.
    std::vector<size_t> pos(runs.size(), 0);
    for (size_t left = n; left > 0; --left) {
      size_t best = runs.size();
      for (size_t r = 0; r < runs.size(); ++r) {
        if (pos[r] == runs[r]->size()) continue;
        if (best == runs.size() || (*runs[r])[pos[r]] < (*runs[best])[pos[best]]) best = r;
      }
      f((*runs[best])[pos[best]++]);
    }
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
