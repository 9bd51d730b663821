#pragma once

// The physical layout of a cluster: zones, racks in zones, agents in racks, held as a
// Boost.Graph tree (a core switch above the zones). Framework models read it the way Hadoop
// reads its topology script: to know which rack an agent (or a block's replica) is on and how
// far two agents are apart. The simulator's agents carry the same facts as Mesos attributes
// (`rack`, `zone`), so offers show them too.
//
// Hop distance is the number of links between two agents in the tree: 0 for the same agent,
// 2 within a rack, 4 across racks of a zone, 6 across zones. Locality classes follow from it.

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/graph/adjacency_list.hpp>

#include "allocator/resources.hpp"
#include "allocator/rng.hpp"
#include "sim/sim_agent.hpp"

namespace mesosim {

// Where a task ran relative to its input: on an agent holding it, on its rack, or further.
// kAny: the task has no input to be near (no preference).
enum class Locality { kAny, kNodeLocal, kRackLocal, kRemote };
std::string_view to_string(Locality locality);

class Topology {
 public:
  Topology();

  // Names must be unique within their kind; zone and rack must exist. Returns nothing: the
  // structure is queried by name.
  void add_zone(const std::string& zone);
  void add_rack(const std::string& rack, const std::string& zone);
  void add_agent(const std::string& hostname, const std::string& rack);

  // `zones` x `racks_per_zone` x `agents_per_rack`, named "z1", "z1-r1", "z1-r1-a1"...
  static Topology uniform(int zones, int racks_per_zone, int agents_per_rack);

  bool has_agent(std::string_view hostname) const;
  const std::string& rack_of(std::string_view hostname) const;  // requires has_agent
  const std::string& zone_of(std::string_view hostname) const;  // requires has_agent
  // Links between two agents (see the header comment). Requires both to exist.
  int hops(std::string_view a, std::string_view b) const;

  // In the order added.
  const std::vector<std::string>& agents() const { return agent_names_; }
  const std::vector<std::string>& racks() const { return rack_names_; }
  std::vector<std::string> agents_in_rack(std::string_view rack) const;

  // The Locality of running on `hostname` for a task whose input is on `preferred_agents`
  // (and, for racks without a named agent, `preferred_racks`). kAny when both are empty.
  // Agents or racks the topology does not know count as remote.
  Locality locality(std::string_view hostname, const std::vector<std::string>& preferred_agents,
                    const std::vector<std::string>& preferred_racks = {}) const;

  // HDFS's default block placement for a block written from outside the cluster: a random
  // agent, then two distinct agents of one other random rack (the first replica's rack alone
  // when there is only one rack). Fewer than 3 agents when the cluster has fewer.
  std::vector<std::string> place_block(Rng& rng) const;

  // One SimAgentOptions per agent, in the order added, with `resources` and the attributes
  // rack=<rack> and zone=<zone>.
  std::vector<SimAgentOptions> agent_options(const Resources& resources) const;

 private:
  enum class Kind { kCore, kZone, kRack, kAgent };
  struct Node {
    Kind kind = Kind::kCore;
    std::string name;
  };
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, Node>;
  using Vertex = Graph::vertex_descriptor;

  Vertex add_node(Kind kind, const std::string& name, Vertex parent);
  Vertex agent_vertex(std::string_view hostname) const;
  Vertex parent(Vertex v) const { return parent_[v]; }

  Graph graph_;
  Vertex core_;
  std::vector<Vertex> parent_;  // by vertex; the core is its own parent
  std::vector<int> depth_;      // by vertex: links from the core
  std::map<std::string, Vertex, std::less<>> zones_, racks_, agents_;
  std::vector<std::string> agent_names_, rack_names_;
  std::map<std::string, std::vector<std::string>, std::less<>> rack_agents_;
};

}  // namespace mesosim
