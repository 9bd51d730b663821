#include "sim/sim_network.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

#include "allocator/rng.hpp"
#include "sim/event_queue.hpp"
#include "sim/leader_detector.hpp"

namespace mesosim {
namespace {

Time at_us(int64_t us) { return Time::from_micros(us); }

// A message that carries a label, so tests can tell messages of one type apart.
Message numbered(int i) { return v1::ShutdownAgentMessage{std::to_string(i)}; }

// message_name(), plus the label of a numbered message, the peer of an Exited notice or the
// leader of a MasterDetected message: "ShutdownAgentMessage:7", "ExitedMessage:0".
std::string label(const Message& message) {
  std::string text = message_name(message);
  if (const auto* m = std::get_if<v1::ShutdownAgentMessage>(&message)) {
    text += ":" + m->message;
  } else if (const auto* m = std::get_if<ExitedMessage>(&message)) {
    text += ":" + std::to_string(m->peer.value);
  } else if (const auto* m = std::get_if<MasterDetectedMessage>(&message)) {
    text += ":" + (m->leader ? std::to_string(m->leader->value) : std::string("none"));
  }
  return text;
}

struct Received {
  Time at;
  Endpoint from;
  std::string what;
  bool operator==(const Received&) const = default;
};

// Records what it receives, and when.
class Recorder final : public Process {
 public:
  explicit Recorder(const EventQueue& queue) : queue_(queue) {}
  void receive(Endpoint from, Message&& message) override {
    log.push_back({queue_.now(), from, label(message)});
  }
  std::vector<std::string> whats() const {
    std::vector<std::string> out;
    for (const Received& r : log) out.push_back(r.what);
    return out;
  }

  std::vector<Received> log;

 private:
  const EventQueue& queue_;
};

class SimNetworkTest : public ::testing::Test {
 protected:
  EventQueue queue;
  SimNetwork net{queue, Rng(42), LatencyModel{}};
  Recorder ra{queue}, rb{queue}, rc{queue}, rd{queue};
  Endpoint a = net.add("a", &ra);
  Endpoint b = net.add("b", &rb);
  Endpoint c = net.add("c", &rc);
  Endpoint d = net.add("d", &rd);
};

TEST_F(SimNetworkTest, EndpointsAreDenseAndFoundByName) {
  EXPECT_EQ(a.value, 0u);
  EXPECT_EQ(d.value, 3u);
  EXPECT_EQ(net.size(), 4u);
  EXPECT_EQ(net.name(c), "c");
  EXPECT_EQ(net.find("b"), b);
  EXPECT_EQ(net.find("nobody"), std::nullopt);
  EXPECT_TRUE(net.up(a));
  EXPECT_EQ(net.incarnation(a), 0u);
}

TEST_F(SimNetworkTest, LatencyIsFixedPlusJitterWithinBounds) {
  std::vector<Time> sent_at;
  for (int i = 0; i < 500; ++i) {
    queue.run_until(at_us(int64_t{i} * 1000));  // 1ms apart: no message queues behind another
    sent_at.push_back(queue.now());
    net.send(a, b, numbered(i));
  }
  queue.run();
  ASSERT_EQ(rb.log.size(), 500u);
  Duration lowest = Duration::max();
  Duration highest = Duration::zero();
  for (size_t i = 0; i < rb.log.size(); ++i) {
    ASSERT_EQ(rb.log[i].what, "ShutdownAgentMessage:" + std::to_string(i));
    EXPECT_EQ(rb.log[i].from, a);
    const Duration latency = rb.log[i].at - sent_at[i];
    EXPECT_GE(latency, Duration::micros(500));
    EXPECT_LE(latency, Duration::micros(700));
    lowest = std::min(lowest, latency);
    highest = std::max(highest, latency);
  }
  // The jitter really spreads over its range.
  EXPECT_LT(lowest, Duration::micros(520));
  EXPECT_GT(highest, Duration::micros(680));
}

TEST_F(SimNetworkTest, MessagesOnOnePairArriveInSendOrderDespiteJitter) {
  std::vector<std::string> want;
  for (int i = 0; i < 100; ++i) {
    queue.run_until(at_us(i * 2));  // far closer together than the jitter
    net.send(a, b, numbered(i));
    want.push_back("ShutdownAgentMessage:" + std::to_string(i));
  }
  queue.run();
  EXPECT_EQ(rb.whats(), want);
  for (size_t i = 1; i < rb.log.size(); ++i) EXPECT_LE(rb.log[i - 1].at, rb.log[i].at);
}

TEST_F(SimNetworkTest, DifferentPairsInterleave) {
  for (int i = 0; i < 20; ++i) net.send(a, c, numbered(i));
  for (int i = 0; i < 20; ++i) net.send(b, c, numbered(100 + i));
  queue.run();
  ASSERT_EQ(rc.log.size(), 40u);
  size_t first_from_b = rc.log.size();
  size_t last_from_a = 0;
  for (size_t i = 0; i < rc.log.size(); ++i) {
    if (rc.log[i].from == b && first_from_b == rc.log.size()) first_from_b = i;
    if (rc.log[i].from == a) last_from_a = i;
  }
  // b's messages were all sent after a's, yet some overtake them: no order across pairs.
  EXPECT_LT(first_from_b, last_from_a);
}

TEST_F(SimNetworkTest, PartitionDropsBothDirectionsUntilHealed) {
  net.partition(a, b);
  EXPECT_TRUE(net.partitioned(a, b));
  EXPECT_TRUE(net.partitioned(b, a));
  EXPECT_FALSE(net.partitioned(a, c));
  net.send(a, b, numbered(1));
  net.send(b, a, numbered(2));
  net.send(a, c, numbered(3));
  queue.run();
  EXPECT_TRUE(ra.log.empty());
  EXPECT_TRUE(rb.log.empty());
  EXPECT_EQ(rc.whats(), std::vector<std::string>{"ShutdownAgentMessage:3"});
  EXPECT_EQ(net.dropped(), 2u);

  net.heal(b, a);
  EXPECT_FALSE(net.partitioned(a, b));
  net.send(a, b, numbered(4));
  net.send(b, a, numbered(5));
  queue.run();
  EXPECT_EQ(rb.whats(), std::vector<std::string>{"ShutdownAgentMessage:4"});
  EXPECT_EQ(ra.whats(), std::vector<std::string>{"ShutdownAgentMessage:5"});
  EXPECT_EQ(net.delivered(), 3u);
}

TEST_F(SimNetworkTest, PartitionGroupsCutsAcrossSidesOnlyAndHealAllRestores) {
  net.partition_groups({a, b}, {c, d});
  EXPECT_TRUE(net.partitioned(a, c));
  EXPECT_TRUE(net.partitioned(d, b));
  EXPECT_FALSE(net.partitioned(a, b));
  EXPECT_FALSE(net.partitioned(c, d));
  net.send(a, b, numbered(1));
  net.send(c, a, numbered(2));
  queue.run();
  EXPECT_EQ(rb.log.size(), 1u);
  EXPECT_TRUE(ra.log.empty());

  net.heal_all();
  EXPECT_FALSE(net.partitioned(a, c));
  EXPECT_FALSE(net.partitioned(d, b));
  net.send(c, a, numbered(3));
  queue.run();
  EXPECT_EQ(ra.whats(), std::vector<std::string>{"ShutdownAgentMessage:3"});
}

TEST_F(SimNetworkTest, MessageInFlightWhenPartitionStartsIsLostEvenIfHealedBeforeArrival) {
  net.send(a, b, numbered(1));
  net.send(b, a, numbered(2));
  net.send(a, c, numbered(3));
  queue.run_until(at_us(100));
  net.partition(a, b);
  queue.run_until(at_us(200));
  net.heal(a, b);
  queue.run();
  EXPECT_TRUE(ra.log.empty());
  EXPECT_TRUE(rb.log.empty());
  EXPECT_EQ(rc.log.size(), 1u);
  EXPECT_EQ(net.dropped(), 2u);
}

TEST_F(SimNetworkTest, SendingToOrFromADownEndpointIsDropped) {
  net.crash(b);
  EXPECT_FALSE(net.up(b));
  net.send(a, b, numbered(1));
  net.send(b, a, numbered(2));
  queue.run();
  EXPECT_TRUE(ra.log.empty());
  EXPECT_EQ(net.sent(), 2u);
  EXPECT_EQ(net.dropped(), 2u);
}

TEST_F(SimNetworkTest, CrashDropsInFlightMessagesToItEvenAfterARestart) {
  Recorder fresh_b{queue};
  net.send(a, b, numbered(1));
  queue.run_until(at_us(100));
  net.crash(b);
  queue.run_until(at_us(200));
  net.restart(b, &fresh_b);  // before message 1 is due
  EXPECT_TRUE(net.up(b));
  EXPECT_EQ(net.incarnation(b), 1u);
  queue.run();
  EXPECT_TRUE(rb.log.empty());
  EXPECT_TRUE(fresh_b.log.empty());
  EXPECT_EQ(net.dropped(), 1u);

  net.send(a, b, numbered(2));
  queue.run();
  EXPECT_TRUE(rb.log.empty());
  EXPECT_EQ(fresh_b.whats(), std::vector<std::string>{"ShutdownAgentMessage:2"});
}

TEST_F(SimNetworkTest, CrashOfTheSenderDropsWhatItHadInFlight) {
  net.send(b, a, numbered(1));
  net.send(c, a, numbered(2));
  queue.run_until(at_us(100));
  net.crash(b);
  queue.run();
  EXPECT_EQ(ra.whats(), std::vector<std::string>{"ShutdownAgentMessage:2"});
  EXPECT_EQ(net.dropped(), 1u);
}

TEST_F(SimNetworkTest, StopDeliversWhatTheSenderHadInFlightThenExited) {
  net.link(b, a);
  for (int i = 0; i < 5; ++i) net.send(a, b, numbered(i));
  net.stop(a);
  queue.run();
  const std::vector<std::string> want = {"ShutdownAgentMessage:0", "ShutdownAgentMessage:1",
                                         "ShutdownAgentMessage:2", "ShutdownAgentMessage:3",
                                         "ShutdownAgentMessage:4", "ExitedMessage:0"};
  EXPECT_EQ(rb.whats(), want);
}

TEST_F(SimNetworkTest, ExitedGoesToLinkedPeersOnCrashButNotAcrossAPartitionNorToUnlinked) {
  net.link(b, a);
  net.link(c, a);
  net.partition(c, a);
  queue.run_until(at_us(1000));
  net.crash(a);
  queue.run();
  ASSERT_EQ(rb.log.size(), 1u);
  EXPECT_EQ(rb.log[0].what, "ExitedMessage:0");
  EXPECT_EQ(rb.log[0].from, a);
  EXPECT_GE(rb.log[0].at, at_us(1500));
  EXPECT_LE(rb.log[0].at, at_us(1700));
  EXPECT_TRUE(rc.log.empty());
  EXPECT_TRUE(rd.log.empty());
}

TEST_F(SimNetworkTest, PartitionAloneNeverProducesExited) {
  net.link(b, a);
  net.partition(a, b);
  queue.run();
  EXPECT_TRUE(rb.log.empty());
  EXPECT_EQ(net.sent(), 0u);
}

TEST_F(SimNetworkTest, ExitedArrivesBeforeAnythingTheRestartedPeerSends) {
  Recorder fresh_a{queue};
  std::vector<std::string> want;
  // Without ordering each round would be a coin toss; 20 rounds in a row make luck unlikely.
  for (int round = 0; round < 20; ++round) {
    net.link(b, a);
    net.crash(a);
    net.restart(a, &fresh_a);
    net.send(a, b, numbered(round));
    queue.run();
    want.push_back("ExitedMessage:0");
    want.push_back("ShutdownAgentMessage:" + std::to_string(round));
  }
  EXPECT_EQ(rb.whats(), want);
}

TEST_F(SimNetworkTest, LinksAreForgottenWhenEitherSideCrashes) {
  Recorder fresh_a{queue}, fresh_b{queue};
  net.link(b, a);
  net.link(c, a);
  net.crash(b);  // the watcher side
  net.restart(b, &fresh_b);
  net.crash(a);
  queue.run();
  EXPECT_TRUE(fresh_b.log.empty());
  EXPECT_EQ(rc.whats(), std::vector<std::string>{"ExitedMessage:0"});

  net.restart(a, &fresh_a);  // the watched side crashed: c must link again
  net.crash(a);
  queue.run();
  EXPECT_EQ(rc.log.size(), 1u);
}

TEST_F(SimNetworkTest, LinkingToADownPeerReportsItsExitAtOnce) {
  net.crash(a);
  net.link(b, a);
  queue.run();
  EXPECT_EQ(rb.whats(), std::vector<std::string>{"ExitedMessage:0"});
}

TEST_F(SimNetworkTest, ObserverSeesEachDeliveryRightBeforeTheReceiver) {
  std::vector<std::tuple<Time, Endpoint, Endpoint, std::string, size_t>> observed;
  net.set_observer([&](Time at, Endpoint from, Endpoint to, const Message& message) {
    observed.emplace_back(at, from, to, label(message), rb.log.size());
  });
  net.send(a, b, numbered(1));
  net.send(a, b, numbered(2));
  net.partition(a, c);
  net.send(a, c, numbered(3));
  queue.run();
  ASSERT_EQ(observed.size(), 2u);
  ASSERT_EQ(rb.log.size(), 2u);
  EXPECT_EQ(observed[0],
            std::tuple(rb.log[0].at, a, b, std::string("ShutdownAgentMessage:1"), size_t{0}));
  EXPECT_EQ(observed[1],
            std::tuple(rb.log[1].at, a, b, std::string("ShutdownAgentMessage:2"), size_t{1}));
}

TEST_F(SimNetworkTest, CountersAccountForEveryMessage) {
  net.link(c, b);
  for (int i = 0; i < 10; ++i) net.send(a, b, numbered(i));
  net.send(a, d, numbered(10));
  queue.run_until(at_us(100));
  net.crash(b);         // drops 10 in flight, sends c an Exited notice
  net.partition(a, d);  // drops 1 in flight
  net.send(a, c, numbered(11));
  EXPECT_EQ(net.sent(), 13u);
  EXPECT_EQ(net.in_flight(), 13u);
  EXPECT_EQ(net.sent(), net.delivered() + net.dropped() + net.in_flight());
  queue.run();
  EXPECT_EQ(net.in_flight(), 0u);
  EXPECT_EQ(net.delivered(), 2u);
  EXPECT_EQ(net.dropped(), 11u);
}

// A run with jitter, crashes, restarts and partitions; returns every delivery.
std::vector<std::tuple<int64_t, uint32_t, uint32_t, std::string>> delivery_log(uint64_t seed) {
  EventQueue queue;
  SimNetwork net(queue, Rng(seed), LatencyModel{});
  std::vector<std::tuple<int64_t, uint32_t, uint32_t, std::string>> log;
  net.set_observer([&](Time at, Endpoint from, Endpoint to, const Message& message) {
    log.emplace_back(at.micros(), from.value, to.value, label(message));
  });
  Recorder r0{queue}, r1{queue}, r2{queue}, fresh{queue};
  const std::vector<Endpoint> e = {net.add("0", &r0), net.add("1", &r1), net.add("2", &r2)};
  net.link(e[0], e[2]);
  for (int i = 0; i < 300; ++i) {
    queue.run_until(at_us(int64_t{i} * 50));
    if (i == 100) net.partition(e[0], e[1]);
    if (i == 150) net.heal_all();
    if (i == 200) net.crash(e[2]);
    if (i == 220) net.restart(e[2], &fresh);
    net.send(e[i % 3], e[(i + 1) % 3], numbered(i));
    net.send(e[(i + 2) % 3], e[i % 3], numbered(1000 + i));
  }
  queue.run();
  return log;
}

TEST(SimNetworkDeterminismTest, SameSeedSameDeliveryLogDifferentSeedDifferentTimes) {
  const auto first = delivery_log(7);
  ASSERT_GT(first.size(), 400u);
  EXPECT_EQ(delivery_log(7), first);
  const auto other = delivery_log(8);
  EXPECT_NE(other, first);
  size_t same_time = 0;
  for (size_t i = 0; i < std::min(first.size(), other.size()); ++i) {
    same_time += std::get<0>(first[i]) == std::get<0>(other[i]) ? 1 : 0;
  }
  EXPECT_LT(same_time, first.size() / 4);
}

class LeaderDetectorTest : public ::testing::Test {
 protected:
  EventQueue queue;
  SimNetwork net{queue, Rng(3),
                 LatencyModel{.fixed = Duration::micros(500), .jitter = Duration::zero()}};
  LeaderDetector detector{net};
  Recorder rm1{queue}, rm2{queue}, rs1{queue}, rs2{queue}, rs3{queue};
  Endpoint m1 = net.add("master1", &rm1);
  Endpoint m2 = net.add("master2", &rm2);
  Endpoint s1 = net.add("s1", &rs1);
  Endpoint s2 = net.add("s2", &rs2);
  Endpoint s3 = net.add("s3", &rs3);
};

TEST_F(LeaderDetectorTest, RegistersAsZookeeper) {
  EXPECT_EQ(net.find("zookeeper"), detector.endpoint());
  EXPECT_EQ(detector.leader(), std::nullopt);
}

TEST_F(LeaderDetectorTest, SubscriberLearnsTheCurrentLeaderAfterLatency) {
  detector.elect(m1);
  EXPECT_EQ(detector.leader(), m1);
  queue.run_until(at_us(1000));
  detector.subscribe(s1);
  queue.run();
  const std::vector<Received> want = {
      {at_us(1500), detector.endpoint(), "MasterDetectedMessage:" + std::to_string(m1.value)}};
  EXPECT_EQ(rs1.log, want);
  EXPECT_TRUE(rs2.log.empty());
}

TEST_F(LeaderDetectorTest, ElectNotifiesUpSubscribersInAscendingOrderAndSkipsCrashedOnes) {
  for (const Endpoint s : {s3, s2, s1}) detector.subscribe(s);
  queue.run();
  net.crash(s2);
  std::vector<Endpoint> notified;
  net.set_observer([&](Time, Endpoint, Endpoint to, const Message&) { notified.push_back(to); });
  const uint64_t dropped_before = net.dropped();

  detector.elect(m2);
  queue.run();
  EXPECT_EQ(notified, (std::vector<Endpoint>{s1, s3}));
  EXPECT_EQ(net.dropped(), dropped_before);  // skipped, not sent
  const std::string m2_news = "MasterDetectedMessage:" + std::to_string(m2.value);
  EXPECT_EQ(rs1.whats(), (std::vector<std::string>{"MasterDetectedMessage:none", m2_news}));
  EXPECT_EQ(rs2.whats(), std::vector<std::string>{"MasterDetectedMessage:none"});

  detector.unsubscribe(s3);
  detector.elect(std::nullopt);
  queue.run();
  EXPECT_EQ(rs1.whats().back(), "MasterDetectedMessage:none");
  EXPECT_EQ(rs3.whats().back(), m2_news);
}

TEST_F(LeaderDetectorTest, ZookeeperIsNeverPartitioned) {
  detector.subscribe(s1);
  net.partition(detector.endpoint(), s1);
  net.partition_groups({detector.endpoint(), m1}, {s1});
  EXPECT_FALSE(net.partitioned(detector.endpoint(), s1));
  EXPECT_TRUE(net.partitioned(m1, s1));
  detector.elect(m1);
  queue.run();
  EXPECT_EQ(rs1.log.size(), 2u);
}

TEST_F(LeaderDetectorTest, CrashingZookeeperIsABug) {
  EXPECT_DEATH(net.crash(detector.endpoint()), "always-available");
}

}  // namespace
}  // namespace mesosim
