// HttpTransport: internal messages between two daemons over HTTP on loopback, in order, with
// the sender's address; bad requests refused; ExitedMessage when a peer cannot be reached.

#include "sim/live/http_transport.hpp"

#include <gtest/gtest.h>

#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include "tests/sim/live/daemon_test_util.hpp"

namespace mesosim::live {
namespace {

using testing::LoopThread;

struct Recorder final : Process {
  std::vector<std::pair<Endpoint, Message>> received;
  void receive(Endpoint from, Message&& message) override {
    received.emplace_back(from, std::move(message));
  }
};

// One daemon: a transport with one process, behind its own HTTP server.
struct Daemon {
  Daemon(boost::asio::io_context& io, const std::string& name, Duration reply_timeout,
         HttpServerOptions server_options = {})
      : transport(io, HttpTransportOptions{"127.0.0.1", 0, reply_timeout, 10000}) {
    self = transport.add_process(name, process);
    server = HttpServer::start(io, server_options, [this](const HttpRequest& r) -> HttpReply {
               if (transport.handles(r)) return transport.receive(r);
               return HttpResponse::text(404, "no");
             }).value();
    transport.set_port(server->port());
  }
  ProcessAddress address(const std::string& name) const {
    return ProcessAddress{name, "127.0.0.1", server->port()};
  }
  HttpTransport transport;
  Recorder process;
  Endpoint self;
  std::unique_ptr<HttpServer> server;
};

class HttpTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    loop_.call([&] {
      master_ = std::make_unique<Daemon>(loop_.io(), "master", Duration::seconds(2));
      agent_ = std::make_unique<Daemon>(loop_.io(), "agent", Duration::seconds(2));
    });
  }
  void TearDown() override {
    loop_.call([&] {
      master_.reset();
      agent_.reset();
    });
  }
  size_t received(Daemon& d) {
    return loop_.call([&] { return d.process.received.size(); });
  }

  LoopThread loop_;
  std::unique_ptr<Daemon> master_, agent_;
};

TEST_F(HttpTransportTest, MessagesArriveInOrderWithTheSendersAddress) {
  loop_.call([&] {
    const Endpoint to_master = agent_->transport.peer(master_->address("master"));
    agent_->transport.send(
        agent_->self, to_master,
        v1::RegisterAgentMessage{{"h", {}, Resources::parse("cpus:2").value(), {}}});
    for (int i = 0; i < 20; ++i) {
      agent_->transport.send(agent_->self, to_master, v1::ShutdownAgentMessage{std::to_string(i)});
    }
  });
  ASSERT_TRUE(testing::eventually([&] { return received(*master_) == 21; }));
  loop_.call([&] {
    const auto& got = master_->process.received;
    ASSERT_TRUE(std::holds_alternative<v1::RegisterAgentMessage>(got[0].second));
    EXPECT_EQ(std::get<v1::RegisterAgentMessage>(got[0].second).agent.resources.to_string(),
              "cpus:2");
    for (int i = 0; i < 20; ++i) {
      EXPECT_EQ(std::get<v1::ShutdownAgentMessage>(got[i + 1].second).message, std::to_string(i));
    }
    // The sender is known by its address, and answering it reaches the agent's process.
    EXPECT_EQ(master_->transport.address_of(got[0].first), agent_->address("agent").to_string());
    master_->transport.send(master_->self, got[0].first, v1::AgentRegisteredMessage{{"A1"}});
  });
  ASSERT_TRUE(testing::eventually([&] { return received(*agent_) == 1; }));
  loop_.call([&] {
    const auto& reply = agent_->process.received[0];
    EXPECT_EQ(std::get<v1::AgentRegisteredMessage>(reply.second).agent_id.value, "A1");
    EXPECT_EQ(agent_->transport.address_of(reply.first), master_->address("master").to_string());
  });
}

// A peer played by hand: it reads requests and answers none until told, so the test sees how
// many the transport writes ahead of their 202s.
TEST_F(HttpTransportTest, SeveralMessagesGoOutBeforeTheFirstReplyAndEachReplyRetiresOne) {
  namespace net = boost::asio;
  net::io_context io;
  net::ip::tcp::acceptor acceptor(io, {net::ip::make_address("127.0.0.1"), 0});
  const uint16_t port = acceptor.local_endpoint().port();
  Endpoint peer;
  loop_.call([&] {
    peer = master_->transport.peer({"agent", "127.0.0.1", port});
    master_->transport.link(master_->self, peer);
    for (int i = 0; i < 3; ++i) {
      master_->transport.send(master_->self, peer, v1::ShutdownAgentMessage{std::to_string(i)});
    }
  });
  net::ip::tcp::socket socket(io);
  acceptor.accept(socket);
  socket.non_blocking(true);
  std::string seen;
  auto posts = [&] {
    char buf[4096];
    boost::system::error_code ec;
    size_t n = socket.read_some(net::buffer(buf), ec);
    if (!ec) seen.append(buf, n);
    size_t count = 0;
    for (size_t at = seen.find("POST /agent/"); at != std::string::npos;
         at = seen.find("POST /agent/", at + 1)) {
      ++count;
    }
    return count;
  };
  ASSERT_TRUE(testing::eventually([&] { return posts() == 3; }))
      << "only " << posts() << " request(s) written before any reply";
  // In the order sent.
  EXPECT_LT(seen.find("\"0\""), seen.find("\"1\""));
  EXPECT_LT(seen.find("\"1\""), seen.find("\"2\""));
  const std::string accepted = "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n";
  socket.non_blocking(false);
  for (int i = 0; i < 3; ++i) net::write(socket, net::buffer(accepted));
  // All three retired: the next message goes out on the same connection, and no exit is seen.
  socket.non_blocking(true);
  loop_.call([&] {
    master_->transport.send(master_->self, peer, v1::ShutdownAgentMessage{"3"});
  });
  ASSERT_TRUE(testing::eventually([&] { return posts() == 4; }));
  net::write(socket, net::buffer(accepted));
  EXPECT_FALSE(testing::eventually([&] { return received(*master_) > 0; }, 200));
}

TEST_F(HttpTransportTest, LocalDeliveryIsPostedNotReentrant) {
  bool delivered_inside_send = true;
  loop_.call([&] {
    master_->transport.send(master_->self, master_->self, v1::PongAgentMessage{});
    delivered_inside_send = !master_->process.received.empty();
  });
  EXPECT_FALSE(delivered_inside_send);
  EXPECT_TRUE(testing::eventually([&] { return received(*master_) == 1; }));
}

TEST_F(HttpTransportTest, BadRequestsAreRefusedAndDeliverNothing) {
  const uint16_t port = master_->server->port();
  const std::vector<std::pair<std::string, std::string>> from = {
      {"Libprocess-From", "agent@127.0.0.1:5051"}, {"Content-Type", "application/json"}};
  auto no_sender = testing::http(port, "POST", "/master/mesos.internal.PongAgentMessage", {}, "{}");
  EXPECT_EQ(no_sender.status, 400);
  EXPECT_EQ(no_sender.body, "missing header 'Libprocess-From'\n");
  auto bad_sender = testing::http(port, "POST", "/master/mesos.internal.PongAgentMessage",
                                  {{"Libprocess-From", "agent"}}, "{}");
  EXPECT_EQ(bad_sender.status, 400);
  auto unknown = testing::http(port, "POST", "/master/mesos.internal.NopeMessage", from, "{}");
  EXPECT_EQ(unknown.status, 404);
  auto malformed = testing::http(port, "POST", "/master/mesos.internal.KillTaskMessage", from,
                                 R"({"framework_id":{"value":"F"}})");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(malformed.body, "KillTaskMessage: missing required field 'task_id'\n");
  auto get = testing::http(port, "GET", "/master/mesos.internal.PongAgentMessage", from);
  EXPECT_EQ(get.status, 405);
  auto ok = testing::http(port, "POST", "/master/mesos.internal.PongAgentMessage", from, "{}");
  EXPECT_EQ(ok.status, 202);
  EXPECT_TRUE(ok.body.empty());
  EXPECT_TRUE(testing::eventually([&] { return received(*master_) == 1; }));
}

TEST_F(HttpTransportTest, APeerThatCannotBeReachedExitsForEveryLinker) {
  uint16_t dead_port = 0;
  {
    boost::asio::io_context io;  // a port that was free a moment ago and has no listener now
    auto s = HttpServer::start(io, {}, [](const HttpRequest&) { return HttpResponse{}; }).value();
    dead_port = s->port();
  }
  loop_.call([&] {
    const Endpoint gone = master_->transport.peer({"agent", "127.0.0.1", dead_port});
    master_->transport.link(master_->self, gone);
    master_->transport.send(master_->self, gone, v1::PingAgentMessage{});
    master_->transport.send(master_->self, gone, v1::PingAgentMessage{});
  });
  ASSERT_TRUE(testing::eventually([&] { return received(*master_) >= 1; }));
  loop_.call([&] {
    const auto& got = master_->process.received;
    ASSERT_EQ(got.size(), 1u);  // once per failure, not once per queued message
    ASSERT_TRUE(std::holds_alternative<ExitedMessage>(got[0].second));
    EXPECT_EQ(master_->transport.address_of(std::get<ExitedMessage>(got[0].second).peer),
              "agent@127.0.0.1:" + std::to_string(dead_port));
  });
}

TEST_F(HttpTransportTest, APeerThatDoesNotAnswerInTimeExits) {
  // A listener that accepts connections and never answers.
  std::unique_ptr<boost::asio::ip::tcp::acceptor> mute;
  std::unique_ptr<Daemon> impatient;
  loop_.call([&] {
    mute = std::make_unique<boost::asio::ip::tcp::acceptor>(
        loop_.io(), boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    impatient = std::make_unique<Daemon>(loop_.io(), "master", Duration::millis(200));
    const Endpoint peer =
        impatient->transport.peer({"agent", "127.0.0.1", mute->local_endpoint().port()});
    impatient->transport.link(impatient->self, peer);
    impatient->transport.send(impatient->self, peer, v1::PingAgentMessage{});
  });
  EXPECT_FALSE(testing::eventually([&] { return received(*impatient) > 0; }, 100));
  ASSERT_TRUE(testing::eventually([&] { return received(*impatient) == 1; }, 3000));
  loop_.call([&] {
    EXPECT_TRUE(std::holds_alternative<ExitedMessage>(impatient->process.received[0].second));
    impatient.reset();
    mute.reset();
  });
}

TEST_F(HttpTransportTest, AConnectionTheServerClosedWhileIdleIsReopenedNotAnExit) {
  std::unique_ptr<Daemon> sleepy;
  HttpServerOptions quick_idle;
  quick_idle.idle_timeout = Duration::millis(50);
  loop_.call([&] {
    sleepy = std::make_unique<Daemon>(loop_.io(), "agent", Duration::seconds(2), quick_idle);
    const Endpoint peer = master_->transport.peer(sleepy->address("agent"));
    master_->transport.link(master_->self, peer);
    master_->transport.send(master_->self, peer, v1::PingAgentMessage{});
  });
  ASSERT_TRUE(testing::eventually([&] { return received(*sleepy) == 1; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the server drops the idle link
  loop_.call([&] {
    master_->transport.send(master_->self, master_->transport.peer(sleepy->address("agent")),
                            v1::PingAgentMessage{});
  });
  ASSERT_TRUE(testing::eventually([&] { return received(*sleepy) == 2; }));
  EXPECT_EQ(received(*master_), 0u);  // no ExitedMessage
  loop_.call([&] { sleepy.reset(); });
}

TEST_F(HttpTransportTest, ASinkReceivesItsMessagesAndItsRemovalIsAnExit) {
  std::vector<std::string> seen;
  Endpoint sink;
  loop_.call([&] {
    sink = master_->transport.add_sink(
        "stream", [&](Endpoint, const Message& m) { seen.push_back(message_name(m)); });
    master_->transport.link(master_->self, sink);
    master_->transport.send(master_->self, sink, v1::PongAgentMessage{});
  });
  ASSERT_TRUE(testing::eventually([&] { return loop_.call([&] { return seen.size(); }) == 1; }));
  loop_.call([&] { master_->transport.remove_sink(sink); });
  ASSERT_TRUE(testing::eventually([&] { return received(*master_) == 1; }));
  loop_.call([&] {
    EXPECT_EQ(std::get<ExitedMessage>(master_->process.received[0].second).peer, sink);
    master_->transport.send(master_->self, sink, v1::PongAgentMessage{});
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(loop_.call([&] { return seen.size(); }), 1u);  // dropped after removal
}

TEST(ProcessAddress, ParsesNameIpPortAndSaysWhatIsWrong) {
  auto a = ProcessAddress::parse("master@127.0.0.1:5050");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a.value().name, "master");
  EXPECT_EQ(a.value().port, 5050);
  EXPECT_EQ(a.value().to_string(), "master@127.0.0.1:5050");
  auto bad = ProcessAddress::parse("master@localhost:5050");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message,
            "'master@localhost:5050' is not a process address (the ip is not a dotted-quad IPv4 "
            "address; expected name@ip:port, e.g. master@127.0.0.1:5050)");
  EXPECT_FALSE(ProcessAddress::parse("127.0.0.1:5050").ok());
  EXPECT_FALSE(ProcessAddress::parse("m@127.0.0.1:0").ok());
  EXPECT_FALSE(ProcessAddress::parse("m@127.0.0.1").ok());
}

}  // namespace
}  // namespace mesosim::live
