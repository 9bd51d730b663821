#include "sim/live/http_server.hpp"

#include <array>
#include <deque>
#include <map>

#include <fmt/format.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace mesosim::live {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = boost::asio::ip::tcp;

namespace {
class Session;
}  // namespace

struct HttpServer::Shared {
  Shared(net::io_context& io, HttpServerOptions o, HttpHandler h)
      : io(io), options(std::move(o)), handler(std::move(h)), acceptor(io) {}
  net::io_context& io;
  HttpServerOptions options;
  HttpHandler handler;
  tcp::acceptor acceptor;
  uint16_t port = 0;
  bool stopped = false;
  std::map<Session*, std::weak_ptr<Session>> sessions;

  void accept(const std::shared_ptr<Shared>& self);
};

namespace {

std::string status_line(int status) {
  return fmt::format("HTTP/1.1 {} {}\r\n", status, http_reason(status));
}

// One client connection: reads requests, answers them, and may turn into a chunked stream.
class Session final : public HttpStream, public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<HttpServer::Shared> server)
      : server_(std::move(server)), stream_(std::move(socket)) {
    beast::error_code ec;
    const auto remote = stream_.socket().remote_endpoint(ec);
    if (!ec) peer_ = fmt::format("{}:{}", remote.address().to_string(), remote.port());
  }
  ~Session() override { server_->sessions.erase(this); }

  void start() {
    server_->sessions.emplace(this, weak_from_this());
    read_request();
  }

  bool write(std::string chunk) override {
    if (closed_ || !streaming_) return false;
    if (chunk.empty()) return true;
    queue(fmt::format("{:x}\r\n", chunk.size()) + chunk + "\r\n");
    return true;
  }
  void close() override {
    if (closed_) return;
    closed_ = true;
    close_after_writes_ = true;
    queue("0\r\n\r\n");
  }
  bool closed() const override { return closed_; }
  void on_close(std::function<void()> fn) override {
    if (finished_) {
      fn();
    } else {
      on_close_.push_back(std::move(fn));
    }
  }

  // Ends the connection now; runs the on_close callbacks once.
  void finish() {
    if (finished_) return;
    finished_ = true;
    closed_ = true;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
    server_->sessions.erase(this);
    auto callbacks = std::move(on_close_);
    for (auto& fn : callbacks) fn();
  }

 private:
  void read_request() {
    parser_.emplace();
    parser_->body_limit(server_->options.max_body_bytes);
    parser_->header_limit(static_cast<uint32_t>(server_->options.max_header_bytes));
    stream_.expires_after(std::chrono::microseconds(server_->options.idle_timeout.micros()));
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->on_header(ec); });
  }

  // A parse failure gets its status and the connection ends; a broken connection just ends.
  // So does a read that completed before stop() but runs after it: the handler's owner may be
  // gone by then (it stops the server as it goes).
  bool failed(beast::error_code ec) {
    if (finished_ || server_->stopped) {
      finish();
      return true;
    }
    if (!ec) return false;
    if (ec == http::error::body_limit) {
      reply_and_close(413, fmt::format("Request body is larger than the limit of {} bytes",
                                       server_->options.max_body_bytes));
    } else if (ec == http::error::header_limit) {
      reply_and_close(431, "Request header block is too large");
    } else if (&ec.category() == &http::make_error_code(http::error::bad_method).category() &&
               ec != http::error::end_of_stream && ec != http::error::partial_message) {
      reply_and_close(400, "Malformed HTTP request: " + ec.message());
    } else {
      finish();
    }
    return true;
  }

  void on_header(beast::error_code ec) {
    if (failed(ec)) return;
    const auto expect = parser_->get()[http::field::expect];
    if (beast::iequals(expect, "100-continue")) {
      auto continue_line = std::make_shared<std::string>("HTTP/1.1 100 Continue\r\n\r\n");
      net::async_write(stream_, net::buffer(*continue_line),
                       [self = shared_from_this(), continue_line](beast::error_code e, size_t) {
                         if (e) return self->finish();
                         self->read_body();
                       });
      return;
    }
    read_body();
  }

  void read_body() {
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->on_request(ec); });
  }

  void on_request(beast::error_code ec) {
    if (failed(ec)) return;
    auto& raw = parser_->get();
    HttpRequest req;
    req.received = std::chrono::steady_clock::now();
    req.method = std::string(raw.method_string());
    req.target = std::string(raw.target());
    const size_t q = req.target.find('?');
    req.path = req.target.substr(0, q);
    if (q != std::string::npos) req.query = req.target.substr(q + 1);
    for (const auto& field : raw) {
      req.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    req.body = std::move(raw.body());
    req.peer = peer_;
    keep_alive_ = raw.keep_alive();
    head_request_ = raw.method() == http::verb::head;
    HttpReply reply = HttpResponse::text(500, "Internal Server Error");
    try {
      reply = server_->handler(req);
    } catch (const std::exception& e) {
      reply = HttpResponse::text(500, std::string("Internal Server Error: ") + e.what());
    }
    if (auto* response = std::get_if<HttpResponse>(&reply)) {
      respond(std::move(*response), keep_alive_);
    } else {
      open_stream(std::move(std::get<HttpStreamingResponse>(reply)));
    }
  }

  void respond(HttpResponse response, bool keep_alive) {
    std::string out = status_line(response.status);
    for (const auto& [name, value] : response.headers) out += name + ": " + value + "\r\n";
    out += "Server: " + server_->options.server_name + "\r\n";
    out += fmt::format("Content-Length: {}\r\n", response.body.size());
    if (!keep_alive) out += "Connection: close\r\n";
    out += "\r\n";
    if (!head_request_) out += response.body;  // HEAD: the headers of a GET, no body
    auto text = std::make_shared<std::string>(std::move(out));
    net::async_write(stream_, net::buffer(*text),
                     [self = shared_from_this(), text, keep_alive](beast::error_code ec, size_t) {
                       if (ec || !keep_alive) return self->finish();
                       self->read_request();
                     });
  }

  void reply_and_close(int status, std::string message) {
    head_request_ = false;
    respond(HttpResponse::text(status, std::move(message) + "\n"), false);
  }

  void open_stream(HttpStreamingResponse response) {
    std::string head = status_line(response.status);
    for (const auto& [name, value] : response.headers) head += name + ": " + value + "\r\n";
    head += "Server: " + server_->options.server_name + "\r\n";
    head += "Transfer-Encoding: chunked\r\n\r\n";
    streaming_ = true;
    stream_.expires_never();
    queue(std::move(head));
    watch_for_close();
    if (response.opened) response.opened(shared_from_this());
  }

  // While streaming, anything the client sends is ignored; EOF or an error means it is gone.
  void watch_for_close() {
    stream_.async_read_some(net::buffer(discard_),
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (ec) return self->finish();
                              self->watch_for_close();
                            });
  }

  void queue(std::string bytes) {
    if (finished_) return;
    out_.push_back(std::move(bytes));
    if (!writing_) write_next();
  }

  void write_next() {
    writing_ = true;
    net::async_write(stream_, net::buffer(out_.front()),
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) return self->finish();
                       self->out_.pop_front();
                       if (!self->out_.empty()) return self->write_next();
                       self->writing_ = false;
                       if (self->close_after_writes_) self->finish();
                     });
  }

  std::shared_ptr<HttpServer::Shared> server_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string peer_;
  bool keep_alive_ = true;
  bool head_request_ = false;
  bool streaming_ = false;
  bool closed_ = false;
  bool finished_ = false;
  bool writing_ = false;
  bool close_after_writes_ = false;
  std::deque<std::string> out_;
  std::vector<std::function<void()>> on_close_;
  std::array<char, 4096> discard_{};
};

}  // namespace

bool is_read_only(const HttpRequest& request) {
  return request.method == "GET" || request.method == "HEAD";
}

HttpResponse get_only(const HttpRequest& request) {
  HttpResponse response = HttpResponse::text(
      405, "Expecting one of { 'GET' }, but received '" + request.method + "'\n");
  response.headers.emplace_back("Allow", "GET");
  return response;
}

std::string_view http_reason(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 307:
      return "Temporary Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    default:
      return "Unknown";
  }
}

void HttpServer::Shared::accept(const std::shared_ptr<Shared>& self) {
  acceptor.async_accept([self](beast::error_code ec, tcp::socket socket) {
    if (self->stopped) return;
    if (!ec) {
      // Replies to pipelined requests and stream events go out as written, not held back by
      // Nagle's algorithm until the previous segment is acknowledged (up to a delayed ACK).
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      std::make_shared<Session>(std::move(socket), self)->start();
    }
    self->accept(self);
  });
}

std::optional<std::string_view> find_header(const HttpHeaders& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (beast::iequals(k, beast::string_view(name.data(), name.size()))) return std::string_view(v);
  }
  return std::nullopt;
}

HttpResponse HttpResponse::text(int status, std::string body) {
  return HttpResponse{status, {{"Content-Type", "text/plain; charset=utf-8"}}, std::move(body)};
}

HttpResponse HttpResponse::json(int status, std::string body) {
  return HttpResponse{status, {{"Content-Type", "application/json"}}, std::move(body)};
}

Result<std::unique_ptr<HttpServer>> HttpServer::start(net::io_context& io,
                                                      HttpServerOptions options,
                                                      HttpHandler handler) {
  const std::string where = fmt::format("{}:{}", options.ip, options.port);
  beast::error_code ec;
  const auto address = net::ip::make_address(options.ip, ec);
  if (ec) return Error{fmt::format("--ip '{}': not an IP address", options.ip)};
  auto shared = std::make_shared<Shared>(io, std::move(options), std::move(handler));
  const tcp::endpoint endpoint{address, shared->options.port};
  shared->acceptor.open(endpoint.protocol(), ec);
  if (!ec) shared->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) shared->acceptor.bind(endpoint, ec);
  if (!ec) shared->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return Error{fmt::format("cannot listen on {}: {}", where, ec.message())};
  shared->port = shared->acceptor.local_endpoint().port();
  shared->accept(shared);
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(shared)));
}

HttpServer::~HttpServer() { stop(); }

uint16_t HttpServer::port() const { return shared_->port; }
const std::string& HttpServer::ip() const { return shared_->options.ip; }
size_t HttpServer::open_connections() const { return shared_->sessions.size(); }

void HttpServer::stop() {
  if (shared_->stopped) return;
  shared_->stopped = true;
  beast::error_code ec;
  shared_->acceptor.close(ec);
  std::vector<std::shared_ptr<Session>> open;
  for (auto& [raw, weak] : shared_->sessions) {
    if (auto s = weak.lock()) open.push_back(std::move(s));
  }
  for (auto& s : open) s->finish();
}

}  // namespace mesosim::live
