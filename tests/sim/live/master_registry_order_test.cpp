// The live master stores a registry change before it acts on it, as Mesos's registrar: an agent
// is told it registered only once registry.json lists it, and when the file cannot be written
// the agent is never told (the master stops). The agent here is a stand-in with its own loop
// thread, so that what it sees is what crossed the wire.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <thread>

#include <nlohmann/json.hpp>

#include "sim/live/http_transport.hpp"
#include "sim/live/master_daemon.hpp"
#include "sim/live/registry_file.hpp"
#include "tests/sim/live/daemon_test_util.hpp"

namespace mesosim::live {
namespace {

// Registers once; when told it registered, reads the master's registry file at that moment.
struct RegisteringAgent final : Process {
  RegisteringAgent(boost::asio::io_context& io, uint16_t master_port, std::string registry_path)
      : transport(io, HttpTransportOptions{"127.0.0.1", 0, Duration::seconds(5), 100}),
        registry_path(std::move(registry_path)) {
    self = transport.add_process("agent", *this);
    server = HttpServer::start(io, {}, [this](const HttpRequest& r) -> HttpReply {
               if (transport.handles(r)) return transport.receive(r);
               return HttpResponse::text(404, "no");
             }).value();
    transport.set_port(server->port());
    master = transport.peer({"master", "127.0.0.1", master_port});
    transport.send(self, master,
                   v1::RegisterAgentMessage{
                       {"order-host", {}, Resources::parse("cpus:1;mem:256").value(), {}}});
  }
  void receive(Endpoint from, Message&& message) override {
    if (std::holds_alternative<v1::PingAgentMessage>(message)) {
      transport.send(self, from, v1::PongAgentMessage{});
    }
    if (auto* r = std::get_if<v1::AgentRegisteredMessage>(&message)) {
      Result<std::optional<Registry>> on_disk =
          read_registry(std::filesystem::path(registry_path).parent_path().string());
      if (on_disk.ok() && on_disk.value()) {
        auto it = on_disk.value()->agents.find(r->agent_id.value);
        listed_when_told = it != on_disk.value()->agents.end() &&
                           it->second.state == Registry::AgentState::kAdmitted;
      }
      agent_id = r->agent_id.value;
      told = true;
    }
  }

  HttpTransport transport;
  std::string registry_path;
  std::unique_ptr<HttpServer> server;
  Endpoint self, master;
  std::atomic<bool> told{false};
  bool listed_when_told = false;  // read once `told` is
  std::string agent_id;
};

class MasterRegistryOrderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "mesosim-order-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    MasterDaemonOptions o;
    o.port = 0;
    o.work_dir = dir_ + "/work";
    o.seed = 3;
    o.master.allocation_interval = Duration::millis(50);
    daemon_ = MasterDaemon::start(io_, o).value();
    port_ = daemon_->port();
  }
  void TearDown() override {
    agent_loop_.call([&] { agent_.reset(); });
    if (running_.valid() &&
        running_.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
      boost::asio::post(io_, [&] {
        daemon_.reset();  // on its loop
        io_.stop();
      });
      running_.wait();
    }
    daemon_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  void run_master() {
    running_ = std::async(std::launch::async, [&] { io_.run(); });
  }
  void start_agent() {
    agent_loop_.call([&] {
      agent_ = std::make_unique<RegisteringAgent>(agent_loop_.io(), port_,
                                                  registry_path(dir_ + "/work"));
    });
  }

  std::string dir_;
  boost::asio::io_context io_;  // the master's loop, run by run_master()
  std::future<void> running_;
  std::unique_ptr<MasterDaemon> daemon_;
  uint16_t port_ = 0;
  testing::LoopThread agent_loop_;
  std::unique_ptr<RegisteringAgent> agent_;
};

TEST_F(MasterRegistryOrderTest, TheRegistryListsAnAgentBeforeItIsToldItRegistered) {
  run_master();
  start_agent();
  ASSERT_TRUE(testing::eventually([&] { return agent_->told.load(); }));
  EXPECT_TRUE(agent_loop_.call([&] { return agent_->listed_when_told; }));
}

TEST_F(MasterRegistryOrderTest, AnAgentWhoseAdmissionCannotBeStoredIsNeverToldItRegistered) {
  // The temporary file cannot be created: a directory holds its name.
  std::filesystem::create_directories(dir_ + "/work/registry.json.tmp");
  run_master();
  start_agent();
  // The master stops its loop when the registry cannot be written.
  ASSERT_EQ(running_.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_TRUE(daemon_->failed());
  EXPECT_TRUE(daemon_->stopped());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_FALSE(agent_->told.load());
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/work/registry.json"));
}

}  // namespace
}  // namespace mesosim::live
