// summary.json: every summary figure of a run (analysis/README.md, "summary.json").

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "analysis/writers.hpp"

namespace mesosim::analysis {
namespace {

using Json = nlohmann::ordered_json;

// Six decimals: enough for shares and seconds, and short, stable text.
double fixed(double x) {
  const double r = std::round(x * 1e6) / 1e6;
  return r == 0.0 ? 0.0 : r;  // no "-0.0"
}

Json per_resource(const std::vector<std::string>& names, const std::vector<double>& values) {
  Json j = Json::object();
  for (size_t i = 0; i < names.size() && i < values.size(); ++i) j[names[i]] = fixed(values[i]);
  return j;
}

Json to_json(const Distribution& d) {
  return Json{{"count", d.count},    {"mean", fixed(d.mean)}, {"median", fixed(d.median)},
              {"p95", fixed(d.p95)}, {"p99", fixed(d.p99)},   {"max", fixed(d.max)}};
}

template <typename Map>
Json counts(const Map& m) {
  Json j = Json::object();
  for (const auto& [k, v] : m) j[k.empty() ? "unknown" : k] = v;
  return j;
}

Json fractions(const std::map<std::string, double>& m) {
  Json j = Json::object();
  for (const auto& [k, v] : m) j[k] = fixed(v);
  return j;
}

Json to_json(const OfferStats& o, const std::vector<std::string>& resources) {
  return Json{{"made", o.made},
              {"accepted", o.accepted},
              {"declined", o.declined},
              {"declined_for", o.declined_for},
              {"rescinded", o.rescinded},
              {"voided", o.voided},
              {"lost_on_failover", o.lost_on_failover},
              {"outstanding_at_end", o.outstanding_at_end},
              {"accept_latency_s", to_json(o.accept_latency_s)},
              {"decline_latency_s", to_json(o.decline_latency_s)},
              {"idle_resource_seconds", per_resource(resources, o.idle_resource_seconds)}};
}

Json to_json(const WaitBreakdown& w) {
  Json j = Json::object();
  for (size_t c = 0; c < kWaitCauseCount; ++c) {
    j[std::string(to_string(static_cast<WaitCause>(c)))] = fixed(w[c]);
  }
  return j;
}

Json to_json(const JobStats& s) {
  Json by_size = Json::object();
  for (size_t b = 0; b < s.completion_by_size_s.size(); ++b) {
    by_size[RunResult::size_bin_name(b)] = to_json(s.completion_by_size_s[b]);
  }
  return Json{{"jobs", s.jobs},
              {"finished", s.finished},
              {"states", counts(s.job_states)},
              {"completion_s", to_json(s.completion_s)},
              {"run_time_s", to_json(s.run_time_s)},
              {"run_time_sum_s", fixed(s.run_time_sum_s)},
              {"wait_s", to_json(s.wait_s)},
              {"task_wait_s", to_json(s.task_wait_s)},
              {"completion_by_size_s", by_size},
              {"locality", counts(s.locality)},
              {"locality_fraction", fractions(s.locality_fraction)},
              {"wait_by_cause_s", to_json(s.wait_by_cause)}};
}

Json shares(const SubjectSeries& s, const std::vector<std::string>& resources) {
  return Json{{"allocated_share", per_resource(resources, s.allocated_share)},
              {"used_share", per_resource(resources, s.used_share)},
              {"mean_dominant_share", fixed(s.mean_dominant_share)},
              {"dominant_share_at_end", fixed(s.dominant_share_at_end)}};
}

Json seconds_or_null(const std::optional<Time>& t) {
  return t ? Json(fixed(t->seconds_f())) : Json(nullptr);
}

Json since_or_null(const std::optional<Time>& t, Time from) {
  return t ? Json(fixed((*t - from).seconds_f())) : Json(nullptr);
}

Json to_json(const FailoverStats& s) {
  Json list = Json::array();
  for (const FailoverRecord& f : s.failovers) {
    list.push_back(
        Json{{"failed_at_s", fixed(f.failed_at.seconds_f())},
             {"failure_seen", f.failure_seen},
             {"elected_at_s", seconds_or_null(f.elected_at)},
             {"recovered_at_s", seconds_or_null(f.recovered_at)},
             {"agents", f.agents},
             {"frameworks", f.frameworks},
             {"agents_lost", f.agents_lost},
             {"frameworks_lost", f.frameworks_lost},
             {"election_s", since_or_null(f.elected_at, f.failed_at)},
             {"agents_back_s", since_or_null(f.agents_back_at, f.failed_at)},
             {"frameworks_back_s", since_or_null(f.frameworks_back_at, f.failed_at)},
             {"recovery_s", since_or_null(f.recovered_at, f.failed_at)},
             {"from_election_s", f.recovered_at && f.elected_at
                                     ? Json(fixed((*f.recovered_at - *f.elected_at).seconds_f()))
                                     : Json(nullptr)}});
  }
  return Json{
      {"count", s.failovers.size()},         {"recovered", s.recovered},
      {"recovery_s", to_json(s.recovery_s)}, {"from_election_s", to_json(s.from_election_s)},
      {"election_s", to_json(s.election_s)}, {"failovers", std::move(list)}};
}

}  // namespace

std::string summary_json(const RunResult& r) {
  Json j;
  j["format"] = "mesosim-analysis-summary";
  j["version"] = 1;
  j["start_s"] = fixed(r.start.seconds_f());
  j["end_s"] = fixed(r.end.seconds_f());
  j["duration_s"] = fixed((r.end - r.start).seconds_f());
  j["events"] = r.events;
  j["explanations"] = r.explanations;
  j["resources"] = r.resources;
  j["cluster"] = shares(r.total, r.resources);
  j["fairness"] = Json{{"jain_of_mean_shares", fixed(r.fairness.jain_of_mean_shares)},
                       {"jain_time_average", fixed(r.fairness.jain_time_average)},
                       {"max_envy_time_average", fixed(r.fairness.max_envy_time_average)},
                       {"max_envy_peak", fixed(r.fairness.max_envy_peak)}};
  j["offers"] = to_json(r.offers, r.resources);
  j["allocation"] = Json{{"runs", r.allocation.runs}};
  if (r.allocation.cycle_ms.count > 0) j["allocation"]["cycle_ms"] = to_json(r.allocation.cycle_ms);
  j["task_states"] = counts(r.task_states);
  j["jobs"] = to_json(r.jobs);
  j["fragmentation"] = Json{
      {"stranded_resource_seconds",
       per_resource(r.resources, r.fragmentation.stranded_resource_seconds)},
      {"free_resource_seconds", per_resource(r.resources, r.fragmentation.free_resource_seconds)},
      {"stranded_fraction", per_resource(r.resources, r.fragmentation.stranded_fraction)}};
  j["failover"] = to_json(r.failover);
  Json frameworks = Json::array();
  for (size_t i = 0; i < r.framework_summaries.size(); ++i) {
    const FrameworkSummary& f = r.framework_summaries[i];
    Json fj{{"name", f.name}, {"id", f.id}, {"roles", f.roles}};
    // The frameworks seen on the stream come first, in the order of r.frameworks.
    if (i < r.frameworks.size()) fj.update(shares(r.frameworks[i], r.resources));
    fj["offers"] = to_json(f.offers, r.resources);
    fj["task_states"] = counts(f.task_states);
    fj["jobs"] = to_json(f.jobs);
    frameworks.push_back(std::move(fj));
  }
  j["frameworks"] = std::move(frameworks);
  Json roles = Json::array();
  for (const SubjectSeries& s : r.roles) {
    Json rj{{"name", s.name}};
    rj.update(shares(s, r.resources));
    roles.push_back(std::move(rj));
  }
  j["roles"] = std::move(roles);
  // Names from a live cluster may hold invalid UTF-8: replace it rather than throw.
  return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace mesosim::analysis
