#include "workloads/hadoop_framework.hpp"

#include <algorithm>
#include <set>

#include "allocator/check.hpp"

namespace mesosim {

HadoopFramework::HadoopFramework(Clock& clock, HadoopFrameworkOptions options)
    : FrameworkModel(clock, options.model),
      hopts_(options),
      topology_(*options.topology),
      rng_(options.seed) {
  MESOSIM_CHECK(options.topology != nullptr, "HadoopFramework needs a Topology");
}

const std::vector<std::string>& HadoopFramework::block_of(size_t job, size_t task) const {
  return jobs_state_.at(job).blocks.at(task);
}

void HadoopFramework::on_job_ready(size_t job) {
  JobState& js = jobs_state_[job];
  const size_t n = spec(job).tasks.size();
  js.blocks.resize(n);
  for (size_t t = 0; t < n; ++t) {
    const TaskSpec& s = spec(job).tasks[t];
    if (s.reduce) continue;
    ++js.maps_left;
    js.blocks[t] = s.preferred_agents.empty() ? topology_.place_block(rng_) : s.preferred_agents;
    make_pending(TaskRef{job, t});
  }
  if (js.maps_left == 0) {
    for (size_t t = 0; t < n; ++t) make_pending(TaskRef{job, t});
  }
}

void HadoopFramework::on_task_ended(SchedulerDriver&, const Attempt& attempt, v1::TaskState) {
  const TaskRef ref = attempt.ref;
  if (task_spec(ref).reduce || !record(ref).done) return;
  JobState& js = jobs_state_.at(ref.job);
  if (--js.maps_left > 0) return;
  for (size_t t = 0; t < spec(ref.job).tasks.size(); ++t) {
    if (spec(ref.job).tasks[t].reduce) make_pending(TaskRef{ref.job, t});
  }
}

std::vector<std::pair<std::string, int64_t>> HadoopFramework::preferred_hosts(TaskRef ref) const {
  std::vector<std::pair<std::string, int64_t>> out;
  if (task_spec(ref).reduce) return out;
  const std::vector<std::string>& blocks = jobs_state_.at(ref.job).blocks[ref.task];
  std::set<std::string> racks;
  for (const std::string& host : blocks) {
    out.emplace_back(host, 0);
    if (topology_.has_agent(host)) racks.insert(topology_.rack_of(host));
  }
  for (const std::string& rack : racks) {
    for (std::string& host : topology_.agents_in_rack(rack)) {
      if (std::find(blocks.begin(), blocks.end(), host) == blocks.end()) {
        out.emplace_back(std::move(host), hopts_.rack_local_cost);
      }
    }
  }
  return out;
}

HadoopFramework::Level HadoopFramework::allowed(const JobState& job) const {
  const Duration waited = job.waiting_since ? clock().now() - *job.waiting_since : Duration::zero();
  if (waited >= hopts_.node_locality_wait + hopts_.rack_locality_wait) return Level::kAny;
  if (waited >= hopts_.node_locality_wait) return Level::kRack;
  return Level::kNode;
}

Locality HadoopFramework::locality_of(TaskRef ref, const std::string& hostname) const {
  const TaskSpec& s = task_spec(ref);
  if (s.reduce) return Locality::kAny;
  return topology_.locality(hostname, jobs_state_.at(ref.job).blocks[ref.task], s.preferred_racks);
}

Duration HadoopFramework::run_time(TaskRef ref, Locality locality) const {
  const Duration d = task_spec(ref).duration;
  switch (locality) {
    case Locality::kRackLocal:
      return Duration::from_seconds(d.seconds_f() * hopts_.rack_local_slowdown);
    case Locality::kRemote:
      return Duration::from_seconds(d.seconds_f() * hopts_.remote_slowdown);
    default:
      return d;
  }
}

std::optional<HadoopFramework::TaskRef> HadoopFramework::pick(
    const v1::Offer& offer, const Resources& left, const std::vector<TaskRef>& candidates) {
  if (options().declare_demands) return pick_placed(offer, left, candidates);
  // Jobs in FIFO order: the order their first pending task became pending.
  std::vector<size_t> order;
  std::set<size_t> seen;
  for (TaskRef ref : candidates) {
    if (seen.insert(ref.job).second) order.push_back(ref.job);
  }
  for (size_t job : order) {
    JobState& js = jobs_state_.at(job);
    const Level level = allowed(js);
    std::optional<TaskRef> rack, remote;
    bool could_use = false;
    for (TaskRef ref : candidates) {
      if (ref.job != job || !left.contains(task_spec(ref).resources)) continue;
      const Locality loc = locality_of(ref, offer.hostname);
      if (loc == Locality::kAny || loc == Locality::kNodeLocal) return ref;
      could_use = true;
      if (loc == Locality::kRackLocal && !rack) rack = ref;
      if (loc == Locality::kRemote && !remote) remote = ref;
    }
    if (rack && level != Level::kNode) return rack;
    if (remote && level == Level::kAny) return remote;
    if (could_use && !js.waiting_since) js.waiting_since = clock().now();
  }
  return std::nullopt;
}

// A centralized placer chose this agent for some of the pending maps: take the ones local to
// it first (then rack-local, then any), whichever job they belong to, and do not wait.
std::optional<HadoopFramework::TaskRef> HadoopFramework::pick_placed(
    const v1::Offer& offer, const Resources& left, const std::vector<TaskRef>& candidates) const {
  std::optional<TaskRef> rack, remote;
  for (TaskRef ref : candidates) {
    if (!left.contains(task_spec(ref).resources)) continue;
    const Locality loc = locality_of(ref, offer.hostname);
    if (loc == Locality::kAny || loc == Locality::kNodeLocal) return ref;
    if (loc == Locality::kRackLocal && !rack) rack = ref;
    if (loc == Locality::kRemote && !remote) remote = ref;
  }
  return rack ? rack : remote;
}

void HadoopFramework::on_offers(SchedulerDriver& driver, const std::vector<v1::Offer>& offers) {
  std::set<size_t> jobs;
  size_t launched = 0;
  for (const v1::Offer& offer : offers) {
    std::vector<TaskRef> candidates;
    for (const auto& [key, ref] : pending()) candidates.push_back(ref);
    Resources left = offer.resources;
    std::vector<v1::TaskInfo> tasks;
    while (auto ref = pick(offer, left, candidates)) {
      const Locality loc = locality_of(*ref, offer.hostname);
      left -= task_spec(*ref).resources;
      tasks.push_back(make_task(*ref, offer, run_time(*ref, loc), loc));
      if (loc == Locality::kNodeLocal) jobs_state_.at(ref->job).waiting_since.reset();
      jobs.insert(ref->job);
      candidates.erase(std::find(candidates.begin(), candidates.end(), *ref));
    }
    launched += tasks.size();
    // Nothing placed although a pending task fit: delay scheduling declined it for locality.
    const bool for_locality =
        tasks.empty() && std::any_of(candidates.begin(), candidates.end(), [&](TaskRef ref) {
          return offer.resources.contains(task_spec(ref).resources);
        });
    launch(driver, offer, std::move(tasks), for_locality ? "locality" : "");
  }
  charge_launches(driver, jobs.size(), launched);
}

LocalityCounts HadoopFramework::map_locality() const {
  LocalityCounts c;
  for_each_job([&](size_t, const JobRecord& rec, const Job& job) {
    for (size_t t = 0; t < rec.tasks.size(); ++t) {
      const TaskRecord& r = rec.tasks[t];
      if (job.tasks[t].reduce || r.attempts == 0) continue;
      c.node_local += r.locality == Locality::kNodeLocal;
      c.rack_local += r.locality == Locality::kRackLocal;
      c.remote += r.locality == Locality::kRemote;
    }
  });
  return c;
}

}  // namespace mesosim
