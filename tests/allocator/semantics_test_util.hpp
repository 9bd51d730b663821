#pragma once
// Helpers of the HierarchicalAllocator semantics tests (hierarchical_allocator_*_test.cpp): an
// allocator with Mesos's defaults, agents and frameworks added with a check, and what a run
// offered, summed or written out.

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "allocator/hierarchical_allocator.hpp"
#include "tests/allocator/allocator_test_util.hpp"

namespace mesosim::testing {

inline HierarchicalAllocator make_allocator(uint64_t seed = 1) {
  AllocatorOptions options = AllocatorOptions::mesos_defaults();
  options.seed = seed;
  return HierarchicalAllocator(options);
}

inline Time at_millis(int64_t ms) { return Time::epoch() + Duration::millis(ms); }

inline std::string str(const Resources& r) { return r.to_string(); }

inline void add_agents(HierarchicalAllocator& alloc, uint32_t first, uint32_t n,
                       std::string_view resources) {
  for (uint32_t i = first; i < first + n; ++i) {
    ASSERT_TRUE(
        alloc.add_agent(agent_id(i), agent_info("h" + std::to_string(i), resources), {}).ok());
  }
}

inline void add_framework(HierarchicalAllocator& alloc, uint32_t id, const FrameworkInfo& info,
                          bool active = true) {
  const Status s = alloc.add_framework(framework_id(id), info, active);
  ASSERT_TRUE(s.ok()) << s.error().message;
}

// Everything offered to `fw` in a run, summed over agents and roles.
inline Resources offered_to(const std::vector<Allocation>& offers, FrameworkId fw) {
  Resources sum;
  for (const Allocation& o : offers) {
    if (o.framework == fw) sum += o.resources;
  }
  return sum;
}

inline std::set<uint32_t> agents_offered_to(const std::vector<Allocation>& offers, FrameworkId fw) {
  std::set<uint32_t> out;
  for (const Allocation& o : offers) {
    if (o.framework == fw) out.insert(o.agent.value);
  }
  return out;
}

// A scheduler that declines every offer it gets.
inline void decline_all(HierarchicalAllocator& alloc, const std::vector<Allocation>& offers,
                        Time now, std::optional<Duration> refuse) {
  for (const Allocation& o : offers) {
    alloc.recover(now, o.framework, o.agent, o.role, o.resources, refuse);
  }
}

// A periodic run over every agent.
inline std::vector<Allocation> periodic_run(HierarchicalAllocator& alloc, Time now) {
  alloc.request_allocation();
  return alloc.allocate(now);
}

inline Quantities free_quantities(const HierarchicalAllocator& alloc, uint32_t agents) {
  Quantities q;
  for (uint32_t i = 0; i < agents; ++i) q.add(alloc.available(agent_id(i)));
  return q;
}

inline std::string transcript(const std::vector<Allocation>& offers) {
  std::string s;
  for (const Allocation& o : offers) {
    s += "fw" + std::to_string(o.framework.value) + "@a" + std::to_string(o.agent.value) + "/" +
         o.role + ":" + str(o.resources) + "\n";
  }
  return s;
}

}  // namespace mesosim::testing
