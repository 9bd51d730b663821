// ScenarioRun's frameworks and workloads, machines from a trace, and faults.

#include <cmath>

#include <fmt/format.h>

#include "scenarios/scenario_run.hpp"
#include "workloads/batch_framework.hpp"
#include "workloads/generators.hpp"
#include "workloads/google_trace.hpp"
#include "workloads/trace_open.hpp"

namespace mesosim {
namespace {

// A framework's jobs as the scenario says: all to its model (whatever framework the trace
// names), submit times scaled, at most `limit` of them.
class ScenarioJobSource final : public JobSource {
 public:
  ScenarioJobSource(std::unique_ptr<JobSource> inner, double time_scale, int64_t limit)
      : inner_(std::move(inner)), time_scale_(time_scale), limit_(limit) {}

  Result<std::optional<Job>> next() override {
    if (limit_ > 0 && taken_ >= limit_) return std::optional<Job>();
    auto r = inner_->next();
    if (!r.ok() || !r.value().has_value()) return r;
    Job job = std::move(*r.value());
    job.framework.clear();
    if (time_scale_ != 1) {
      const double us = static_cast<double>(job.submit.micros()) * time_scale_;
      job.submit = Time::from_micros(static_cast<int64_t>(std::llround(us)));
    }
    ++taken_;
    return std::optional<Job>(std::move(job));
  }

 private:
  std::unique_ptr<JobSource> inner_;
  double time_scale_;
  int64_t limit_;
  int64_t taken_ = 0;
};

FrameworkModelOptions model_options(const FrameworkSpec& f, const AllocatorSpec& a) {
  FrameworkModelOptions o;
  o.name = f.name;
  o.role = f.role;
  o.user = f.user;
  o.partition_aware = f.partition_aware;
  o.t_job = f.t_job;
  o.t_task = f.t_task;
  // Hadoop keeps its short filter unless told otherwise: delay scheduling needs offers back soon.
  o.refuse_seconds = f.refuse_seconds      ? *f.refuse_seconds
                     : f.model == "hadoop" ? hadoop_model_defaults().refuse_seconds
                                           : a.default_filter.seconds_f();
  o.requeue_lost = f.requeue_lost;
  // A centralized placer places only what frameworks declare (REQUEST).
  o.declare_demands = a.policy == "quincy";
  return o;
}

Result<std::unique_ptr<JobSource>> open_workload(const WorkloadSpec& w, uint64_t seed) {
  if (!w.generator.empty()) return make_generator(w.generator, seed, w.params);
  TraceOptions t;
  t.read.skip_bad_rows = w.skip_bad_rows;
  t.swf.default_mem_mb = w.swf_default_mem_mb;
  t.google.reference_machine = w.reference_machine;
  t.google.reorder_window = w.google_window;
  auto reader = open_trace(w.trace, t);
  if (!reader.ok()) return reader.error();
  return std::unique_ptr<JobSource>(std::move(reader).value());
}

Duration exponential(Rng& rng, Duration mean) {
  const double gap = -std::log(1.0 - rng.unit()) * mean.seconds_f();
  return std::max(Duration::micros(1), Duration::from_seconds(gap));
}

}  // namespace

Status ScenarioRun::place(const std::string& host, const std::string& rack,
                          const std::string& zone) {
  if (added_.count(host) || topology_.has_agent(host))
    return Error{fmt::format("agent name '{}' is used twice", host)};
  for (const auto& f : scenario_.frameworks) {
    if (f.name == host)
      return Error{fmt::format("agent name '{}' is also a framework's name", host)};
  }
  const bool master_name =
      host == "masters" || (host.rfind("master", 0) == 0 && host.size() > 6 &&
                            host.find_first_not_of("0123456789", 6) == std::string::npos);
  if (master_name) {
    return Error{fmt::format("agent name '{}' is reserved for masters", host)};
  }
  if (auto it = zone_of_rack_.find(rack); it != zone_of_rack_.end() && it->second != zone) {
    return Error{fmt::format("rack '{}' is in zone '{}' and in zone '{}'", rack, it->second, zone)};
  }
  if (zones_.insert(zone).second) topology_.add_zone(zone);
  if (zone_of_rack_.emplace(rack, zone).second) topology_.add_rack(rack, zone);
  topology_.add_agent(host, rack);
  return Status::success();
}

Status ScenarioRun::add_machine(const std::string& host, const MachineEvent& ev, int k) {
  const MachineTraceSpec& m = *scenario_.cluster.machines;
  const std::string rack = fmt::format("{}{}", m.rack_prefix, k % m.racks);
  if (Status st = place(host, rack, m.zone); !st.ok()) return st;
  SimAgentOptions a;
  a.hostname = host;
  a.resources = ev.resources;
  a.attributes = {{"rack", rack}, {"zone", m.zone}};
  if (!ev.platform.empty()) a.attributes.push_back({"platform", ev.platform});
  auto add = [this, a] {
    cluster_->add_agent(a);
    hostnames_.push_back(a.hostname);
    added_.insert(a.hostname);
  };
  if (ev.time == Time::epoch()) {
    add();
  } else {
    cluster_->queue().schedule_at(ev.time, add);
  }
  return Status::success();
}

Status ScenarioRun::build_machines() {
  if (!scenario_.cluster.machines) return Status::success();
  const MachineTraceSpec& m = *scenario_.cluster.machines;
  GoogleOptions go;
  go.read.skip_bad_rows = m.skip_bad_rows;
  go.reference_machine = m.reference_machine;
  auto reader = GoogleMachineEventReader::open(m.files, go);
  if (!reader.ok()) return Error{fmt::format("cluster.machines: {}", reader.error().message)};
  struct Machine {
    std::string host;
    bool removed = false;
  };
  std::map<uint64_t, Machine> machines;
  int64_t updates = 0, over_limit = 0, no_capacity = 0;
  const Time end = Time::epoch() + scenario_.horizon();
  while (true) {
    auto e = reader.value()->next();
    if (!e.ok()) return Error{fmt::format("cluster.machines: {}", e.error().message)};
    if (!e.value() || e.value()->time > end) break;
    const MachineEvent& ev = *e.value();
    auto it = machines.find(ev.machine_id);
    if (ev.kind == MachineEvent::Kind::kUpdate) {
      ++updates;
    } else if (ev.kind == MachineEvent::Kind::kRemove) {
      if (it == machines.end() || it->second.removed) continue;
      it->second.removed = true;
      cluster_->queue().schedule_at(
          ev.time,
          [this, f = Fault(fault::AgentCrash{it->second.host, true, {}})] { inject_checked(f); });
    } else if (it != machines.end()) {
      if (!it->second.removed) continue;
      it->second.removed = false;
      cluster_->queue().schedule_at(
          ev.time, [this, f = Fault(fault::AgentRestart{it->second.host})] { inject_checked(f); });
    } else if (m.limit > 0 && static_cast<int64_t>(machines.size()) >= m.limit) {
      ++over_limit;
    } else if (ev.resources.empty()) {
      ++no_capacity;
    } else {
      const std::string host = fmt::format("{}{}", m.name_prefix, ev.machine_id);
      if (Status st = add_machine(host, ev, static_cast<int>(machines.size())); !st.ok()) {
        return Error{fmt::format("cluster.machines: {}", st.error().message)};
      }
      machines[ev.machine_id] = Machine{host, false};
    }
  }
  if (updates) notes_.push_back(fmt::format("cluster.machines: {} UPDATE events ignored", updates));
  if (over_limit)
    notes_.push_back(
        fmt::format("cluster.machines: {} machines beyond limit {} left out", over_limit, m.limit));
  if (no_capacity)
    notes_.push_back(
        fmt::format("cluster.machines: {} machines without capacity left out", no_capacity));
  return Status::success();
}

Status ScenarioRun::build_frameworks() {
  for (size_t i = 0; i < scenario_.frameworks.size(); ++i) {
    const FrameworkSpec& f = scenario_.frameworks[i];
    Clock& clock = cluster_->queue();
    const FrameworkModelOptions common = model_options(f, scenario_.allocator);
    const uint64_t model_seed = rng_.next();
    const uint64_t workload_seed = rng_.next();
    std::unique_ptr<FrameworkModel> model;
    if (f.model == "batch") {
      FrameworkModelOptions o = common;
      o.max_attempts = f.batch_max_attempts;
      model = std::make_unique<BatchFramework>(
          clock, BatchFrameworkOptions{o, &topology_, f.batch_max_tasks_per_offer});
    } else if (f.model == "hadoop") {
      HadoopFrameworkOptions o = f.hadoop;
      o.model = common;
      o.topology = &topology_;
      o.seed = model_seed;
      model = std::make_unique<HadoopFramework>(clock, o);
    } else if (f.model == "spark") {
      SparkFrameworkOptions o = f.spark;
      o.model = common;
      model = std::make_unique<SparkFramework>(clock, o);
    } else if (f.model == "storm") {
      StormFrameworkOptions o = f.storm;
      o.model = common;
      model = std::make_unique<StormFramework>(clock, o);
    } else if (f.model == "service") {
      ServiceFrameworkOptions o = f.service;
      o.model = common;
      model = std::make_unique<ServiceFramework>(clock, o);
    } else {
      GangFrameworkOptions o = f.gang;
      o.model = common;
      model = std::make_unique<GangFramework>(clock, o);
    }
    auto source = open_workload(f.workload, workload_seed);
    if (!source.ok())
      return Error{fmt::format("frameworks.{}.workload: {}", f.name, source.error().message)};
    sources_.push_back(std::make_unique<ScenarioJobSource>(
        std::move(source).value(), f.workload.time_scale, f.workload.limit));
    feeders_.push_back(
        std::make_unique<JobFeeder>(clock, *sources_.back(), Time::epoch() + f.workload.start));
    feeders_.back()->set_default(model.get());
    v1::FrameworkInfo info = model->framework_info();
    info.checkpoint = f.checkpoint;
    info.failover_timeout = f.failover_timeout.seconds_f();
    cluster_->add_framework(std::move(info), model.get());
    models_.push_back(std::move(model));
  }
  return Status::success();
}

void ScenarioRun::inject_checked(const Fault& f) {
  auto known = [&](const std::string& name) {
    return added_.count(name) || name == "masters" || cluster_->network().find(name).has_value();
  };
  std::vector<std::string> names;
  if (auto* c = std::get_if<fault::AgentCrash>(&f)) names = {c->agent};
  if (auto* r = std::get_if<fault::AgentRestart>(&f)) names = {r->agent};
  if (auto* p = std::get_if<fault::Partition>(&f)) {
    names = p->side_a;
    names.insert(names.end(), p->side_b.begin(), p->side_b.end());
  }
  if (auto* h = std::get_if<fault::Heal>(&f)) {
    names = h->side_a;
    names.insert(names.end(), h->side_b.begin(), h->side_b.end());
  }
  for (const auto& n : names) {
    const bool agent_fault = std::holds_alternative<fault::AgentCrash>(f) ||
                             std::holds_alternative<fault::AgentRestart>(f);
    if (agent_fault ? !added_.count(n) : !known(n)) {
      notes_.push_back(fmt::format("{}: fault '{}' skipped: no '{}' in the cluster then",
                                   cluster_->now().to_string(), to_string(f), n));
      return;
    }
  }
  cluster_->inject(f);
}

void ScenarioRun::schedule_random(std::optional<Duration> mean, std::function<void()> fire) {
  if (!mean) return;
  cluster_->queue().schedule(exponential(fault_rng_, *mean), [this, mean, fire] {
    fire();
    schedule_random(mean, fire);
  });
}

void ScenarioRun::schedule_faults() {
  for (const auto& sf : scenario_.faults) {
    cluster_->queue().schedule_at(Time::epoch() + sf.at,
                                  [this, f = sf.fault] { inject_checked(f); });
  }
  fault_rng_ = rng_.fork();
  const RandomFaultsSpec& r = scenario_.random_faults;
  schedule_random(r.agent_crash_interval, [this, &r] {
    if (hostnames_.empty()) return;
    const std::string& host = hostnames_[fault_rng_.below(hostnames_.size())];
    const bool lost = fault_rng_.unit() < r.machine_lost_probability;
    inject_checked(fault::AgentCrash{host, lost, r.agent_restart_after});
  });
  schedule_random(r.master_failover_interval, [this] { inject_checked(fault::MasterFailover{}); });
  schedule_random(r.scheduler_crash_interval, [this, &r] {
    const auto& f = scenario_.frameworks[fault_rng_.below(scenario_.frameworks.size())];
    inject_checked(fault::SchedulerCrash{f.name, r.scheduler_restart_after});
  });
  schedule_random(r.partition_interval, [this, &r] {
    if (hostnames_.empty()) return;
    const std::string host = hostnames_[fault_rng_.below(hostnames_.size())];
    inject_checked(fault::Partition{{host}, {"masters"}});
    cluster_->queue().schedule(r.partition_heal_after, [this, host] {
      inject_checked(fault::Heal{{host}, {"masters"}});
    });
  });
}

}  // namespace mesosim
