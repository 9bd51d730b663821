#pragma once

// What the LiveAgent tests drive an agent with: a tiny real-time loop behind the Clock
// interface, a Transport that records what the agent sends, and a fixture that plays the master
// (posix isolation, so it runs anywhere; cgroups v1 where a test needs limits).

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "live_test_util.hpp"
#include "sim/live/live_agent.hpp"
#include "sim/master/clock.hpp"
#include "sim/master/transport.hpp"

namespace mesosim::live::testing {

// Real time; timers run when run_until()/run_for() turn the loop, in (due time, order) order.
class LoopClock final : public Clock {
 public:
  Time now() const override { return testing::now(); }
  TimerId schedule(Duration delay, TimerCallback fn) override {
    const uint64_t id = ++next_id_;
    const auto key = std::make_pair(now() + delay, id);
    timers_.emplace(key, std::move(fn));
    due_.emplace(id, key.first);
    return TimerId{id};
  }
  bool cancel(TimerId id) override {
    auto it = due_.find(id.value);
    if (it == due_.end()) return false;
    timers_.erase({it->second, id.value});
    due_.erase(it);
    return true;
  }
  // Turns the loop until `done` holds (true) or `seconds` pass (false).
  bool run_until(const std::function<bool()>& done, double seconds = 10) {
    const Time deadline = now() + Duration::from_seconds(seconds);
    while (!done()) {
      if (now() >= deadline) return false;
      run_due();
      sleep_ms(2);
    }
    return true;
  }
  void run_for(double seconds) {
    run_until([] { return false; }, seconds);
  }

 private:
  void run_due() {
    while (!timers_.empty() && timers_.begin()->first.first <= now()) {
      auto it = timers_.begin();
      TimerCallback fn = std::move(it->second);
      due_.erase(it->first.second);
      timers_.erase(it);
      fn();
    }
  }
  std::map<std::pair<Time, uint64_t>, TimerCallback> timers_;
  std::map<uint64_t, Time> due_;
  uint64_t next_id_ = 0;
};

class RecordingTransport final : public Transport {
 public:
  void send(Endpoint, Endpoint to, Message&& message) override {
    sent.emplace_back(to, std::move(message));
  }
  void link(Endpoint, Endpoint peer) override { links.push_back(peer); }

  template <typename T>
  std::vector<T> all() const {
    std::vector<T> out;
    for (const auto& [to, m] : sent) {
      if (const T* t = std::get_if<T>(&m)) out.push_back(*t);
    }
    return out;
  }
  std::vector<v1::StatusUpdate> updates() const {
    std::vector<v1::StatusUpdate> out;
    for (const auto& m : all<v1::StatusUpdateMessage>()) out.push_back(m.update);
    return out;
  }

  // What the agent sent but its periodic usage reports, which come whether or not anything
  // happened: what a test that expects the agent to stay quiet counts.
  size_t sent_besides_usage_reports() const {
    size_t n = 0;
    for (const auto& [to, m] : sent) n += std::holds_alternative<v1::UsageReportMessage>(m) ? 0 : 1;
    return n;
  }

  std::vector<std::pair<Endpoint, Message>> sent;
  std::vector<Endpoint> links;
};

inline v1::FrameworkInfo framework_info(const std::string& id, bool checkpoint = true) {
  v1::FrameworkInfo f;
  f.user = "root";
  f.name = "framework " + id;
  f.id = v1::FrameworkID{id};
  f.roles = {"analytics"};
  f.checkpoint = checkpoint;
  return f;
}

class LiveAgentTest : public ::testing::Test {
 protected:
  static constexpr Endpoint kMaster{1};
  static constexpr Endpoint kAgent{2};

  void TearDown() override {
    agent_.reset();
    if (containerizer_) (void)containerizer_->destroy_all();
    containerizer_.reset();
    reap_children();
  }

  virtual std::unique_ptr<Isolator> make_isolator() { return make_posix_isolator(); }

  LiveAgentConfig config() const {
    LiveAgentConfig c;
    c.hostname = "agent.test";
    c.port = 5051;
    c.work_dir = work_.path();
    c.resources = res("cpus:4;mem:1024;disk:1000;ports:[31000-32000]");
    c.attributes = {{"rack", "r1"}, {"zone", "a"}};
    c.registration_backoff = Duration::millis(50);
    c.status_update_retry = Duration::millis(100);
    c.status_update_retry_max = Duration::millis(400);
    c.container_poll_interval = Duration::millis(20);
    c.usage_report_interval = Duration::millis(100);
    c.executor_shutdown_grace_period = Duration::millis(500);
    return c;
  }

  // A new agent (and containerizer) on the fixture's work dir, started.
  void start_agent() {
    if (!isolator_) isolator_ = make_isolator();
    ContainerizerOptions options = containerizer_options_;
    options.work_dir = work_.path();
    containerizer_ = std::make_unique<Containerizer>(*isolator_, options);
    agent_ = std::make_unique<LiveAgent>(kAgent, clock_, transport_, *containerizer_,
                                         Rng(++starts_), config(),
                                         [this](const std::string& line) { log_.push_back(line); });
    Status started = agent_->start();
    ASSERT_TRUE(started) << started.error().message;
  }
  // The agent leaves as a crashed agent does: its tasks keep running.
  void stop_agent() {
    agent_.reset();
    containerizer_.reset();
  }

  void detect_and_register() {
    agent_->receive(kMaster, MasterDetectedMessage{kMaster});
    ASSERT_FALSE(transport_.all<v1::RegisterAgentMessage>().empty());
    agent_->receive(kMaster, v1::AgentRegisteredMessage{v1::AgentID{"agent-1"}});
    ASSERT_TRUE(agent_->registered());
  }

  void run_task(const std::string& id, const std::string& command,
                const v1::FrameworkInfo& framework = framework_info("fw-1"),
                const char* resources = "cpus:0.5;mem:64",
                std::vector<std::pair<std::string, std::string>> labels = {}) {
    v1::RunTaskMessage run;
    run.framework = framework;
    run.task.name = "task " + id;
    run.task.task_id = v1::TaskID{id};
    run.task.agent_id = v1::AgentID{"agent-1"};
    run.task.resources = res(resources);
    run.task.command = v1::CommandInfo{true, command, {}, {}};
    run.task.labels = std::move(labels);
    run.role = "analytics";
    agent_->receive(kMaster, std::move(run));
  }

  // Turns the loop until every queued launch has run (launches are not run by receive()).
  bool launch_queued(double seconds = 5) {
    return clock_.run_until([&] { return agent_->queued_launches() == 0; }, seconds);
  }

  void ack(const v1::StatusUpdate& update) {
    agent_->receive(kMaster, v1::StatusUpdateAcknowledgementMessage{
                                 update.status.agent_id, update.framework_id, update.status.task_id,
                                 *update.status.uuid});
  }

  // The updates of `task` in the order first sent (resends skipped).
  std::vector<v1::StatusUpdate> updates_of(const std::string& task) const {
    std::vector<v1::StatusUpdate> out;
    for (const v1::StatusUpdate& u : transport_.updates()) {
      if (u.status.task_id.value != task) continue;
      if (!out.empty() && out.back().status.uuid == u.status.uuid) continue;
      bool seen = false;
      for (const auto& o : out) seen = seen || o.status.uuid == u.status.uuid;
      if (!seen) out.push_back(u);
    }
    return out;
  }

  // Acknowledges each update of `task` as it arrives until one in `state` has been
  // acknowledged; returns its updates (false if that takes longer than `seconds`).
  bool ack_until(const std::string& task, v1::TaskState state, double seconds = 10) {
    size_t acked = 0;
    return clock_.run_until(
        [&] {
          std::vector<v1::StatusUpdate> seen = updates_of(task);
          for (; acked < seen.size(); ++acked) {
            ack(seen[acked]);
            if (seen[acked].status.state == state) return true;
          }
          return false;
        },
        seconds);
  }

  std::vector<v1::TaskState> states_of(const std::string& task) const {
    std::vector<v1::TaskState> out;
    for (const auto& u : updates_of(task)) out.push_back(u.status.state);
    return out;
  }

  const LiveTask* held(const std::string& framework, const std::string& task) const {
    auto fw = agent_->frameworks().find(v1::FrameworkID{framework});
    if (fw == agent_->frameworks().end()) return nullptr;
    auto it = fw->second.tasks.find(v1::TaskID{task});
    return it == fw->second.tasks.end() ? nullptr : &it->second;
  }

  TempDir work_;
  std::vector<std::string> log_;  // what the agent logged
  uint64_t starts_ = 0;           // seeds each start's Rng: uuids never repeat across restarts
  ContainerizerOptions containerizer_options_;
  LoopClock clock_;
  RecordingTransport transport_;
  std::unique_ptr<Isolator> isolator_;
  std::unique_ptr<Containerizer> containerizer_;
  std::unique_ptr<LiveAgent> agent_;
};

}  // namespace mesosim::live::testing
