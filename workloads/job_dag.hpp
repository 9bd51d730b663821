#pragma once

// Dependencies between jobs (Job::depends_on) as a Boost.Graph DAG: the stages of a Spark-like
// application, or batch jobs that wait for others. A job is ready when every parent it names
// has finished; parents are added before their children (traces list them earlier), so the
// graph can never hold a cycle.
//
// Jobs are dense indices in the order added. A parent id that was never added is counted in
// unknown_parents() and does not hold its child back (the trace named a job this model never
// saw, e.g. one run by another framework).

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

  bool finished(size_t index) const { return graph_[index].finished; }
  // Parents of `index`, in the order their edges were added.
  std::vector<size_t> parents(size_t index) const;
  size_t size() const { return boost::num_vertices(graph_); }
  size_t unknown_parents() const { return unknown_parents_; }

 private:
  struct Vertex {
    bool finished = false;
    size_t unfinished_parents = 0;
  };
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, Vertex>;

  Graph graph_;
  std::map<std::string, size_t> index_;
  size_t unknown_parents_ = 0;
};

}  // namespace mesosim
