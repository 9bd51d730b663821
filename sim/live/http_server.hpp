#pragma once

// A small HTTP/1.1 server on the daemon's event loop (Boost.Beast, one thread).
//
// Every request is read whole (headers, then a body up to `max_body_bytes`; more is refused
// with 413 before the body is read, a header block over `max_header_bytes` with 431, a request
// Beast cannot parse with 400) and handed to the handler on the loop thread. The handler answers
// with a complete response, or opens a streaming one: the status line and headers go out with
// `Transfer-Encoding: chunked`, and the handler's code then writes chunks to the HttpStream as
// it pleases until either side closes it. Connections are kept alive as HTTP/1.1 says
// (`Connection: close` and HTTP/1.0 without keep-alive end them); an idle connection is closed
// after `idle_timeout`. A client sending `Expect: 100-continue` gets `100 Continue` first.
//
// Threading: everything, the handler and every HttpStream call included, runs on the thread
// that runs the io_context. stop() closes the listener and every connection, streams included
// (their on_close callbacks run), and is safe to call twice.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "allocator/result.hpp"
#include "allocator/time.hpp"

namespace mesosim::live {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// The first value of header `name` (case-insensitive), if present.
std::optional<std::string_view> find_header(const HttpHeaders& headers, std::string_view name);

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as sent: "/master/state?jsonp=f"
  std::string path;    // the target up to '?'
  std::string query;   // after '?', or empty
  HttpHeaders headers;
  std::string body;
  std::string peer;  // "ip:port" of the client
  // When the server had read the whole request (steady clock), before the handler ran.
  std::chrono::steady_clock::time_point received{};

  std::optional<std::string_view> header(std::string_view name) const {
    return find_header(headers, name);
  }
};

struct HttpResponse {
  int status = 200;
  HttpHeaders headers;
  std::string body;

  // `Content-Type: text/plain; charset=utf-8`
  static HttpResponse text(int status, std::string body);
  // `Content-Type: application/json`
  static HttpResponse json(int status, std::string body);
};

// An open chunked response. write() queues one chunk (an empty string is skipped: an empty
// chunk would end the body); close() sends the last chunk and closes the connection.
class HttpStream {
 public:
  virtual ~HttpStream() = default;
  // False (and nothing is sent) once the stream is closed.
  virtual bool write(std::string chunk) = 0;
  virtual void close() = 0;
  virtual bool closed() const = 0;
  // Runs once, on the loop thread, when the stream ends for any reason: close(), the client
  // going away (read EOF or error), a write error or the server stopping. A callback set after
  // the stream ended runs at once.
  virtual void on_close(std::function<void()> fn) = 0;
};

struct HttpStreamingResponse {
  int status = 200;
  HttpHeaders headers;
  // Called once the status line and headers have been queued; the stream is open.
  std::function<void(std::shared_ptr<HttpStream>)> opened;
};

using HttpReply = std::variant<HttpResponse, HttpStreamingResponse>;
using HttpHandler = std::function<HttpReply(const HttpRequest&)>;

struct HttpServerOptions {
  std::string ip = "127.0.0.1";
  uint16_t port = 0;  // 0: the kernel picks one; port() says which
  size_t max_body_bytes = 4 * 1024 * 1024;
  size_t max_header_bytes = 64 * 1024;
  Duration idle_timeout = Duration::seconds(120);
  std::string server_name = "mesosim";  // the `Server` header
};

class HttpServer {
 public:
  // Binds and listens; an error names the address and why (in use, bad address, ...).
  static Result<std::unique_ptr<HttpServer>> start(boost::asio::io_context& io,
                                                   HttpServerOptions options, HttpHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  uint16_t port() const;
  const std::string& ip() const;
  void stop();
  size_t open_connections() const;

  struct Shared;  // the listener and the open sessions (http_server.cpp)

 private:
  explicit HttpServer(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}
  std::shared_ptr<Shared> shared_;
};

// The reason phrase of a status code ("Accepted", "Payload Too Large", ...).
std::string_view http_reason(int status);

// For the read-only endpoints of both daemons: GET or HEAD, and otherwise the 405 Mesos answers
// ("Expecting one of { 'GET' }, but received 'POST'", with `Allow: GET`).
bool is_read_only(const HttpRequest& request);
HttpResponse get_only(const HttpRequest& request);

}  // namespace mesosim::live
