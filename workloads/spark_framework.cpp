#include "workloads/spark_framework.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace mesosim {

using v1::TaskState;

namespace {
Resources default_executor_resources() { return Resources::parse("cpus:2;mem:2048").value(); }
}  // namespace

SparkFramework::SparkFramework(Clock& clock, SparkFrameworkOptions options)
    : FrameworkModel(clock, options.model), sopts_(std::move(options)) {
  if (sopts_.executor_resources.empty()) sopts_.executor_resources = default_executor_resources();
  if (sopts_.executor_cores < 1) sopts_.executor_cores = 1;
}

SparkFramework::~SparkFramework() {
  clock().cancel(wakeup_);
  for (auto& [id, e] : executors_) {
    clock().cancel(e.idle_timer);
    for (Unit& u : e.units) clock().cancel(u.done_timer);
  }
}

const std::string& SparkFramework::app_of(size_t job) const { return job_app_.at(job); }

std::vector<std::string> SparkFramework::executor_agents(const std::string& app) const {
  std::vector<std::string> out;
  auto it = apps_.find(app);
  if (it == apps_.end()) return out;
  for (const std::string& id : it->second.executors) {
    const Executor& e = executors_.at(id);
    if (e.running && !e.killing) out.push_back(e.hostname);
  }
  return out;
}

void SparkFramework::on_job_ready(size_t job) {
  const Job& j = spec(job);
  job_app_[job] = j.group.empty() ? j.id : j.group;
  apps_[job_app_[job]];
  FrameworkModel::on_job_ready(job);
  dispatch();
}

bool SparkFramework::app_wants_executors(const std::string& app) const {
  if (apps_.at(app).executors.size() >= sopts_.executors_per_app) return false;
  for (const auto& [key, ref] : pending()) {
    if (app_of(ref.job) == app) return true;
  }
  return false;
}

bool SparkFramework::wants_offers() const {
  for (const auto& [name, app] : apps_) {
    if (app_wants_executors(name)) return true;
  }
  return false;
}

void SparkFramework::on_offers(SchedulerDriver& driver, const std::vector<v1::Offer>& offers) {
  size_t apps = 0, launched = 0;
  std::set<std::string> apps_served;
  for (const v1::Offer& offer : offers) {
    Resources left = offer.resources;
    std::vector<v1::TaskInfo> tasks;
    for (auto& [name, app] : apps_) {
      if (!app_wants_executors(name) || !left.contains(sopts_.executor_resources)) continue;
      bool here = false;
      for (const std::string& id : app.executors)
        here |= executors_.at(id).hostname == offer.hostname;
      if (here) continue;  // one executor per agent per application
      v1::TaskInfo t;
      t.name = fmt::format("{}/executor", name);
      t.task_id = v1::TaskID{fmt::format("{}/executor-{}", name, ++app.next_executor)};
      t.agent_id = offer.agent_id;
      t.resources = sopts_.executor_resources;
      t.command = v1::CommandInfo{true, "spark-executor", {}, {}};
      t.labels = {{"app", name}, {"framework", options().name}, {"kind", "executor"}};
      left -= sopts_.executor_resources;
      app.executors.push_back(t.task_id.value);
      executors_[t.task_id.value] =
          Executor{name, offer.agent_id, offer.hostname, false, false, {}, TimerId{}};
      ++spark_stats_.executors_launched;
      apps_served.insert(name);
      tasks.push_back(std::move(t));
    }
    launched += tasks.size();
    launch(driver, offer, std::move(tasks));
  }
  apps = apps_served.size();
  charge_launches(driver, apps, launched);
}

bool SparkFramework::on_foreign_update(SchedulerDriver&, const v1::TaskStatus& status) {
  auto it = executors_.find(status.task_id.value);
  if (it == executors_.end()) return false;
  const TaskState state = status.state;
  if (state == TaskState::TASK_RUNNING) {
    it->second.running = true;
    dispatch();
  } else if (v1::is_terminal(state) || state == TaskState::TASK_UNREACHABLE) {
    executor_gone(status.task_id.value, !it->second.killing);
  }
  return true;
}

void SparkFramework::dispatch() {
  const Time now = clock().now();
  std::vector<TaskRef> waiting;
  for (const auto& [key, ref] : pending()) waiting.push_back(ref);
  for (TaskRef ref : waiting) {
    if (is_pending(ref)) dispatch_one(ref, app_of(ref.job), now);
  }
  std::vector<std::string> ids;
  for (const auto& [id, e] : executors_) ids.push_back(id);
  for (const std::string& id : ids) update_idle(id);
  sync_offer_interest();
}

bool SparkFramework::dispatch_one(TaskRef ref, const std::string& app_name, Time now) {
  App& app = apps_.at(app_name);
  std::optional<std::string> cached;
  if (auto c = app.cache.find(ref.task); c != app.cache.end()) cached = c->second;
  std::optional<std::string> local, any;
  for (const std::string& id : app.executors) {
    const Executor& e = executors_.at(id);
    if (!e.running || e.killing || e.units.size() >= static_cast<size_t>(sopts_.executor_cores)) {
      continue;
    }
    if (!any) any = id;
    if (cached && e.hostname == *cached && !local) local = id;
  }
  if (!cached) {
    if (!any) return false;
    run_unit(*any, ref, Locality::kAny);
    return true;
  }
  if (local) {
    run_unit(*local, ref, Locality::kNodeLocal);
    return true;
  }
  const Time give_up = record(ref).ready + sopts_.locality_wait;
  if (!cached->empty() && now < give_up) {
    arm_wakeup(give_up);
    return false;
  }
  if (!any) return false;
  run_unit(*any, ref, Locality::kRemote);
  return true;
}

void SparkFramework::run_unit(const std::string& executor_id, TaskRef ref, Locality locality) {
  Executor& e = executors_.at(executor_id);
  take_pending(ref);
  const Time now = clock().now();
  TaskRecord& rec = record(ref);
  ++rec.attempts;
  rec.locality = locality;
  rec.agent = e.hostname;
  rec.launched = now;
  rec.running = now;
  rec.ended.reset();
  rec.final_state.reset();
  rec.wait += now - rec.ready;
  if (!record(ref.job).start) record(ref.job).start = now;
  Duration d = task_spec(ref).duration;
  if (locality == Locality::kRemote) {
    d = Duration::from_seconds(d.seconds_f() * sopts_.cache_miss_slowdown);
  }
  clock().cancel(e.idle_timer);
  e.idle_timer = TimerId{};
  e.units.push_back(
      Unit{ref, clock().schedule(d, [this, executor_id, ref] { unit_done(executor_id, ref); })});
}

void SparkFramework::unit_done(const std::string& executor_id, TaskRef ref) {
  Executor& e = executors_.at(executor_id);
  e.units.erase(
      std::find_if(e.units.begin(), e.units.end(), [&](const Unit& u) { return u.ref == ref; }));
  apps_.at(e.app).cache[ref.task] = e.hostname;
  TaskRecord& rec = record(ref);
  rec.ended = clock().now();
  finish_task(ref, scripted_state(task_spec(ref).outcome));
  dispatch();
}

void SparkFramework::executor_gone(const std::string& executor_id, bool lost) {
  auto it = executors_.find(executor_id);
  Executor e = std::move(it->second);
  executors_.erase(it);
  clock().cancel(e.idle_timer);
  App& app = apps_.at(e.app);
  app.executors.erase(std::find(app.executors.begin(), app.executors.end(), executor_id));
  // Its cached partitions are gone with it, and its running units must run again.
  for (auto& [partition, host] : app.cache) {
    if (host == e.hostname) host.clear();  // lost: must be recomputed wherever it runs
  }
  for (Unit& u : e.units) {
    clock().cancel(u.done_timer);
    TaskRecord& rec = record(u.ref);
    rec.ended = clock().now();
    rec.final_state = TaskState::TASK_LOST;
    make_pending(u.ref);
  }
  if (lost) ++spark_stats_.executors_lost;
  dispatch();
}

void SparkFramework::update_idle(const std::string& executor_id) {
  Executor& e = executors_.at(executor_id);
  bool app_waiting = false;
  for (const auto& [key, ref] : pending()) app_waiting |= app_of(ref.job) == e.app;
  const bool idle = e.running && !e.killing && e.units.empty() && !app_waiting;
  if (!idle) {
    clock().cancel(e.idle_timer);
    e.idle_timer = TimerId{};
    return;
  }
  if (e.idle_timer.value != 0) return;
  e.idle_timer = clock().schedule(sopts_.executor_idle_timeout, [this, executor_id] {
    Executor& ex = executors_.at(executor_id);
    ex.idle_timer = TimerId{};
    ex.killing = true;
    ++spark_stats_.executors_killed_idle;
    if (driver()) driver()->kill(v1::TaskID{executor_id}, ex.agent_id);
  });
}

void SparkFramework::arm_wakeup(Time at) {
  if (at >= wakeup_at_) return;
  clock().cancel(wakeup_);
  wakeup_at_ = at;
  wakeup_ = clock().schedule(at - clock().now(), [this] {
    wakeup_ = TimerId{};
    wakeup_at_ = Time::max();
    dispatch();
  });
}

}  // namespace mesosim
