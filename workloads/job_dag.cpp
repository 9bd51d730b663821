#include "workloads/job_dag.hpp"

#include <algorithm>

#include "allocator/check.hpp"

namespace mesosim {

bool JobDag::add(const std::string& id, const std::vector<std::string>& depends_on) {
  const VertexId v = boost::add_vertex(Vertex{added_, id, false, 0}, graph_);
  by_index_[added_++] = v;
  by_id_[id] = v;
  for (const auto& parent_id : depends_on) {
    auto p = by_id_.find(parent_id);
    if (p == by_id_.end() || p->second == v) {
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
  auto it = by_index_.find(index);
  if (it == by_index_.end() || graph_[it->second].finished) return ready;
  const VertexId v = it->second;
  graph_[v].finished = true;
  for (auto [e, end] = boost::out_edges(v, graph_); e != end; ++e) {
    Vertex& child = graph_[boost::target(*e, graph_)];
    if (--child.unfinished_parents == 0) ready.push_back(child.index);
  }
  std::sort(ready.begin(), ready.end());
  return ready;
}

void JobDag::forget(size_t index) {
  auto it = by_index_.find(index);
  if (it == by_index_.end()) return;
  const VertexId v = it->second;
  MESOSIM_CHECK(graph_[v].finished, "forgetting a job that has not finished");
  if (auto id = by_id_.find(graph_[v].id); id != by_id_.end() && id->second == v) by_id_.erase(id);
  boost::clear_vertex(v, graph_);
  boost::remove_vertex(v, graph_);
  by_index_.erase(it);
}

bool JobDag::finished(size_t index) const {
  auto it = by_index_.find(index);
  return it == by_index_.end() ? index < added_ : graph_[it->second].finished;
}

std::vector<size_t> JobDag::parents(size_t index) const {
  std::vector<size_t> out;
  auto it = by_index_.find(index);
  if (it == by_index_.end()) return out;
  for (auto [e, end] = boost::in_edges(it->second, graph_); e != end; ++e) {
    out.push_back(graph_[boost::source(*e, graph_)].index);
  }
  return out;
}

}  // namespace mesosim
