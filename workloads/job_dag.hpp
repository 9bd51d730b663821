#pragma once

// Dependencies between jobs (Job::depends_on) as a Boost.Graph DAG: the stages of a Spark-like
// application, or batch jobs that wait for others. A job is ready when every parent it names
// has finished; parents are added before their children (traces list them earlier), so the
// graph can never hold a cycle.
//
// Jobs are dense indices in the order added. A parent id that was never added is counted in
// unknown_parents() and does not hold its child back (the trace named a job this model never
// saw, e.g. one run by another framework). A finished job may be forgotten (forget()), so that
// a long run holds only the jobs not yet finished: a child added later that names it finds no
// such parent, which does not hold it back either, exactly as its finished parent would not.

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include <boost/graph/adjacency_list.hpp>

namespace mesosim {

class JobDag {
 public:
  // Adds the next job (index size()) and its edges from known parents. Returns
  // true when it is ready at once (no unfinished parent).
  bool add(const std::string& id, const std::vector<std::string>& depends_on);
  // Marks `index` finished and returns the children that became ready, in index order.
  std::vector<size_t> finish(size_t index);
  // Drops a finished job from the graph (its id is no longer known to later children).
  void forget(size_t index);

  // True for a finished job, forgotten or not.
  bool finished(size_t index) const;
  // Parents of `index` still in the graph, in the order their edges were added.
  std::vector<size_t> parents(size_t index) const;
  size_t size() const { return added_; }  // jobs added, forgotten ones included
  size_t held() const { return boost::num_vertices(graph_); }
  size_t unknown_parents() const { return unknown_parents_; }

 private:
  struct Vertex {
    size_t index = 0;
    std::string id;
    bool finished = false;
    size_t unfinished_parents = 0;
  };
  // listS vertices: removing one leaves the others' descriptors valid.
  using Graph = boost::adjacency_list<boost::vecS, boost::listS, boost::bidirectionalS, Vertex>;
  using VertexId = Graph::vertex_descriptor;

  Graph graph_;
  std::map<std::string, VertexId> by_id_;
  std::map<size_t, VertexId> by_index_;  // jobs in the graph
  size_t added_ = 0;
  size_t unknown_parents_ = 0;
};

}  // namespace mesosim
