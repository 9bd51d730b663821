#include "allocator/min_cost_placement.hpp"

#include <algorithm>
#include <limits>
#include <map>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/successive_shortest_path_nonnegative_weights.hpp>

#include "allocator/check.hpp"

namespace mesosim {
namespace {

using Traits = boost::adjacency_list_traits<boost::vecS, boost::vecS, boost::directedS>;
using Graph = boost::adjacency_list<
    boost::vecS, boost::vecS, boost::directedS, boost::no_property,
    boost::property<
        boost::edge_capacity_t, int64_t,
        boost::property<boost::edge_residual_capacity_t, int64_t,
                        boost::property<boost::edge_reverse_t, Traits::edge_descriptor,
                                        boost::property<boost::edge_weight_t, int64_t>>>>>;
using Edge = Traits::edge_descriptor;

// How many copies of `shape` fit in `free` (shape non-empty).
int64_t copies_that_fit(const Quantities& free, const Quantities& shape) {
  int64_t copies = std::numeric_limits<int64_t>::max();
  const int64_t* need = shape.data();
  for (size_t i = 0; i < shape.size_hint(); ++i) {
    if (need[i] <= 0) continue;
    const Scalar have = free.get(ResourceName::from_id(static_cast<uint16_t>(i)));
    copies = std::min(copies, std::max<int64_t>(0, have.milli()) / need[i]);
  }
  return copies;
}

// Per-resource maximum.
Quantities max_of(const Quantities& a, const Quantities& b) {
  Quantities out = a;
  const int64_t* v = b.data();
  for (size_t i = 0; i < b.size_hint(); ++i) {
    const ResourceName name = ResourceName::from_id(static_cast<uint16_t>(i));
    if (v[i] > out.get(name).milli()) out.set(name, Scalar::from_milli(v[i]));
  }
  return out;
}

class Network {
 public:
  explicit Network(size_t vertices) : g_(vertices) {}

  Edge add(size_t from, size_t to, int64_t capacity, int64_t cost) {
    auto [e, ok1] = boost::add_edge(from, to, g_);
    auto [r, ok2] = boost::add_edge(to, from, g_);
    MESOSIM_CHECK(ok1 && ok2, "flow network edge not added");
    boost::put(boost::edge_capacity, g_, e, capacity);
    boost::put(boost::edge_capacity, g_, r, 0);
    boost::put(boost::edge_weight, g_, e, cost);
    boost::put(boost::edge_weight, g_, r, -cost);
    boost::put(boost::edge_reverse, g_, e, r);
    boost::put(boost::edge_reverse, g_, r, e);
    return e;
  }
  void solve(size_t source, size_t sink) {
    boost::successive_shortest_path_nonnegative_weights(g_, source, sink);
  }
  int64_t flow(Edge e) const {
    return boost::get(boost::edge_capacity, g_, e) -
           boost::get(boost::edge_residual_capacity, g_, e);
  }

 private:
  Graph g_;
};

struct Candidate {  // a task still to place in this round
  size_t task;
  Edge via_any{};
  std::vector<std::pair<uint32_t, Edge>> direct;  // preferred agent, its edge
};

// One round over the tasks in `open` (each fits on some agent). Returns how many it placed.
size_t solve_round(const PlacementProblem& problem, const std::vector<size_t>& open,
                   std::vector<Quantities>& free, Placement& out) {
  Quantities shape;
  for (size_t t : open) shape = max_of(shape, problem.tasks[t].demand);
  const size_t agents = free.size();
  // Vertices: source, sink, X (any agent), U (unplaced), agents, tasks.
  const size_t source = 0, sink = 1, any = 2, unplaced = 3, first_agent = 4;
  const size_t first_task = first_agent + agents;
  Network net(first_task + open.size());
  std::vector<Edge> any_to_agent(agents);
  for (size_t a = 0; a < agents; ++a) {
    const int64_t slots =
        shape.empty() ? static_cast<int64_t>(open.size()) : copies_that_fit(free[a], shape);
    net.add(first_agent + a, sink, std::min<int64_t>(slots, static_cast<int64_t>(open.size())), 0);
    any_to_agent[a] = net.add(any, first_agent + a, static_cast<int64_t>(open.size()), 0);
  }
  net.add(unplaced, sink, static_cast<int64_t>(open.size()), 0);
  std::vector<Candidate> candidates;
  candidates.reserve(open.size());
  for (size_t i = 0; i < open.size(); ++i) {
    const PlacementTask& task = problem.tasks[open[i]];
    const size_t v = first_task + i;
    Candidate c;
    c.task = open[i];
    net.add(source, v, 1, 0);
    std::map<uint32_t, int64_t> cheapest;  // ordered: edges in agent order
    for (auto [agent, cost] : task.preferred) {
      auto [it, fresh] = cheapest.emplace(agent, cost);
      if (!fresh) it->second = std::min(it->second, cost);
    }
    for (auto [agent, cost] : cheapest) {
      if (agent < agents && cost < task.any_cost) {
        c.direct.emplace_back(agent, net.add(v, first_agent + agent, 1, cost));
      }
    }
    c.via_any = net.add(v, any, 1, task.any_cost);
    net.add(v, unplaced, 1, task.wait_cost);
    candidates.push_back(std::move(c));
  }
  net.solve(source, sink);

  // Tasks that went through X take agents in agent order from X's outgoing flows: every agent
  // costs them the same, and every slot fits every task of the round.
  std::vector<int64_t> via_any_left(agents);
  for (size_t a = 0; a < agents; ++a) via_any_left[a] = net.flow(any_to_agent[a]);
  size_t next_any_agent = 0;
  size_t placed = 0;
  for (const Candidate& c : candidates) {
    std::optional<uint32_t> agent;
    for (auto [a, e] : c.direct) {
      if (net.flow(e) > 0) agent = a;
    }
    if (!agent && net.flow(c.via_any) > 0) {
      while (next_any_agent < agents && via_any_left[next_any_agent] == 0) ++next_any_agent;
      MESOSIM_CHECK(next_any_agent < agents, "flow through X without an agent");
      --via_any_left[next_any_agent];
      agent = static_cast<uint32_t>(next_any_agent);
    }
    if (!agent) continue;
    const PlacementTask& task = problem.tasks[c.task];
    out.agent_of[c.task] = agent;
    free[*agent] -= task.demand;
    ++placed;
  }
  return placed;
}

int64_t cost_paid(const PlacementTask& task, std::optional<uint32_t> agent) {
  if (!agent) return task.wait_cost;
  int64_t cost = task.any_cost;
  for (auto [a, c] : task.preferred) {
    if (a == *agent) cost = std::min(cost, c);
  }
  return cost;
}

}  // namespace

Placement place_min_cost(const PlacementProblem& problem) {
  Placement out;
  out.agent_of.assign(problem.tasks.size(), std::nullopt);
  std::vector<Quantities> free = problem.free;
  for (;;) {
    std::vector<size_t> open;
    for (size_t t = 0; t < problem.tasks.size(); ++t) {
      if (out.agent_of[t]) continue;
      const bool fits = std::any_of(free.begin(), free.end(), [&](const Quantities& f) {
        return f.contains(problem.tasks[t].demand);
      });
      if (fits) open.push_back(t);
    }
    if (open.empty()) break;
    ++out.rounds;
    if (solve_round(problem, open, free, out) == 0) break;
  }
  for (size_t t = 0; t < problem.tasks.size(); ++t) {
    out.cost += cost_paid(problem.tasks[t], out.agent_of[t]);
  }
  return out;
}

}  // namespace mesosim
