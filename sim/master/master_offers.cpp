// Master: allocation runs, offers and rescinds.

#include <charconv>
#include <string>
#include <utility>

#include "allocator/check.hpp"
#include "sim/master/master_state.hpp"

namespace mesosim {

namespace sched = v1::scheduler;

namespace {

// "<master id>-O<n>", as fmt::format("{}-O{}") writes it, without parsing a format per offer.
std::string format_offer_id(const std::string& master_id, uint64_t n) {
  char digits[20];
  const auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
  std::string id;
  id.reserve(master_id.size() + 2 + static_cast<size_t>(end - digits));
  id += master_id;
  id += "-O";
  id.append(digits, end);
  return id;
}

}  // namespace

v1::OfferID Master::State::offer_id(const Offer& o) const {
  return v1::OfferID{format_offer_id(m.options_.master_id, o.number)};
}

void Master::State::request_allocation_soon() {
  // One run at the current time, after every message already due now: triggers that arrive
  // together are served together (Mesos batches its allocation dispatches the same way).
  if (batch_timer.value != 0) return;
  batch_timer = m.clock_.schedule(Duration::zero(), [this] {
    batch_timer = TimerId{};
    run_allocation();
  });
}

void Master::State::run_allocation() {
  if (offers_timer.value != 0) {
    // The allocator is still busy with the last run (charged time): run again when it is done.
    rerun_allocation = true;
    return;
  }
  if (!m.allocator_->allocation_pending()) return;
  Stopwatch* stopwatch = m.options_.stopwatch;
  const Duration started = stopwatch ? stopwatch->elapsed() : Duration::zero();
  m.allocator_->allocate_into(m.clock_.now(), allocations);
  std::optional<Duration> took;
  if (stopwatch) took = stopwatch->elapsed() - started;
  publish_skips();
  ++m.allocation_runs_;
  if (m.options_.charge_allocation_time && took && *took > Duration::zero()) {
    // As Mesos's allocator actor: the offers are made when the run is done, and the runs
    // asked for meanwhile wait for it.
    offers_timer = m.clock_.schedule(*took, [this, made = std::move(allocations), took] {
      offers_timer = TimerId{};
      make_offers(made, took, true);
      if (std::exchange(rerun_allocation, false)) run_allocation();
    });
    return;
  }
  make_offers(allocations, took, false);
  allocations.clear();  // kept for its capacity: the next run needs no large block
}

void Master::State::make_offers(const std::vector<Allocation>& allocations,
                                std::optional<Duration> took, bool deferred) {
  // One OFFERS event per framework, frameworks in the order they first got an offer. A batch is
  // found by the framework's handle (batch_of), not by a search over the batches.
  std::vector<std::pair<Framework*, std::vector<v1::Offer>>> batches;
  batch_of.assign(framework_slots.size(), kNoBatch);
  batch_size.assign(framework_slots.size(), 0);
  for (const Allocation& a : allocations) ++batch_size[a.framework.value];
  for (const Allocation& a : allocations) {
    Framework* f = framework_by_handle(a.framework);
    Agent* agent = agent_by_handle(a.agent);
    // A deferred run's framework or agent may have gone or gone inactive meanwhile: its share
    // goes back, as Mesos's Master::offer() does. (The allocator ignores a removed one's.)
    if (!f || !agent || (deferred && (!f->active || !agent->connected))) {
      // Without a deferral this cannot happen while the books agree; the allocation must not
      // leak.
      m.allocator_->recover(m.clock_.now(), a.framework, a.agent, a.role, a.resources,
                            std::nullopt);
      continue;
    }
    uint32_t& batch = batch_of[a.framework.value];
    if (batch == kNoBatch) {
      batch = static_cast<uint32_t>(batches.size());
      batches.emplace_back(f, std::vector<v1::Offer>{});
      batches.back().second.reserve(batch_size[a.framework.value]);  // never moves its offers
    }
    // The offer is made once, in its framework's batch; the record keeps what the master needs.
    const uint64_t number = next_offer++;
    const v1::Offer& made = batches[batch].second.emplace_back(v1::Offer{
        v1::OfferID{format_offer_id(m.options_.master_id, number)}, *f->info.id, *agent->info.id,
        agent->info.hostname, a.role, a.resources, agent->info.attributes});
    const OfferRef ref{take_slot(offer_slots, free_offer_slots)};
    Offer& o = offer_slots[ref.value];
    o.number = number;
    o.role = a.role;
    o.resources = a.resources;
    o.framework = a.framework;
    o.agent = a.agent;
    o.live = true;
    offer_index.insert(static_cast<uint32_t>(number), ref.value);
    o.at_framework = static_cast<uint32_t>(f->offers.size());
    f->offers.push_back(ref);
    o.at_agent = static_cast<uint32_t>(agent->offers.size());
    agent->offers.push_back(ref);
    if (observed()) {
      auto& e = reuse<master_event::OfferMade>(offer_made_event);
      [[maybe_unused]] auto& [f1, f2, f3, f4, f5] = e;  // every field is assigned
      e.offer = made.id;
      e.framework = *f->info.id;
      e.agent = *agent->info.id;
      e.role = a.role;
      e.resources = a.resources;
      emit(offer_made_event);
    }
    if (m.options_.offer_timeout) {
      o.timeout = m.clock_.schedule(*m.options_.offer_timeout, [this, ref] {
        Offer& timed_out = offer_at(ref);
        timed_out.timeout = TimerId{};
        rescind_offer(timed_out, OfferRescindedReason::kOfferTimeout);
      });
    }
  }
  for (auto& [f, batch] : batches) send_event(*f, sched::Offers{std::move(batch)});
  if (observed()) {
    reuse<master_event::AllocationRun>(run_event) = {allocations.size(), took};
    emit(run_event);
  }
}

void Master::State::recover(const Framework& f, const Agent& a, const std::string& role,
                            const Resources& resources, std::optional<Duration> filter,
                            RecoveredReason reason) {
  if (resources.empty()) return;
  m.allocator_->recover(m.clock_.now(), f.handle, a.handle, role, resources, filter);
  if (!observed()) return;
  // Both events have these four fields, then one of their own (the bindings below check that
  // each gains no other).
  auto where = [&](auto& e) -> auto& {
    e.framework = *f.info.id;
    e.agent = *a.info.id;
    e.role = role;
    e.resources = resources;
    return e;
  };
  auto& recovered = where(reuse<master_event::ResourcesRecovered>(recovered_event));
  [[maybe_unused]] auto& [r1, r2, r3, r4, r5] = recovered;
  recovered.reason = reason;
  emit(recovered_event);
  if (filter) {
    auto& set = where(reuse<master_event::FilterSet>(filter_event));
    [[maybe_unused]] auto& [s1, s2, s3, s4, s5] = set;
    set.duration = *filter;
    emit(filter_event);
  }
}

void Master::State::remove_offer(Offer& offer, std::optional<RecoveredReason> give_back,
                                 std::optional<Duration> filter) {
  const OfferRef ref{offer_index.take(static_cast<uint32_t>(offer.number),
                                      [&](uint32_t s) { return &offer_slots[s] == &offer; })};
  MESOSIM_CHECK(ref.value != FlatIndex::kNone, "an offer in the books is indexed");
  m.clock_.cancel(offer.timeout);
  // An offer's framework and agent are in the books while it is: both rescind their offers
  // before they leave.
  Framework* f = framework_by_handle(offer.framework);
  Agent* a = agent_by_handle(offer.agent);
  if (f) unlist(f->offers, &Offer::at_framework, ref);
  if (a) unlist(a->offers, &Offer::at_agent, ref);
  Offer o = std::move(offer);
  offer = Offer{};
  free_offer_slots.push_back(ref.value);
  if (give_back && f && a) recover(*f, *a, o.role, o.resources, filter, *give_back);
}

void Master::State::rescind_offer(Offer& o, OfferRescindedReason reason) {
  // Its framework is in the books (check_invariants() checks it): a framework's offers are
  // rescinded before it leaves. The event names it by its record's id.
  if (Framework* f = framework_by_handle(o.framework)) {
    const v1::OfferID id = offer_id(o);
    send_event(*f, sched::Rescind{id});
    if (observed()) publish(master_event::OfferRescinded{id, *f->info.id, reason});
  }
  remove_offer(o, RecoveredReason::kRescinded, std::nullopt);
}

}  // namespace mesosim
