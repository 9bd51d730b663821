// Random operation sequences against HierarchicalAllocator, checked after every step against a
// model of what each framework holds on each agent (built only from the offers returned and
// what the test recovers), and against a twin allocator that receives the same calls without an
// explainer.
//
// Invariants: an agent's free plus held resources equal its total, exactly; the allocator's view
// of each holding equals the model's; no offer exceeds what was free on its agent; offers go
// only to active frameworks in roles they subscribe to and have not suppressed, respect
// reservations, capabilities, refusal filters and min_allocatable_resources, come one per
// (framework, role, agent) per run; quota limits are never pushed past by a run; a run never
// eats into the headroom that unmet guarantees need; quota consumption and headroom agree with
// the model's independent computation; and the explainer changes nothing.

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "allocator/hierarchical_allocator.hpp"
#include "allocator/rng.hpp"
#include "allocator/role_name.hpp"
#include "tests/allocator/allocator_test_util.hpp"

namespace mesosim {
namespace {

using namespace mesosim::testing;

constexpr uint32_t kMaxAgents = 10;
constexpr uint32_t kMaxFrameworks = 7;
constexpr uint64_t kSeeds = 200;
constexpr int kSteps = 300;
const Duration kAllocationInterval = Duration::seconds(1);

const std::vector<std::string> kRoles = {"*",   "eng",     "eng/backend", "eng/frontend",
                                         "ads", "ads/x/y", "q",           "q/sub"};
const std::vector<std::string> kTopRoles = {"eng", "ads", "q"};
const std::vector<std::string> kReservationRoles = {"eng", "eng/backend", "ads", "ads/x/y",
                                                    "q",   "q/sub",       "zz"};

bool in_subtree(std::string_view role, std::string_view top) {
  return role == top || is_strict_subrole(role, top);
}

Quantities unreserved_nonrevocable(const Resources& r) {
  Quantities q;
  q.add(
      r.filter([](const ResourceKey& k) { return !k.reservation.is_reserved() && !k.revocable; }));
  return q;
}

struct ModelFramework {
  bool alive = false;
  bool active = false;
  FrameworkInfo info;
  std::set<std::string> suppressed;  // among info.roles

  bool subscribed(const std::string& role) const {
    return std::find(info.roles.begin(), info.roles.end(), role) != info.roles.end();
  }
};

struct ModelAgent {
  bool alive = false;
  Resources total;
};

struct HeldKey {
  uint32_t framework;
  uint32_t agent;
  std::string role;
  auto operator<=>(const HeldKey&) const = default;
};

struct ModelFilter {
  uint32_t framework;
  std::string role;
  uint32_t agent;
  Resources refused;
  Time expires;
};

class CountingExplainer final : public AllocationExplainer {
 public:
  void skipped(FrameworkId, std::string_view, AgentId, SkipReason reason) override {
    ++counts[static_cast<size_t>(reason)];
  }
  std::array<uint64_t, 16> counts{};
};

// Some of a bag: each entry whole, not at all, or a random part of it.
Resources random_part(const Resources& r, Rng& rng) {
  Resources out;
  for (const auto& e : r.scalar_entries()) {
    const uint64_t choice = rng.below(3);
    if (choice == 1) out.add(e.key, e.value);
    if (choice == 2) {
      out.add(e.key,
              Scalar::from_milli(static_cast<int64_t>(rng.below(uint64_t(e.value.milli()) + 1))));
    }
  }
  for (const auto& e : r.range_entries()) {
    const uint64_t choice = rng.below(3);
    if (choice == 1) out.add(e.key, e.value);
    if (choice == 2) out.add(e.key, e.value.take_first(rng.below(e.value.count() + 1)));
  }
  return out;
}

std::string milli_text(uint64_t milli) { return Scalar::from_milli(int64_t(milli)).to_string(); }

Resources random_agent_resources(Rng& rng) {
  if (rng.below(25) == 0) return R("cpus:0.005;mem:16");  // too small to offer
  std::string t = "cpus:" + milli_text(100 + rng.below(8000)) +
                  ";mem:" + std::to_string(256 * (1 + rng.below(16)));
  if (rng.below(2) == 0) t += ";disk:" + std::to_string(1000 * (1 + rng.below(10)));
  if (rng.below(7) == 0) t += ";gpus:" + std::to_string(1 + rng.below(2));
  if (rng.below(5) < 2) {
    const uint64_t b = 31000 + rng.below(100);
    const uint64_t e = b + rng.below(40);
    t += ";ports:[" + std::to_string(b) + "-" + std::to_string(e);
    if (rng.below(2) == 0) {
      t += "," + std::to_string(e + 2 + rng.below(10)) + "-" +
           std::to_string(e + 20 + rng.below(10));
    }
    t += "]";
  }
  for (uint64_t n = rng.below(3); n > 0; --n) {
    const std::string& role = kReservationRoles[rng.below(kReservationRoles.size())];
    std::string tag;
    if (rng.below(2) == 0) tag = rng.below(3) == 0 ? "{DYN:ops:team=x}" : "{DYN:ops}";
    const uint64_t kind = rng.below(4);
    if (kind == 0) t += ";cpus(" + role + ")" + tag + ":" + milli_text(100 + rng.below(4000));
    if (kind == 1) t += ";mem(" + role + ")" + tag + ":" + std::to_string(128 * (1 + rng.below(8)));
    if (kind == 2)
      t += ";disk(" + role + ")" + tag + ":" + std::to_string(100 * (1 + rng.below(8)));
    if (kind == 3) {
      const uint64_t b = 33000 + rng.below(100);
      t += ";ports(" + role + ")" + tag + ":[" + std::to_string(b) + "-" +
           std::to_string(b + rng.below(10)) + "]";
    }
  }
  if (rng.below(5) == 0) {
    t += ";cpus{REV}:" + milli_text(100 + rng.below(4000)) +
         ";mem{REV}:" + std::to_string(128 * (1 + rng.below(8)));
  }
  return R(t);
}

class PropertyRun {
 public:
  explicit PropertyRun(uint64_t seed)
      : rng_(seed * 7919 + 1), alloc_(options(seed)), twin_(options(seed)) {
    alloc_.set_explainer(&explainer_);
  }

  // One random operation followed by the invariant checks. Failures are gtest failures.
  void step() {
    const uint64_t op = rng_.below(100);
    if (op < 10) return add_agent();
    if (op < 13) return remove_agent();
    if (op < 20) return add_framework();
    if (op < 22) return remove_framework();
    if (op < 27) return toggle_active();
    if (op < 31) return suppress_or_revive(true);
    if (op < 35) return suppress_or_revive(false);
    if (op < 37) return update_framework();
    if (op < 41) return set_quota();
    if (op < 43) return set_weight();
    if (op < 68) return allocate();
    if (op < 88) return recover();
    if (op < 94) return update_agent();
    return update_allocation();
  }

  void check_state();
  const std::string& log() const { return log_; }
  void keep_whole_log() { log_limit_ = SIZE_MAX / 2; }
  const CountingExplainer& explainer() const { return explainer_; }
  uint64_t offers() const { return offers_; }

 private:
  static AllocatorOptions options(uint64_t seed) {
    AllocatorOptions o = AllocatorOptions::mesos_defaults();
    o.allocation_interval = kAllocationInterval;
    o.seed = seed;
    return o;
  }

  void note(const std::string& line) {
    log_ += line + "\n";
    if (log_.size() > log_limit_) log_.erase(0, log_.size() - log_limit_ * 3 / 4);
  }

  // Applies a Status-returning call to both allocators; both must agree.
  template <typename Call>
  Status both(Call&& call) {
    const Status a = call(alloc_);
    const Status b = call(twin_);
    EXPECT_EQ(a.ok(), b.ok()) << "the explainer changed the outcome of a call";
    return a;
  }

  std::optional<uint32_t> pick_alive_agent() {
    std::vector<uint32_t> alive;
    for (uint32_t i = 0; i < kMaxAgents; ++i) {
      if (agents_[i].alive) alive.push_back(i);
    }
    if (alive.empty()) return std::nullopt;
    return alive[rng_.below(alive.size())];
  }
  std::optional<uint32_t> pick_alive_framework() {
    std::vector<uint32_t> alive;
    for (uint32_t i = 0; i < kMaxFrameworks; ++i) {
      if (frameworks_[i].alive) alive.push_back(i);
    }
    if (alive.empty()) return std::nullopt;
    return alive[rng_.below(alive.size())];
  }
  std::vector<std::string> random_roles(uint64_t max) {
    std::vector<std::string> roles;
    for (uint64_t n = 1 + rng_.below(max); n > 0; --n) {
      const std::string& r = kRoles[rng_.below(kRoles.size())];
      if (std::find(roles.begin(), roles.end(), r) == roles.end()) roles.push_back(r);
    }
    return roles;
  }
  Resources held_on(uint32_t agent) const {
    Resources sum;
    for (const auto& [key, r] : held_) {
      if (key.agent == agent) sum += r;
    }
    return sum;
  }
  void drop_filters(const std::function<bool(const ModelFilter&)>& which) {
    std::erase_if(filters_, which);
  }

  // What the model says a top-level role's quota consumption is.
  Quantities consumed(const std::string& top) const {
    Quantities q;
    for (const auto& [key, r] : held_) {
      if (in_subtree(key.role, top)) q += unreserved_nonrevocable(r);
    }
    for (const ModelAgent& a : agents_) {
      if (!a.alive) continue;
      q.add(a.total.filter([&](const ResourceKey& k) {
        return k.reservation.is_reserved() && in_subtree(k.reservation.role(), top);
      }));
    }
    return q;
  }
  Quantities required_headroom() const {
    Quantities q;
    for (const auto& [role, quota] : quotas_)
      q += quota.guarantees.minus_floor_zero(consumed(role));
    return q;
  }
  Quantities available_headroom() const {
    Quantities q;
    for (uint32_t i = 0; i < kMaxAgents; ++i) {
      if (agents_[i].alive) q += unreserved_nonrevocable(alloc_.available(agent_id(i)));
    }
    return q;
  }

  void add_agent();
  void remove_agent();
  void add_framework();
  void remove_framework();
  void toggle_active();
  void suppress_or_revive(bool suppress);
  void update_framework();
  void set_quota();
  void set_weight();
  void allocate();
  void check_offers(const std::vector<Allocation>& offers,
                    const std::vector<Resources>& free_before,
                    const std::map<std::string, Quantities>& consumed_before);
  void check_headroom_slack(const std::vector<int64_t>& slack_before);
  void recover();
  void update_agent();
  void update_allocation();

  Rng rng_;
  CountingExplainer explainer_;
  HierarchicalAllocator alloc_;
  HierarchicalAllocator twin_;
  Time now_ = Time::epoch();
  std::array<ModelAgent, kMaxAgents> agents_;
  std::array<ModelFramework, kMaxFrameworks> frameworks_;
  std::map<HeldKey, Resources> held_;
  std::vector<ModelFilter> filters_;
  std::map<std::string, Quota> quotas_;
  std::string log_;
  size_t log_limit_ = 4000;
  uint64_t offers_ = 0;
};

void PropertyRun::add_agent() {
  uint32_t id = 0;
  while (id < kMaxAgents && agents_[id].alive) ++id;
  if (id == kMaxAgents) return allocate();
  const Resources total = random_agent_resources(rng_);
  std::vector<UsedResources> used;
  if (rng_.below(4) == 0) {
    // A re-registering agent reports what frameworks already use on it.
    Resources left = total.unreserved().non_revocable();
    for (int k = 0; k < 2; ++k) {
      const auto fw = pick_alive_framework();
      if (!fw) break;
      const auto& roles = frameworks_[*fw].info.roles;
      const std::string role =
          rng_.below(5) == 0 ? kRoles[rng_.below(kRoles.size())] : roles[rng_.below(roles.size())];
      const Resources part = random_part(left, rng_);
      if (part.empty()) continue;
      left -= part;
      used.push_back(UsedResources{framework_id(*fw), role, part});
    }
  }
  note("add_agent " + std::to_string(id) + " '" + total.to_string() + "' with " +
       std::to_string(used.size()) + " used");
  const AgentInfo info{"h" + std::to_string(id), total};
  const Status s =
      both([&](HierarchicalAllocator& a) { return a.add_agent(agent_id(id), info, used); });
  ASSERT_TRUE(s.ok()) << s.error().message;
  agents_[id] = ModelAgent{true, total};
  for (const UsedResources& u : used) held_[HeldKey{u.framework.value, id, u.role}] += u.resources;
}

void PropertyRun::remove_agent() {
  const auto id = pick_alive_agent();
  if (!id) return add_agent();
  note("remove_agent " + std::to_string(*id));
  alloc_.remove_agent(agent_id(*id));
  twin_.remove_agent(agent_id(*id));
  agents_[*id] = ModelAgent{};
  std::erase_if(held_, [&](const auto& kv) { return kv.first.agent == *id; });
  drop_filters([&](const ModelFilter& f) { return f.agent == *id; });
}

void PropertyRun::add_framework() {
  uint32_t id = 0;
  while (id < kMaxFrameworks && frameworks_[id].alive) ++id;
  if (id == kMaxFrameworks) return allocate();
  FrameworkInfo info = framework_info("fw" + std::to_string(id), random_roles(3));
  for (const std::string& r : info.roles) {
    if (rng_.below(5) == 0) info.suppressed_roles.push_back(r);
  }
  info.gpu_resources = rng_.below(3) == 0;
  info.revocable_resources = rng_.below(3) == 0;
  const bool active = rng_.below(7) != 0;
  note("add_framework " + std::to_string(id) + (active ? " active" : " inactive") + " roles " +
       [&] {
         std::string r;
         for (const auto& x : info.roles) r += "'" + x + "' ";
         return r;
       }());
  const Status s = both(
      [&](HierarchicalAllocator& a) { return a.add_framework(framework_id(id), info, active); });
  ASSERT_TRUE(s.ok()) << s.error().message;
  ModelFramework& f = frameworks_[id];
  f = ModelFramework{true, active, info, {}};
  f.suppressed.insert(info.suppressed_roles.begin(), info.suppressed_roles.end());
}

void PropertyRun::remove_framework() {
  const auto id = pick_alive_framework();
  if (!id) return add_framework();
  note("remove_framework " + std::to_string(*id));
  alloc_.remove_framework(framework_id(*id));
  twin_.remove_framework(framework_id(*id));
  frameworks_[*id] = ModelFramework{};
  std::erase_if(held_, [&](const auto& kv) { return kv.first.framework == *id; });
  drop_filters([&](const ModelFilter& f) { return f.framework == *id; });
}

void PropertyRun::toggle_active() {
  const auto id = pick_alive_framework();
  if (!id) return add_framework();
  ModelFramework& f = frameworks_[*id];
  note(std::string(f.active ? "deactivate " : "activate ") + std::to_string(*id));
  for (HierarchicalAllocator* a : {&alloc_, &twin_}) {
    if (f.active) {
      a->deactivate_framework(framework_id(*id));
    } else {
      a->activate_framework(framework_id(*id));
    }
  }
  if (f.active) drop_filters([&](const ModelFilter& x) { return x.framework == *id; });
  f.active = !f.active;
  if (f.active) {
    EXPECT_TRUE(alloc_.allocation_pending());
  }
}

void PropertyRun::suppress_or_revive(bool suppress) {
  const auto id = pick_alive_framework();
  if (!id) return add_framework();
  ModelFramework& f = frameworks_[*id];
  const std::vector<std::string> roles =
      rng_.below(3) == 0 ? std::vector<std::string>{} : random_roles(3);
  note(std::string(suppress ? "suppress " : "revive ") + std::to_string(*id) + " " +
       std::to_string(roles.size()) + " roles");
  auto named = [&](const std::string& r) {
    return roles.empty() || std::find(roles.begin(), roles.end(), r) != roles.end();
  };
  for (HierarchicalAllocator* a : {&alloc_, &twin_}) {
    if (suppress) {
      a->suppress(framework_id(*id), roles);
    } else {
      a->revive(framework_id(*id), roles);
    }
  }
  for (const std::string& r : f.info.roles) {
    if (!named(r)) continue;
    if (suppress) {
      f.suppressed.insert(r);
    } else {
      f.suppressed.erase(r);
    }
  }
  if (!suppress) {
    drop_filters([&](const ModelFilter& x) { return x.framework == *id && named(x.role); });
    EXPECT_TRUE(alloc_.allocation_pending());
  }
}

void PropertyRun::update_framework() {
  const auto id = pick_alive_framework();
  if (!id) return add_framework();
  ModelFramework& f = frameworks_[*id];
  FrameworkInfo info = f.info;
  info.roles = random_roles(3);
  info.suppressed_roles.clear();
  for (const std::string& r : info.roles) {
    if (rng_.below(5) == 0) info.suppressed_roles.push_back(r);
  }
  info.gpu_resources = rng_.below(3) == 0;
  info.revocable_resources = rng_.below(3) == 0;
  note("update_framework " + std::to_string(*id));
  const Status s =
      both([&](HierarchicalAllocator& a) { return a.update_framework(framework_id(*id), info); });
  ASSERT_TRUE(s.ok()) << s.error().message;
  // Filters of roles the framework left may or may not survive; the model forgets them, which
  // only makes the filter check weaker.
  drop_filters([&](const ModelFilter& x) {
    return x.framework == *id &&
           std::find(info.roles.begin(), info.roles.end(), x.role) == info.roles.end();
  });
  f.info = info;
  f.suppressed = std::set<std::string>(info.suppressed_roles.begin(), info.suppressed_roles.end());
}

void PropertyRun::set_quota() {
  const std::string& role = kTopRoles[rng_.below(kTopRoles.size())];
  Quota quota;
  const uint64_t kind = rng_.below(10);
  if (kind == 0) {
    note("clear quota " + role);
  } else if (kind == 1) {
    quota.guarantees = Q("cpus:5");
    quota.limits = {{ResourceName::cpus(), Scalar::from_units(2)}};
    note("invalid quota " + role);
    const Status s = both([&](HierarchicalAllocator& a) { return a.set_quota(role, quota); });
    EXPECT_FALSE(s.ok());
    return;
  } else {
    static constexpr int64_t kCpus[] = {0, 1, 2, 4, 8};
    static constexpr int64_t kMem[] = {0, 512, 2048, 8192};
    const int64_t cpus = kCpus[rng_.below(5)];
    const int64_t mem = kMem[rng_.below(4)];
    quota.guarantees.set(ResourceName::cpus(), Scalar::from_units(cpus));
    quota.guarantees.set(ResourceName::mem(), Scalar::from_units(mem));
    if (rng_.below(2) == 0) {
      static constexpr int64_t kExtra[] = {0, 1, 3};
      quota.limits.emplace_back(ResourceName::cpus(),
                                Scalar::from_units(cpus + kExtra[rng_.below(3)]));
    }
    if (rng_.below(3) == 0) {
      quota.limits.emplace_back(ResourceName::mem(),
                                Scalar::from_units(mem + 1024 * int64_t(rng_.below(2))));
    }
    note("set_quota " + role + " guarantee '" + quota.guarantees.to_string() + "' " +
         std::to_string(quota.limits.size()) + " limits");
  }
  const Status s = both([&](HierarchicalAllocator& a) { return a.set_quota(role, quota); });
  ASSERT_TRUE(s.ok()) << s.error().message;
  if (quota.guarantees.empty() && quota.limits.empty()) {
    quotas_.erase(role);
  } else {
    quotas_[role] = quota;
  }
}

void PropertyRun::set_weight() {
  const std::string& role = kRoles[1 + rng_.below(kRoles.size() - 1)];
  const double weight = 0.25 * double(1 + rng_.below(16));
  note("set_weight " + role + " " + std::to_string(weight));
  const Status s = both([&](HierarchicalAllocator& a) { return a.set_weight(role, weight); });
  ASSERT_TRUE(s.ok()) << s.error().message;
}

void PropertyRun::allocate() {
  now_ = now_ + Duration::millis(int64_t(rng_.below(2500)));
  if (rng_.below(10) < 7) {
    alloc_.request_allocation();
    twin_.request_allocation();
  }
  note("allocate at " + now_.to_string());
  std::vector<Resources> free_before(kMaxAgents);
  for (uint32_t i = 0; i < kMaxAgents; ++i) free_before[i] = alloc_.available(agent_id(i));
  std::map<std::string, Quantities> consumed_before;
  for (const auto& [role, quota] : quotas_) consumed_before[role] = consumed(role);
  std::vector<int64_t> slack_before(ResourceName::interned_count());
  {
    const Quantities avail = available_headroom();
    const Quantities req = required_headroom();
    for (uint16_t n = 0; n < slack_before.size(); ++n) {
      const ResourceName name = ResourceName::from_id(n);
      slack_before[n] = avail.get(name).milli() - req.get(name).milli();
    }
  }

  const std::vector<Allocation> offers = alloc_.allocate(now_);
  const std::vector<Allocation> twin_offers = twin_.allocate(now_);
  EXPECT_FALSE(alloc_.allocation_pending());
  ASSERT_EQ(offers.size(), twin_offers.size()) << "the explainer changed the offers";
  for (size_t k = 0; k < offers.size(); ++k) {
    ASSERT_TRUE(offers[k].framework == twin_offers[k].framework &&
                offers[k].agent == twin_offers[k].agent && offers[k].role == twin_offers[k].role &&
                offers[k].resources == twin_offers[k].resources)
        << "the explainer changed offer " << k;
  }
  for (const Allocation& o : offers) {
    note("  offer fw" + std::to_string(o.framework.value) + " a" + std::to_string(o.agent.value) +
         " '" + o.role + "' " + o.resources.to_string());
  }
  check_offers(offers, free_before, consumed_before);
  for (const Allocation& o : offers) {
    held_[HeldKey{o.framework.value, o.agent.value, o.role}] += o.resources;
  }
  check_headroom_slack(slack_before);
  offers_ += offers.size();
}

void PropertyRun::check_offers(const std::vector<Allocation>& offers,
                               const std::vector<Resources>& free_before,
                               const std::map<std::string, Quantities>& consumed_before) {
  static const std::vector<Quantities> kMinAllocatable =
      AllocatorOptions::mesos_defaults().min_allocatable;
  std::set<HeldKey> seen;
  std::vector<Resources> offered(kMaxAgents);
  std::map<std::string, Quantities> offered_to_quota_role;
  for (const Allocation& o : offers) {
    const std::string what = "offer to fw" + std::to_string(o.framework.value) + " in '" + o.role +
                             "' on agent " + std::to_string(o.agent.value) + ": " +
                             o.resources.to_string();
    ASSERT_LT(o.framework.value, kMaxFrameworks) << what;
    ASSERT_LT(o.agent.value, kMaxAgents) << what;
    const ModelFramework& f = frameworks_[o.framework.value];
    const ModelAgent& a = agents_[o.agent.value];
    EXPECT_TRUE(seen.insert(HeldKey{o.framework.value, o.agent.value, o.role}).second)
        << "two offers for one (framework, role, agent) in a run: " << what;
    EXPECT_TRUE(a.alive) << what;
    EXPECT_TRUE(f.alive) << what;
    EXPECT_TRUE(f.active) << "offer to an inactive framework: " << what;
    EXPECT_TRUE(f.subscribed(o.role)) << "offer in a role the framework lacks: " << what;
    EXPECT_EQ(f.suppressed.count(o.role), 0u) << "offer in a suppressed role: " << what;
    EXPECT_FALSE(o.resources.empty()) << what;

    const Quantities q = Quantities::of(o.resources);
    EXPECT_TRUE(std::any_of(kMinAllocatable.begin(), kMinAllocatable.end(),
                            [&](const Quantities& m) { return q.contains(m); }))
        << "offer below min_allocatable_resources: " << what;
    if (a.total.get(ResourceName::gpus()) > Scalar()) {
      EXPECT_TRUE(f.info.gpu_resources) << "GPU agent offered to a non-GPU framework: " << what;
    }
    if (!o.resources.revocable().empty()) {
      EXPECT_TRUE(f.info.revocable_resources)
          << "revocable resources to a framework without the capability: " << what;
    }
    const Resources reserved = o.resources.reserved();
    for (const auto& e : reserved.scalar_entries()) {
      EXPECT_TRUE(in_subtree(o.role, e.key.reservation.role()))
          << "reservation of '" << e.key.reservation.role() << "' offered outside it: " << what;
    }
    for (const auto& e : reserved.range_entries()) {
      EXPECT_TRUE(in_subtree(o.role, e.key.reservation.role()))
          << "reservation of '" << e.key.reservation.role() << "' offered outside it: " << what;
    }
    for (const ModelFilter& x : filters_) {
      if (x.framework == o.framework.value && x.role == o.role && x.agent == o.agent.value &&
          x.expires > now_) {
        EXPECT_FALSE(x.refused.contains(o.resources))
            << "offer covered by a refusal filter until " << x.expires.to_string() << ": " << what;
      }
    }
    offered[o.agent.value] += o.resources;
    // Quota limits bind the role that holds them, not its subroles (as in Mesos).
    if (quotas_.count(o.role) > 0) {
      offered_to_quota_role[o.role] += unreserved_nonrevocable(o.resources);
    }
  }
  for (uint32_t i = 0; i < kMaxAgents; ++i) {
    EXPECT_TRUE(free_before[i].contains(offered[i]))
        << "agent " << i << " offered '" << offered[i].to_string() << "' with only '"
        << free_before[i].to_string() << "' free";
  }
  // A run never pushes a quota role past its limit by offers to the role itself.
  for (const auto& [top, quota] : quotas_) {
    for (const auto& [name, limit] : quota.limits) {
      const Scalar before = consumed_before.at(top).get(name);
      const Scalar room = std::max(Scalar(), limit - before);
      EXPECT_LE(offered_to_quota_role[top].get(name), room)
          << "role '" << top << "' consumed " << before.to_string() << " of limit "
          << limit.to_string() << " " << name.str() << " and was offered "
          << offered_to_quota_role[top].get(name).to_string() << " more";
    }
  }
}

// A run never eats into what unmet guarantees need (beyond what was already missing): offers
// toward a role's own guarantee lower both sides alike, anything else needs slack.
void PropertyRun::check_headroom_slack(const std::vector<int64_t>& slack_before) {
  const Quantities avail = available_headroom();
  const Quantities req = required_headroom();
  for (uint16_t n = 0; n < slack_before.size(); ++n) {
    const ResourceName name = ResourceName::from_id(n);
    const int64_t slack = avail.get(name).milli() - req.get(name).milli();
    EXPECT_GE(slack, std::min<int64_t>(0, slack_before[n]))
        << "headroom of " << name.str() << " went from " << slack_before[n] << " to " << slack
        << " milli (available '" << avail.to_string() << "', required '" << req.to_string() << "')";
  }
}

void PropertyRun::recover() {
  if (held_.empty()) return allocate();
  auto it = held_.begin();
  std::advance(it, static_cast<ptrdiff_t>(rng_.below(held_.size())));
  const HeldKey key = it->first;
  const Resources part = rng_.below(2) == 0 ? it->second : random_part(it->second, rng_);
  if (part.empty()) return;
  std::optional<Duration> refuse;
  switch (rng_.below(7)) {
    case 0:
      refuse = refuse_duration(std::nullopt);
      break;
    case 1:
      refuse = refuse_duration(0.0);
      break;
    case 2:
      refuse = refuse_duration(0.5);
      break;
    case 3:
      refuse = refuse_duration(3.0);
      break;
    case 4:
      refuse = refuse_duration(1e9);
      break;
    default:
      break;
  }
  note("recover fw" + std::to_string(key.framework) + " a" + std::to_string(key.agent) + " '" +
       key.role + "' " + part.to_string() + (refuse ? " refuse " + refuse->to_string() : ""));
  for (HierarchicalAllocator* a : {&alloc_, &twin_}) {
    a->recover(now_, framework_id(key.framework), agent_id(key.agent), key.role, part, refuse);
  }
  EXPECT_FALSE(alloc_.allocation_pending() && !twin_.allocation_pending());
  it->second -= part;
  if (it->second.empty()) held_.erase(it);
  // A decline in a role the framework has left leaves a filter that goes when the role is
  // untracked; what happens to it on re-subscription is unspecified, so the model skips it.
  if (refuse && *refuse > Duration::zero() && frameworks_[key.framework].subscribed(key.role)) {
    filters_.push_back(ModelFilter{key.framework, key.role, key.agent, part,
                                   now_ + std::max(*refuse, kAllocationInterval)});
  }
}

void PropertyRun::update_agent() {
  const auto id = pick_alive_agent();
  if (!id) return add_agent();
  const Resources held = held_on(*id);
  const Resources free = agents_[*id].total - agents_[*id].total.common(held);
  if (rng_.below(5) == 0 && !held.scalar_entries().empty()) {
    // A total below what is held is accepted: the agent is over-allocated until it is recovered.
    const ResourceKey gone = held.scalar_entries().front().key;
    const Resources less = held.filter([&](const ResourceKey& k) { return !(k == gone); });
    note("over-allocating update_agent " + std::to_string(*id) + " '" + less.to_string() + "'");
    const Status s =
        both([&](HierarchicalAllocator& a) { return a.update_agent(agent_id(*id), less); });
    ASSERT_TRUE(s.ok()) << s.error().message;
    agents_[*id].total = less;
    return;
  }
  Resources total = held + random_part(free, rng_);
  if (rng_.below(3) == 0) total += random_part(random_agent_resources(rng_), rng_);
  note("update_agent " + std::to_string(*id) + " '" + total.to_string() + "'");
  const Status s =
      both([&](HierarchicalAllocator& a) { return a.update_agent(agent_id(*id), total); });
  ASSERT_TRUE(s.ok()) << s.error().message;
  agents_[*id].total = total;
}

void PropertyRun::update_allocation() {
  // RESERVE part of a held unreserved scalar for the holder's role, or UNRESERVE part of a held
  // dynamic reservation of that role.
  std::vector<std::pair<HeldKey, Resources::ScalarEntry>> candidates;
  for (const auto& [key, r] : held_) {
    if (key.role == "*") continue;
    for (const auto& e : r.scalar_entries()) {
      if (e.key.revocable) continue;
      const bool unreserved = !e.key.reservation.is_reserved();
      const bool own_dynamic = e.key.reservation.is_reserved() &&
                               e.key.reservation.info().type == ReservationInfo::Type::kDynamic &&
                               e.key.reservation.role() == key.role;
      if (unreserved || own_dynamic) candidates.emplace_back(key, e);
    }
  }
  if (candidates.empty()) return allocate();
  const auto& [key, entry] = candidates[rng_.below(candidates.size())];
  const Scalar amount =
      Scalar::from_milli(1 + static_cast<int64_t>(rng_.below(uint64_t(entry.value.milli()))));
  const Resources from = Resources::scalar(entry.key.name, amount, entry.key.reservation);
  const Reservation target =
      entry.key.reservation.is_reserved()
          ? Reservation::unreserved()
          : Reservation::of(ReservationInfo{ReservationInfo::Type::kDynamic, key.role, "fw", {}});
  const Resources to = Resources::scalar(entry.key.name, amount, target);
  note("update_allocation fw" + std::to_string(key.framework) + " a" + std::to_string(key.agent) +
       " '" + key.role + "' " + from.to_string() + " -> " + to.to_string());
  const Status s = both([&](HierarchicalAllocator& a) {
    return a.update_allocation(framework_id(key.framework), agent_id(key.agent), key.role, from,
                               to);
  });
  if (!agents_[key.agent].total.contains(from)) {
    // An over-allocated agent lacks part of what is held: the operation is refused.
    EXPECT_FALSE(s.ok());
    return;
  }
  ASSERT_TRUE(s.ok()) << s.error().message;
  Resources& held = held_[key];
  held -= from;
  held += to;
  agents_[key.agent].total -= from;
  agents_[key.agent].total += to;
}

void PropertyRun::check_state() {
  for (uint32_t i = 0; i < kMaxAgents; ++i) {
    const AgentId a = agent_id(i);
    const Resources total = alloc_.total(a);
    const Resources free = alloc_.available(a);
    EXPECT_TRUE(twin_.total(a) == total && twin_.available(a) == free)
        << "agent " << i << ": the explainer changed the allocator's state";
    if (!agents_[i].alive) {
      EXPECT_TRUE(total.empty() && free.empty()) << "removed agent " << i << " still has resources";
      continue;
    }
    EXPECT_TRUE(total == agents_[i].total)
        << "total of agent " << i << " is '" << total.to_string() << "', expected '"
        << agents_[i].total.to_string() << "'";
    // Held beyond a shrunk total, an agent has nothing free of what it lacks.
    const Resources held = held_on(i);
    EXPECT_TRUE(free + total.common(held) == total)
        << "agent " << i << ": free '" << free.to_string() << "' and held '" << held.to_string()
        << "' do not make up the total";
  }
  for (const auto& [key, r] : held_) {
    const Resources allocated =
        alloc_.allocated(framework_id(key.framework), agent_id(key.agent), key.role);
    EXPECT_TRUE(allocated == r) << "allocated '" << allocated.to_string() << "', model '"
                                << r.to_string() << "': fw" << key.framework << " on agent "
                                << key.agent << " in '" << key.role << "'";
  }
  for (uint32_t f = 0; f < kMaxFrameworks; ++f) {
    for (uint32_t i = 0; i < kMaxAgents; ++i) {
      for (const std::string& role : kRoles) {
        if (held_.count(HeldKey{f, i, role})) continue;
        EXPECT_TRUE(alloc_.allocated(framework_id(f), agent_id(i), role).empty())
            << "fw" << f << " holds something the model does not know of on agent " << i << " in '"
            << role << "'";
      }
    }
  }
  for (const std::string& top : kTopRoles) {
    const Quantities model = consumed(top);
    EXPECT_TRUE(alloc_.consumed_quota(top) == model)
        << "quota consumption of '" << top << "' is '" << alloc_.consumed_quota(top).to_string()
        << "', model '" << model.to_string() << "'";
  }
  const Quantities available = available_headroom();
  const Quantities required = required_headroom();
  EXPECT_TRUE(alloc_.available_headroom() == available)
      << "available headroom '" << alloc_.available_headroom().to_string() << "', model '"
      << available.to_string() << "'";
  EXPECT_TRUE(alloc_.required_headroom() == required)
      << "required headroom '" << alloc_.required_headroom().to_string() << "', model '"
      << required.to_string() << "'";
}

TEST(AllocatorPropertyTest, RandomOperationSequencesKeepTheAllocatorsInvariants) {
  std::array<uint64_t, 16> reasons{};
  uint64_t offers = 0;
  // MESOSIM_PROPERTY_SEED=<n> replays one seed and prints its whole log on failure.
  const char* only = std::getenv("MESOSIM_PROPERTY_SEED");
  const uint64_t first = only ? std::strtoull(only, nullptr, 10) : 0;
  const uint64_t last = only ? first + 1 : kSeeds;
  for (uint64_t seed = first; seed < last; ++seed) {
    PropertyRun run(seed);
    if (only) run.keep_whole_log();
    for (int step = 0; step < kSteps; ++step) {
      run.step();
      if (!::testing::Test::HasFailure()) run.check_state();
      if (::testing::Test::HasFailure()) {
        FAIL() << "seed " << seed << ", step " << step << "; last operations:\n" << run.log();
      }
    }
    for (size_t k = 0; k < reasons.size(); ++k) reasons[k] += run.explainer().counts[k];
    offers += run.offers();
  }
  if (only) return;
  // The generator must reach the interesting situations, or the properties prove little.
  EXPECT_GT(offers, kSeeds * 20);
  for (const SkipReason r :
       {SkipReason::kFiltered, SkipReason::kSuppressed, SkipReason::kFrameworkInactive,
        SkipReason::kQuotaLimit, SkipReason::kHeadroom, SkipReason::kBelowMinAllocatable,
        SkipReason::kNotGpuCapable, SkipReason::kReservedForOtherRoles,
        SkipReason::kLowerInDrfOrder, SkipReason::kNoQuotaContribution}) {
    EXPECT_GT(reasons[static_cast<size_t>(r)], 0u) << to_string(r) << " never happened";
  }
}

}  // namespace
}  // namespace mesosim
