#include "sim/sim_health.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "allocator/check.hpp"

namespace mesosim {
namespace {

// splitmix64's finalizer: a fixed, platform-independent hash.
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

class SimHealth::MasterSide final : public AgentHealth {
 public:
  MasterSide(SimHealth& health, Endpoint self, Duration period, int max_missed)
      : health_(health), self_(self), period_(period), max_missed_(max_missed) {}

  void set_failure_handler(FailureHandler handler) override { failed_ = std::move(handler); }
  void watch(Endpoint agent, bool connected) override { health_.watch(*this, agent, connected); }
  void unwatch(Endpoint agent) override { health_.unwatch(self_, agent); }
  void unwatch_all() override {
    health_.rebuild_master(self_);
    std::erase_if(health_.pairs_, [this](auto& kv) {
      if ((kv.first >> 32) != self_.value) return false;
      health_.queue_.cancel(kv.second.tick);
      return true;
    });
  }
  void set_connected(Endpoint agent, bool connected) override {
    Pair& p = rebuilt_pair(agent, "set_connected()");
    p.connected = connected;
  }
  void heard_from(Endpoint agent) override {
    rebuilt_pair(agent, "heard_from()").count.answered();
  }
  void pong(Endpoint from) override { health_.pong_arrived(self_, from); }

  Endpoint self() const { return self_; }
  Duration period() const { return period_; }
  int max_missed() const { return max_missed_; }
  const FailureHandler& failed() const { return failed_; }

 private:
  Pair& rebuilt_pair(Endpoint agent, const char* what) {
    Pair* p = health_.pair(self_, agent);
    MESOSIM_CHECK(p != nullptr, (std::string(what) + " of an agent not watched").c_str());
    if (p->lazy) health_.rebuild(agent);
    return *p;
  }

  SimHealth& health_;
  Endpoint self_;
  Duration period_;
  int max_missed_;
  FailureHandler failed_;
};

SimHealth::SimHealth(EventQueue& queue, SimNetwork& network, LatencyModel latency, uint64_t seed,
                     bool lazy)
    : queue_(queue), network_(network), latency_(latency), seed_(mix(seed)), lazy_(lazy) {
  network_.set_listener(this);
}

SimHealth::~SimHealth() {
  network_.set_listener(nullptr);
  // Pending health timers capture `this`; the queue may outlive us.
  for (auto& [key, p] : pairs_) queue_.cancel(p.tick);
  for (Agent& a : agents_) queue_.cancel(a.timer);
  for (auto& [id, f] : flights_) queue_.cancel(f.timer);
}

AgentHealth& SimHealth::master_side(Endpoint master, Duration period, int max_missed) {
  auto& side = masters_[master.value];
  if (!side) side = std::make_unique<MasterSide>(*this, master, period, max_missed);
  return *side;
}

uint64_t SimHealth::rank(Endpoint agent, Endpoint master, Kind kind) {
  constexpr uint32_t kLimit = uint32_t{1} << 30;
  MESOSIM_CHECK(agent.value < kLimit && master.value < kLimit,
                "an endpoint too large for a health event's rank");
  return (((uint64_t{agent.value} << 30) | master.value) << 2) | kind;
}

Duration SimHealth::latency(Endpoint from, Endpoint to, Time sent) const {
  const auto jitter = static_cast<uint64_t>(latency_.jitter.micros());
  const uint64_t h = mix(seed_ ^ mix(pair_key(from, to) ^ mix(static_cast<uint64_t>(sent.micros()))));
  return latency_.fixed + Duration::micros(static_cast<int64_t>(h % (jitter + 1)));
}

SimHealth::Agent* SimHealth::agent(Endpoint e) {
  return e.value < agents_.size() && agents_[e.value].side ? &agents_[e.value] : nullptr;
}

SimHealth::Pair* SimHealth::pair(Endpoint master, Endpoint agent) {
  auto it = pairs_.find(pair_key(master, agent));
  return it == pairs_.end() ? nullptr : &it->second;
}

void SimHealth::add_agent(Endpoint self, AgentSide* side) {
  MESOSIM_CHECK(side != nullptr, "add_agent() of a null agent");
  if (agents_.size() <= self.value) agents_.resize(self.value + 1);
  MESOSIM_CHECK(agents_[self.value].side == nullptr, "add_agent() of an endpoint twice");
  agents_[self.value].side = side;
}

// ---- the master side ----

void SimHealth::watch(MasterSide& side, Endpoint agent_endpoint, bool connected) {
  const Endpoint master = side.self();
  auto [it, inserted] = pairs_.try_emplace(pair_key(master, agent_endpoint));
  MESOSIM_CHECK(inserted, "watch() of an agent already watched");
  Pair& p = it->second;
  p.side = &side;
  p.connected = connected;
  p.channel = agent(agent_endpoint) != nullptr;
  schedule_tick(master, agent_endpoint, p, queue_.now());
}

void SimHealth::unwatch(Endpoint master, Endpoint agent_endpoint) {
  auto it = pairs_.find(pair_key(master, agent_endpoint));
  if (it == pairs_.end()) return;
  if (it->second.lazy) rebuild(agent_endpoint);
  queue_.cancel(it->second.tick);
  pairs_.erase(it);
}

void SimHealth::schedule_tick(Endpoint master, Endpoint agent_endpoint, Pair& p, Time at) {
  p.next_tick = at;
  p.tick = queue_.schedule_ranked(at, rank(agent_endpoint, master, kTick),
                                  [this, master, agent_endpoint] { tick(master, agent_endpoint); });
}

void SimHealth::tick(Endpoint master, Endpoint agent_endpoint) {
  auto it = pairs_.find(pair_key(master, agent_endpoint));
  if (it == pairs_.end()) return;
  Pair& p = it->second;
  p.tick = {};
  if (p.count.tick(p.side->max_missed())) {
    const int missed = p.count.missed;
    const MasterSide* side = p.side;
    pairs_.erase(it);
    if (side->failed()) side->failed()(agent_endpoint, missed);
    return;
  }
  if (p.channel) {
    send(kPing, master, agent_endpoint, p.connected);
  } else {
    network_.send(master, agent_endpoint, v1::PingAgentMessage{p.connected});
  }
  schedule_tick(master, agent_endpoint, p, queue_.now() + p.side->period());
}

void SimHealth::pong_arrived(Endpoint master, Endpoint agent_endpoint) {
  Pair* p = pair(master, agent_endpoint);
  if (!p) return;
  if (p->lazy) rebuild(agent_endpoint);
  p->count.answered();
  maybe_go_lazy(master, agent_endpoint, *p);
}

// ---- the agent side ----

void SimHealth::arm(Endpoint agent_endpoint, Endpoint leader, Duration timeout) {
  Agent* a = agent(agent_endpoint);
  MESOSIM_CHECK(a != nullptr, "arm() of an agent not added");
  rebuild(agent_endpoint);
  queue_.cancel(a->timer);
  a->armed = true;
  a->leader = leader;
  a->timeout = timeout;
  a->armed_at = queue_.now();
  schedule_timeout(agent_endpoint, *a);
}

void SimHealth::disarm(Endpoint agent_endpoint) {
  Agent* a = agent(agent_endpoint);
  MESOSIM_CHECK(a != nullptr, "disarm() of an agent not added");
  rebuild(agent_endpoint);
  queue_.cancel(a->timer);
  a->timer = {};
  a->armed = false;
}

void SimHealth::send_pong(Endpoint agent_endpoint, Endpoint to) {
  rebuild(agent_endpoint);
  send(kPong, agent_endpoint, to, true);
}

void SimHealth::schedule_timeout(Endpoint agent_endpoint, Agent& a) {
  a.timer = queue_.schedule_ranked(a.armed_at + a.timeout, rank(agent_endpoint, a.leader, kTimeout),
                                   [this, agent_endpoint] {
                                     Agent& self = agents_[agent_endpoint.value];
                                     self.timer = {};
                                     self.armed = false;
                                     self.side->ping_timed_out();
                                   });
}

// ---- the channel ----

void SimHealth::send(Kind kind, Endpoint from, Endpoint to, bool connected) {
  if (!network_.up(from) || !network_.up(to) || network_.partitioned(from, to)) return;
  const Time now = queue_.now();
  Time arrival = now + latency(from, to, now);
  // FIFO per ordered pair, and never two arrivals of one pair at the same time (their ranks
  // would tie).
  auto [floor, fresh] = floors_.try_emplace(pair_key(from, to), arrival);
  if (!fresh) floor->second = arrival = std::max(arrival, floor->second + Duration::micros(1));
  put_in_flight(Flight{kind, from, to, network_.incarnation(to), connected, false, {}}, arrival);
}

void SimHealth::put_in_flight(Flight f, Time arrival) {
  const uint64_t id = next_flight_++;
  const Endpoint agent_endpoint = f.kind == kPing ? f.to : f.from;
  const Endpoint master = f.kind == kPing ? f.from : f.to;
  if (Agent* a = agent(agent_endpoint)) ++a->in_flight;
  f.timer = queue_.schedule_ranked(arrival, rank(agent_endpoint, master, f.kind),
                                   [this, id] { arrive(id); });
  flights_.emplace(id, f);
}

void SimHealth::arrive(uint64_t id) {
  auto it = flights_.find(id);
  MESOSIM_CHECK(it != flights_.end(), "a health message arrived twice");
  const Flight f = it->second;
  flights_.erase(it);
  const Endpoint agent_endpoint = f.kind == kPing ? f.to : f.from;
  if (Agent* a = agent(agent_endpoint)) --a->in_flight;
  if (f.cut || !network_.up(f.to) || network_.incarnation(f.to) != f.to_incarnation) return;
  if (f.kind == kPing) {
    if (Agent* a = agent(f.to)) a->side->ping_arrived(f.from, f.connected);
  } else {
    pong_arrived(f.to, f.from);
  }
}

void SimHealth::going_down(Endpoint endpoint, bool crash) {
  rebuild(endpoint);
  if (masters_.contains(endpoint.value)) rebuild_master(endpoint);
  if (!crash) return;
  for (auto& [id, f] : flights_) {
    if (f.from == endpoint) f.cut = true;
  }
}

void SimHealth::partitioning(Endpoint a, Endpoint b) {
  for (const auto& [master, agent_endpoint] : {std::pair{a, b}, std::pair{b, a}}) {
    const Agent* rec = agent(agent_endpoint);
    if (rec && rec->lazy_with == master) rebuild(agent_endpoint);
  }
  for (auto& [id, f] : flights_) {
    if ((f.from == a && f.to == b) || (f.from == b && f.to == a)) f.cut = true;
  }
}

// ---- the lazy model ----

void SimHealth::maybe_go_lazy(Endpoint master, Endpoint agent_endpoint, Pair& p) {
  if (!lazy_ || p.lazy || !p.channel || !p.connected || !p.tick.value) return;
  Agent* a = agent(agent_endpoint);
  if (!a || !a->armed || a->leader != master || a->in_flight != 0 || a->lazy_with) return;
  if (!network_.up(master) || !network_.up(agent_endpoint) ||
      network_.partitioned(master, agent_endpoint)) {
    return;
  }
  // The steady state must be certain: every pong back before the next tick (ties go to the
  // tick), every ping in before the agent's timeout, no message held back by its pair's floor.
  const Duration period = p.side->period();
  const Duration most = latency_.fixed + latency_.jitter;
  if (!(most + most < period) || !(period + latency_.jitter < a->timeout)) return;
  const Time now = queue_.now();
  if (p.next_tick <= now || !(p.next_tick + most < a->armed_at + a->timeout)) return;
  p.lazy = true;
  p.lazy_tick = p.next_tick;
  p.lazy_incarnation = network_.incarnation(agent_endpoint);
  queue_.cancel(p.tick);
  p.tick = {};
  queue_.cancel(a->timer);
  a->timer = {};
  a->lazy_with = master;
}

void SimHealth::rebuild_master(Endpoint master) {
  std::vector<Endpoint> lazy;
  for (const auto& [key, p] : pairs_) {
    if ((key >> 32) == master.value && p.lazy) lazy.push_back(Endpoint{static_cast<uint32_t>(key)});
  }
  for (const Endpoint e : lazy) rebuild(e);
}

void SimHealth::rebuild(Endpoint agent_endpoint) {
  Agent* a = agent(agent_endpoint);
  if (!a || !a->lazy_with) return;
  const Endpoint master = *a->lazy_with;
  Pair& p = pairs_.at(pair_key(master, agent_endpoint));
  a->lazy_with.reset();
  p.lazy = false;
  ++rebuilt_;
  // Ticks T1, T1 + P, ... ran up to now (health events at now included: they run first). Each
  // found its pong, sent a ping that re-armed the agent, whose pong came back before the next.
  const Time now = queue_.now();
  const Duration period = p.side->period();
  const Time first = p.lazy_tick;
  const int64_t ran = now < first ? 0 : (now - first).micros() / period.micros() + 1;
  p.count.answered();
  if (ran > 0) {
    const Time last_tick = first + period * (ran - 1);
    const Time ping_arrival = last_tick + latency(master, agent_endpoint, last_tick);
    floors_[pair_key(master, agent_endpoint)] = ping_arrival;
    if (ping_arrival > now) {
      // The last ping is on its way; the agent was last armed by the one before.
      p.count.pong_received = false;
      if (ran > 1) {
        const Time before = last_tick - period;
        const Time arrival = before + latency(master, agent_endpoint, before);
        a->armed_at = arrival;
        floors_[pair_key(agent_endpoint, master)] =
            arrival + latency(agent_endpoint, master, arrival);
      }
      put_in_flight(Flight{kPing, master, agent_endpoint, p.lazy_incarnation, true, false, {}},
                    ping_arrival);
    } else {
      a->armed_at = ping_arrival;
      const Time pong_arrival = ping_arrival + latency(agent_endpoint, master, ping_arrival);
      floors_[pair_key(agent_endpoint, master)] = pong_arrival;
      if (pong_arrival > now) {
        p.count.pong_received = false;
        put_in_flight(
            Flight{kPong, agent_endpoint, master, network_.incarnation(master), true, false, {}},
            pong_arrival);
      }
    }
  }
  schedule_timeout(agent_endpoint, *a);
  schedule_tick(master, agent_endpoint, p, first + period * ran);
}

size_t SimHealth::lazy_pairs() const {
  return static_cast<size_t>(
      std::count_if(pairs_.begin(), pairs_.end(), [](const auto& kv) { return kv.second.lazy; }));
}

}  // namespace mesosim
