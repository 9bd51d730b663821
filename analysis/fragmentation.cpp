#include "analysis/fragmentation.hpp"

#include <algorithm>
#include <map>

namespace mesosim::analysis {
namespace {

struct PendingChange {
  int64_t t = 0;
  int sign = 0;
  Amounts demand;
};

bool fits(const Amounts& demand, const Amounts& free) {
  for (size_t id = 0; id < demand.size(); ++id) {
    if (demand[id] > (id < free.size() ? free[id] : 0)) return false;
  }
  return true;
}

bool any_free(const Amounts& free) {
  return std::any_of(free.begin(), free.end(), [](int64_t v) { return v > 0; });
}

// The sweep's state: each agent's free resources and how many distinct pending demands fit it;
// sums of free and of stranded resources over agents, kept as agents change.
class Sweep {
 public:
  Sweep(size_t agents, size_t width)
      : width_(width),
        free_(agents, Amounts(width, 0)),
        fit_(agents, 0),
        free_sum_(width, 0),
        stranded_sum_(width, 0) {}

  void set_free(size_t agent, const Amounts& free) {
    contribute(agent, -1);
    free_[agent].assign(free.begin(), free.end());
    free_[agent].resize(width_, 0);
    fit_[agent] = 0;
    for (const auto& [demand, count] : demands_) fit_[agent] += fits(demand, free_[agent]);
    contribute(agent, +1);
  }

  void change_pending(const Amounts& demand, int sign) {
    pending_ += sign;
    size_t& count = demands_[demand];
    const bool appears = sign > 0 && count == 0;
    count = static_cast<size_t>(static_cast<int64_t>(count) + sign);
    const bool disappears = sign < 0 && count == 0;
    if (disappears) demands_.erase(demand);
    if (!appears && !disappears) return;
    for (size_t a = 0; a < free_.size(); ++a) {
      if (!fits(demand, free_[a])) continue;
      contribute(a, -1);
      fit_[a] += appears ? 1 : -1;
      contribute(a, +1);
    }
  }

  bool pending() const { return pending_ > 0; }
  const Amounts& free_sum() const { return free_sum_; }
  const Amounts& stranded_sum() const { return stranded_sum_; }

 private:
  void contribute(size_t agent, int sign) {
    const Amounts& f = free_[agent];
    const bool stranded = fit_[agent] == 0 && any_free(f);
    for (size_t id = 0; id < width_; ++id) {
      free_sum_[id] += sign * f[id];
      if (stranded) stranded_sum_[id] += sign * f[id];
    }
  }

  size_t width_;
  std::vector<Amounts> free_;
  std::vector<size_t> fit_;
  std::map<Amounts, size_t> demands_;  // distinct pending demands and how many tasks have each
  int64_t pending_ = 0;
  Amounts free_sum_;
  Amounts stranded_sum_;
};

std::vector<PendingChange> pending_changes(const std::vector<JobOutcome>& jobs, Time end,
                                           size_t width) {
  std::vector<PendingChange> out;
  for (const JobOutcome& job : jobs) {
    for (const TaskOutcome& task : job.tasks) {
      const Time stop = task.launched ? *task.launched : end;
      if (stop <= task.ready) continue;
      Amounts demand(width, 0);
      for (const auto& [id, milli] : scalar_deltas(task.resources)) {
        if (id < width) demand[id] += milli;
      }
      out.push_back(PendingChange{task.ready.micros(), +1, demand});
      out.push_back(PendingChange{stop.micros(), -1, std::move(demand)});
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const PendingChange& a, const PendingChange& b) { return a.t < b.t; });
  return out;
}

size_t width_of(const FragmentationInput& in) {
  size_t width = 0;
  width = in.changes->max_width();
  for (const JobOutcome& job : *in.jobs) {
    for (const TaskOutcome& task : job.tasks) {
      for (const auto& [id, milli] : scalar_deltas(task.resources)) {
        width = std::max<size_t>(width, id + 1u);
      }
    }
  }
  for (size_t id : in.resources) width = std::max(width, id + 1);
  return std::max<size_t>(width, 1);  // id 0 (cpus) is always read
}

}  // namespace

Fragmentation measure_fragmentation(const FragmentationInput& in) {
  const size_t width = width_of(in);
  const std::vector<PendingChange> pending = pending_changes(*in.jobs, in.end, width);
  Sweep sweep(in.agents, width);
  std::vector<double> stranded(width, 0.0), free(width, 0.0);
  StepSeriesBuilder stranded_cpus;
  size_t pi = 0;
  FreeLog::Reader changes(*in.changes);
  Amounts values;
  int64_t t = in.start.micros();
  while (t < in.end.micros()) {
    while (!changes.done() && changes.next_time() <= t) {
      const uint32_t agent = changes.next(values);
      sweep.set_free(agent, values);
    }
    while (pi < pending.size() && pending[pi].t <= t) {
      sweep.change_pending(pending[pi].demand, pending[pi].sign);
      ++pi;
    }
    int64_t next = in.end.micros();
    if (!changes.done()) next = std::min(next, changes.next_time());
    if (pi < pending.size()) next = std::min(next, pending[pi].t);
    const double cpus = sweep.pending() ? static_cast<double>(sweep.stranded_sum()[0]) / 1000 : 0;
    stranded_cpus.set(Time::from_micros(t), cpus);
    if (sweep.pending()) {
      const double dt = static_cast<double>(next - t) / 1e6;
      for (size_t id = 0; id < width; ++id) {
        stranded[id] += static_cast<double>(sweep.stranded_sum()[id]) / 1000 * dt;
        free[id] += static_cast<double>(sweep.free_sum()[id]) / 1000 * dt;
      }
    }
    t = next;
  }
  Fragmentation out;
  for (size_t id : in.resources) {
    out.stranded_resource_seconds.push_back(stranded[id]);
    out.free_resource_seconds.push_back(free[id]);
    out.stranded_fraction.push_back(free[id] > 0 ? stranded[id] / free[id] : 0.0);
  }
  out.stranded_cpus = stranded_cpus.build();
  return out;
}

}  // namespace mesosim::analysis
