#pragma once

// Helpers for the live daemon tests: an io_context on its own thread (the daemon's loop, with
// calls onto it that wait for their result), and a blocking HTTP/1.1 client on a raw socket
// (no Beast, so the server is tested against independent parsing) that can follow a chunked
// event stream.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>

#include "sim/live/recordio.hpp"

namespace mesosim::live::testing {

// Runs an io_context on a background thread until destroyed.
class LoopThread {
 public:
  LoopThread() : guard_(io_.get_executor()), thread_([this] { io_.run(); }) {}
  ~LoopThread() {
    guard_.reset();
    io_.stop();
    thread_.join();
  }
  boost::asio::io_context& io() { return io_; }

  // Runs `fn` on the loop thread and returns its result.
  template <typename Fn>
  auto call(Fn fn) -> decltype(fn()) {
    using R = decltype(fn());
    std::promise<R> done;
    boost::asio::post(io_, [&] {
      if constexpr (std::is_void_v<R>) {
        fn();
        done.set_value();
      } else {
        done.set_value(fn());
      }
    });
    return done.get_future().get();
  }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::thread thread_;
};

struct RawResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
  }
};

inline std::string request_text(const std::string& method, const std::string& target,
                                const std::vector<std::pair<std::string, std::string>>& headers,
                                const std::string& body) {
  std::string out = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (const auto& [k, v] : headers) out += k + ": " + v + "\r\n";
  if (!body.empty() || method == "POST")
    out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  return out + "\r\n" + body;
}

// A blocking client connection to 127.0.0.1:port; every read gives up after `timeout_ms`.
class RawClient {
 public:
  explicit RawClient(uint16_t port, int timeout_ms = 5000) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawClient() { close(); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  void send(const std::string& bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<size_t>(n);
    }
  }
  void request(const std::string& method, const std::string& target,
               const std::vector<std::pair<std::string, std::string>>& headers = {},
               const std::string& body = "") {
    send(request_text(method, target, headers, body));
  }

  // Status line and headers; nullopt on EOF or timeout.
  std::optional<RawResponse> read_head() {
    std::string line;
    if (!read_line(line)) return std::nullopt;
    RawResponse r;
    if (line.size() < 12) return std::nullopt;
    r.status = std::stoi(line.substr(9, 3));
    while (read_line(line) && !line.empty()) {
      const size_t colon = line.find(':');
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
    }
    return r;
  }
  // A whole Content-Length response.
  std::optional<RawResponse> read_response() {
    auto r = read_head();
    if (!r) return r;
    const std::string length = r->header("content-length");
    if (!length.empty() && !read_exact(std::stoul(length), r->body)) return std::nullopt;
    return r;
  }
  // The next chunk of a chunked body; nullopt at the last chunk, EOF or timeout.
  std::optional<std::string> read_chunk() {
    std::string line;
    if (!read_line(line)) return std::nullopt;
    const size_t size = std::stoul(line, nullptr, 16);
    std::string data;
    if (size == 0 || !read_exact(size, data)) return std::nullopt;
    read_line(line);
    return data;
  }
  // The next RecordIO record of an event stream, parsed; each chunk holds exactly one.
  std::optional<nlohmann::json> read_event() {
    auto chunk = read_chunk();
    if (!chunk) return std::nullopt;
    auto records = decoder_.decode(*chunk);
    EXPECT_TRUE(records.ok());
    if (!records.ok() || records.value().size() != 1) return std::nullopt;
    return nlohmann::json::parse(records.value()[0]);
  }
  // Reads events until one of `type` (skipping others, e.g. HEARTBEAT); nullopt if the stream ends.
  std::optional<nlohmann::json> read_event_of(const std::string& type) {
    for (int i = 0; i < 100; ++i) {
      auto e = read_event();
      if (!e || (*e)["type"] == type) return e;
    }
    return std::nullopt;
  }
  // True if the server closed the connection (EOF) within the read timeout.
  bool closed_by_server() {
    char c;
    while (true) {
      const ssize_t n = ::recv(fd_, &c, 1, 0);
      if (n == 0) return true;
      if (n < 0) return false;
    }
  }

 private:
  bool fill() {
    char buf[4096];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return false;
    pending_.append(buf, static_cast<size_t>(n));
    return true;
  }
  bool read_line(std::string& line) {
    size_t end;
    while ((end = pending_.find("\r\n")) == std::string::npos) {
      if (!fill()) return false;
    }
    line = pending_.substr(0, end);
    pending_.erase(0, end + 2);
    return true;
  }
  bool read_exact(size_t n, std::string& out) {
    while (pending_.size() < n) {
      if (!fill()) return false;
    }
    out = pending_.substr(0, n);
    pending_.erase(0, n);
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string pending_;
  RecordIODecoder decoder_;
};

// One request on a fresh connection.
inline RawResponse http(uint16_t port, const std::string& method, const std::string& target,
                        const std::vector<std::pair<std::string, std::string>>& headers = {},
                        const std::string& body = "") {
  RawClient client(port);
  client.request(method, target, headers, body);
  auto r = client.read_response();
  EXPECT_TRUE(r.has_value()) << method << " " << target << ": no response";
  return r.value_or(RawResponse{});
}

// Polls `pred` (on the caller's thread) until true or `timeout_ms` passes.
template <typename Pred>
bool eventually(Pred pred, int timeout_ms = 5000) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return pred();
}

}  // namespace mesosim::live::testing
