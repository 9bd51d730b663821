#include "sim/master/agent_health.hpp"

#include <utility>

#include "allocator/check.hpp"

namespace mesosim {

PingPongHealth::PingPongHealth(Endpoint self, Clock& clock, Transport& transport,
                               Duration period, int max_missed)
    : self_(self), clock_(clock), transport_(transport), period_(period), max_missed_(max_missed) {}

PingPongHealth::~PingPongHealth() { unwatch_all(); }

void PingPongHealth::watch(Endpoint agent, bool connected) {
  auto [it, inserted] = watched_.try_emplace(agent);
  MESOSIM_CHECK(inserted, "watch() of an agent already watched");
  it->second.connected = connected;
  it->second.timer = clock_.schedule(Duration::zero(), [this, agent] { tick(agent); });
}

void PingPongHealth::unwatch(Endpoint agent) {
  auto it = watched_.find(agent);
  if (it == watched_.end()) return;
  clock_.cancel(it->second.timer);
  watched_.erase(it);
}

void PingPongHealth::unwatch_all() {
  for (auto& [agent, w] : watched_) clock_.cancel(w.timer);
  watched_.clear();
}

void PingPongHealth::set_connected(Endpoint agent, bool connected) {
  auto it = watched_.find(agent);
  MESOSIM_CHECK(it != watched_.end(), "set_connected() of an agent not watched");
  it->second.connected = connected;
}

void PingPongHealth::heard_from(Endpoint agent) {
  auto it = watched_.find(agent);
  MESOSIM_CHECK(it != watched_.end(), "heard_from() of an agent not watched");
  it->second.count.answered();
}

void PingPongHealth::pong(Endpoint from) {
  auto it = watched_.find(from);
  if (it == watched_.end()) return;
  it->second.count.answered();
}

void PingPongHealth::tick(Endpoint agent) {
  auto it = watched_.find(agent);
  if (it == watched_.end()) return;
  Watch& w = it->second;
  w.timer = {};
  if (w.count.tick(max_missed_)) {
    const int missed = w.count.missed;
    watched_.erase(it);
    if (failed_) failed_(agent, missed);
    return;
  }
  transport_.send(self_, agent, v1::PingAgentMessage{w.connected});
  w.timer = clock_.schedule(period_, [this, agent] { tick(agent); });
}

}  // namespace mesosim
