#pragma once

// How a leading master checks that its agents are alive (Mesos's SlaveObserver).
//
// For every watched agent: a ping at once, then one every `period`; each carries whether the
// master counts the agent as connected. A ping whose pong has not arrived by the next one is
// missed; at `max_missed` missed in a row the agent has failed the check: the failure handler
// runs (once: the agent is no longer watched afterwards) and no ping follows. A pong clears the
// count. The agent side (answer each ping of its leader, re-register when none came for a
// while, or when one says "disconnected") belongs to the agent.
//
// Two implementations: PingPongHealth (below) sends PingAgentMessage through the master's
// Transport and takes PongAgentMessage back (live mode, and any master built without another);
// the simulator's SimHealth (sim/sim_health.hpp) keeps the same protocol on a channel of its own
// so that a healthy agent's pings cost nothing until something happens to it.
//
// Threading: the master's (see master.hpp). Every call and callback is on its loop.

#include <functional>
#include <map>

#include "allocator/time.hpp"
#include "sim/master/clock.hpp"
#include "sim/master/transport.hpp"

namespace mesosim {

// The master's count for one agent, shared by both implementations: a tick that finds the
// previous ping unanswered counts a miss.
struct MissedPings {
  bool pong_received = true;
  int missed = 0;
  // At a tick: true if this is the max_missed-th miss in a row (the agent failed); otherwise
  // a ping goes out now and awaits its pong.
  bool tick(int max_missed) {
    if (!pong_received && ++missed >= max_missed) return true;
    pong_received = false;
    return false;
  }
  // A pong, or the agent re-registered.
  void answered() {
    pong_received = true;
    missed = 0;
  }
};

class AgentHealth {
 public:
  // agent: the endpoint that failed; missed: how many pings it missed in a row.
  using FailureHandler = std::function<void(Endpoint agent, int missed)>;

  virtual ~AgentHealth() = default;

  // Set by the master that uses this object; a later call replaces the earlier handler.
  virtual void set_failure_handler(FailureHandler handler) = 0;
  // Starts checking `agent` (not watched yet): a ping now, then one every period.
  virtual void watch(Endpoint agent, bool connected) = 0;
  // Stops checking it; nothing happens if it is not watched.
  virtual void unwatch(Endpoint agent) = 0;
  // unwatch() of every watched agent (the master crashed).
  virtual void unwatch_all() = 0;
  // What the next pings say. Requires `agent` watched.
  virtual void set_connected(Endpoint agent, bool connected) = 0;
  // The agent spoke for itself (it re-registered): as if its pong had arrived. Requires it watched.
  virtual void heard_from(Endpoint agent) = 0;
  // A PongAgentMessage arrived from `from` (ignored unless `from` is watched).
  virtual void pong(Endpoint from) = 0;
};

// The protocol as messages over the master's Transport, timed by its Clock.
class PingPongHealth final : public AgentHealth {
 public:
  PingPongHealth(Endpoint self, Clock& clock, Transport& transport, Duration period,
                 int max_missed);
  ~PingPongHealth() override;
  PingPongHealth(const PingPongHealth&) = delete;
  PingPongHealth& operator=(const PingPongHealth&) = delete;

  void set_failure_handler(FailureHandler handler) override { failed_ = std::move(handler); }
  void watch(Endpoint agent, bool connected) override;
  void unwatch(Endpoint agent) override;
  void unwatch_all() override;
  void set_connected(Endpoint agent, bool connected) override;
  void heard_from(Endpoint agent) override;
  void pong(Endpoint from) override;

 private:
  struct Watch {
    bool connected = true;
    MissedPings count;
    TimerId timer;
  };
  void tick(Endpoint agent);

  Endpoint self_;
  Clock& clock_;
  Transport& transport_;
  Duration period_;
  int max_missed_;
  FailureHandler failed_;
  std::map<Endpoint, Watch> watched_;
};

}  // namespace mesosim
