#pragma once

// The leader detector: ZooKeeper's role in a Mesos cluster. It knows which master leads (or that
// none does) and tells every subscribed party, as a MasterDetectedMessage sent over the
// SimNetwork from its own endpoint, named "zookeeper".
//
// What it promises:
// - subscribe(e) sends e the current leader at once (it arrives after network latency), and
//   every later elect() sends e the new leader, for as long as e stays subscribed. A
//   subscription outlives crashes of the subscriber: a restarted party that subscribes again
//   simply gets the current leader again.
// - elect() notifies, in ascending endpoint order, every subscriber that is up at that moment;
//   subscribers that are down are skipped (nothing is sent, nothing counted as dropped). Every
//   call notifies, even when the leader is unchanged: in ZooKeeper a re-elected master holds a
//   new znode, which is news to the contenders.
// - ZooKeeper is modelled as always available: its endpoint is never partitioned (partitions
//   involving it are ignored by the network) and never crashes. Leader loss is not detected on
//   its own: whoever injects a master failure calls elect(std::nullopt), then elect(standby)
//   after the election delay it wants to model.
//
// The network keeps a pointer to the detector's mailbox: nothing may send to the "zookeeper"
// endpoint after the detector is destroyed.

#include <optional>
#include <set>

#include "sim/sim_network.hpp"
#include "sim/master/transport.hpp"

namespace mesosim {

class LeaderDetector {
 public:
  // Registers the "zookeeper" endpoint on `network`, which must outlive the detector.
  explicit LeaderDetector(SimNetwork& network);
  LeaderDetector(const LeaderDetector&) = delete;
  LeaderDetector& operator=(const LeaderDetector&) = delete;

  Endpoint endpoint() const { return endpoint_; }
  const std::optional<Endpoint>& leader() const { return leader_; }
  const std::set<Endpoint>& subscribers() const { return subscribers_; }

  // Subscribes `subscriber` (again, if it already is) and sends it the current leader if it is
  // up.
  void subscribe(Endpoint subscriber);
  // No further notifications to `subscriber`; ones already sent still arrive.
  void unsubscribe(Endpoint subscriber);
  // Makes `leader` the leading master (std::nullopt: none) and notifies the subscribers.
  void elect(std::optional<Endpoint> leader);

 private:
  // The Process behind the detector's endpoint. Nobody has anything to tell ZooKeeper in this
  // model, so what it receives is ignored.
  class Mailbox final : public Process {
   public:
    void receive(Endpoint, Message&&) override {}
  };

  void notify(Endpoint subscriber);

  SimNetwork& network_;
  Mailbox mailbox_;
  Endpoint endpoint_;
  std::optional<Endpoint> leader_;
  std::set<Endpoint> subscribers_;
};

}  // namespace mesosim
