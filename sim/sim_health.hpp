#pragma once

// Agent health checks in the simulator: the master's pings, the agents' pongs and the agents'
// ping timeouts, as agent_health.hpp and sim_agent.hpp state the protocol, on a channel of their
// own so that a healthy agent's checks cost nothing until something happens to it.
//
// The channel. Health messages are not SimNetwork messages: they neither draw from the network's
// generator nor queue behind other traffic. A ping or pong sent at t from `from` to `to` arrives
// at t + fixed + h, h in [0, jitter] a hash of (seed, from, to, t), and never before the previous
// health message of that ordered pair. Otherwise they are lost as network messages are: either
// side down or the pair partitioned at send time; a partition of the pair, or a crash (not a
// stop) of the sender, while in flight; the receiver down, or restarted, on arrival. Parties
// that are not SimAgents registered here (a test playing an agent by hand) get real
// PingAgentMessages through the network instead, and answer with PongAgentMessage.
//
// Order. Every health event (a master's tick, a ping's or pong's arrival, an agent's timeout) is
// an EventQueue ranked timer: at equal times they run before every other event, ordered by
// (agent, master, kind) whenever they were created.
//
// Lazy model. Once a pong reaches a master from an agent that is registered with it, connected,
// up, not partitioned from it and with nothing else of theirs in flight, and the timing makes
// the steady state certain (period > 2 × the largest latency, agent timeout > period + jitter),
// the pair stops producing events: every later tick finds its pong, every ping re-arms the agent,
// all at times the hash gives. Anything that could end that (a call on either side, a crash,
// stop or partition touching the pair) first rebuilds, as of now, exactly the state the event-
// by-event model would have: the master's count and next tick, the agent's timeout, the ping or
// pong in flight. Because every health event at the current time has already run in both
// models (ranked first), and nothing draws from a generator, a run is the same event for event
// whether pairs go lazy or not (SimClusterOptions::lazy_pings; tests/sim/periodic_work_test.cpp).
//
// Used from one thread. Must outlive the masters and agents that use it; its timers capture
// `this`, so the EventQueue must not run them after it is gone.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "allocator/time.hpp"
#include "sim/event_queue.hpp"
#include "sim/master/agent_health.hpp"
#include "sim/sim_network.hpp"

namespace mesosim {

class SimHealth final : public NetworkListener {
 public:
  // The agent half: what a ping does and what the timeout does are the agent's business.
  class AgentSide {
   public:
    virtual ~AgentSide() = default;
    virtual void ping_arrived(Endpoint from, bool connected) = 0;
    virtual void ping_timed_out() = 0;
  };

  // Registers itself as `network`'s listener.
  SimHealth(EventQueue& queue, SimNetwork& network, LatencyModel latency, uint64_t seed,
            bool lazy);
  ~SimHealth() override;
  SimHealth(const SimHealth&) = delete;
  SimHealth& operator=(const SimHealth&) = delete;

  // The AgentHealth of the master at `master`, created on first use with its period and bound;
  // every master incarnation at that endpoint uses the same one.
  AgentHealth& master_side(Endpoint master, Duration period, int max_missed);

  // The agent at `self` takes health messages from here (before it is pinged).
  void add_agent(Endpoint self, AgentSide* agent);
  // (Re)starts its timeout: ping_timed_out() at now + timeout unless armed again or disarmed.
  void arm(Endpoint agent, Endpoint leader, Duration timeout);
  void disarm(Endpoint agent);
  void send_pong(Endpoint agent, Endpoint to);

  // NetworkListener.
  void going_down(Endpoint endpoint, bool crash) override;
  void partitioning(Endpoint a, Endpoint b) override;

  // Pairs now modelled lazily, and how often a lazy pair was rebuilt (tests, benchmarks).
  size_t lazy_pairs() const;
  uint64_t rebuilt() const { return rebuilt_; }

 private:
  class MasterSide;
  enum Kind : uint64_t { kTick = 0, kPing = 1, kPong = 2, kTimeout = 3 };
  struct Pair {
    MasterSide* side = nullptr;
    bool connected = true;
    MissedPings count;
    bool channel = true;  // false: pinged through the network (not a SimAgent)
    Time next_tick;
    TimerId tick;
    // While lazy: the first tick not yet run, and the agent's incarnation.
    bool lazy = false;
    Time lazy_tick;
    uint64_t lazy_incarnation = 0;
  };
  struct Agent {
    AgentSide* side = nullptr;
    bool armed = false;
    Endpoint leader;
    Duration timeout;
    Time armed_at;
    TimerId timer;
    uint32_t in_flight = 0;  // health messages from or to it
    std::optional<Endpoint> lazy_with;
  };
  struct Flight {
    Kind kind = kPing;
    Endpoint from;
    Endpoint to;
    uint64_t to_incarnation = 0;
    bool connected = true;
    bool cut = false;
    TimerId timer;
  };

  static uint64_t pair_key(Endpoint master, Endpoint agent) {
    return (uint64_t{master.value} << 32) | agent.value;
  }
  static uint64_t rank(Endpoint agent, Endpoint master, Kind kind);
  Duration latency(Endpoint from, Endpoint to, Time sent) const;
  Agent* agent(Endpoint e);
  Pair* pair(Endpoint master, Endpoint agent);

  void watch(MasterSide& side, Endpoint agent, bool connected);
  void unwatch(Endpoint master, Endpoint agent);
  void schedule_tick(Endpoint master, Endpoint agent, Pair& p, Time at);
  void tick(Endpoint master, Endpoint agent);
  void schedule_timeout(Endpoint agent, Agent& a);
  // Sends a health message now (lost at once if either side is down or they are partitioned).
  void send(Kind kind, Endpoint from, Endpoint to, bool connected);
  void put_in_flight(Flight f, Time arrival);
  void arrive(uint64_t id);
  void pong_arrived(Endpoint master, Endpoint agent);

  void maybe_go_lazy(Endpoint master, Endpoint agent, Pair& p);
  // Rebuilds the event-by-event state of the agent's lazy pair, if it has one.
  void rebuild(Endpoint agent);
  void rebuild_master(Endpoint master);

  EventQueue& queue_;
  SimNetwork& network_;
  LatencyModel latency_;
  uint64_t seed_;
  bool lazy_;
  std::map<uint32_t, std::unique_ptr<MasterSide>> masters_;
  // Hashed: looked up on every health event. Where they are walked (a master's pairs rebuilt or
  // dropped, flights cut) each element is handled on its own and what is scheduled is ordered
  // by rank, so their order never reaches the run.
  std::unordered_map<uint64_t, Pair> pairs_;  // by pair_key(master, agent)
  std::vector<Agent> agents_;                 // by endpoint value
  std::unordered_map<uint64_t, Flight> flights_;
  std::unordered_map<uint64_t, Time> floors_;  // by pair_key(from, to): latest arrival that way
  uint64_t next_flight_ = 1;
  uint64_t rebuilt_ = 0;
};

}  // namespace mesosim
