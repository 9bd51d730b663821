#include "sim/sim_network.hpp"

#include <algorithm>
#include <array>
#include <utility>
#include <variant>

#include "allocator/check.hpp"

namespace mesosim {
namespace {

uint64_t pair_key(Endpoint from, Endpoint to) { return (uint64_t{from.value} << 32) | to.value; }

// The size of each kind of message, by its index in Message: how much of a slot a delivery reads.
template <size_t... I>
constexpr std::array<uint32_t, sizeof...(I)> message_sizes(std::index_sequence<I...>) {
  return {static_cast<uint32_t>(sizeof(std::variant_alternative_t<I, Message>))...};
}
constexpr auto kMessageSizes =
    message_sizes(std::make_index_sequence<std::variant_size_v<Message>>());

}  // namespace

SimNetwork::SimNetwork(EventQueue& queue, Rng rng, LatencyModel latency)
    : queue_(queue),
      delivery_(queue.register_plain(
          [](void* network, uint64_t arg) {  // the slot, and the message's size above it
            static_cast<SimNetwork*>(network)->deliver(static_cast<uint32_t>(arg));
          },
          this,
          // The next delivery's slot, most likely written a wave of messages ago: its header and
          // as many bytes as its message has (the argument's high half, from enqueue()), and the
          // variant's index at the end.
          [](void* network, uint64_t arg) {
            const InFlight& f =
                static_cast<SimNetwork*>(network)->in_flight_[static_cast<uint32_t>(arg)];
            const char* p = reinterpret_cast<const char*>(&f);
            const char* end = reinterpret_cast<const char*>(&f.message) + (arg >> 32);
            for (; p < end; p += 64) __builtin_prefetch(p);
            __builtin_prefetch(reinterpret_cast<const char*>(&f) + sizeof(InFlight) - 1);
          })),
      rng_(rng),
      latency_(latency) {
  MESOSIM_CHECK(latency.fixed >= Duration::zero(), "negative fixed latency");
  MESOSIM_CHECK(latency.jitter >= Duration::zero(), "negative latency jitter");
}

Endpoint SimNetwork::add(std::string name, Process* process) {
  return add_party(std::move(name), process, false);
}

Endpoint SimNetwork::add_always_available(std::string name, Process* process) {
  return add_party(std::move(name), process, true);
}

Endpoint SimNetwork::add_party(std::string name, Process* process, bool always_available) {
  MESOSIM_CHECK(process != nullptr, "add() of a null process");
  MESOSIM_CHECK(parties_.size() < UINT32_MAX, "too many endpoints");
  const Endpoint endpoint{static_cast<uint32_t>(parties_.size())};
  const bool inserted = by_name_.emplace(name, endpoint).second;
  MESOSIM_CHECK(inserted, "add() of an endpoint name already in use");
  Party& p = parties_.emplace_back();
  p.name = std::move(name);
  p.process = process;
  p.always_available = always_available;
  return endpoint;
}

void SimNetwork::require_known(Endpoint endpoint) const {
  MESOSIM_CHECK(endpoint.value < parties_.size(), "unknown endpoint");
}

SimNetwork::Party& SimNetwork::party(Endpoint endpoint) {
  require_known(endpoint);
  return parties_[endpoint.value];
}

const SimNetwork::Party& SimNetwork::party(Endpoint endpoint) const {
  require_known(endpoint);
  return parties_[endpoint.value];
}

const std::string& SimNetwork::name(Endpoint endpoint) const { return party(endpoint).name; }

std::optional<Endpoint> SimNetwork::find(std::string_view name) const {
  const auto it = by_name_.find(name);
  if (it == by_name_.end()) return std::nullopt;
  return it->second;
}

bool SimNetwork::up(Endpoint endpoint) const { return party(endpoint).up; }

uint64_t SimNetwork::incarnation(Endpoint endpoint) const { return party(endpoint).incarnation; }

void SimNetwork::send(Endpoint from, Endpoint to, Message&& message) {
  const bool deliverable = party(from).up && party(to).up && !partitioned(from, to);
  ++sent_;
  if (!deliverable) {
    ++dropped_;
    return;
  }
  enqueue(from, to, std::move(message), false);
}

Duration SimNetwork::draw_latency() {
  const auto jitter = static_cast<uint64_t>(latency_.jitter.micros());
  return latency_.fixed + Duration::micros(static_cast<int64_t>(rng_.below(jitter + 1)));
}

void SimNetwork::enqueue(Endpoint from, Endpoint to, Message&& message, bool exit_notice) {
  Time due = queue_.now() + draw_latency();
  // The floor is kept across incarnations on purpose: an Exited notice rides the same pair as
  // the crashed peer's data, so a restarted peer's first message can never overtake it.
  bool fresh = false;
  Time& floor = fifo_floor_.at(pair_key(from, to), due, fresh);
  if (!fresh) floor = due = std::max(due, floor);

  uint32_t slot;
  if (free_slots_.empty()) {
    slot = static_cast<uint32_t>(in_flight_.size());
    in_flight_.emplace_back();
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
  }
  InFlight& f = in_flight_[slot];
  f.from = from;
  f.to = to;
  f.to_incarnation = party(to).incarnation;
  f.exit_notice = exit_notice;
  f.cut = false;
  f.occupied = true;
  f.message = std::move(message);
  ++in_flight_count_;
  // Equal due times run in scheduling order, so a message that lands on its pair's floor still
  // arrives after the one that set it.
  queue_.schedule_plain_at(due, delivery_,
                           slot | (uint64_t{kMessageSizes[f.message.index()]} << 32));
}

void SimNetwork::deliver(uint32_t slot) {
  InFlight& f = in_flight_[slot];
  const Endpoint from = f.from;
  const Endpoint to = f.to;
  const Party& receiver = parties_[to.value];
  const bool deliverable = !f.cut && receiver.up && receiver.incarnation == f.to_incarnation;
  --in_flight_count_;
  if (!deliverable) {
    ++dropped_;
    release(slot);
    return;
  }
  ++delivered_;
  if (observer_) observer_(queue_.now(), from, to, f.message);
  // The receiver reads (and moves from) the message in its slot. The slot is released only
  // afterwards, so a send from inside receive() takes another one; adding slots leaves this one
  // where it is.
  Process* process = receiver.process;
  process->receive(from, std::move(f.message));
  release(slot);
}

void SimNetwork::release(uint32_t slot) {
  in_flight_[slot].occupied = false;
  free_slots_.push_back(slot);
}

void SimNetwork::link(Endpoint self, Endpoint peer) {
  MESOSIM_CHECK(self != peer, "link() of an endpoint to itself");
  Party& watcher = party(self);
  Party& watched = party(peer);
  if (!watcher.up) return;
  if (!watched.up) {
    // As in libprocess, linking to a process that is already gone reports its exit at once.
    ++sent_;
    if (partitioned(self, peer)) {
      ++dropped_;
    } else {
      enqueue(peer, self, ExitedMessage{peer}, true);
    }
    return;
  }
  watched.watchers.insert(self);
  watcher.watching.insert(peer);
}

void SimNetwork::crash(Endpoint endpoint) { go_down(endpoint, Shutdown::kCrash); }

void SimNetwork::stop(Endpoint endpoint) { go_down(endpoint, Shutdown::kStop); }

void SimNetwork::go_down(Endpoint endpoint, Shutdown how) {
  Party& p = party(endpoint);
  MESOSIM_CHECK(p.up, "crash() or stop() of an endpoint that is already down");
  MESOSIM_CHECK(!p.always_available, "crash() or stop() of an always-available endpoint");
  if (listener_) listener_->going_down(endpoint, how == Shutdown::kCrash);
  p.up = false;
  p.process = nullptr;
  // Messages to it are dropped on arrival by the incarnation check; only a crash also loses
  // what it had sent, since a graceful close flushes its connections first.
  if (how == Shutdown::kCrash) {
    cut_in_flight([endpoint](const InFlight& f) { return !f.exit_notice && f.from == endpoint; });
  }
  notify_watchers(endpoint);
  forget_links(endpoint);
}

Time& SimNetwork::PairFloors::at(uint64_t key, Time due, bool& fresh) {
  const auto same = [key](const Slot& s) { return s.key == key; };
  const auto [slot, inserted] = slots_.try_emplace(key, same, [&] { return Slot{key, due}; });
  fresh = inserted;
  return slot->floor;
}

void SimNetwork::EndpointSet::insert(Endpoint e) {
  const auto same = [e](const Member& m) { return m.value == e.value; };
  members_.try_emplace(e.value, same, [e] { return Member{e.value}; });
}

void SimNetwork::EndpointSet::erase(Endpoint e) {
  const Member* m = members_.find(e.value, [e](const Member& x) { return x.value == e.value; });
  if (m != nullptr) members_.erase(m);
}

void SimNetwork::EndpointSet::clear() { members_.reset(); }

std::vector<Endpoint> SimNetwork::EndpointSet::sorted() const {
  std::vector<Endpoint> out;
  out.reserve(members_.size());
  for_each([&](Endpoint e) { out.push_back(e); });
  std::sort(out.begin(), out.end());
  return out;
}

void SimNetwork::notify_watchers(Endpoint endpoint) {
  // In ascending endpoint order, as the class promises.
  for (const Endpoint watcher : party(endpoint).watchers.sorted()) {
    // Watchers that crashed have already unlinked, so every watcher here is up.
    ++sent_;
    if (partitioned(watcher, endpoint)) {
      ++dropped_;
      continue;
    }
    enqueue(endpoint, watcher, ExitedMessage{endpoint}, true);
  }
}

void SimNetwork::forget_links(Endpoint endpoint) {
  Party& p = party(endpoint);
  // Each erase stands alone: the order of the walks does not matter.
  p.watchers.for_each([&](Endpoint watcher) { parties_[watcher.value].watching.erase(endpoint); });
  p.watching.for_each([&](Endpoint watched) { parties_[watched.value].watchers.erase(endpoint); });
  p.watchers.clear();
  p.watching.clear();
}

void SimNetwork::restart(Endpoint endpoint, Process* fresh) {
  Party& p = party(endpoint);
  MESOSIM_CHECK(!p.up, "restart() of an endpoint that is up");
  MESOSIM_CHECK(fresh != nullptr, "restart() with a null process");
  p.up = true;
  p.process = fresh;
  ++p.incarnation;
}

std::pair<Endpoint, Endpoint> SimNetwork::ordered(Endpoint a, Endpoint b) {
  return a < b ? std::pair{a, b} : std::pair{b, a};
}

void SimNetwork::partition(Endpoint a, Endpoint b) { partition_groups({a}, {b}); }

void SimNetwork::partition_groups(const std::vector<Endpoint>& side_a,
                                  const std::vector<Endpoint>& side_b) {
  bool added = false;
  for (const Endpoint a : side_a) {
    for (const Endpoint b : side_b) {
      MESOSIM_CHECK(a != b, "partition of an endpoint from itself");
      if (party(a).always_available || party(b).always_available) continue;
      if (partitions_.contains(ordered(a, b))) continue;
      if (listener_) listener_->partitioning(a, b);
      partitions_.insert(ordered(a, b));
      added = true;
    }
  }
  // Messages already partitioned at send time never left, so every in-flight message between a
  // now-partitioned pair was cut by this call (or an earlier one).
  if (added) {
    cut_in_flight([this](const InFlight& f) { return partitioned(f.from, f.to); });
  }
}

void SimNetwork::heal(Endpoint a, Endpoint b) {
  require_known(a);
  require_known(b);
  partitions_.erase(ordered(a, b));
}

void SimNetwork::heal_all() { partitions_.clear(); }

bool SimNetwork::partitioned(Endpoint a, Endpoint b) const {
  require_known(a);
  require_known(b);
  return !partitions_.empty() && partitions_.contains(ordered(a, b));
}

void SimNetwork::cut_in_flight(const std::function<bool(const InFlight&)>& broken) {
  // Faults are rare next to messages, so a sweep over what is in flight when one happens is
  // cheaper than a check per message per pair on every delivery.
  for (size_t i = 0; i < in_flight_.size(); ++i) {
    InFlight& f = in_flight_[i];
    if (f.occupied && broken(f)) f.cut = true;
  }
}

}  // namespace mesosim
