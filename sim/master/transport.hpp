#pragma once

// How the master, agents and schedulers talk: every party is a Process at an Endpoint, and a
// Transport delivers Messages between endpoints. The simulator's transport (SimNetwork) adds
// latency, jitter, partitions and crashes; live mode's maps the same messages to HTTP. The
// master is written against these interfaces only.

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "sim/master/protocol.hpp"

namespace mesosim {

// A party's address: dense, assigned by the transport.
struct Endpoint {
  uint32_t value = UINT32_MAX;
  auto operator<=>(const Endpoint&) const = default;
  bool valid() const { return value != UINT32_MAX; }
};

// The transport's word that a linked peer broke its connection (crashed or shut down).
// Partitions do not produce it: a partitioned peer is silent, as over a real network.
struct ExitedMessage {
  Endpoint peer;
};

// The leader detector's word (ZooKeeper's role in Mesos): who leads now, or nobody.
struct MasterDetectedMessage {
  std::optional<Endpoint> leader;
};

using Message = std::variant<
    v1::scheduler::Call, v1::scheduler::Event, v1::RegisterAgentMessage, v1::AgentRegisteredMessage,
    v1::ReregisterAgentMessage, v1::AgentReregisteredMessage, v1::RunTaskMessage,
    v1::KillTaskMessage, v1::StatusUpdateMessage, v1::StatusUpdateAcknowledgementMessage,
    v1::PingAgentMessage, v1::PongAgentMessage, v1::ShutdownFrameworkMessage,
    v1::ShutdownAgentMessage, ExitedMessage, MasterDetectedMessage, v1::UsageReportMessage,
    v1::FrameworkToExecutorMessage, v1::ShutdownExecutorMessage>;

// "scheduler::Call(ACCEPT)", "StatusUpdateMessage", ... for logs.
std::string message_name(const Message& message);

class Process {
 public:
  virtual ~Process() = default;
  // `message` is the receiver's to read and move from during the call; the transport keeps it
  // alive until receive() returns and reads it no more.
  virtual void receive(Endpoint from, Message&& message) = 0;
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Delivers `message` to `to` some time later, or never (crash, partition). Messages between
  // one pair of endpoints arrive in the order sent, as over one TCP connection. Takes the
  // message by rvalue reference so that a sender's temporary moves once, into the transport.
  virtual void send(Endpoint from, Endpoint to, Message&& message) = 0;
  // From now on `self` receives ExitedMessage{peer} when `peer` crashes or stops.
  virtual void link(Endpoint self, Endpoint peer) = 0;
};

}  // namespace mesosim
