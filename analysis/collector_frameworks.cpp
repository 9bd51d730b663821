// The collector's framework books: subscriptions, suppression, offers and their statistics,
// the allocator's explanations turned into each framework's wait-cause timeline, and fairness.

#include <algorithm>

#include "analysis/collector_state.hpp"

namespace mesosim::analysis {

using namespace master_event;

void Collector::State::set_cause(FrameworkBooks& f, WaitCause cause) { f.causes.set(now, cause); }

WaitCause Collector::State::idle_cause() const {
  return explanations ? WaitCause::kNoFreeResources : WaitCause::kUnexplained;
}

void Collector::State::on(const FrameworkAdded& e) {
  FrameworkBooks& f = frameworks[framework(e.framework.value)];
  f.name = e.name;
  f.roles = e.roles;
  f.suppressed = std::set<std::string>(e.suppressed_roles.begin(), e.suppressed_roles.end());
  f.active = true;
  f.ever_added = true;
  for (const std::string& r : e.roles) role(r);
  set_cause(f, f.all_suppressed() ? WaitCause::kSuppressed : idle_cause());
  fairness_dirty = true;
  failover.framework_subscribed(now, e.framework.value);
}

void Collector::State::on(const FrameworkDisconnected& e) {
  failover.framework_disconnected(e.framework.value);
  FrameworkBooks& f = frameworks[framework(e.framework.value)];
  f.active = false;
  set_cause(f, WaitCause::kFrameworkInactive);
  fairness_dirty = true;
}

void Collector::State::on(const FrameworkRemoved& e) {
  failover.framework_removed(now, e.framework.value);
  FrameworkBooks& f = frameworks[framework(e.framework.value)];
  f.active = false;
  set_cause(f, WaitCause::kFrameworkInactive);
  fairness_dirty = true;
}

void Collector::State::on(const OffersSuppressed& e) {
  FrameworkBooks& f = frameworks[framework(e.framework.value)];
  f.suppressed.insert(e.roles.begin(), e.roles.end());
  if (f.active && f.all_suppressed()) set_cause(f, WaitCause::kSuppressed);
  fairness_dirty = true;
}

void Collector::State::on(const OffersRevived& e) {
  FrameworkBooks& f = frameworks[framework(e.framework.value)];
  for (const std::string& r : e.roles) f.suppressed.erase(r);
  if (f.active && !f.all_suppressed()) {
    set_cause(f, f.outstanding > 0 ? WaitCause::kFrameworkDeclined : idle_cause());
  }
  fairness_dirty = true;
}

void Collector::State::on(const OfferDeclined& e) {
  FrameworkBooks* f = resolve_offer(e.offer.value, OfferEnd::kDeclined);
  if (f == nullptr || !e.reason) return;
  ++f->declined_for[*e.reason];
  if (*e.reason == kGangHoldReleased) f->gang = true;
  f->waiting_for_locality = *e.reason == "locality";
  if (f->waiting_for_locality && f->active && !f->all_suppressed()) {
    set_cause(*f, WaitCause::kLocalityWait);
  }
}
void Collector::State::on(const OfferAccepted& e) {
  FrameworkBooks* f = resolve_offer(e.offer.value, OfferEnd::kAccepted);
  if (f != nullptr && e.tasks_launched > 0) f->waiting_for_locality = false;
}
void Collector::State::on(const OfferRescinded& e) {
  resolve_offer(e.offer.value, OfferEnd::kRescinded);
}
void Collector::State::on(const OfferVoided& e) { resolve_offer(e.offer.value, OfferEnd::kVoided); }

void Collector::State::on(const OfferSkipped& e) {
  explanations = true;
  FrameworkBooks& f = frameworks[framework(e.framework.value)];
  const size_t reason = static_cast<size_t>(e.reason);
  uint64_t& stood = f.skips_by_role[e.role][reason];
  f.skips[reason] = f.skips[reason] - stood + e.agents;
  stood = e.agents;
}

void Collector::State::on(const AllocationRun& e) {
  ++allocation_runs;
  if (e.duration) allocation_cycle_ms.push_back(static_cast<double>(e.duration->micros()) / 1000.0);
  for (FrameworkBooks& f : frameworks) {
    if (f.active) {
      WaitCause cause = idle_cause();
      if (f.all_suppressed()) {
        cause = WaitCause::kSuppressed;
      } else if (f.run_offers > 0 || f.outstanding > 0) {
        cause = f.waiting_for_locality ? WaitCause::kLocalityWait : WaitCause::kFrameworkDeclined;
      } else {
        // The reason the allocator gave on the most agents; ties go to the earlier SkipReason.
        const auto most = std::max_element(f.skips.begin(), f.skips.end());
        if (*most > 0) cause = cause_of(static_cast<SkipReason>(most - f.skips.begin()));
        if (cause == WaitCause::kFiltered && f.waiting_for_locality) {
          cause = WaitCause::kLocalityWait;  // the filter of a decline for locality
        }
      }
      set_cause(f, cause);
    }
    f.run_offers = 0;
  }
}

void Collector::State::close_offer(const OfferBooks& o) {
  FrameworkBooks& f = frameworks[o.framework];
  const double held = (now - o.made).seconds_f();
  for (const auto& [id, milli] : o.resources) {
    if (f.idle_milli_seconds.size() <= id) f.idle_milli_seconds.resize(id + 1u, 0.0);
    f.idle_milli_seconds[id] += static_cast<double>(milli) * held;
  }
  if (f.outstanding > 0) --f.outstanding;
}

FrameworkBooks* Collector::State::resolve_offer(const std::string& id, OfferEnd end) {
  const uint32_t slot = offer_index.erase(id);
  if (slot == StringIndex::kNone) return nullptr;  // made before the stream began
  OfferBooks& o = offers[slot];
  FrameworkBooks& f = frameworks[o.framework];
  last_agent = o.agent;  // its resources' recovery comes next and names this agent
  const Duration latency = now - o.made;
  switch (end) {
    case OfferEnd::kAccepted:
      ++f.accepted;
      f.accept_latency.add(latency);
      break;
    case OfferEnd::kDeclined:
      ++f.declined;
      f.decline_latency.add(latency);
      break;
    case OfferEnd::kRescinded:
      ++f.rescinded;
      break;
    case OfferEnd::kVoided:
      ++f.voided;
      break;
  }
  close_offer(o);
  o.open = false;
  free_offer_slots.push_back(slot);
  return &f;
}

std::vector<const OfferBooks*> Collector::State::open_offers() const {
  std::vector<const OfferBooks*> open;
  open.reserve(offer_index.size());
  for (const OfferBooks& o : offers) {
    if (o.open) open.push_back(&o);
  }
  std::sort(open.begin(), open.end(),
            [](const OfferBooks* a, const OfferBooks* b) { return a->seq < b->seq; });
  return open;
}

void Collector::State::drop_all_offers() {
  // In stream order, so the sums do not depend on where the offers' slots are.
  for (const OfferBooks* o : open_offers()) {
    ++frameworks[o->framework].lost;
    close_offer(*o);
  }
  for (uint32_t slot = 0; slot < offers.size(); ++slot) {
    if (!offers[slot].open) continue;
    offers[slot].open = false;
    free_offer_slots.push_back(slot);
  }
  offer_index.clear();
}

void Collector::State::recompute_fairness() {
  size_t n = 0;
  double sum = 0, sumsq = 0, high = 0, low_wanting = 0;
  bool any_wanting = false;
  for (const FrameworkBooks& f : frameworks) {
    if (!f.active) continue;
    const double x = subjects[f.subject].current_share;
    ++n;
    sum += x;
    sumsq += x * x;
    high = std::max(high, x);
    if (!f.all_suppressed()) {
      low_wanting = any_wanting ? std::min(low_wanting, x) : x;
      any_wanting = true;
    }
  }
  jain_defined = n > 0 && sum > 0;
  jain_now = jain_defined ? sum * sum / (static_cast<double>(n) * sumsq) : 0;
  envy_now = any_wanting ? std::max(0.0, high - low_wanting) : 0;
  fairness_dirty = false;
}

}  // namespace mesosim::analysis
