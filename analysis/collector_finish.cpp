// Collector::finish: the books turned into a RunResult.

#include <algorithm>
#include <map>

#include "analysis/collector_state.hpp"
#include "analysis/fragmentation.hpp"
#include "analysis/job_stats.hpp"

namespace mesosim::analysis {
namespace {

// Scalar names the run saw in totals or allocations, by name.
std::vector<size_t> reported_resources(const Collector::State& s) {
  std::vector<size_t> ids;
  for (size_t id = 0; id < s.width; ++id) {
    const bool seen = !s.total_series[id].empty() || !s.subjects[0].allocated_series[id].empty();
    if (seen) ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end(), [](size_t a, size_t b) {
    return ResourceName::from_id(static_cast<uint16_t>(a)).str() <
           ResourceName::from_id(static_cast<uint16_t>(b)).str();
  });
  return ids;
}

SubjectSeries subject_series(Subject& subject, std::string name,
                             const std::vector<size_t>& ids, const std::vector<TimeSeries>& totals,
                             Time start, Time end) {
  SubjectSeries out;
  out.kind = subject.kind;
  out.name = std::move(name);
  for (size_t i = 0; i < ids.size(); ++i) {
    out.allocated.push_back(subject.allocated_series[ids[i]].take());
    out.used.push_back(subject.used_series[ids[i]].take());
    const double total = totals[i].integral(start, end);
    out.allocated_share.push_back(total > 0 ? out.allocated.back().integral(start, end) / total
                                            : 0.0);
    out.used_share.push_back(total > 0 ? out.used.back().integral(start, end) / total : 0.0);
  }
  out.dominant_share = subject.dominant_share.take();
  out.mean_dominant_share = out.dominant_share.mean(start, end);
  out.dominant_share_at_end = out.dominant_share.at(end);
  return out;
}

OfferStats offer_stats(const FrameworkBooks& f, const std::vector<size_t>& ids) {
  OfferStats o;
  o.made = f.made;
  o.accepted = f.accepted;
  o.declined = f.declined;
  o.declined_for = f.declined_for;
  o.rescinded = f.rescinded;
  o.voided = f.voided;
  o.lost_on_failover = f.lost;
  o.outstanding_at_end = f.outstanding;
  o.accept_latency_s = f.accept_latency.describe();
  o.decline_latency_s = f.decline_latency.describe();
  for (size_t id : ids) {
    o.idle_resource_seconds.push_back(
        id < f.idle_milli_seconds.size() ? f.idle_milli_seconds[id] / 1000.0 : 0.0);
  }
  return o;
}

void add_offer_stats(OfferStats& into, const FrameworkBooks& f, const OfferStats& o) {
  into.made += o.made;
  into.accepted += o.accepted;
  into.declined += o.declined;
  for (const auto& [reason, n] : o.declined_for) into.declined_for[reason] += n;
  into.rescinded += o.rescinded;
  into.voided += o.voided;
  into.lost_on_failover += o.lost_on_failover;
  into.outstanding_at_end += o.outstanding_at_end;
  into.idle_resource_seconds.resize(o.idle_resource_seconds.size(), 0.0);
  for (size_t i = 0; i < o.idle_resource_seconds.size(); ++i) {
    into.idle_resource_seconds[i] += o.idle_resource_seconds[i];
  }
}

double jain(const std::vector<double>& x) {
  double sum = 0, sumsq = 0;
  for (double v : x) {
    sum += v;
    sumsq += v * v;
  }
  return sumsq > 0 ? sum * sum / (static_cast<double>(x.size()) * sumsq) : 0.0;
}

}  // namespace

static void finish_series(Collector::State& s, RunResult& r, const std::vector<size_t>& ids,
                          const std::vector<size_t>& fw_order) {
  for (size_t id : ids) {
    r.resources.emplace_back(ResourceName::from_id(static_cast<uint16_t>(id)).str());
    r.cluster_total.push_back(s.total_series[id].take());
  }
  r.total = subject_series(s.subjects[0], "total", ids, r.cluster_total, r.start, r.end);
  std::vector<double> means;
  for (size_t i : fw_order) {
    const FrameworkBooks& f = s.frameworks[i];
    r.frameworks.push_back(
        subject_series(s.subjects[f.subject], f.name, ids, r.cluster_total, r.start, r.end));
    means.push_back(r.frameworks.back().mean_dominant_share);
  }
  std::map<std::string, size_t> roles;
  s.role_subject.for_each(
      [&](std::string_view name, uint32_t subject) { roles.emplace(std::string(name), subject); });
  for (const auto& [name, subject] : roles) {
    r.roles.push_back(
        subject_series(s.subjects[subject], name, ids, r.cluster_total, r.start, r.end));
  }
  r.fairness.jain_of_mean_shares = jain(means);
  r.fairness.jain_time_average = s.jain_seconds > 0 ? s.jain_integral / s.jain_seconds : 0.0;
  const double duration = (r.end - r.start).seconds_f();
  r.fairness.max_envy_time_average = duration > 0 ? s.envy_integral / duration : 0.0;
  r.fairness.max_envy_peak = s.envy_peak;
}

static void finish_frameworks(Collector::State& s, RunResult& r, const std::vector<size_t>& ids,
                              const std::vector<size_t>& fw_order) {
  r.offers.idle_resource_seconds.assign(ids.size(), 0.0);
  // Every framework's offer latencies, tallied together.
  DurationTally accept, decline;
  for (size_t i : fw_order) {
    const FrameworkBooks& f = s.frameworks[i];
    FrameworkSummary summary;
    summary.name = f.name;
    summary.id = f.id;
    summary.roles = f.roles;
    summary.offers = offer_stats(f, ids);
    add_offer_stats(r.offers, f, summary.offers);
    accept.merge(f.accept_latency);
    decline.merge(f.decline_latency);
    r.framework_summaries.push_back(std::move(summary));
  }
  r.offers.accept_latency_s = accept.describe();
  r.offers.decline_latency_s = decline.describe();
  r.allocation.runs = s.allocation_runs;
  r.allocation.cycle_ms = describe(s.allocation_cycle_ms);
  for (size_t k = 0; k < fw_order.size(); ++k) {
    const FrameworkBooks& f = s.frameworks[fw_order[k]];
    for (size_t state = 0; state < kTaskStateCount; ++state) {
      if (f.task_states[state] == 0) continue;
      const std::string name(v1::to_string(static_cast<v1::TaskState>(state)));
      r.task_states[name] += f.task_states[state];
      r.framework_summaries[k].task_states[name] = f.task_states[state];
    }
  }
}

static void finish_jobs(Collector::State& s, RunResult& r, std::vector<JobOutcome> jobs) {
  std::stable_sort(jobs.begin(), jobs.end(), [](const JobOutcome& a, const JobOutcome& b) {
    return a.framework != b.framework ? a.framework < b.framework : a.id < b.id;
  });
  r.job_outcomes = std::move(jobs);
  // A framework name's timeline: the first framework on the stream with that name. A gang
  // framework's offers held count as its gangs' hold, over the whole run: the stream may show
  // it launching gangs only after its first holds.
  std::map<std::string, const CauseTimeline*> timeline;
  std::vector<CauseTimeline> gang_timelines;
  gang_timelines.reserve(s.frameworks.size());
  for (const FrameworkBooks& f : s.frameworks) {
    const CauseTimeline* line = &f.causes;
    if (f.gang) {
      gang_timelines.push_back(
          f.causes.replaced(WaitCause::kFrameworkDeclined, WaitCause::kGangHold));
      line = &gang_timelines.back();
    }
    timeline.try_emplace(f.name, line);
  }
  // An application's executors, by (framework name, app); the first on the stream wins.
  std::map<std::pair<std::string, std::string>, const ExecutorPresence*> executors;
  for (const ExecutorApp& a : s.executor_apps) {
    executors.try_emplace({s.frameworks[a.framework].name, a.app}, &a.presence);
  }
  std::vector<size_t> first_row;
  std::map<std::string, std::vector<size_t>> by_framework;
  std::vector<size_t> all;
  for (size_t j = 0; j < r.job_outcomes.size(); ++j) {
    const JobOutcome& job = r.job_outcomes[j];
    first_row.push_back(r.tasks.size());
    auto it = timeline.find(job.framework);
    const CauseTimeline* line = it == timeline.end() ? nullptr : it->second;
    // A job's application: its group, or the job itself when it has none (Spark's apps).
    auto e = executors.find({job.framework, job.group.empty() ? job.id : job.group});
    const ExecutorPresence* up = e == executors.end() ? nullptr : e->second;
    for (size_t t = 0; t < job.tasks.size(); ++t) {
      r.tasks.push_back(TaskRow{j, t, attribute_wait(job.tasks[t], line, up, r.end)});
    }
    by_framework[job.framework].push_back(j);
    all.push_back(j);
  }
  r.jobs = job_stats(r.job_outcomes, all, r.tasks, first_row);
  for (auto& [name, which] : by_framework) {
    auto it = std::find_if(r.framework_summaries.begin(), r.framework_summaries.end(),
                           [&](const FrameworkSummary& f) { return f.name == name; });
    if (it == r.framework_summaries.end()) {
      FrameworkSummary summary;  // ran jobs but never appeared on the stream
      summary.name = name;
      summary.offers.idle_resource_seconds.assign(r.resources.size(), 0.0);
      r.framework_summaries.push_back(std::move(summary));
      it = std::prev(r.framework_summaries.end());
    }
    it->jobs = job_stats(r.job_outcomes, which, r.tasks, first_row);
  }
}

RunResult Collector::finish(Time end, std::vector<JobOutcome> jobs) {
  State& s = *state_;
  if (!s.started) s.advance(end);
  if (end < s.now) end = s.now;
  s.advance(end);
  if (s.fairness_dirty) s.recompute_fairness();
  // Offers still held at the end were idle until the end.
  for (const OfferBooks* o : s.open_offers()) {
    FrameworkBooks& f = s.frameworks[o->framework];
    const uint32_t outstanding = f.outstanding;
    s.close_offer(*o);
    f.outstanding = outstanding;  // still held: reported as outstanding at the end
  }

  RunResult r;
  r.start = s.first;
  r.end = end;
  r.events = s.events;
  r.explanations = s.explanations;
  const std::vector<size_t> ids = reported_resources(s);
  std::vector<size_t> fw_order(s.frameworks.size());
  for (size_t i = 0; i < fw_order.size(); ++i) fw_order[i] = i;
  std::sort(fw_order.begin(), fw_order.end(), [&](size_t a, size_t b) {
    const FrameworkBooks& x = s.frameworks[a];
    const FrameworkBooks& y = s.frameworks[b];
    return x.name != y.name ? x.name < y.name : x.id < y.id;
  });
  finish_series(s, r, ids, fw_order);
  finish_frameworks(s, r, ids, fw_order);
  FragmentationInput in{&s.free_log, s.agents.size(), nullptr, ids, r.start, r.end};
  in.jobs = &jobs;  // moved into r below; measured first
  r.fragmentation = measure_fragmentation(in);
  finish_jobs(s, r, std::move(jobs));
  r.failover = s.failover.finish();
  return r;
}

}  // namespace mesosim::analysis
