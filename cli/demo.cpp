#include "cli/demo.hpp"

#include <map>
#include <memory>
#include <vector>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "allocator/hierarchical_allocator.hpp"

namespace mesosim {
namespace {

// A framework that launches fixed-size tasks on what it is offered, runs each for a few
// allocation intervals and declines what it cannot use for one second.
struct DemoFramework {
  std::string name;
  std::string role;
  Resources task;
  int task_cycles;
  int wanted;  // tasks it still wants to start
  struct Running {
    AgentId agent;
    int ends_at_cycle;
  };
  std::vector<Running> running;
  int finished = 0;
};

Resources parse_or_die(std::string_view text) { return Resources::parse(text).value(); }

}  // namespace

Status run_demo(const DemoOptions& options, std::ostream& out) {
  if (options.policy != "drf") {
    return Error{fmt::format("--policy: expected 'drf', found '{}'", options.policy)};
  }
  if (options.agents < 1 || options.agents > 10000) {
    return Error{fmt::format("--agents: expected 1..10000, found {}", options.agents)};
  }
  if (options.cycles < 1 || options.cycles > 1000) {
    return Error{fmt::format("--cycles: expected 1..1000, found {}", options.cycles)};
  }
  AllocatorOptions alloc_options = AllocatorOptions::mesos_defaults();
  alloc_options.seed = options.seed;
  HierarchicalAllocator alloc(alloc_options);

  fmt::print(out, "mesosim allocator demo: {} agents, policy {}, seed {}\n", options.agents,
             options.policy, options.seed);
  for (int i = 0; i < options.agents; ++i) {
    const std::string text = i == 0 ? "cpus:4;mem:8192;ports:[31000-31099];cpus(analytics):2;mem(analytics):4096"
                                     : "cpus:4;mem:8192;ports:[31000-31099]";
    const std::string host = fmt::format("agent{}", i);
    if (Status s = alloc.add_agent(AgentId{static_cast<uint32_t>(i)}, {host, parse_or_die(text)},
                                   {});
        !s.ok()) {
      return s;
    }
    fmt::print(out, "  agent {} {}\n", host, text);
  }
  if (Status s = alloc.set_weight("web", 2.0); !s.ok()) return s;

  std::vector<DemoFramework> fws = {
      {"spark", "analytics", parse_or_die("cpus:1;mem:2048"), 3, 12, {}, 0},
      {"nginx", "web", parse_or_die("cpus:0.5;mem:512;ports:[31000-31000]"), 100, 6, {}, 0},
      {"hadoop", "batch", parse_or_die("cpus:2;mem:1024"), 2, 10, {}, 0},
  };
  fmt::print(out, "  roles: analytics (weight 1, owns the reserved cpus), web (weight 2), "
                  "batch (weight 1)\n");
  for (size_t i = 0; i < fws.size(); ++i) {
    FrameworkInfo info;
    info.name = fws[i].name;
    info.roles = {fws[i].role};
    if (Status s = alloc.add_framework(FrameworkId{static_cast<uint32_t>(i)}, info, true); !s.ok()) {
      return s;
    }
  }

  for (int cycle = 0; cycle < options.cycles; ++cycle) {
    const Time now = Time::epoch() + Duration::seconds(cycle);
    // Tasks that end now give their resources back.
    for (size_t i = 0; i < fws.size(); ++i) {
      auto& f = fws[i];
      for (size_t k = f.running.size(); k-- > 0;) {
        if (f.running[k].ends_at_cycle > cycle) continue;
        alloc.recover(now, FrameworkId{static_cast<uint32_t>(i)}, f.running[k].agent, f.role,
                      f.task, std::nullopt);
        f.running.erase(f.running.begin() + static_cast<ptrdiff_t>(k));
        ++f.finished;
      }
    }
    alloc.request_allocation();
    const auto offers = alloc.allocate(now);
    fmt::print(out, "\n[t={}s] allocation run: {} offers\n", cycle, offers.size());
    for (const Allocation& offer : offers) {
      auto& f = fws[offer.framework.value];
      Resources left = offer.resources;
      int launched = 0;
      while (f.wanted > 0 && left.contains(f.task)) {
        left -= f.task;
        f.running.push_back({offer.agent, cycle + f.task_cycles});
        --f.wanted;
        ++launched;
      }
      fmt::print(out, "  offer to {:<6} ({:<9}) on agent{}: {}\n", f.name, f.role,
                 offer.agent.value, offer.resources.to_string());
      fmt::print(out, "      launched {} task(s), declined {}\n", launched,
                 left.empty() ? "nothing" : left.to_string());
      alloc.recover(now, offer.framework, offer.agent, offer.role, left, Duration::seconds(1));
    }
  }

  fmt::print(out, "\nfinal dominant shares (role sorter, weighted):\n");
  for (const auto& f : fws) {
    fmt::print(out, "  {:<9} share {:.3f}  running {:>2}  finished {:>2}  waiting {:>2}\n", f.role,
               alloc.role_share(f.role), f.running.size(), f.finished, f.wanted);
  }
  return Status::success();
}

}  // namespace mesosim
