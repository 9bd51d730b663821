#pragma once
// The SimAgent tests' fixture (sim_agent_*test.cpp): an agent on an EventQueue whose sends a fake
// transport records, the test playing the master by calling SimAgent::receive itself.

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "allocator/rng.hpp"
#include "sim/event_queue.hpp"
#include "sim/sim_agent.hpp"

namespace mesosim::sim_agent_testing {

using v1::TaskState;

constexpr Endpoint kMaster{0};
constexpr Endpoint kAgent{1};
constexpr Endpoint kDetector{2};
constexpr Endpoint kStranger{3};
constexpr Endpoint kNewMaster{4};

inline Time at_s(double s) { return Time::epoch() + Duration::from_seconds(s); }

inline Resources res(const char* text) { return Resources::parse(text).value(); }

// Records what the agent sends, stamped with the send time, and delivers nothing: the test
// plays the master by calling SimAgent::receive itself.
class FakeTransport final : public Transport {
 public:
  struct Sent {
    Time at;
    Endpoint to;
    Message message;
  };

  explicit FakeTransport(const Clock& clock) : clock_(clock) {}

  void send(Endpoint from, Endpoint to, Message&& message) override {
    EXPECT_EQ(from, kAgent);
    sent.push_back({clock_.now(), to, std::move(message)});
  }
  void link(Endpoint self, Endpoint peer) override { links.emplace_back(self, peer); }

  template <typename T>
  std::vector<std::pair<Time, T>> all() const {
    std::vector<std::pair<Time, T>> out;
    for (const Sent& s : sent) {
      if (const T* m = std::get_if<T>(&s.message)) out.emplace_back(s.at, *m);
    }
    return out;
  }

  std::vector<Sent> sent;
  std::vector<std::pair<Endpoint, Endpoint>> links;

 private:
  const Clock& clock_;
};

class SimAgentTest : public ::testing::Test {
 protected:
  static SimAgentOptions default_options() {
    SimAgentOptions options;
    options.hostname = "host1";
    options.resources = res("cpus:4;mem:1024");
    options.attributes = {{"rack", "r1"}};
    // Most tests play a master that never pings; the health tests use the real timeout.
    options.master_ping_timeout = Duration::days(365);
    return options;
  }
  static SimAgentOptions pinged_options() {
    SimAgentOptions options = default_options();
    options.master_ping_timeout = SimAgentOptions{}.master_ping_timeout;
    return options;
  }

  void SetUp() override { make_agent(); }

  void make_agent(uint64_t seed = 7, SimAgentOptions options = default_options()) {
    agent = std::make_unique<SimAgent>(kAgent, clock, net, Rng(seed), std::move(options));
  }

  void from_master(Message message) { agent->receive(kMaster, std::move(message)); }
  void run_until(double seconds) { clock.run_until(at_s(seconds)); }

  // Detects kMaster, answers the registration and forgets what was sent so far.
  void register_agent() {
    agent->receive(kDetector, MasterDetectedMessage{kMaster});
    from_master(v1::AgentRegisteredMessage{{"agent-1"}});
    ASSERT_TRUE(agent->registered());
    net.sent.clear();
  }

  static v1::FrameworkInfo framework(const std::string& id, bool killing_state = false) {
    v1::FrameworkInfo info;
    info.user = "u";
    info.name = "framework " + id;
    info.id = v1::FrameworkID{id};
    info.roles = {"r"};
    // Most tests here crash and restart the agent and expect its tasks to survive.
    info.checkpoint = true;
    if (killing_state) info.capabilities.push_back(v1::FrameworkCapability::TASK_KILLING_STATE);
    return info;
  }

  // A task of framework "f1" that runs for `seconds` (forever if negative).
  static v1::RunTaskMessage run(const std::string& task_id, double seconds,
                                std::optional<std::string> executor = std::nullopt,
                                const char* resources = "cpus:1;mem:128",
                                v1::FrameworkInfo info = framework("f1")) {
    v1::RunTaskMessage m;
    m.framework = std::move(info);
    m.task.name = "task " + task_id;
    m.task.task_id = {task_id};
    m.task.agent_id = {"agent-1"};
    m.task.resources = res(resources);
    if (executor) {
      m.task.executor = v1::ExecutorInfo{{*executor}, "executor", {}, {}};
    } else {
      m.task.command = v1::CommandInfo{true, "sleep", {}, {}};
    }
    if (seconds >= 0) {
      m.task.work = v1::SimulatedWork{};
      m.task.work->duration = Duration::from_seconds(seconds);
    }
    m.role = "r";
    return m;
  }

  std::vector<std::pair<Time, v1::StatusUpdate>> updates() const {
    std::vector<std::pair<Time, v1::StatusUpdate>> out;
    for (auto& [at, m] : net.all<v1::StatusUpdateMessage>()) out.emplace_back(at, m.update);
    return out;
  }
  std::vector<TaskState> states() const {
    std::vector<TaskState> out;
    for (auto& [at, u] : updates()) out.push_back(u.status.state);
    return out;
  }

  void ack(const v1::StatusUpdate& update) {
    from_master(v1::StatusUpdateAcknowledgementMessage{update.status.agent_id, update.framework_id,
                                                       update.status.task_id,
                                                       update.status.uuid.value()});
  }
  // Acknowledges every update sent since the last call (and those the acks release), as a
  // prompt scheduler would.
  void ack_new() {
    for (auto all = updates(); acked_ < all.size(); all = updates()) {
      while (acked_ < all.size()) {
        const v1::StatusUpdate& u = all[acked_++].second;
        if (u.status.uuid) ack(u);
      }
    }
  }
  // Runs to `seconds`, acknowledging each update as soon as it is sent.
  void run_acking_until(double seconds) {
    ack_new();
    while (clock.next_time() && *clock.next_time() <= at_s(seconds)) {
      clock.step();
      ack_new();
    }
    run_until(seconds);
  }

  EventQueue clock;
  FakeTransport net{clock};
  std::unique_ptr<SimAgent> agent;
  size_t acked_ = 0;
};

}  // namespace mesosim::sim_agent_testing
