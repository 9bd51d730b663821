#include "workloads/job_dag.hpp"

#include <algorithm>

namespace mesosim {

bool JobDag::add(const std::string& id, const std::vector<std::string>& depends_on) {
  const size_t v = boost::add_vertex(Vertex{}, graph_);
  index_[id] = v;
  for (const auto& parent_id : depends_on) {
    auto p = index_.find(parent_id);
    if (p == index_.end() || p->second == v) {
      ++unknown_parents_;
      continue;
    }
    if (boost::edge(p->second, v, graph_).second) continue;  // named twice
    boost::add_edge(p->second, v, graph_);
    if (!graph_[p->second].finished) ++graph_[v].unfinished_parents;
  }
  return graph_[v].unfinished_parents == 0;
}

std::vector<size_t> JobDag::finish(size_t index) {
  std::vector<size_t> ready;
  if (graph_[index].finished) return ready;
  graph_[index].finished = true;
  for (auto [e, end] = boost::out_edges(index, graph_); e != end; ++e) {
    const size_t child = boost::target(*e, graph_);
    if (--graph_[child].unfinished_parents == 0) ready.push_back(child);
  }
  std::sort(ready.begin(), ready.end());
  return ready;
}

std::vector<size_t> JobDag::parents(size_t index) const {
  std::vector<size_t> out;
  for (auto [e, end] = boost::in_edges(index, graph_); e != end; ++e) {
    out.push_back(boost::source(*e, graph_));
  }
  return out;
}

}  // namespace mesosim
