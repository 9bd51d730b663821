#pragma once

// Live mode's Transport: the protocol's internal messages between daemons as JSON over HTTP on
// the loop, in the style of libprocess.
//
// Addresses. Every process has a libprocess-style address `<name>@<ip>:<port>`: the master is
// `master@127.0.0.1:5050`, an agent `agent@127.0.0.1:5051`. A message from a local process to a
// remote one is `POST /<name>/mesos.internal.<MessageName>` on the remote daemon's HTTP server,
// with header `Libprocess-From: <sender's address>`, `Content-Type: application/json` and the body
// of internal_messages_json.hpp; the receiving daemon answers `202 Accepted` with no body once
// it has decoded the message (400 with the reason if it cannot, 404 for an unknown process or
// message name) and delivers it to its process on the loop.
//
// Endpoints. add_process() makes a local Process reachable (by its name, for incoming requests,
// and by Endpoint for local sends); peer() names a remote process by address; add_sink() makes
// an endpoint whose messages go to a function (the master's scheduler streams). Endpoints are
// never reused. Every delivery, local ones included, is posted onto the loop: send() never calls
// back into the sender.
//
// Order. Messages to one remote peer travel over one keep-alive connection, in the order sent,
// and the peer's server reads and answers them in that order, so it receives them in the order
// sent (libprocess keeps order per link the same way). Up to `max_messages_in_flight` POSTs are
// written ahead of their 202s (HTTP/1.1 pipelining, as libprocess writes message after message
// on its socket without waiting); 1 sends each only once the previous one got its 202. Messages
// to a peer are queued at most `max_queued_messages` deep; beyond that the peer is treated as
// exited (it is not keeping up).
//
// Exited (the rule). A remote peer is declared exited when a message to it cannot be delivered:
// the connection is refused or breaks, or a request awaiting its reply sees no progress (no
// request written, no reply read) for `reply_timeout`, or it answers with anything but 202.
// Then every queued message to it is dropped, and each local endpoint that linked to it
// receives ExitedMessage{peer}, once per failure. (A keep-alive connection that already carried
// an exchange and breaks is not a failure: the server may close an idle connection, so the
// messages awaiting replies go once more on a fresh one; a reply lost after the server read its
// message is the one case where a message arrives twice.) The next send() to it opens a new
// connection (a restarted daemon at the same address is the same peer). A peer that sends
// nothing and is sent nothing is never declared exited: the master's pings every
// agent_ping_timeout are what find a silent agent. A sink endpoint exits when remove_sink() is
// called. Partitions are indistinguishable from a slow peer, as over a real network.
//
// Origins (a measurement hook). A caller may say which received request a send() answers
// (set_origin, e.g. the time an ACCEPT call was read); the origin travels with that message to
// a local process, and every message that process sends while handling it carries the same
// origin. When a message with an origin has been written to a remote peer's connection, the
// sent observer (if set) hears its name and the time since the origin. Messages without an
// origin cost nothing more.
//
// Threading: everything runs on the loop thread (the one running the io_context).

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include <boost/asio/io_context.hpp>

#include "allocator/result.hpp"
#include "allocator/time.hpp"
#include "sim/live/http_server.hpp"
#include "sim/master/transport.hpp"

namespace mesosim::live {

// `name@ip:port`, e.g. master@127.0.0.1:5050.
struct ProcessAddress {
  std::string name;
  std::string ip;
  uint16_t port = 0;

  // Errors name the text and what was expected ("expected name@ip:port").
  static Result<ProcessAddress> parse(std::string_view text);
  std::string to_string() const;
  auto operator<=>(const ProcessAddress&) const = default;
};

struct HttpTransportOptions {
  std::string ip = "127.0.0.1";  // this daemon's address, in Libprocess-From
  uint16_t port = 0;             // its HTTP server's port (set once the server listens)
  Duration reply_timeout = Duration::seconds(10);
  size_t max_queued_messages = 10000;
  // POSTs written to one peer ahead of their 202s (at least 1).
  size_t max_messages_in_flight = 32;
};

class HttpTransport final : public Transport {
 public:
  HttpTransport(boost::asio::io_context& io, HttpTransportOptions options);
  ~HttpTransport() override;
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  // The port of this daemon's server, for Libprocess-From (when the server listened on port 0).
  void set_port(uint16_t port);

  // A local process called `name` ("master", "agent"); it must outlive the transport.
  Endpoint add_process(const std::string& name, Process& process);
  // The endpoint of a remote process; the same address always gives the same endpoint.
  Endpoint peer(const ProcessAddress& address);
  // A local endpoint whose messages go to `deliver` (called on the loop, in order).
  using Sink = std::function<void(Endpoint from, const Message& message)>;
  Endpoint add_sink(std::string label, Sink deliver);
  // The sink is gone: its linkers receive ExitedMessage; later messages to it are dropped.
  void remove_sink(Endpoint sink);

  // The address of a local process or remote peer, e.g. "agent@127.0.0.1:5051"; for a sink, its
  // label. Empty for an unknown endpoint.
  std::string address_of(Endpoint endpoint) const;

  void send(Endpoint from, Endpoint to, Message&& message) override;
  void link(Endpoint self, Endpoint peer) override;

  // Whether `request` is addressed to a local process (`/<name>/mesos.internal.<Message>`).
  bool handles(const HttpRequest& request) const;
  // Decodes and delivers it: 202, or 400/404/405 with the reason.
  HttpResponse receive(const HttpRequest& request);

  // Closes every outgoing connection and drops what is queued (daemon shutdown); every send()
  // after it is dropped too, local deliveries included.
  void stop();

  using SteadyTime = std::chrono::steady_clock::time_point;
  // The origin of the messages sent from now on (until set_origin(nullopt)), see above.
  void set_origin(std::optional<SteadyTime> origin) { origin_ = origin; }
  // Called when a message with an origin has been written to a remote peer.
  using SentObserver = std::function<void(std::string_view message_name, Duration since_origin)>;
  void on_sent(SentObserver observer) { on_sent_ = std::move(observer); }

  struct Peer;  // a remote process's connection and queue (http_transport.cpp)

 private:
  void deliver_later(Endpoint from, Endpoint to, Message message);
  void peer_failed(Endpoint peer, const std::string& why);
  void send_remote(Endpoint from, Endpoint to, Message message);

  boost::asio::io_context& io_;
  HttpTransportOptions options_;
  struct Local {
    std::string name;
    Process* process = nullptr;
    Sink sink;
    bool removed = false;
  };
  std::map<uint32_t, Local> locals_;
  std::map<std::string, Endpoint> local_by_name_;
  std::map<uint32_t, std::shared_ptr<Peer>> peers_;
  std::map<std::string, Endpoint> peer_by_address_;
  std::map<Endpoint, std::set<Endpoint>> linked_by_;  // peer -> local endpoints linked to it
  uint32_t next_endpoint_ = 0;
  std::optional<SteadyTime> origin_;
  bool stopped_ = false;
  SentObserver on_sent_;
  std::shared_ptr<bool> alive_;
};

}  // namespace mesosim::live
