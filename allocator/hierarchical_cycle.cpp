// The allocation run of HierarchicalAllocator: quota stage, then fair-share stage.
// Semantics are described in hierarchical_allocator.hpp.

#include <algorithm>
#include <cstdint>
#include <functional>
#include <utility>

#include "allocator/check.hpp"
#include "allocator/hierarchical_allocator.hpp"
#include "allocator/hierarchical_allocator_state.hpp"
#include "allocator/role_name.hpp"

namespace mesosim {
namespace {

// Trims the scalar entries of `r` (key order) so that, per name, at most `room` is kept; names
// with `capped` false pass whole. Sets *trimmed when anything was cut.
Resources trim_scalars(const Resources& r, Quantities room, const std::vector<bool>& capped,
                       bool* trimmed) {
  Resources out;
  for (const auto& e : r.scalar_entries()) {
    const uint16_t id = e.key.name.id();
    if (id >= capped.size() || !capped[id]) {
      out.add(e.key, e.value);
      continue;
    }
    const Scalar left = std::max(room.get(e.key.name), Scalar());
    const Scalar take = std::min(left, e.value);
    if (take < e.value) *trimmed = true;
    out.add(e.key, take);
    room.set(e.key.name, left - take);
  }
  return out;
}

// Quantities::contained_in(r.filter(keep)): whether the entries of `r` that `keep` selects hold
// at least `need` of every name, without building them.
template <typename Keep>
bool holds_at_least(const Resources& r, const Keep& keep, const Quantities& need) {
  for (size_t i = 0; i < need.size_hint(); ++i) {
    const int64_t want = need.data()[i];
    if (want <= 0) continue;
    int64_t have = 0;
    for (const auto& e : r.scalar_entries()) {
      if (e.key.name.id() == i && keep(e.key)) have += e.value.milli();
    }
    if (have < want) return false;
  }
  return true;
}

bool is_unreserved_nonrevocable_scalar(const ResourceKey& k) {
  return !k.reservation.is_reserved() && !k.revocable;
}

// A run visits agents in a random order, so each visit would start with cache misses on the
// agent's record and then on what the record points to (free resources, allocations). The run's
// list holds the records' addresses, read from agents_ in id order while it is built, so no
// visit waits on its slot in agents_. Asking for the record kRecordAhead agents ahead and for
// its data kDataAhead ahead (by then the record is in cache) overlaps those misses with the
// visits in between. Hints only: they change nothing.
constexpr size_t kRecordAhead = 8;
constexpr size_t kDataAhead = 4;

// Every 64-byte line that [p, p + bytes) touches.
void prefetch_lines(const void* p, size_t bytes) {
  if (p == nullptr) return;
  const auto begin = reinterpret_cast<uintptr_t>(p) & ~uintptr_t{63};
  const auto end = reinterpret_cast<uintptr_t>(p) + bytes;
  for (uintptr_t line = begin; line < end; line += 64) {
    __builtin_prefetch(reinterpret_cast<const void*>(line));
  }
}

}  // namespace

template <typename Covered>
bool HierarchicalAllocator::is_filtered(Time now, Framework& f, Agent& a, RoleIdx role,
                                        const Covered& covered) {
  if (f.filters.empty()) return false;
  // The agent's own index first: it is in cache with the agent, and most frameworks tried on
  // an agent have no filter there.
  const uint64_t key = filtered_key(f.id, role);
  const auto entry = std::lower_bound(a.filtered.begin(), a.filtered.end(), key);
  if (entry == a.filtered.end() || *entry != key) return false;
  bool filtered = false;
  bool any_left = false;
  f.filters.visit(a.id, role, [&](const OfferFilter& x) {
    // Expired once its time has passed and a run has visited the agent since it was set: a
    // filter shorter than the interval still holds at the next run (Mesos MESOS-4302).
    if (x.expires <= now && a.runs > x.agent_runs) return true;  // drop it lazily
    any_left = true;
    if (covered(x.refused)) filtered = true;
    return false;
  });
  if (!any_left) a.filtered.erase(entry);
  return filtered;
}

void HierarchicalAllocator::request_allocation() { all_agents_requested_ = true; }

void HierarchicalAllocator::request_allocation(AgentId id) {
  if (requested_flag_.size() <= id.value) requested_flag_.resize(id.value + 1, false);
  if (requested_flag_[id.value]) return;
  requested_flag_[id.value] = true;
  requested_agents_.push_back(id);
}

bool HierarchicalAllocator::allocation_pending() const {
  return all_agents_requested_ || !requested_agents_.empty();
}

bool HierarchicalAllocator::can_skip(Time now) {
  if (!quiet_since_ || !all_agents_requested_ || !options_.skip_unchanged_runs) {
    return false;
  }
  // A filter whose time was up at the quiet run is gone or dead: that run visited its agent
  // after it was set (or the agent is inactive, and activating it is a change).
  auto later = std::greater<>();
  while (!filter_expiries_.empty() && filter_expiries_.front() <= *quiet_since_) {
    std::pop_heap(filter_expiries_.begin(), filter_expiries_.end(), later);
    filter_expiries_.pop_back();
  }
  return filter_expiries_.empty() || now < filter_expiries_.front();
}

std::vector<Allocation> HierarchicalAllocator::allocate(Time now) {
  std::vector<Allocation> out;
  allocate_into(now, out);
  return out;
}

void HierarchicalAllocator::allocate_into(Time now, std::vector<Allocation>& out) {
  out.clear();
  if (can_skip(now)) {
    all_agents_requested_ = false;
    for (AgentId id : requested_agents_) requested_flag_[id.value] = false;
    requested_agents_.clear();
    ++runs_;
    ++skipped_runs_;
    if (explainer_) explainer_->repeated_last_run();
    return;
  }
  sync_sorter_totals();
  // This run's agent order: its own generator, derived from the seed and the run's number, so a
  // skipped run costs no draws and the runs after it are those of the eager model all the same.
  Rng rng = Rng::derived(options_.seed, runs_++);
  const bool full_run = all_agents_requested_;
  // By id before the shuffles (which depend only on how many agents there are).
  std::vector<Agent*>& candidates = candidates_;
  candidates.clear();
  if (all_agents_requested_) {
    for (const auto& a : agents_) {
      if (a) candidates.push_back(a.get());
    }
  } else {
    std::sort(requested_agents_.begin(), requested_agents_.end());
    for (AgentId id : requested_agents_) {
      if (Agent* a = agent(id)) candidates.push_back(a);  // unknown agents are ignored
    }
  }
  all_agents_requested_ = false;
  for (AgentId id : requested_agents_) requested_flag_[id.value] = false;
  requested_agents_.clear();

  Run run(now, out);
  run.parked.swap(parked_);
  run.out.reserve(candidates.size());  // usually an offer per agent at most
  // Parking: with explanations off, a quota role that can take nothing more (see
  // can_take_nothing) is left out of the role order for the rest of the run, so a run costs
  // what the roles that can still be served cost, not agents x roles. Consumption only grows
  // during a run, so a parked role stays unservable; the order is restored at the end.
  if (!explainer_ && !quota_roles_.empty()) {
    for (const auto& a : agents_) {
      if (!a) continue;
      for (const auto& e : a->total.scalar_entries()) run.cluster_has_revocable |= e.key.revocable;
      for (const auto& e : a->total.range_entries()) run.cluster_has_revocable |= e.key.revocable;
    }
    for (RoleIdx r : quota_roles_) park_if_saturated(run, r);
  }
  const bool any_unmet_guarantee = !required_headroom_.empty();
  if (any_unmet_guarantee) {
    rng.shuffle(std::span(candidates));
    run_stage(run, true);
  }
  run.stage_one_count = run.out.size();
  rng.shuffle(std::span(candidates));
  run_stage(run, false);
  for (DrfSorter::ClientId client : run.parked) role_sorter_.activate(client);
  run.parked.clear();
  parked_.swap(run.parked);
  // A filter this run visited for the first time may have held back an offer that the next run
  // makes (its time is up, and now a run has visited its agent): only a run in which every
  // filter was visited already can start a quiet spell.
  quiet_since_.reset();
  if (full_run && run.out.empty() && !unvisited_filters_) {
    quiet_since_ = now;
  }
  if (full_run) unvisited_filters_ = false;
}

void HierarchicalAllocator::run_stage(Run& run, bool quota_stage) {
  const std::vector<Agent*>& candidates = candidates_;
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (i + kRecordAhead < candidates.size()) {
      // The fields a visit reads, which come first in the record (up to `filtered`).
      const Agent* next = candidates[i + kRecordAhead];
      prefetch_lines(next, static_cast<size_t>(reinterpret_cast<const char*>(&next->filtered + 1) -
                                               reinterpret_cast<const char*>(next)));
    }
    if (i + kDataAhead < candidates.size()) {
      const Agent& next = *candidates[i + kDataAhead];
      prefetch_lines(next.free.scalar_entries().data(), 64);
      prefetch_lines(next.allocations.data(), 64);
      prefetch_lines(next.filtered.data(), 64);
    }
    Agent& a = *candidates[i];
    visit_agent(run, a, quota_stage);
    for (RoleIdx r : run.touched) park_if_saturated(run, r);
    run.touched.clear();
    // Counted at the agent's last visit of the run (the fair-share stage), as if after the
    // run: no later visit in this run reads it, so a filter set before the run may expire only
    // in a later one.
    if (!quota_stage && a.active) ++a.runs;
  }
}

void HierarchicalAllocator::visit_agent(Run& run, Agent& a, bool quota_stage) {
  if (!a.active || (a.free.empty() && !explainer_)) return;
  role_sorter_.walk([&](DrfSorter::ClientId client) {
    Role& role = *roles_[role_of_client_[client]];
    if (quota_stage) {
      // Only roles that hold a quota themselves, with part of the guarantee unmet.
      if (!role.quota || role.parent != kNoRole) return true;
      if (role.quota->guarantees.minus_floor_zero(consumed_of(role.top)).empty()) return true;
    }
    offer_to_role(run, a, role, quota_stage);
    return !a.free.empty() || explainer_ != nullptr;
  });
}

// True when nothing on any agent can be offered to `role`'s own frameworks however the run
// goes on: every scalar the cluster has is capped by the role's quota limits and consumed up to
// them (so the unreserved part of any offer is trimmed to nothing), nothing is reserved in its
// subtree and the cluster has no revocable resources (the only parts limits do not trim), and
// every min_allocatable alternative needs some scalar (so a ports-only rest is never offered).
bool HierarchicalAllocator::can_take_nothing(const Role& role, bool cluster_has_revocable) const {
  if (!role.quota || role.parent != kNoRole || role.client == DrfSorter::kNoClient) return false;
  if (cluster_has_revocable || !role.reserved.empty() || options_.min_allocatable.empty()) {
    return false;
  }
  for (const Quantities& set : options_.min_allocatable) {
    if (set.empty()) return false;
  }
  const Quantities consumed = consumed_of(role.idx);
  for (ResourceName n : cluster_total_.names()) {
    const auto limit = std::find_if(role.quota->limits.begin(), role.quota->limits.end(),
                                    [&](const auto& l) { return l.first == n; });
    if (limit == role.quota->limits.end() || consumed.get(n) < limit->second) return false;
  }
  for (FrameworkId id : role.framework_of_client) {
    const Framework* f = framework(id);
    if (!f) continue;
    for (const auto& [name, sets] : f->info.min_allocatable) {
      if (name == role.name) return false;  // its own alternatives: not worth reasoning about
    }
  }
  return true;
}

void HierarchicalAllocator::park_if_saturated(Run& run, RoleIdx r) {
  const Role& role = *roles_[r];
  if (explainer_ != nullptr) return;  // every skipped role is explained, parked ones too
  if (role.client == DrfSorter::kNoClient || !role_sorter_.active(role.client)) return;
  if (!can_take_nothing(role, run.cluster_has_revocable)) return;
  role_sorter_.deactivate(role.client);
  run.parked.push_back(role.client);
}

bool HierarchicalAllocator::offer_to_role(Run& run, Agent& a, Role& role, bool quota_stage) {
  // What the role may be offered on the agent is a.free.allocatable_to(role.name) at every step
  // (an offer is taken from it and from a.free alike), so it is read from a.free, never copied.
  // In the quota stage too: an offer made there must help the guarantee, but it carries the
  // revocable resources the framework may take as well (Mesos's first stage does).
  auto allocatable = [&role](const ResourceKey& k) { return is_allocatable_to(k, role.name); };
  if (!a.free.any_key(allocatable)) {
    if (explainer_ && !quota_stage) {
      explain_role(role, a.id,
                   a.free.empty() ? SkipReason::kLowerInDrfOrder
                                  : SkipReason::kReservedForOtherRoles);
    }
    return false;
  }
  if (explainer_ && !quota_stage) {
    // Clients outside the order: say why once per agent.
    for (size_t c = 0; c < role.framework_of_client.size(); ++c) {
      const Framework* f = framework(role.framework_of_client[c]);
      if (!f) continue;
      for (const auto& fr : f->roles) {
        if (fr.role != role.idx || fr.client != c || !fr.subscribed) continue;
        if (!f->active) {
          explainer_->skipped(f->id, role.name, a.id, SkipReason::kFrameworkInactive);
        } else if (fr.suppressed) {
          explainer_->skipped(f->id, role.name, a.id, SkipReason::kSuppressed);
        }
      }
    }
  }
  bool any = false;
  role.frameworks->walk([&](DrfSorter::ClientId client) {
    Framework& f = *framework(role.framework_of_client[client]);
    if (!a.free.any_key(allocatable)) {
      explain(f, role, a.id, SkipReason::kLowerInDrfOrder);
      return true;
    }
    bool taken_from_free = false;
    std::optional<Resources> offer = offer_for(run, a, f, role, quota_stage, &taken_from_free);
    if (!offer) return true;
    add_allocation(f, *framework_role(f, role.idx), a, *offer, taken_from_free);
    if (!any && role.quota && role.parent == kNoRole) run.touched.push_back(role.idx);
    any = true;
    // Merge with an offer of the quota stage to the same (framework, role, agent).
    auto merged = std::find_if(run.out.begin(),
                               run.out.begin() + static_cast<ptrdiff_t>(run.stage_one_count),
                               [&](const Allocation& x) {
                                 return x.framework == f.id && x.agent == a.id && x.role == role.name;
                               });
    if (merged != run.out.begin() + static_cast<ptrdiff_t>(run.stage_one_count)) {
      merged->resources += *offer;
    } else {
      run.out.push_back(Allocation{f.id, a.id, role.name, std::move(*offer)});
    }
    return explainer_ != nullptr || a.free.any_key(allocatable);
  });
  return any;
}

std::optional<Resources> HierarchicalAllocator::offer_for(Run& run, Agent& a, Framework& f,
                                                          const Role& role, bool quota_stage,
                                                          bool* taken_from_free) {
  if (a.has_gpus && !f.info.gpu_resources) {
    explain(f, role, a.id, SkipReason::kNotGpuCapable);
    return std::nullopt;
  }
  const bool revocable_ok = f.info.revocable_resources;
  auto selected = [&](const ResourceKey& k) {
    return (revocable_ok || !k.revocable) && is_allocatable_to(k, role.name);
  };
  const Quota* quota = role.quota ? &*role.quota : nullptr;
  if (!quota && !quota_stage && required_headroom_.empty() && !explainer_) {
    // Nothing to trim, so the offer is the candidate: checked_offer's checks, in its order, read
    // it where it lies in a.free, and it is copied only once it has passed them (a framework
    // that declined the agent is skipped without a copy).
    if (!a.free.any_key(selected)) return std::nullopt;
    const std::vector<Quantities>& sets = min_allocatable(f, role.idx);
    if (!sets.empty() && std::none_of(sets.begin(), sets.end(), [&](const Quantities& s) {
          return holds_at_least(a.free, selected, s);
        })) {
      return std::nullopt;
    }
    if (is_filtered(run.now, f, a, role.idx, [&](const Resources& refused) {
          return refused.contains_selected(a.free, selected);
        })) {
      return std::nullopt;
    }
    // The usual case: the offer is everything free (nothing reserved for other roles, nothing
    // revocable withheld). Then a.free is handed over whole, with its buffers, instead of being
    // copied and then cleared: the offer costs no memory allocation.
    if (a.free.all_keys(selected)) {
      *taken_from_free = true;
      return std::exchange(a.free, Resources());
    }
    return a.free.filter(selected);
  }
  Resources candidate = a.free.filter(selected);
  if (!quota && !quota_stage && required_headroom_.empty()) {
    // Nothing to trim: the offer is the candidate (the general path below splits it into
    // unreserved scalars and the rest and puts them back together unchanged).
    return checked_offer(run, a, f, role, std::move(candidate), false, false);
  }
  Resources unreserved;
  Resources rest;
  for (const auto& e : candidate.scalar_entries()) {
    (is_unreserved_nonrevocable_scalar(e.key) ? unreserved : rest).add(e.key, e.value);
  }
  for (const auto& e : candidate.range_entries()) rest.add(e.key, e.value);

  // Quota binds only the role that holds it (Mesos: its subroles' allocations count toward its
  // consumption but are not capped by it). In the quota stage, the part that serves the role's
  // unmet guarantee is not bounded by headroom: it lowers the required headroom by as much as it
  // takes. In the fair-share stage every role's unreserved scalars are bounded by headroom.
  const Quantities consumed = quota ? consumed_of(role.idx) : Quantities();
  const Resources toward =
      quota && quota_stage
          ? shrink_scalars(unreserved, quota->guarantees.minus_floor_zero(consumed))
          : Resources();
  if (quota_stage && toward.empty()) {
    explain(f, role, a.id, SkipReason::kNoQuotaContribution);
    return std::nullopt;
  }
  Resources extra = unreserved - toward;
  bool limited = false;
  bool held = false;
  if (quota && !quota->limits.empty() && !extra.empty()) {
    Quantities room;
    std::vector<bool> capped(ResourceName::interned_count(), false);
    Quantities used = consumed;
    used.add(toward);
    for (const auto& [name, limit] : quota->limits) {
      capped[name.id()] = true;
      room.set(name, std::max(Scalar(), limit - used.get(name)));
    }
    extra = trim_scalars(extra, room, capped, &limited);
  }
  if (!required_headroom_.empty() && !extra.empty()) {
    const Quantities room = free_unreserved_.minus_floor_zero(required_headroom_);
    std::vector<bool> capped(ResourceName::interned_count(), false);
    for (ResourceName n : required_headroom_.names()) capped[n.id()] = true;
    extra = trim_scalars(extra, room, capped, &held);
  }
  Resources offer = std::move(rest);
  offer += toward;
  offer += extra;
  return checked_offer(run, a, f, role, std::move(offer), limited, held);
}

std::optional<Resources> HierarchicalAllocator::checked_offer(Run& run, Agent& a, Framework& f,
                                                              const Role& role, Resources offer,
                                                              bool limited, bool held) {
  if (offer.empty()) {
    explain(f, role, a.id,
            limited ? SkipReason::kQuotaLimit
                    : (held ? SkipReason::kHeadroom : SkipReason::kBelowMinAllocatable));
    return std::nullopt;
  }
  const RoleIdx r = role.idx;
  if (!meets_min_allocatable(f, r, offer)) {
    explain(f, role, a.id,
            limited ? SkipReason::kQuotaLimit
                    : (held ? SkipReason::kHeadroom : SkipReason::kBelowMinAllocatable));
    return std::nullopt;
  }
  if (is_filtered(run.now, f, a, r,
                  [&](const Resources& refused) { return refused.contains(offer); })) {
    explain(f, role, a.id, SkipReason::kFiltered);
    return std::nullopt;
  }
  return offer;
}

const std::vector<Quantities>& HierarchicalAllocator::min_allocatable(const Framework& f,
                                                                      RoleIdx role) const {
  const std::vector<Quantities>* sets = &options_.min_allocatable;
  for (const auto& [name, override_sets] : f.info.min_allocatable) {
    if (name == roles_[role]->name) sets = &override_sets;
  }
  return *sets;
}

bool HierarchicalAllocator::meets_min_allocatable(const Framework& f, RoleIdx role,
                                                  const Resources& offer) const {
  const std::vector<Quantities>& sets = min_allocatable(f, role);
  if (offer.empty()) return false;
  if (sets.empty()) return true;
  // Runs per offer: no Quantities built for the offer.
  return std::any_of(sets.begin(), sets.end(),
                     [&](const Quantities& s) { return s.contained_in(offer); });
}

void HierarchicalAllocator::explain(const Framework& f, const Role& role, AgentId agent,
                                    SkipReason reason) const {
  if (explainer_) explainer_->skipped(f.id, role.name, agent, reason);
}

void HierarchicalAllocator::explain_role(const Role& role, AgentId agent, SkipReason reason) const {
  if (!explainer_) return;
  role.frameworks->walk([&](DrfSorter::ClientId client) {
    explainer_->skipped(role.framework_of_client[client], role.name, agent, reason);
    return true;
  });
}

}  // namespace mesosim
