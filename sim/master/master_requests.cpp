// REQUEST: a framework's declared demands, handed to the allocator (Allocator::set_demands).

#include <unordered_map>

#include "sim/master/master_state.hpp"

namespace mesosim {

namespace sched = v1::scheduler;

void Master::State::request(Framework& f, const sched::Request& request) {
  // Hostnames are resolved once per call; several agents may share one (all are preferred).
  std::unordered_map<std::string_view, std::vector<AgentId>> by_hostname;
  bool hosts_named = false;
  for (const sched::ResourceRequest& r : request.requests) {
    hosts_named = hosts_named || !r.preferred_hosts.empty();
  }
  if (hosts_named) {
    for (const auto& [id, handle] : agent_ids) {
      by_hostname[agent_by_handle(handle)->info.hostname].push_back(handle);
    }
  }
  std::vector<Demand> demands;
  demands.reserve(request.requests.size());
  for (const sched::ResourceRequest& r : request.requests) {
    Demand d;
    d.role = r.role ? *r.role : f.info.roles.front();
    d.resources = r.resources;
    d.count = r.count;
    d.since = r.since ? *r.since : m.clock_.now();
    if (r.agent_id) {
      if (const Agent* a = agent_by_id(r.agent_id->value)) d.preferred.emplace_back(a->handle, 0);
    }
    for (const auto& [hostname, cost] : r.preferred_hosts) {
      if (auto it = by_hostname.find(hostname); it != by_hostname.end()) {
        for (AgentId handle : it->second) d.preferred.emplace_back(handle, cost);
      }
    }
    demands.push_back(std::move(d));
  }
  m.allocator_->set_demands(f.handle, std::move(demands));
}

}  // namespace mesosim
