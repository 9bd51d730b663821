// The agent daemon in this process, with the test playing its master over the real HTTP
// transport: what the daemon's loop adds to the LiveAgent (noticing a task's end by its pidfd, and
// an OOM kill in its cgroup by the OOM notification fd).

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "daemon_test_util.hpp"
#include "live_test_util.hpp"
#include "sim/live/agent_daemon.hpp"
#include "sim/live/http_server.hpp"
#include "sim/live/http_transport.hpp"
#include "sim/live/live_agent.hpp"

namespace mesosim::live {
namespace {

using namespace mesosim::live::testing;
using v1::TaskState;

// Registers the agent that asks, acknowledges every status update and records each one once
// (a resent update carries the uuid it had).
struct FakeMaster final : Process {
  explicit FakeMaster(boost::asio::io_context& io) : transport(io, HttpTransportOptions{}) {
    self = transport.add_process("master", *this);
    server = HttpServer::start(io, {}, [this](const HttpRequest& r) -> HttpReply {
               if (transport.handles(r)) return transport.receive(r);
               return HttpResponse::text(404, "no such endpoint\n");
             }).value();
    transport.set_port(server->port());
  }
  ~FakeMaster() override {
    transport.stop();
    server->stop();
  }

  void receive(Endpoint from, Message&& message) override {
    if (std::holds_alternative<v1::RegisterAgentMessage>(message)) {
      agent = from;
      transport.send(self, from, v1::AgentRegisteredMessage{v1::AgentID{"agent-1"}});
    } else if (std::holds_alternative<v1::PingAgentMessage>(message)) {
      transport.send(self, from, v1::PongAgentMessage{});
    } else if (std::holds_alternative<v1::PongAgentMessage>(message)) {
      if (on_pong) on_pong();
    } else if (auto* m = std::get_if<v1::StatusUpdateMessage>(&message)) {
      const v1::TaskStatus& status = m->update.status;
      if (status.uuid && uuids.insert(*status.uuid).second) {
        updates[status.task_id.value].push_back(status.state);
        reasons[status.task_id.value] = status.reason;
      }
      if (status.uuid) {
        transport.send(self, from,
                       v1::StatusUpdateAcknowledgementMessage{
                           status.agent_id, m->update.framework_id, status.task_id, *status.uuid});
      }
    }
  }

  void run(const std::string& id, const std::string& command,
           const char* resources = "cpus:0.01;mem:1") {
    v1::RunTaskMessage run;
    run.framework.user = "root";
    run.framework.name = "many";
    run.framework.id = v1::FrameworkID{"fw-1"};
    run.framework.roles = {"*"};
    run.task.name = id;
    run.task.task_id = v1::TaskID{id};
    run.task.agent_id = v1::AgentID{"agent-1"};
    run.task.resources = res(resources);
    run.task.command = v1::CommandInfo{true, command, {}, {}};
    run.role = "*";
    transport.send(self, *agent, std::move(run));
  }
  void kill(const std::string& id) {
    transport.send(self, *agent, v1::KillTaskMessage{v1::FrameworkID{"fw-1"}, v1::TaskID{id}});
  }

  HttpTransport transport;
  std::unique_ptr<HttpServer> server;
  Endpoint self;
  std::optional<Endpoint> agent;
  std::set<Uuid> uuids;
  std::map<std::string, std::vector<TaskState>> updates;               // task -> states, in order
  std::map<std::string, std::optional<v1::TaskStatusReason>> reasons;  // of the last update
  std::function<void()> on_pong;  // on the loop, as a pong arrives
};

class AgentDaemonTest : public ::testing::Test {
 protected:
  void SetUp() override { start("posix"); }
  void start(const std::string& isolation) {
    master_ = loop_.call([&] { return std::make_unique<FakeMaster>(loop_.io()); });
    AgentDaemonOptions o;
    o.flags.master = fmt::format("127.0.0.1:{}", master_->server->port());
    o.flags.port = 0;
    o.flags.work_dir = work_.path();
    o.flags.resources = "cpus:64;mem:65536;disk:1000;ports:[31000-32000]";
    o.flags.isolation = isolation;
    o.cgroup_name = cgroup_name_;
    o.flags.switch_user = false;
    // Containers are polled once an hour: an end or an OOM seen sooner was seen through a
    // watched fd (the task's pidfd, or its memory cgroup's OOM notification).
    LiveAgentConfig timings;
    timings.registration_backoff = Duration::millis(50);
    timings.container_poll_interval = Duration::seconds(3600);
    timings.usage_report_interval = Duration::seconds(3600);
    o.timings = timings;
    Result<std::unique_ptr<AgentDaemon>> d =
        loop_.call([&] { return AgentDaemon::start(loop_.io(), o); });
    ASSERT_TRUE(d) << d.error().message;
    daemon_ = std::move(d).value();
    ASSERT_TRUE(eventually(
        [&] { return loop_.call([&] { return daemon_->agent().registered(); }); }, 5000));
  }
  void TearDown() override {
    loop_.call([&] {
      daemon_.reset();
      master_.reset();
    });
    // Whatever is still running (a failed test) is killed by its session and reaped.
    for (const ProcStat& st : list_processes()) {
      if (st.ppid == ::getpid() && st.session == st.pid) ::kill(-st.pid, SIGKILL);
    }
    reap_children();
    if (cgroup_name_ != "mesosim") remove_v1_root(cgroup_name_);
  }

  // Runs `fn` on the loop and returns its result.
  template <typename Fn>
  auto on_loop(Fn fn) {
    return loop_.call(fn);
  }
  std::vector<TaskState> states(const std::string& task) {
    return on_loop([&] { return master_->updates[task]; });
  }
  size_t watched() {
    return on_loop([&] { return daemon_->watched_pidfds(); });
  }

  std::string cgroup_name_ = "mesosim";  // unused by posix isolation
  TempDir work_;
  LoopThread loop_;
  std::unique_ptr<FakeMaster> master_;
  std::unique_ptr<AgentDaemon> daemon_;
};

TEST_F(AgentDaemonTest, EveryTaskEndAmongManyIsNoticedOnceByItsPidfd) {
  constexpr int kShort = 150;
  constexpr int kLong = 50;
  on_loop([&] {
    for (int i = 0; i < kLong; ++i) master_->run(fmt::format("long-{}", i), "sleep 600");
    // Ends spread over two seconds, many of them together.
    for (int i = 0; i < kShort; ++i) {
      master_->run(fmt::format("short-{}", i), fmt::format("sleep {}.{}", i % 2, i % 10));
    }
  });
  auto all_in = [&](const std::string& prefix, int n, TaskState state) {
    return on_loop([&] {
      for (int i = 0; i < n; ++i) {
        const auto& s = master_->updates[fmt::format("{}-{}", prefix, i)];
        if (s.empty() || s.back() != state) return false;
      }
      return true;
    });
  };
  ASSERT_TRUE(eventually([&] { return all_in("long", kLong, TaskState::TASK_RUNNING); }, 30000));
  // Far sooner than the hour between polls.
  ASSERT_TRUE(eventually([&] { return all_in("short", kShort, TaskState::TASK_FINISHED); }, 30000));
  const std::vector<TaskState> once = {TaskState::TASK_STARTING, TaskState::TASK_RUNNING,
                                       TaskState::TASK_FINISHED};
  for (int i = 0; i < kShort; ++i) {
    EXPECT_EQ(states(fmt::format("short-{}", i)), once) << "short-" << i;
  }
  EXPECT_EQ(watched(), size_t{kLong}) << "one watcher per running task, none for ended ones";

  on_loop([&] {
    for (int i = 0; i < kLong; ++i) master_->kill(fmt::format("long-{}", i));
  });
  ASSERT_TRUE(eventually([&] { return all_in("long", kLong, TaskState::TASK_KILLED); }, 30000));
  for (int i = 0; i < kLong; ++i) {
    EXPECT_EQ(states(fmt::format("long-{}", i)),
              (std::vector<TaskState>{TaskState::TASK_STARTING, TaskState::TASK_RUNNING,
                                      TaskState::TASK_KILLED}));
  }
  EXPECT_TRUE(eventually([&] { return watched() == 0; }, 5000));
}

TEST_F(AgentDaemonTest, APingSentAfterABurstOfLaunchesIsAnsweredBeforeTheyRun) {
  // More launches than the transport keeps in flight (32) and than one loop turn reads: with
  // launches run as their messages were read, the ping would wait for all of them.
  constexpr int kBurst = 200;
  size_t received_at_pong = 0;  // tasks the agent held or had completed
  size_t queued_at_pong = 0;
  bool ponged = false;
  on_loop([&] {
    master_->on_pong = [&] {
      ponged = true;
      const LiveAgent& agent = daemon_->agent();
      for (const auto& [id, framework] : agent.frameworks()) {
        received_at_pong += framework.tasks.size() + framework.completed.size();
        for (const auto& [task_id, task] : framework.tasks) {
          queued_at_pong += task.launch_pending() ? 1 : 0;
        }
      }
      for (const LiveFramework& framework : agent.completed_frameworks()) {
        received_at_pong += framework.completed.size();
      }
    };
    for (int i = 0; i < kBurst; ++i) master_->run(fmt::format("b-{}", i), "true");
    master_->transport.send(master_->self, *master_->agent, v1::PingAgentMessage{});
  });
  ASSERT_TRUE(eventually([&] { return on_loop([&] { return ponged; }); }, 30000));
  // The pong came while most launches still waited (a few run in the gaps between the
  // transport's windows), and every task was the agent's by then.
  EXPECT_EQ(received_at_pong, size_t{kBurst});
  EXPECT_GT(queued_at_pong, size_t{kBurst / 2});
  // And each of them runs in the end.
  ASSERT_TRUE(eventually(
      [&] {
        return on_loop([&] {
          for (int i = 0; i < kBurst; ++i) {
            const auto& s = master_->updates[fmt::format("b-{}", i)];
            if (s.empty() || s.back() != TaskState::TASK_FINISHED) return false;
          }
          return true;
        });
      },
      60000));
  on_loop([&] { master_->on_pong = nullptr; });
}

TEST_F(AgentDaemonTest, StoppingWithLaunchesQueuedLaunchesNothingMore) {
  constexpr int kBurst = 100;
  size_t launched_at_stop = 0;
  size_t queued_at_stop = 0;
  bool stopped = false;
  on_loop([&] {
    // Stopped as SIGTERM stops it, as soon as the ping behind the burst is answered.
    master_->on_pong = [&] {
      stopped = true;
      launched_at_stop = daemon_->agent().containerizer().containers().size();
      queued_at_stop = daemon_->agent().queued_launches();
      daemon_->stop();
    };
    for (int i = 0; i < kBurst; ++i) master_->run(fmt::format("s-{}", i), "sleep 600");
    master_->transport.send(master_->self, *master_->agent, v1::PingAgentMessage{});
  });
  ASSERT_TRUE(eventually([&] { return on_loop([&] { return stopped; }); }, 30000));
  EXPECT_GT(queued_at_stop, 0u);
  // The loop goes on (the test's), but the stopped daemon's agent launches nothing more.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  on_loop([&] {
    master_->on_pong = nullptr;
    EXPECT_EQ(daemon_->agent().containerizer().containers().size(), launched_at_stop);
    EXPECT_EQ(daemon_->agent().queued_launches(), 0u);
  });
}

// Real cgroups v1 on this machine (skipped where they cannot be created), under a root of the
// test's own.
class AgentDaemonCgroupsV1Test : public AgentDaemonTest {
 protected:
  void SetUp() override {
    if (std::optional<std::string> reason = v1_unavailable_reason()) {
      GTEST_SKIP() << "cgroups v1 not usable: " << *reason;
    }
    cgroup_name_ = "mesosim-test-" + std::to_string(::getpid());
    start("cgroups/v1");
  }
  void TearDown() override {
    if (daemon_) AgentDaemonTest::TearDown();
  }
};

TEST_F(AgentDaemonCgroupsV1Test, AnOomKillIsReportedThroughItsNotificationNotThePoll) {
  on_loop([&] {
    // The OOM killer kills the inner shell; the task's own process would sleep for an hour.
    master_->run("hog", "sh -c 'x=$(head -c 200000000 /dev/zero | tr \"\\0\" a)'; sleep 3600",
                 "cpus:1;mem:32");
    master_->run("calm", "sleep 600");
  });
  auto last_state = [&](const std::string& task) {
    return on_loop([&] {
      const auto& s = master_->updates[task];
      return s.empty() ? std::optional<TaskState>{} : std::optional<TaskState>{s.back()};
    });
  };
  ASSERT_TRUE(eventually([&] { return last_state("calm") == TaskState::TASK_RUNNING; }, 30000));
  EXPECT_EQ(watched(), 4u) << "a pidfd and an OOM eventfd per task";
  EXPECT_EQ(on_loop([&] { return daemon_->agent().containerizer().polled_containers(); }), 0u);
  // Far sooner than the hour between polls.
  ASSERT_TRUE(eventually([&] { return last_state("hog") == TaskState::TASK_FAILED; }, 30000));
  EXPECT_EQ(on_loop([&] { return master_->reasons["hog"]; }),
            v1::TaskStatusReason::REASON_CONTAINER_LIMITATION_MEMORY);
  EXPECT_EQ(last_state("calm"), TaskState::TASK_RUNNING);
  EXPECT_TRUE(eventually([&] { return watched() == 2; }, 5000));
  on_loop([&] { master_->kill("calm"); });
  ASSERT_TRUE(eventually([&] { return last_state("calm") == TaskState::TASK_KILLED; }, 30000));
}

}  // namespace
}  // namespace mesosim::live
