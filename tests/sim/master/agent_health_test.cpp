// PingPongHealth: the master's health check as messages (what live mode runs), on an EventQueue
// and a recording Transport.

#include "sim/master/agent_health.hpp"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "sim/event_queue.hpp"

namespace mesosim {
namespace {

constexpr Endpoint kMaster{0};
constexpr Endpoint kAgent{1};
constexpr Endpoint kOther{2};

class RecordingTransport : public Transport {
 public:
  struct Sent {
    Time at;
    Endpoint to;
    bool connected;
  };
  explicit RecordingTransport(EventQueue& queue) : queue_(queue) {}
  void send(Endpoint, Endpoint to, Message&& message) override {
    const auto& ping = std::get<v1::PingAgentMessage>(message);
    pings.push_back({queue_.now(), to, ping.connected});
  }
  void link(Endpoint, Endpoint) override {}
  std::vector<Sent> pings;

 private:
  EventQueue& queue_;
};

Time at_s(int s) { return Time::epoch() + Duration::seconds(s); }

struct Fixture {
  EventQueue queue;
  RecordingTransport transport{queue};
  PingPongHealth health{kMaster, queue, transport, Duration::seconds(15), 5};
  std::vector<std::pair<Endpoint, int>> failures;
  Fixture() {
    health.set_failure_handler([this](Endpoint e, int missed) { failures.emplace_back(e, missed); });
  }
  // Answers every ping to `agent` one second after it was sent, until `until`.
  void answer_until(Time until) {
    size_t seen = 0;
    while (queue.next_time() && *queue.next_time() <= until) {
      queue.step();
      for (; seen < transport.pings.size(); ++seen) {
        const Endpoint to = transport.pings[seen].to;
        queue.schedule(Duration::seconds(1), [this, to] { health.pong(to); });
      }
    }
  }
};

TEST(PingPongHealthTest, PingsAtOnceThenEveryPeriodAndAnsweredAgentsNeverFail) {
  Fixture f;
  f.health.watch(kAgent, true);
  f.answer_until(at_s(3600));
  ASSERT_EQ(f.transport.pings.size(), 241u);
  for (size_t i = 0; i < f.transport.pings.size(); ++i) {
    EXPECT_EQ(f.transport.pings[i].at, at_s(15 * static_cast<int>(i)));
    EXPECT_TRUE(f.transport.pings[i].connected);
  }
  EXPECT_TRUE(f.failures.empty());
}

TEST(PingPongHealthTest, FailsAfterMaxMissedPingsInARowOnceAndStopsPinging) {
  Fixture f;
  f.health.watch(kAgent, true);
  f.queue.run_until(at_s(1000));
  // Pings at 0, 15, 30, 45, 60; the ticks at 15..75 find no pong: the fifth miss is at 75.
  ASSERT_EQ(f.failures.size(), 1u);
  EXPECT_EQ(f.failures[0], std::make_pair(kAgent, 5));
  EXPECT_EQ(f.transport.pings.size(), 5u);
  EXPECT_EQ(f.transport.pings.back().at, at_s(60));
  EXPECT_EQ(f.queue.pending(), 0u);
}

TEST(PingPongHealthTest, APongOrARegistrationClearsTheCount) {
  Fixture f;
  f.health.watch(kAgent, true);
  f.queue.run_until(at_s(61));  // four misses (ticks at 15, 30, 45, 60)
  f.health.pong(kAgent);
  f.queue.run_until(at_s(121));  // 75 finds it; misses again at 90, 105, 120
  f.health.heard_from(kAgent);
  f.queue.run_until(at_s(209));  // 135 finds it; misses at 150, 165, 180, 195
  EXPECT_TRUE(f.failures.empty());
  f.queue.run_until(at_s(210));  // the fifth in a row
  ASSERT_EQ(f.failures.size(), 1u);
}

TEST(PingPongHealthTest, PingsSayWhetherTheMasterCountsTheAgentConnected) {
  Fixture f;
  f.health.watch(kAgent, true);
  f.queue.run_until(at_s(1));
  f.health.set_connected(kAgent, false);
  f.health.pong(kAgent);
  f.queue.run_until(at_s(16));
  ASSERT_EQ(f.transport.pings.size(), 2u);
  EXPECT_TRUE(f.transport.pings[0].connected);
  EXPECT_FALSE(f.transport.pings[1].connected);
}

TEST(PingPongHealthTest, UnwatchedAgentsAreNeitherPingedNorFailedAndPongsFromStrangersDoNothing) {
  Fixture f;
  f.health.watch(kAgent, true);
  f.health.watch(kOther, true);
  f.health.pong(Endpoint{7});  // nobody watched: ignored
  f.health.unwatch(kAgent);
  f.health.unwatch(Endpoint{7});  // harmless
  f.queue.run_until(at_s(30));
  for (const auto& p : f.transport.pings) EXPECT_EQ(p.to, kOther);
  f.health.unwatch_all();
  f.queue.run_until(at_s(1000));
  EXPECT_TRUE(f.failures.empty());
  EXPECT_EQ(f.queue.pending(), 0u);
}

}  // namespace
}  // namespace mesosim
