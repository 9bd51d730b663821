#include "workloads/topology.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "allocator/check.hpp"

namespace mesosim {

std::string_view to_string(Locality locality) {
  switch (locality) {
    case Locality::kAny:
      return "any";
    case Locality::kNodeLocal:
      return "node_local";
    case Locality::kRackLocal:
      return "rack_local";
    case Locality::kRemote:
      return "remote";
  }
  return "?";
}

Topology::Topology() {
  core_ = boost::add_vertex(Node{Kind::kCore, "core"}, graph_);
  parent_.push_back(core_);
  depth_.push_back(0);
}

Topology::Vertex Topology::add_node(Kind kind, const std::string& name, Vertex parent) {
  const Vertex v = boost::add_vertex(Node{kind, name}, graph_);
  boost::add_edge(parent, v, graph_);
  parent_.push_back(parent);
  depth_.push_back(depth_[parent] + 1);
  return v;
}

void Topology::add_zone(const std::string& zone) {
  MESOSIM_CHECK(!zones_.count(zone), ("zone added twice: " + zone).c_str());
  zones_[zone] = add_node(Kind::kZone, zone, core_);
}

void Topology::add_rack(const std::string& rack, const std::string& zone) {
  MESOSIM_CHECK(!racks_.count(rack), ("rack added twice: " + rack).c_str());
  auto z = zones_.find(zone);
  MESOSIM_CHECK(z != zones_.end(), ("no zone " + zone).c_str());
  racks_[rack] = add_node(Kind::kRack, rack, z->second);
  rack_names_.push_back(rack);
}

void Topology::add_agent(const std::string& hostname, const std::string& rack) {
  MESOSIM_CHECK(!agents_.count(hostname), ("agent added twice: " + hostname).c_str());
  auto r = racks_.find(rack);
  MESOSIM_CHECK(r != racks_.end(), ("no rack " + rack).c_str());
  agents_[hostname] = add_node(Kind::kAgent, hostname, r->second);
  agent_names_.push_back(hostname);
  rack_agents_[rack].push_back(hostname);
}

Topology Topology::uniform(int zones, int racks_per_zone, int agents_per_rack) {
  Topology t;
  for (int z = 1; z <= zones; ++z) {
    const std::string zone = fmt::format("z{}", z);
    t.add_zone(zone);
    for (int r = 1; r <= racks_per_zone; ++r) {
      const std::string rack = fmt::format("{}-r{}", zone, r);
      t.add_rack(rack, zone);
      for (int a = 1; a <= agents_per_rack; ++a) t.add_agent(fmt::format("{}-a{}", rack, a), rack);
    }
  }
  return t;
}

bool Topology::has_agent(std::string_view hostname) const {
  return agents_.find(hostname) != agents_.end();
}

Topology::Vertex Topology::agent_vertex(std::string_view hostname) const {
  auto it = agents_.find(hostname);
  MESOSIM_CHECK(it != agents_.end(), ("no agent " + std::string(hostname)).c_str());
  return it->second;
}

const std::string& Topology::rack_of(std::string_view hostname) const {
  return graph_[parent(agent_vertex(hostname))].name;
}

const std::string& Topology::zone_of(std::string_view hostname) const {
  return graph_[parent(parent(agent_vertex(hostname)))].name;
}

int Topology::hops(std::string_view a, std::string_view b) const {
  Vertex u = agent_vertex(a);
  Vertex v = agent_vertex(b);
  int links = 0;
  // Climb from the deeper node until both meet at their lowest common ancestor.
  while (u != v) {
    if (depth_[u] >= depth_[v]) {
      u = parent(u);
    } else {
      v = parent(v);
    }
    ++links;
  }
  return links;
}

std::vector<std::string> Topology::agents_in_rack(std::string_view rack) const {
  auto it = rack_agents_.find(rack);
  return it == rack_agents_.end() ? std::vector<std::string>() : it->second;
}

Locality Topology::locality(std::string_view hostname,
                            const std::vector<std::string>& preferred_agents,
                            const std::vector<std::string>& preferred_racks) const {
  if (preferred_agents.empty() && preferred_racks.empty()) return Locality::kAny;
  if (!has_agent(hostname)) return Locality::kRemote;
  int best = -1;
  for (const auto& p : preferred_agents) {
    if (!has_agent(p)) continue;
    const int h = hops(hostname, p);
    if (best < 0 || h < best) best = h;
  }
  if (best == 0) return Locality::kNodeLocal;
  if (best == 2) return Locality::kRackLocal;
  const std::string& rack = rack_of(hostname);
  for (const auto& r : preferred_racks) {
    if (r == rack) return Locality::kRackLocal;
  }
  return Locality::kRemote;
}

std::vector<std::string> Topology::place_block(Rng& rng) const {
  std::vector<std::string> out;
  if (agent_names_.empty()) return out;
  const std::string& first = agent_names_[rng.below(agent_names_.size())];
  out.push_back(first);
  std::vector<std::string> other_racks;
  for (const auto& r : rack_names_) {
    if (r != rack_of(first) && rack_agents_.count(r)) other_racks.push_back(r);
  }
  std::vector<std::string> candidates =
      other_racks.empty() ? agents_in_rack(rack_of(first))
                          : agents_in_rack(other_racks[rng.below(other_racks.size())]);
  candidates.erase(std::remove(candidates.begin(), candidates.end(), first), candidates.end());
  rng.shuffle(std::span<std::string>(candidates));
  for (size_t i = 0; i < candidates.size() && out.size() < 3; ++i) out.push_back(candidates[i]);
  return out;
}

std::vector<SimAgentOptions> Topology::agent_options(const Resources& resources) const {
  std::vector<SimAgentOptions> out;
  for (const auto& name : agent_names_) {
    SimAgentOptions o;
    o.hostname = name;
    o.resources = resources;
    o.attributes = {v1::Attribute{"rack", rack_of(name)}, v1::Attribute{"zone", zone_of(name)}};
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace mesosim
