#pragma once

// A live master daemon on a loop thread (port 0, short intervals), a fake agent that registers
// over HttpTransport from its own HTTP server, and helpers that play a v1 scheduler over raw
// HTTP. Shared by the scheduler API and endpoint tests.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/live/http_transport.hpp"
#include "sim/live/loop_clock.hpp"
#include "sim/live/master_book.hpp"
#include "sim/live/master_daemon.hpp"
#include "tests/sim/live/daemon_test_util.hpp"

namespace mesosim::live::testing {

// An agent reduced to what the master needs: it registers, answers pings, records the rest.
struct FakeAgent final : Process {
  FakeAgent(boost::asio::io_context& io, uint16_t master_port, const std::string& resources)
      : transport(io, HttpTransportOptions{"127.0.0.1", 0, Duration::seconds(5), 10000}) {
    self = transport.add_process("agent", *this);
    server = HttpServer::start(io, {}, [this](const HttpRequest& r) -> HttpReply {
               if (transport.handles(r)) return transport.receive(r);
               return HttpResponse::text(404, "no");
             }).value();
    transport.set_port(server->port());
    master = transport.peer({"master", "127.0.0.1", master_port});
    transport.link(self, master);
    transport.send(
        self, master,
        v1::RegisterAgentMessage{{"agent-host", {}, Resources::parse(resources).value(), {}}});
  }
  void receive(Endpoint from, Message&& message) override {
    if (std::holds_alternative<v1::PingAgentMessage>(message)) {
      transport.send(self, from, v1::PongAgentMessage{});
    }
    if (auto* r = std::get_if<v1::AgentRegisteredMessage>(&message)) agent_id = r->agent_id.value;
    received.push_back(std::move(message));
  }
  template <typename T>
  std::vector<T> all() const {
    std::vector<T> out;
    for (const auto& m : received) {
      if (auto* t = std::get_if<T>(&m)) out.push_back(*t);
    }
    return out;
  }

  HttpTransport transport;
  std::unique_ptr<HttpServer> server;
  Endpoint self, master;
  std::string agent_id;
  std::vector<Message> received;
};

// An update from a command task's executor (executor id = task id), without a uuid.
inline v1::TaskStatus executor_status(const std::string& task, v1::TaskState state,
                                      const std::string& agent, Time now) {
  v1::TaskStatus st;
  st.task_id = v1::TaskID{task};
  st.state = state;
  st.agent_id = v1::AgentID{agent};
  st.executor_id = v1::ExecutorID{task};
  st.timestamp = now;
  st.source = v1::TaskStatusSource::SOURCE_EXECUTOR;
  return st;
}

struct Subscription {
  std::unique_ptr<RawClient> client;
  RawResponse head;
  std::string stream_id;
  std::string framework_id;
  nlohmann::json subscribed;
};

inline std::string subscribe_body(const std::string& name, double failover_timeout = 0,
                                  const std::string& framework_id = "") {
  nlohmann::json info{{"user", "tester"}, {"name", name}, {"failover_timeout", failover_timeout}};
  nlohmann::json call{{"type", "SUBSCRIBE"}, {"subscribe", {{"framework_info", info}}}};
  if (!framework_id.empty()) {
    call["framework_id"] = {{"value", framework_id}};
    call["subscribe"]["framework_info"]["id"] = {{"value", framework_id}};
  }
  return call.dump();
}

class MasterDaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "mesosim-master-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    MasterDaemonOptions o;
    o.port = 0;
    o.work_dir = dir_ + "/work";
    o.record_file = dir_ + "/events.jsonl";
    o.seed = 7;
    o.master.allocation_interval = Duration::millis(50);
    o.master.heartbeat_interval = Duration::millis(300);
    o.master.agent_ping_timeout = Duration::millis(200);
    o.max_body_bytes = 64 * 1024;
    configure(o);
    daemon_ = loop_.call([&] { return MasterDaemon::start(loop_.io(), o).value(); });
    port_ = daemon_->port();
  }
  // A suite's changes to the daemon's options, before it starts.
  virtual void configure(MasterDaemonOptions& /*options*/) {}

  void TearDown() override {
    loop_.call([&] {
      agent_.reset();
      daemon_.reset();
    });
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  void start_agent(const std::string& resources = "cpus:2;mem:1024;ports:[31000-31010]") {
    loop_.call([&] { agent_ = std::make_unique<FakeAgent>(loop_.io(), port_, resources); });
    ASSERT_TRUE(eventually([&] { return loop_.call([&] { return !agent_->agent_id.empty(); }); }));
  }

  nlohmann::json get_json(const std::string& path) {
    RawResponse r = http(port_, "GET", path);
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.header("content-type"), "application/json") << path;
    return nlohmann::json::parse(r.body, nullptr, false);
  }

  // A SUBSCRIBE on its own connection; the SUBSCRIBED event read when the answer is 200.
  Subscription subscribe(const std::string& body,
                         std::vector<std::pair<std::string, std::string>> headers = {
                             {"Content-Type", "application/json"},
                             {"Accept", "application/json"}}) {
    Subscription s;
    s.client = std::make_unique<RawClient>(port_);
    s.client->request("POST", "/api/v1/scheduler", headers, body);
    auto head = s.client->read_head();
    EXPECT_TRUE(head.has_value());
    if (!head) return s;
    s.head = *head;
    if (head->status != 200) return s;
    s.stream_id = head->header("mesos-stream-id");
    auto subscribed = s.client->read_event();
    EXPECT_TRUE(subscribed.has_value());
    if (!subscribed) return s;
    s.subscribed = *subscribed;
    s.framework_id = (*subscribed)["subscribed"]["framework_id"]["value"];
    return s;
  }

  RawResponse call(const Subscription& s, nlohmann::json body,
                   std::optional<std::string> stream_id = std::nullopt) {
    body["framework_id"] = {{"value", s.framework_id}};
    return http(port_, "POST", "/api/v1/scheduler",
                {{"Content-Type", "application/json"},
                 {"Mesos-Stream-Id", stream_id.value_or(s.stream_id)}},
                body.dump());
  }

  LoopThread loop_;
  std::string dir_;
  std::unique_ptr<MasterDaemon> daemon_;
  std::unique_ptr<FakeAgent> agent_;
  uint16_t port_ = 0;
};

}  // namespace mesosim::live::testing
