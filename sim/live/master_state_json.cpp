#include "sim/live/master_state_json.hpp"

#include <set>

namespace mesosim::live {

using Json = nlohmann::ordered_json;

namespace {

constexpr v1::TaskState kSummaryStates[] = {
    v1::TaskState::TASK_STAGING,    v1::TaskState::TASK_STARTING, v1::TaskState::TASK_RUNNING,
    v1::TaskState::TASK_KILLING,    v1::TaskState::TASK_FINISHED, v1::TaskState::TASK_KILLED,
    v1::TaskState::TASK_FAILED,     v1::TaskState::TASK_LOST,     v1::TaskState::TASK_ERROR,
    v1::TaskState::TASK_UNREACHABLE};

Json task_json(const v1::Task& t, std::optional<double> timestamp) {
  Json j{{"id", t.task_id.value},
         {"name", t.name},
         {"framework_id", t.framework_id.value},
         {"executor_id", t.executor_id ? t.executor_id->value : ""},
         {"slave_id", t.agent_id.value},
         {"state", std::string(v1::to_string(t.state))},
         {"resources", resources_model(t.resources)},
         {"role", t.role}};
  Json statuses = Json::array();
  if (timestamp) statuses.push_back({{"state", j["state"]}, {"timestamp", *timestamp}});
  j["statuses"] = statuses;
  if (!t.labels.empty()) {
    Json labels = Json::array();
    for (const auto& [k, v] : t.labels) labels.push_back({{"key", k}, {"value", v}});
    j["labels"] = labels;
  }
  return j;
}

Json capabilities_json(const v1::FrameworkInfo& info) {
  Json caps = Json::array();
  for (auto c : info.capabilities) caps.push_back(std::string(v1::to_string(c)));
  return caps;
}

// One framework: `view` when it is active in the master, else only the book's record.
Json framework_json(const std::string& id, const Master::FrameworkView* view,
                    const MasterBook::FrameworkRecord* record, const Master& master,
                    const MasterBook& book) {
  Json j{{"id", id}, {"name", record ? record->name : view ? view->info.name : ""}};
  Resources used, offered;
  Json tasks = Json::array();
  if (view) {
    for (const auto& tid : view->tasks) {
      auto t = master.task(v1::FrameworkID{id}, tid);
      if (!t) continue;
      if (!v1::is_terminal(t->task.state) && !t->unreachable) used += t->task.resources;
      tasks.push_back(task_json(
          t->task, t->last_sent ? std::optional<double>(t->last_sent->timestamp.seconds_f())
                                : std::nullopt));
    }
  }
  Json offers = Json::array();
  for (const auto& [oid, o] : book.offers()) {
    if (o.framework.value != id) continue;
    offered += o.resources;
    offers.push_back({{"id", oid},
                      {"framework_id", id},
                      {"slave_id", o.agent.value},
                      {"resources", resources_model(o.resources)},
                      {"allocation_info", {{"role", o.role}}}});
  }
  j["used_resources"] = resources_model(used);
  j["offered_resources"] = resources_model(offered);
  j["resources"] = resources_model(used + offered);
  const v1::FrameworkInfo info = view ? view->info : v1::FrameworkInfo{};
  j["capabilities"] = capabilities_json(info);
  j["hostname"] = info.hostname;
  j["active"] = view ? view->active : false;
  j["connected"] = view ? view->connected : false;
  j["recovered"] = false;
  j["user"] = info.user;
  j["failover_timeout"] = info.failover_timeout;
  j["checkpoint"] = info.checkpoint;
  j["registered_time"] = record ? record->registered.seconds_f() : 0.0;
  j["unregistered_time"] = record && record->removed ? record->removed->seconds_f() : 0.0;
  if (!info.principal.empty()) j["principal"] = info.principal;
  j["roles"] = record ? record->roles : info.roles;
  j["tasks"] = tasks;
  j["unreachable_tasks"] = Json::array();
  Json completed = Json::array();
  if (record) {
    for (const auto& c : record->completed_tasks) {
      completed.push_back(task_json(c.task, c.timestamp.seconds_f()));
    }
  }
  j["completed_tasks"] = completed;
  j["offers"] = offers;
  j["executors"] = Json::array();
  j["completed_executors"] = Json::array();
  return j;
}

Json agent_json(const Master::AgentView& a, const MasterIdentity& identity) {
  Json reserved = Json::object();
  std::set<std::string> roles;
  for (const auto& e : a.info.resources.scalar_entries()) {
    if (e.key.reservation.is_reserved()) roles.insert(e.key.reservation.role());
  }
  for (const auto& e : a.info.resources.range_entries()) {
    if (e.key.reservation.is_reserved()) roles.insert(e.key.reservation.role());
  }
  for (const auto& role : roles)
    reserved[role] = resources_model(a.info.resources.reserved_to(role));
  Json attributes = Json::object();
  for (const auto& attr : a.info.attributes) attributes[attr.name] = attr.value;
  return Json{{"id", a.info.id ? a.info.id->value : ""},
              {"hostname", a.info.hostname},
              {"resources", resources_model(a.info.resources)},
              {"used_resources", resources_model(a.used)},
              {"offered_resources", resources_model(a.offered)},
              {"reserved_resources", reserved},
              {"unreserved_resources", resources_model(a.info.resources.unreserved())},
              {"attributes", attributes},
              {"active", a.connected},
              {"version", identity.version}};
}

std::string fmt_key(std::string_view a, std::string_view b, std::string_view c) {
  return std::string(a) + std::string(b) + std::string(c);
}

// "master/tasks_running" for TASK_RUNNING.
std::string task_metric(v1::TaskState state) {
  std::string name(v1::to_string(state).substr(5));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return "master/tasks_" + name;
}

size_t active_agents(const std::vector<Master::AgentView>& agents) {
  size_t n = 0;
  for (const auto& a : agents) n += a.connected ? 1 : 0;
  return n;
}

}  // namespace

Json resources_model(const Resources& resources) {
  Json j{{"cpus", 0.0}, {"disk", 0.0}, {"gpus", 0.0}, {"mem", 0.0}};
  for (const auto& e : resources.scalar_entries()) {
    const std::string name(e.key.name.str());
    const double before = j.contains(name) ? j[name].get<double>() : 0.0;
    j[name] = before + e.value.to_double();
  }
  for (const auto& e : resources.range_entries()) {
    const std::string name(e.key.name.str());
    // Several reservations of one range resource: Mesos prints their union.
    j[name] = e.value.to_string();
  }
  return j;
}

namespace {

// Mesos's json(SlaveInfo): the agents of the registry this master still waits for.
Json recovered_agents_json(const std::vector<Master::AgentView>& registered,
                           const Registry& registry) {
  std::set<std::string> here;
  for (const auto& a : registered) {
    if (a.info.id) here.insert(a.info.id->value);
  }
  Json out = Json::array();
  for (const auto& [id, agent] : registry.agents) {
    if (agent.state != Registry::AgentState::kAdmitted || here.count(id)) continue;
    Json attributes = Json::object();
    for (const auto& attr : agent.info.attributes) attributes[attr.name] = attr.value;
    out.push_back({{"id", id}, {"hostname", agent.info.hostname}, {"attributes", attributes}});
  }
  return out;
}

size_t unreachable_agents(const Registry& registry) {
  size_t n = 0;
  for (const auto& [id, agent] : registry.agents) {
    n += agent.state == Registry::AgentState::kUnreachable ? 1 : 0;
  }
  return n;
}

}  // namespace

Json master_state_json(const Master& master, const MasterBook& book, const MasterIdentity& identity,
                       const Registry& registry) {
  const auto agents = master.agents();
  Json j{{"version", identity.version}, {"start_time", identity.start_time.seconds_f()}};
  if (book.elected_time()) j["elected_time"] = book.elected_time()->seconds_f();
  j["id"] = identity.id;
  j["pid"] = identity.pid;
  j["hostname"] = identity.hostname;
  j["activated_slaves"] = active_agents(agents);
  j["deactivated_slaves"] = agents.size() - active_agents(agents);
  j["unreachable_slaves"] = unreachable_agents(registry);
  if (master.leading()) {
    j["leader"] = identity.pid;
    j["leader_info"] = {{"id", identity.id},
                        {"pid", identity.pid},
                        {"port", identity.port},
                        {"hostname", identity.hostname},
                        {"version", identity.version}};
  }
  Json flags = Json::object();
  for (const auto& [k, v] : identity.flags) flags[k] = v;
  j["flags"] = flags;
  Json slaves = Json::array();
  for (const auto& a : agents) slaves.push_back(agent_json(a, identity));
  j["slaves"] = slaves;
  j["recovered_slaves"] = recovered_agents_json(agents, registry);
  Json frameworks = Json::array();
  std::set<std::string> active_ids;
  for (const auto& f : master.frameworks()) {
    const std::string id = f.info.id->value;
    active_ids.insert(id);
    auto rec = book.frameworks().find(id);
    frameworks.push_back(framework_json(
        id, &f, rec == book.frameworks().end() ? nullptr : &rec->second, master, book));
  }
  j["frameworks"] = frameworks;
  Json completed = Json::array();
  for (const auto& id : book.completed_frameworks()) {
    if (active_ids.count(id)) continue;
    completed.push_back(framework_json(id, nullptr, &book.frameworks().at(id), master, book));
  }
  j["completed_frameworks"] = completed;
  j["orphan_tasks"] = Json::array();
  j["unregistered_frameworks"] = Json::array();
  return j;
}

Json master_state_summary_json(const Master& master, const MasterBook& book,
                               const MasterIdentity& identity) {
  const auto tasks = master.tasks();
  auto count = [&](auto pred) {
    std::map<v1::TaskState, size_t> n;
    for (const auto& t : tasks) {
      if (pred(t.task)) ++n[t.task.state];
    }
    Json j = Json::object();
    for (auto s : kSummaryStates) j[std::string(v1::to_string(s))] = n[s];
    return j;
  };
  Json slaves = Json::array();
  for (const auto& a : master.agents()) {
    const std::string id = a.info.id ? a.info.id->value : "";
    Json s = agent_json(a, identity);
    s.update(count([&](const v1::Task& t) { return t.agent_id.value == id; }));
    std::set<std::string> fids;
    for (const auto& t : tasks) {
      if (t.task.agent_id.value == id) fids.insert(t.task.framework_id.value);
    }
    s["framework_ids"] = fids;
    slaves.push_back(s);
  }
  Json frameworks = Json::array();
  for (const auto& f : master.frameworks()) {
    const std::string id = f.info.id->value;
    Json fj{{"id", id}, {"name", f.info.name}, {"active", f.active}, {"connected", f.connected}};
    fj.update(count([&](const v1::Task& t) { return t.framework_id.value == id; }));
    std::set<std::string> aids;
    for (const auto& t : tasks) {
      if (t.task.framework_id.value == id) aids.insert(t.task.agent_id.value);
    }
    fj["slave_ids"] = aids;
    frameworks.push_back(fj);
  }
  (void)book;
  return Json{{"hostname", identity.hostname}, {"slaves", slaves}, {"frameworks", frameworks}};
}

Json master_metrics_json(const Master& master, const MasterBook& book,
                         const MasterIdentity& identity, Time now) {
  Json j = Json::object();
  const auto agents = master.agents();
  const auto frameworks = master.frameworks();
  Resources total, used;
  for (const auto& a : agents) {
    total += a.info.resources;
    used += a.used;
  }
  size_t fw_active = 0, fw_connected = 0;
  for (const auto& f : frameworks) {
    fw_active += f.active ? 1 : 0;
    fw_connected += f.connected ? 1 : 0;
  }
  std::map<v1::TaskState, size_t> current;
  for (const auto& t : master.tasks()) ++current[t.task.state];
  j["master/uptime_secs"] = (now - identity.start_time).seconds_f();
  j["master/elected"] = master.leading() ? 1.0 : 0.0;
  j["master/slaves_active"] = static_cast<double>(active_agents(agents));
  j["master/slaves_connected"] = static_cast<double>(active_agents(agents));
  j["master/slaves_disconnected"] = static_cast<double>(agents.size() - active_agents(agents));
  j["master/frameworks_active"] = static_cast<double>(fw_active);
  j["master/frameworks_connected"] = static_cast<double>(fw_connected);
  j["master/frameworks_disconnected"] = static_cast<double>(frameworks.size() - fw_connected);
  j["master/outstanding_offers"] = static_cast<double>(master.outstanding_offers());
  for (const char* name : {"cpus", "mem", "disk", "gpus"}) {
    const ResourceName r = ResourceName::of(name);
    const double t = total.get(r).to_double(), u = used.get(r).to_double();
    j[fmt_key("master/", name, "_total")] = t;
    j[fmt_key("master/", name, "_used")] = u;
    j[fmt_key("master/", name, "_percent")] = t > 0 ? u / t : 0.0;
  }
  for (auto s :
       {v1::TaskState::TASK_STAGING, v1::TaskState::TASK_STARTING, v1::TaskState::TASK_RUNNING,
        v1::TaskState::TASK_KILLING, v1::TaskState::TASK_UNREACHABLE}) {
    j[task_metric(s)] = static_cast<double>(current[s]);
  }
  for (auto s :
       {v1::TaskState::TASK_FINISHED, v1::TaskState::TASK_FAILED, v1::TaskState::TASK_KILLED,
        v1::TaskState::TASK_LOST, v1::TaskState::TASK_ERROR, v1::TaskState::TASK_DROPPED,
        v1::TaskState::TASK_GONE, v1::TaskState::TASK_GONE_BY_OPERATOR}) {
    j[task_metric(s)] = static_cast<double>(book.reached(s));
  }
  j["master/invalid_scheduler_calls"] = static_cast<double>(book.calls_rejected());
  const Master::FrameworkMessageCounts messages = master.framework_to_executor_messages();
  j["master/valid_framework_to_executor_messages"] = static_cast<double>(messages.valid);
  j["master/invalid_framework_to_executor_messages"] = static_cast<double>(messages.invalid);
  const auto& runs = book.allocation_times();
  j["allocator/mesos/allocation_runs"] = static_cast<double>(runs.runs);
  if (runs.measured > 0) {
    auto ms = [](Duration d) { return d.seconds_f() * 1000.0; };
    j["allocator/mesos/allocation_run_ms"] = ms(runs.last);
    j["allocator/mesos/allocation_run_ms/count"] = static_cast<double>(runs.measured);
    j["allocator/mesos/allocation_run_ms/min"] = ms(runs.min);
    j["allocator/mesos/allocation_run_ms/max"] = ms(runs.max);
    j["allocator/mesos/allocation_run_ms/mean"] = ms(runs.total) / runs.measured;
  }
  return j;
}

void add_timer_metrics(Json& metrics, const std::string& name, const LatencyWindow& window) {
  const std::optional<LatencyWindow::Summary> s = window.summary();
  if (!s) return;
  auto ms = [](Duration d) { return d.seconds_f() * 1000.0; };
  metrics[name] = ms(s->last);
  metrics[name + "/count"] = static_cast<double>(s->count);
  metrics[name + "/min"] = ms(s->min);
  metrics[name + "/max"] = ms(s->max);
  metrics[name + "/p50"] = ms(s->p50);
  metrics[name + "/p90"] = ms(s->p90);
  metrics[name + "/p99"] = ms(s->p99);
  metrics[name + "/p999"] = ms(s->p999);
}

}  // namespace mesosim::live
