#include "sim/leader_detector.hpp"

namespace mesosim {

LeaderDetector::LeaderDetector(SimNetwork& network)
    : network_(network), endpoint_(network.add_always_available("zookeeper", &mailbox_)) {}

void LeaderDetector::subscribe(Endpoint subscriber) {
  subscribers_.insert(subscriber);
  notify(subscriber);
}

void LeaderDetector::unsubscribe(Endpoint subscriber) { subscribers_.erase(subscriber); }

void LeaderDetector::elect(std::optional<Endpoint> leader) {
  leader_ = leader;
  for (const Endpoint subscriber : subscribers_) notify(subscriber);
}

void LeaderDetector::notify(Endpoint subscriber) {
  // A down subscriber has no session with ZooKeeper; it learns the leader when it subscribes
  // again after its restart.
  if (!network_.up(subscriber)) return;
  network_.send(endpoint_, subscriber, MasterDetectedMessage{leader_});
}

}  // namespace mesosim
