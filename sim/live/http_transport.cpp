#include "sim/live/http_transport.hpp"

#include <algorithm>
#include <charconv>
#include <deque>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "sim/live/internal_messages_json.hpp"

namespace mesosim::live {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = boost::asio::ip::tcp;

namespace {
constexpr std::string_view kMessagePrefix = "mesos.internal.";
}  // namespace

Result<ProcessAddress> ProcessAddress::parse(std::string_view text) {
  const auto bad = [&](std::string_view why) {
    return Error{
        fmt::format("'{}' is not a process address ({}; expected name@ip:port, e.g. "
                    "master@127.0.0.1:5050)",
                    text, why)};
  };
  const size_t at = text.find('@');
  const size_t colon = text.rfind(':');
  if (at == std::string_view::npos || at == 0) return bad("no name before '@'");
  if (colon == std::string_view::npos || colon < at) return bad("no ':port'");
  ProcessAddress a{std::string(text.substr(0, at)),
                   std::string(text.substr(at + 1, colon - at - 1))};
  boost::system::error_code ec;
  net::ip::make_address_v4(a.ip, ec);
  if (ec) return bad("the ip is not a dotted-quad IPv4 address");
  const std::string_view port = text.substr(colon + 1);
  unsigned value = 0;
  auto [end, err] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (err != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
    return bad("the port is not a number in 1..65535");
  }
  a.port = static_cast<uint16_t>(value);
  return a;
}

std::string ProcessAddress::to_string() const { return fmt::format("{}@{}:{}", name, ip, port); }

// One remote process: its queue and the one connection its messages travel on, in order. The
// first `written` messages of the queue have been written and await their 202s, which come back
// in the order the requests went out (HTTP/1.1 pipelining); at most `window` are outstanding.
struct HttpTransport::Peer : std::enable_shared_from_this<Peer> {
  Peer(net::io_context& io, ProcessAddress a, Duration timeout, size_t window)
      : io(io), address(std::move(a)), reply_timeout(timeout), window(window), watchdog(io) {}

  struct Outgoing {
    std::string target;
    std::string from;
    std::string body;
    std::optional<std::chrono::steady_clock::time_point> origin;
    std::string_view name;  // the message's, for the sent observer
  };

  net::io_context& io;
  ProcessAddress address;
  Duration reply_timeout;
  size_t window;
  std::optional<beast::tcp_stream> stream;
  bool connecting = false;
  bool connected = false;
  bool writing = false;  // a request is being written
  bool reading = false;  // a reply is being read
  size_t written = 0;    // requests written whose replies have not come yet
  bool reused = false;   // the connection carried an earlier exchange (the server may drop it)
  uint64_t generation = 0;
  std::deque<Outgoing> queue;
  beast::flat_buffer buffer;
  http::request<http::string_body> request;
  http::response<http::string_body> response;
  // Fires when an outstanding request has seen no progress (a write done, a reply read) for
  // reply_timeout. Its own timer, not the stream's: a read and a write may be pending at once.
  net::steady_timer watchdog;
  std::function<void(const std::string&)> on_failure;
  const SentObserver* on_sent = nullptr;  // the transport's, which outlives its peers' use

  std::chrono::microseconds timeout() const {
    return std::chrono::microseconds(reply_timeout.micros());
  }

  // Idempotent: starts whatever the queue allows now.
  void pump() {
    if (queue.empty()) return;
    if (!connected) {
      if (!connecting) connect();
      return;
    }
    if (!writing && written < queue.size() && written < window) write_next();
  }

  void connect() {
    connecting = true;
    stream.emplace(io);
    stream->expires_after(timeout());
    const tcp::endpoint endpoint{net::ip::make_address(address.ip), address.port};
    stream->async_connect(endpoint,
                          [self = shared_from_this(), g = generation](beast::error_code ec) {
                            if (g != self->generation) return;
                            self->connecting = false;
                            if (ec) return self->fail("cannot connect: " + ec.message());
                            self->stream->expires_never();  // the watchdog times replies
                            // A request written while the previous one is unacknowledged goes
                            // out now, not after the peer's delayed ACK (Nagle's algorithm).
                            beast::error_code ignored;
                            self->stream->socket().set_option(tcp::no_delay(true), ignored);
                            self->connected = true;
                            self->reused = false;
                            self->pump();
                          });
  }

  void arm_watchdog() {
    watchdog.expires_after(timeout());
    watchdog.async_wait([self = shared_from_this(), g = generation](beast::error_code ec) {
      if (ec || g != self->generation) return;  // re-armed, or the connection is gone
      if (self->written > 0 || self->writing) self->broken("no reply: timed out", false);
    });
  }

  void write_next() {
    const Outgoing& out = queue[written];
    request = {http::verb::post, out.target, 11};
    request.set(http::field::host, fmt::format("{}:{}", address.ip, address.port));
    request.set("Libprocess-From", out.from);
    request.set(http::field::content_type, "application/json");
    request.keep_alive(true);
    request.body() = out.body;
    request.prepare_payload();
    writing = true;
    arm_watchdog();
    http::async_write(*stream, request,
                      [self = shared_from_this(), g = generation](beast::error_code ec, size_t) {
                        if (g != self->generation) return;
                        self->writing = false;
                        if (ec) return self->broken("sending failed: " + ec.message());
                        self->sent(self->queue[self->written]);
                        ++self->written;
                        if (!self->reading) self->read_reply();
                        self->pump();
                      });
  }

  void sent(const Outgoing& out) const {
    if (!out.origin || on_sent == nullptr || !*on_sent) return;
    const auto since = std::chrono::steady_clock::now() - *out.origin;
    (*on_sent)(out.name, Duration::micros(
                             std::chrono::duration_cast<std::chrono::microseconds>(since).count()));
  }

  void read_reply() {
    reading = true;
    response = {};
    http::async_read(*stream, buffer, response,
                     [self = shared_from_this(), g = generation](beast::error_code ec, size_t) {
                       if (g != self->generation) return;
                       self->reading = false;
                       if (ec) return self->broken("no reply: " + ec.message());
                       if (response_status(*self) != 202) {
                         return self->fail(fmt::format("answered {} {}", response_status(*self),
                                                       self->response.body()));
                       }
                       self->queue.pop_front();
                       --self->written;
                       self->reused = true;
                       if (!self->response.keep_alive()) {
                         // The server reads nothing more on this connection: what was written
                         // after this request goes again on a new one.
                         self->close();
                       } else if (self->written > 0) {
                         self->arm_watchdog();
                         self->read_reply();
                       }
                       self->pump();
                     });
  }
  static int response_status(const Peer& p) { return static_cast<int>(p.response.result_int()); }

  // A reused keep-alive connection the server closed while idle is not the peer exiting: what
  // awaited a reply is sent once more on a fresh connection. A timeout always is an exit.
  void broken(const std::string& why, bool retry_if_reused = true) {
    if (reused && retry_if_reused) {
      close();
      return pump();
    }
    fail(why);
  }

  void close() {
    ++generation;
    connecting = false;
    connected = false;
    writing = false;
    reading = false;
    written = 0;
    reused = false;
    buffer.clear();
    watchdog.cancel();
    if (stream) {
      beast::error_code ec;
      stream->socket().shutdown(tcp::socket::shutdown_both, ec);
      stream->close();
    }
  }

  void fail(const std::string& why) {
    close();
    queue.clear();
    if (on_failure) on_failure(why);
  }
};

HttpTransport::HttpTransport(net::io_context& io, HttpTransportOptions options)
    : io_(io), options_(std::move(options)), alive_(std::make_shared<bool>(true)) {}

HttpTransport::~HttpTransport() {
  *alive_ = false;
  stop();
}

void HttpTransport::set_port(uint16_t port) { options_.port = port; }

Endpoint HttpTransport::add_process(const std::string& name, Process& process) {
  const Endpoint e{next_endpoint_++};
  locals_[e.value] = Local{name, &process, {}, false};
  local_by_name_[name] = e;
  return e;
}

Endpoint HttpTransport::peer(const ProcessAddress& address) {
  const std::string key = address.to_string();
  if (auto it = peer_by_address_.find(key); it != peer_by_address_.end()) return it->second;
  const Endpoint e{next_endpoint_++};
  auto p = std::make_shared<Peer>(io_, address, options_.reply_timeout,
                                  std::max<size_t>(1, options_.max_messages_in_flight));
  p->on_sent = &on_sent_;
  std::weak_ptr<bool> alive = alive_;
  p->on_failure = [this, alive, e](const std::string& why) {
    if (!alive.expired() && *alive.lock()) peer_failed(e, why);
  };
  peers_[e.value] = std::move(p);
  peer_by_address_[key] = e;
  return e;
}

Endpoint HttpTransport::add_sink(std::string label, Sink deliver) {
  const Endpoint e{next_endpoint_++};
  locals_[e.value] = Local{std::move(label), nullptr, std::move(deliver), false};
  return e;
}

void HttpTransport::remove_sink(Endpoint sink) {
  auto it = locals_.find(sink.value);
  if (it == locals_.end() || it->second.process != nullptr || it->second.removed) return;
  it->second.removed = true;
  it->second.sink = nullptr;
  for (Endpoint self : linked_by_[sink]) deliver_later(sink, self, ExitedMessage{sink});
}

std::string HttpTransport::address_of(Endpoint endpoint) const {
  if (auto it = locals_.find(endpoint.value); it != locals_.end()) {
    if (it->second.process == nullptr) return it->second.name;
    return ProcessAddress{it->second.name, options_.ip, options_.port}.to_string();
  }
  if (auto it = peers_.find(endpoint.value); it != peers_.end())
    return it->second->address.to_string();
  return "";
}

void HttpTransport::send(Endpoint from, Endpoint to, Message&& message) {
  if (stopped_) return;
  if (locals_.count(to.value)) return deliver_later(from, to, std::move(message));
  if (peers_.count(to.value)) return send_remote(from, to, std::move(message));
  spdlog::debug("dropping {} to unknown endpoint {}", message_name(message), to.value);
}

void HttpTransport::link(Endpoint self, Endpoint peer) {
  linked_by_[peer].insert(self);
  auto it = locals_.find(peer.value);
  if (it != locals_.end() && it->second.removed) deliver_later(peer, self, ExitedMessage{peer});
}

void HttpTransport::deliver_later(Endpoint from, Endpoint to, Message message) {
  std::weak_ptr<bool> alive = alive_;
  net::post(io_, [this, alive, from, to, origin = origin_, message = std::move(message)]() mutable {
    if (alive.expired() || !*alive.lock()) return;
    auto it = locals_.find(to.value);
    if (it == locals_.end() || it->second.removed) return;
    // What the process sends while handling this message shares its origin.
    origin_ = origin;
    if (it->second.process != nullptr) {
      it->second.process->receive(from, std::move(message));
    } else if (it->second.sink) {
      it->second.sink(from, message);
    }
    origin_.reset();
  });
}

void HttpTransport::send_remote(Endpoint from, Endpoint to, Message message) {
  const auto name = internal_message_name(message);
  Peer& p = *peers_.at(to.value);
  if (!name) {
    spdlog::warn("{} cannot travel to {}: only internal messages go between daemons",
                 message_name(message), p.address.to_string());
    return;
  }
  if (p.queue.size() >= options_.max_queued_messages) {
    p.fail(fmt::format("more than {} messages queued", options_.max_queued_messages));
    return;
  }
  p.queue.push_back({fmt::format("/{}/{}{}", p.address.name, kMessagePrefix, *name),
                     address_of(from), encode_internal_message(message), origin_, *name});
  p.pump();
}

void HttpTransport::peer_failed(Endpoint peer, const std::string& why) {
  spdlog::warn("Peer {} exited: {}", address_of(peer), why);
  for (Endpoint self : linked_by_[peer]) deliver_later(peer, self, ExitedMessage{peer});
}

bool HttpTransport::handles(const HttpRequest& request) const {
  const std::string_view path = request.path;
  if (path.size() < 2 || path[0] != '/') return false;
  const size_t slash = path.find('/', 1);
  if (slash == std::string_view::npos) return false;
  if (!local_by_name_.count(std::string(path.substr(1, slash - 1)))) return false;
  return path.substr(slash + 1).starts_with(kMessagePrefix);
}

HttpResponse HttpTransport::receive(const HttpRequest& request) {
  const std::string_view path = request.path;
  const size_t slash = path.find('/', 1);
  if (slash == std::string_view::npos) return HttpResponse::text(404, "no such process\n");
  auto local = local_by_name_.find(std::string(path.substr(1, slash - 1)));
  if (local == local_by_name_.end()) return HttpResponse::text(404, "no such process\n");
  if (request.method != "POST") {
    HttpResponse r = HttpResponse::text(
        405, "Expecting one of { 'POST' }, but received '" + request.method + "'\n");
    r.headers.emplace_back("Allow", "POST");
    return r;
  }
  const auto from_header = request.header("Libprocess-From");
  if (!from_header) return HttpResponse::text(400, "missing header 'Libprocess-From'\n");
  Result<ProcessAddress> from = ProcessAddress::parse(*from_header);
  if (!from)
    return HttpResponse::text(400, "header 'Libprocess-From': " + from.error().message + "\n");
  const std::string_view name = path.substr(slash + 1 + kMessagePrefix.size());
  Result<Message> message = decode_internal_message(name, request.body);
  if (!message) {
    const bool unknown = message.error().message.starts_with("unknown internal message");
    return HttpResponse::text(unknown ? 404 : 400, message.error().message + "\n");
  }
  deliver_later(peer(from.value()), local->second, std::move(message).value());
  return HttpResponse{202, {}, ""};
}

void HttpTransport::stop() {
  stopped_ = true;
  for (auto& [id, p] : peers_) {
    p->close();
    p->queue.clear();
  }
}

}  // namespace mesosim::live
