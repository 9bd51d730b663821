#include "tests/allocator/reference_allocator.hpp"

#include <algorithm>
#include <functional>
#include <span>

#include <fmt/format.h>

#include "allocator/role_name.hpp"

namespace mesosim::testing {
namespace {

bool unreserved_nonrevocable_key(const ResourceKey& k) {
  return !k.reservation.is_reserved() && !k.revocable;
}

Quantities unreserved_nonrevocable(const Resources& r) {
  return Quantities::of(r.filter(unreserved_nonrevocable_key));
}

bool in_subtree(std::string_view role, std::string_view top) {
  return role == top || is_strict_subrole(role, top);
}

// "a/b/c" -> {"a", "a/b", "a/b/c"}: the role sorter's inner nodes on the way to its leaf.
std::vector<std::string> prefixes(const std::string& role) {
  std::vector<std::string> out;
  for (size_t pos = 0;;) {
    const size_t slash = role.find('/', pos);
    if (slash == std::string::npos) {
      out.push_back(role);
      return out;
    }
    out.push_back(role.substr(0, slash));
    pos = slash + 1;
  }
}

// Keeps scalar entries (key order) so that each name in `capped` totals at most `room`; other
// names pass whole. Ranges pass whole. Which reservation/revocability of a name is cut first is
// not documented: this mirrors the real allocator's choice (entries in ResourceKey order).
Resources trim(const Resources& r, Quantities room, const std::set<uint16_t>& capped) {
  Resources out;
  for (const auto& e : r.scalar_entries()) {
    if (!capped.count(e.key.name.id())) {
      out.add(e.key, e.value);
      continue;
    }
    const Scalar take = std::min(room.get(e.key.name), e.value);
    if (take > Scalar()) out.add(e.key, take);
    room.set(e.key.name, room.get(e.key.name) - take);
  }
  for (const auto& e : r.range_entries()) out.add(e.key, e.value);
  return out;
}

bool has_role(const std::vector<std::string>& roles, std::string_view role) {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

}  // namespace

ReferenceAllocator::ReferenceAllocator(AllocatorOptions options)
    : options_(std::move(options)) {}

// ---- derived state ----

Resources ReferenceAllocator::held_on(uint32_t agent) const {
  Resources sum;
  for (const auto& [key, r] : held_) {
    if (std::get<1>(key) == agent) sum += r;
  }
  return sum;
}

// Total minus what is held, per resource, never below zero (an agent whose total shrank below
// what it holds is over-allocated and offers nothing it lacks).
Resources ReferenceAllocator::free_on(uint32_t agent) const {
  const Resources& total = agents_.at(agent).total;
  return total - total.common(held_on(agent));
}

Quantities ReferenceAllocator::cluster_total() const {
  Quantities q;
  for (const auto& [id, a] : agents_) q.add(a.total);
  return q;
}

Quantities ReferenceAllocator::held_in_role(const std::string& role) const {
  Quantities q;
  for (const auto& [key, r] : held_) {
    if (std::get<2>(key) == role) q.add(r);
  }
  return q;
}

Quantities ReferenceAllocator::held_in_subtree(const std::string& path) const {
  Quantities q;
  for (const auto& [key, r] : held_) {
    if (in_subtree(std::get<2>(key), path)) q.add(r);
  }
  return q;
}

Quantities ReferenceAllocator::held_by(uint32_t framework, const std::string& role) const {
  Quantities q;
  for (const auto& [key, r] : held_) {
    if (std::get<0>(key) == framework && std::get<2>(key) == role) q.add(r);
  }
  return q;
}

// A framework is tracked in a role while it subscribes to it or still holds resources in it.
bool ReferenceAllocator::tracked(uint32_t framework, const std::string& role) const {
  auto f = frameworks_.find(framework);
  if (f == frameworks_.end()) return false;
  if (has_role(f->second.info.roles, role)) return true;
  for (const auto& [key, r] : held_) {
    if (std::get<0>(key) == framework && std::get<2>(key) == role) return true;
  }
  return false;
}

std::set<std::string> ReferenceAllocator::tracked_roles() const {
  std::set<std::string> out;
  for (const auto& [id, f] : frameworks_) out.insert(f.info.roles.begin(), f.info.roles.end());
  for (const auto& [key, r] : held_) out.insert(std::get<2>(key));
  return out;
}

// Quota consumption of a top-level role: unreserved non-revocable scalars its subtree holds,
// plus every reservation of its subtree on every agent, held or not.
Quantities ReferenceAllocator::consumed(const std::string& top) const {
  Quantities q;
  for (const auto& [key, r] : held_) {
    if (in_subtree(std::get<2>(key), top)) q += unreserved_nonrevocable(r);
  }
  for (const auto& [id, a] : agents_) {
    q.add(a.total.filter([&](const ResourceKey& k) {
      return k.reservation.is_reserved() && in_subtree(k.reservation.role(), top);
    }));
  }
  return q;
}

Quantities ReferenceAllocator::required_headroom() const {
  Quantities q;
  for (const auto& [role, quota] : quotas_) q += quota.guarantees.minus_floor_zero(consumed(role));
  return q;
}

// Free unreserved non-revocable scalars of every agent. Deactivated agents count too: not
// documented, mirrors the real allocator (and Mesos, which counts every registered agent).
Quantities ReferenceAllocator::available_headroom() const {
  Quantities q;
  for (const auto& [id, a] : agents_) q += unreserved_nonrevocable(free_on(id));
  return q;
}

// max over scalar names of allocated / cluster total; names with zero total and excluded names
// do not count. Computed on milli-units as doubles, the same expression the sorter evaluates,
// so that equal shares compare equal in both.
double ReferenceAllocator::dominant_share(const Quantities& allocation,
                                          const Quantities& total) const {
  double share = 0;
  for (ResourceName n : total.names()) {
    const auto& ex = options_.fair_sharing_excluded;
    if (std::find(ex.begin(), ex.end(), n) != ex.end()) continue;
    const int64_t a = allocation.get(n).milli();
    if (a == 0) continue;
    share = std::max(share, static_cast<double>(a) / static_cast<double>(total.get(n).milli()));
  }
  return share;
}

// The hierarchical DRF order of the tracked roles: a pre-order walk of the role tree in which
// siblings are sorted by (share, allocation events, path). An inner node's share is its
// subtree's divided by its path's weight; a role that has frameworks sits in its own inner node
// as an unweighted leaf beside its children.
std::vector<std::string> ReferenceAllocator::role_order() const {
  const std::set<std::string> roles = tracked_roles();
  const Quantities total = cluster_total();
  struct Node {
    double share;
    uint64_t events;
    std::string path;
    bool leaf;
  };
  std::vector<std::string> out;
  auto weight = [&](const std::string& path) {
    auto it = weights_.find(path);
    return it == weights_.end() ? 1.0 : it->second;
  };
  auto events = [](const std::map<std::string, uint64_t>& m, const std::string& k) {
    auto it = m.find(k);
    return it == m.end() ? uint64_t{0} : it->second;
  };
  // Children of the inner node `parent` ("" is the root).
  std::function<void(const std::string&)> walk = [&](const std::string& parent) {
    std::vector<Node> children;
    if (!parent.empty() && roles.count(parent)) {
      children.push_back(Node{dominant_share(held_in_role(parent), total),
                              events(role_leaf_events_, parent), parent, true});
    }
    std::set<std::string> inner;
    for (const std::string& r : roles) {
      if (!parent.empty() && !is_strict_subrole(r, parent)) continue;
      const size_t start = parent.empty() ? 0 : parent.size() + 1;
      inner.insert(r.substr(0, r.find('/', start)));
    }
    for (const std::string& p : inner) {
      children.push_back(Node{dominant_share(held_in_subtree(p), total) / weight(p),
                              events(role_inner_events_, p), p, false});
    }
    std::sort(children.begin(), children.end(), [](const Node& a, const Node& b) {
      return std::tie(a.share, a.events, a.path) < std::tie(b.share, b.events, b.path);
    });
    for (const Node& c : children) {
      if (c.leaf) {
        out.push_back(c.path);
      } else {
        walk(c.path);
      }
    }
  };
  walk("");
  return out;
}

// The frameworks offered in `role`: active, subscribed, not suppressed; by (share, allocation
// events, name), unweighted.
std::vector<uint32_t> ReferenceAllocator::framework_order(const std::string& role) const {
  const Quantities total = cluster_total();
  std::vector<std::tuple<double, uint64_t, std::string, uint32_t>> keyed;
  for (const auto& [id, f] : frameworks_) {
    if (!f.active || !has_role(f.info.roles, role) || f.suppressed.count(role)) continue;
    auto it = framework_events_.find({role, id});
    keyed.emplace_back(dominant_share(held_by(id, role), total),
                       it == framework_events_.end() ? 0 : it->second, f.info.name, id);
  }
  std::sort(keyed.begin(), keyed.end());
  std::vector<uint32_t> out;
  for (const auto& k : keyed) out.push_back(std::get<3>(k));
  return out;
}

// A filter holds until its time is up *and* a run has visited its agent since it was set.
bool ReferenceAllocator::filtered(Time now, uint32_t framework, uint32_t agent,
                                  const std::string& role, const Resources& offer) const {
  for (const Filter& x : filters_) {
    if (x.framework != framework || x.agent != agent || x.role != role) continue;
    const bool expired = x.expires <= now && agents_.at(agent).runs > x.agent_runs;
    if (!expired && x.refused.contains(offer)) return true;
  }
  return false;
}

bool ReferenceAllocator::meets_min_allocatable(const Framework& f, const std::string& role,
                                               const Resources& offer) const {
  if (offer.empty()) return false;
  const std::vector<Quantities>* sets = &options_.min_allocatable;
  for (const auto& [name, override_sets] : f.info.min_allocatable) {
    if (name == role) sets = &override_sets;  // mirrors: the last override for the role wins
  }
  if (sets->empty()) return true;
  const Quantities q = Quantities::of(offer);
  return std::any_of(sets->begin(), sets->end(),
                     [&](const Quantities& s) { return q.contains(s); });
}

// What `framework` would be offered in `role` out of `role_free` on `agent`, or nothing.
std::optional<Resources> ReferenceAllocator::offer_for(Time now, uint32_t agent, uint32_t framework,
                                                       const std::string& role,
                                                       const Resources& role_free,
                                                       bool quota_stage) const {
  const Framework& f = frameworks_.at(framework);
  if (agents_.at(agent).total.get(ResourceName::gpus()) > Scalar() && !f.info.gpu_resources) {
    return std::nullopt;
  }
  const Resources candidate = f.info.revocable_resources ? role_free : role_free.non_revocable();
  const Resources unreserved = candidate.filter(unreserved_nonrevocable_key).scalars();
  const Resources rest = candidate - unreserved;  // reservations, revocable, ranges

  // Quota binds only a (top-level) role that holds it; in the quota stage the part that serves
  // the role's unmet guarantee is exempt from headroom and limits.
  auto q = quotas_.find(role);
  const Quota* quota = q == quotas_.end() ? nullptr : &q->second;
  const Quantities used = quota ? consumed(role) : Quantities();
  Resources toward;
  if (quota && quota_stage)
    toward = shrink_scalars(unreserved, quota->guarantees.minus_floor_zero(used));
  if (quota_stage && toward.empty()) return std::nullopt;
  Resources extra = unreserved - toward;

  if (quota && !quota->limits.empty()) {
    Quantities after = used;
    after.add(toward);
    Quantities room;
    std::set<uint16_t> capped;
    for (const auto& [name, limit] : quota->limits) {
      capped.insert(name.id());
      room.set(name, std::max(Scalar(), limit - after.get(name)));
    }
    extra = trim(extra, room, capped);
  }
  const Quantities required = required_headroom();
  if (!required.empty()) {
    std::set<uint16_t> capped;
    for (ResourceName n : required.names()) capped.insert(n.id());
    extra = trim(extra, available_headroom().minus_floor_zero(required), capped);
  }
  Resources offer = rest + toward + extra;
  if (!meets_min_allocatable(f, role, offer)) return std::nullopt;
  if (filtered(now, framework, agent, role, offer)) return std::nullopt;
  return offer;
}

// ---- bookkeeping ----

void ReferenceAllocator::hold(uint32_t framework, uint32_t agent, const std::string& role,
                              const Resources& r) {
  held_[{framework, agent, role}] += r;
  // One allocation event on the role's leaf, each inner node above it, and the framework.
  ++role_leaf_events_[role];
  for (const std::string& p : prefixes(role)) ++role_inner_events_[p];
  ++framework_events_[{role, framework}];
}

// Drops what belongs to sorter nodes and framework roles that no longer exist: event counts
// restart from zero when a node comes back (as a new sorter client does), and a framework's
// filters in a role go when it is no longer tracked there.
void ReferenceAllocator::forget_untracked() {
  const std::set<std::string> roles = tracked_roles();
  std::erase_if(role_leaf_events_, [&](const auto& e) { return !roles.count(e.first); });
  std::erase_if(role_inner_events_, [&](const auto& e) {
    return std::none_of(roles.begin(), roles.end(),
                        [&](const std::string& r) { return in_subtree(r, e.first); });
  });
  std::erase_if(framework_events_,
                [&](const auto& e) { return !tracked(e.first.second, e.first.first); });
  std::erase_if(filters_, [&](const Filter& x) { return !tracked(x.framework, x.role); });
}

std::vector<Allocation> ReferenceAllocator::allocate(Time now) {
  // The agents to visit, ascending by id (the real allocator lists them in id order too; the
  // order matters only as the input of the shuffle below).
  std::vector<AgentId> agents;
  for (const auto& [id, a] : agents_) {
    if (all_requested_ || requested_.count(id)) agents.push_back(AgentId{id});
  }
  all_requested_ = false;
  requested_.clear();

  std::vector<Allocation> out;
  size_t stage_one_count = 0;
  auto stage = [&](bool quota_stage) {
    for (AgentId agent : agents) {
      if (!agents_.at(agent.value).active) continue;
      // Roles in DRF order as it stands when the agent's visit begins.
      for (const std::string& role : role_order()) {
        if (quota_stage) {
          auto q = quotas_.find(role);
          if (q == quotas_.end() || q->second.guarantees.minus_floor_zero(consumed(role)).empty()) {
            continue;
          }
        }
        for (uint32_t framework : framework_order(role)) {
          const Resources role_free = free_on(agent.value).allocatable_to(role);
          if (role_free.empty()) break;
          std::optional<Resources> offer =
              offer_for(now, agent.value, framework, role, role_free, quota_stage);
          if (!offer) continue;
          hold(framework, agent.value, role, *offer);
          // One offer per (framework, role, agent) per run: the fair-share stage adds to what
          // the quota stage offered, in that offer's place (mirrors the real allocator).
          auto merged = std::find_if(
              out.begin(), out.begin() + static_cast<ptrdiff_t>(stage_one_count),
              [&](const Allocation& x) {
                return x.framework.value == framework && x.agent == agent && x.role == role;
              });
          if (merged != out.begin() + static_cast<ptrdiff_t>(stage_one_count)) {
            merged->resources += *offer;
          } else {
            out.push_back(Allocation{FrameworkId{framework}, agent, role, *offer});
          }
        }
      }
    }
  };
  // The agent order is a seeded Fisher-Yates shuffle: not part of the documented semantics
  // beyond "seeded random", so this mirrors the real allocator's draws exactly: the run's own
  // Rng, derived from options.seed and the number of runs before it, one shuffle of the
  // candidate list before the quota stage (only when some guarantee is unmet) and one before the
  // fair-share stage.
  Rng rng = Rng::derived(options_.seed, runs_++);
  if (!required_headroom().empty()) {
    rng.shuffle(std::span(agents));
    stage(true);
  }
  stage_one_count = out.size();
  rng.shuffle(std::span(agents));
  stage(false);
  // A run counts as a visit of each active agent it covered, after the run (so a filter set
  // before it can expire only in a later one).
  for (AgentId agent : agents) {
    if (agents_.at(agent.value).active) ++agents_.at(agent.value).runs;
  }
  return out;
}

}  // namespace mesosim::testing
