// The HTTP/1.1 server: plain responses, keep-alive, size limits, 100-continue, chunked streams
// that stay open, and a clean stop.

#include "sim/live/http_server.hpp"

#include <gtest/gtest.h>

#include <atomic>

#include "tests/sim/live/daemon_test_util.hpp"

namespace mesosim::live {
namespace {

using testing::LoopThread;
using testing::RawClient;

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HttpServerOptions options;
    options.max_body_bytes = 1024;
    server_ = loop_.call([&] {
      return HttpServer::start(loop_.io(), options,
                               [this](const HttpRequest& r) { return handle(r); })
          .value();
    });
    port_ = server_->port();
  }
  void TearDown() override {
    loop_.call([&] { server_.reset(); });
  }

  HttpReply handle(const HttpRequest& r) {
    ++requests_;
    if (r.path == "/echo") {
      return HttpResponse::text(200, r.method + " " + r.query + " " + r.body + " " +
                                         std::string(r.header("x-token").value_or("-")));
    }
    if (r.path == "/stream") {
      HttpStreamingResponse s;
      s.headers = {{"Content-Type", "application/json"}};
      s.opened = [this](std::shared_ptr<HttpStream> stream) {
        stream->write("first");
        stream->write("");  // skipped: it would end the body
        stream->write("second");
        stream->on_close([this] { stream_closed_ = true; });
        stream_ = stream;
      };
      return s;
    }
    return HttpResponse::text(404, "none");
  }

  LoopThread loop_;
  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
  std::atomic<int> requests_{0};
  std::atomic<bool> stream_closed_{false};
  std::shared_ptr<HttpStream> stream_;
};

TEST_F(HttpServerTest, AnswersRequestsOnAKeptAliveConnection) {
  RawClient client(port_);
  ASSERT_TRUE(client.connected());
  client.request("POST", "/echo?a=1", {{"X-Token", "t"}}, "body");
  auto first = client.read_response();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->body, "POST a=1 body t");
  EXPECT_EQ(first->header("content-type"), "text/plain; charset=utf-8");
  client.request("GET", "/nothing");
  auto second = client.read_response();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->status, 404);
  EXPECT_EQ(requests_, 2);
}

TEST_F(HttpServerTest, HeadGetsTheHeadersWithoutTheBody) {
  RawClient client(port_);
  client.request("HEAD", "/echo");
  auto head = client.read_head();
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->header("content-length"), "8");  // "HEAD   -", which is not sent
  client.request("GET", "/echo");  // the next response starts right after the headers
  auto next = client.read_response();
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->body, "GET   -");
}

TEST_F(HttpServerTest, ConnectionCloseEndsTheConnectionAfterTheResponse) {
  RawClient client(port_);
  client.request("GET", "/echo", {{"Connection", "close"}});
  auto r = client.read_response();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->header("connection"), "close");
  EXPECT_TRUE(client.closed_by_server());
}

TEST_F(HttpServerTest, ABodyOverTheLimitIs413WithoutReachingTheHandler) {
  auto r = testing::http(port_, "POST", "/echo", {}, std::string(2000, 'x'));
  EXPECT_EQ(r.status, 413);
  EXPECT_NE(r.body.find("larger than the limit of 1024 bytes"), std::string::npos) << r.body;
  EXPECT_EQ(requests_, 0);
}

TEST_F(HttpServerTest, GarbageIs400) {
  RawClient client(port_);
  client.send("NOT HTTP AT ALL\r\n\r\n");
  auto r = client.read_response();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(requests_, 0);
}

TEST_F(HttpServerTest, ExpectContinueGetsA100BeforeTheBody) {
  RawClient client(port_);
  client.send(
      "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
  auto interim = client.read_head();
  ASSERT_TRUE(interim.has_value());
  EXPECT_EQ(interim->status, 100);
  client.send("hi");
  auto r = client.read_response();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, "POST  hi -");
}

TEST_F(HttpServerTest, AStreamSendsEachWriteAsAChunkAndStaysOpen) {
  RawClient client(port_, 300);
  client.request("GET", "/stream");
  auto head = client.read_head();
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->header("transfer-encoding"), "chunked");
  EXPECT_EQ(head->header("content-type"), "application/json");
  EXPECT_EQ(client.read_chunk(), "first");
  EXPECT_EQ(client.read_chunk(), "second");
  EXPECT_FALSE(client.read_chunk().has_value());  // nothing more, but not closed: a timeout
  loop_.call([&] { stream_->write("third"); });
  EXPECT_EQ(client.read_chunk(), "third");
  EXPECT_FALSE(stream_closed_);
}

TEST_F(HttpServerTest, TheClientGoingAwayClosesTheStream) {
  {
    RawClient client(port_);
    client.request("GET", "/stream");
    ASSERT_TRUE(client.read_head().has_value());
  }
  EXPECT_TRUE(testing::eventually([&] { return stream_closed_.load(); }));
  EXPECT_FALSE(loop_.call([&] { return stream_->write("late"); }));
}

TEST_F(HttpServerTest, CloseSendsTheLastChunkAndStopClosesEverything) {
  RawClient client(port_);
  client.request("GET", "/stream");
  ASSERT_TRUE(client.read_head().has_value());
  ASSERT_EQ(client.read_chunk(), "first");
  ASSERT_EQ(client.read_chunk(), "second");
  loop_.call([&] { stream_->close(); });
  EXPECT_FALSE(client.read_chunk().has_value());  // the zero-size last chunk
  EXPECT_TRUE(client.closed_by_server());
  EXPECT_TRUE(testing::eventually([&] { return stream_closed_.load(); }));

  RawClient idle(port_);
  idle.request("GET", "/echo");
  ASSERT_TRUE(idle.read_response().has_value());
  loop_.call([&] { server_->stop(); });
  EXPECT_TRUE(idle.closed_by_server());
  EXPECT_EQ(loop_.call([&] { return server_->open_connections(); }), 0u);
  RawClient refused(port_);
  EXPECT_FALSE(refused.connected());
}

// A request whose bytes the loop read before stop() must not reach the handler after it: the
// handler's owner stops the server as it goes away. Every client's request is in the kernel
// before the loop runs, so the reads of the others complete on the loop turns around the one
// whose request stops the server.
TEST(HttpServer, NoRequestReachesTheHandlerAfterStop) {
  boost::asio::io_context io;
  std::unique_ptr<HttpServer> server;
  int handled = 0;
  int after_stop = 0;
  bool stopped = false;
  server = HttpServer::start(io, {},
                             [&](const HttpRequest&) {
                               ++handled;
                               if (stopped) ++after_stop;
                               stopped = true;
                               server->stop();
                               return HttpResponse::text(200, "ok");
                             })
               .value();
  std::vector<std::unique_ptr<RawClient>> clients;
  for (int i = 0; i < 8; ++i) {
    clients.push_back(std::make_unique<RawClient>(server->port()));
    ASSERT_TRUE(clients.back()->connected());
    clients.back()->request("GET", "/x");
  }
  io.run_for(std::chrono::seconds(2));
  EXPECT_EQ(handled, 1);
  EXPECT_EQ(after_stop, 0);
}

TEST(HttpServer, ABadAddressIsAnErrorNamingIt) {
  boost::asio::io_context io;
  HttpServerOptions options;
  options.ip = "not-an-ip";
  auto r = HttpServer::start(io, options, [](const HttpRequest&) { return HttpResponse{}; });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "--ip 'not-an-ip': not an IP address");
}

}  // namespace
}  // namespace mesosim::live
