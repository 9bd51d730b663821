// The master daemon's read-only endpoints and its --record file, with an agent registered over
// HttpTransport and a task launched on it.

#include <gtest/gtest.h>

#include <fstream>

#include "sim/master/event_log.hpp"
#include "tests/sim/live/master_daemon_fixture.hpp"

namespace mesosim::live {
namespace {

using testing::http;
using json = nlohmann::json;

class MasterEndpointsTest : public testing::MasterDaemonTest {
 protected:
  // A framework with one task running on the fake agent: cpus:1;mem:128.
  testing::Subscription run_one_task() {
    auto s = subscribe(testing::subscribe_body("fw"));
    start_agent();
    auto offers = s.client->read_event_of("OFFERS");
    EXPECT_TRUE(offers.has_value());
    const json offer = (*offers)["offers"]["offers"][0];
    const std::string agent = offer["agent_id"]["value"];
    const json task{
        {"name", "t"},
        {"task_id", {{"value", "t1"}}},
        {"agent_id", {{"value", agent}}},
        {"command", {{"value", "sleep 1"}}},
        {"resources", json::parse(R"([{"name":"cpus","type":"SCALAR","scalar":{"value":1}},
                                                  {"name":"mem","type":"SCALAR","scalar":{"value":128}}])")}};
    EXPECT_EQ(
        call(s, json{{"type", "ACCEPT"},
                     {"accept",
                      {{"offer_ids", json::array({offer["id"]})},
                       {"operations", json::array({{{"type", "LAUNCH"},
                                                    {"launch", {{"task_infos", {task}}}}}})}}}})
            .status,
        202);
    report("t1", v1::TaskState::TASK_RUNNING, s.framework_id);
    EXPECT_TRUE(s.client->read_event_of("UPDATE").has_value());
    return s;
  }
  // Sends the agent's update of `task`; reported_at_ is its status's time, in seconds.
  void report(const std::string& task, v1::TaskState state, const std::string& framework) {
    loop_.call([&] {
      v1::TaskStatus st =
          testing::executor_status(task, state, agent_->agent_id, daemon_->clock().now());
      reported_at_ = st.timestamp.seconds_f();
      agent_->transport.send(agent_->self, agent_->master,
                             v1::StatusUpdateMessage{{v1::FrameworkID{framework}, st, state, {}}});
    });
  }
  double reported_at_ = 0;
};

TEST_F(MasterEndpointsTest, HealthVersionAndRedirect) {
  EXPECT_EQ(http(port_, "GET", "/health").status, 200);
  EXPECT_EQ(http(port_, "GET", "/master/health").status, 200);
  EXPECT_EQ(get_json("/version")["version"], "0.1.0");
  auto redirect = http(port_, "GET", "/master/redirect");
  EXPECT_EQ(redirect.status, 307);
  EXPECT_EQ(redirect.header("location"), "//127.0.0.1:" + std::to_string(port_));
  EXPECT_EQ(http(port_, "GET", "/no/such/thing").status, 404);
  EXPECT_EQ(http(port_, "POST", "/master/state", {}, "{}").status, 405);
}

TEST_F(MasterEndpointsTest, StateShowsAgentsFrameworksTasksAndOffersInMesosShape) {
  auto s = run_one_task();
  const double running_at = reported_at_;
  const json state = get_json("/master/state");
  EXPECT_EQ(state["pid"], "master@127.0.0.1:" + std::to_string(port_));
  EXPECT_EQ(state["leader"], state["pid"]);
  EXPECT_EQ(state["activated_slaves"], 1);
  ASSERT_EQ(state["slaves"].size(), 1u);
  const json& agent = state["slaves"][0];
  EXPECT_EQ(agent["hostname"], "agent-host");
  EXPECT_EQ(agent["resources"], json::parse(R"({"cpus":2.0,"disk":0.0,"gpus":0.0,"mem":1024.0,
                                                 "ports":"[31000-31010]"})"));
  EXPECT_EQ(agent["used_resources"]["cpus"], 1.0);
  EXPECT_EQ(agent["used_resources"]["mem"], 128.0);
  ASSERT_EQ(state["frameworks"].size(), 1u);
  const json& fw = state["frameworks"][0];
  EXPECT_EQ(fw["id"], s.framework_id);
  EXPECT_EQ(fw["name"], "fw");
  EXPECT_EQ(fw["active"], true);
  ASSERT_EQ(fw["tasks"].size(), 1u);
  EXPECT_EQ(fw["tasks"][0]["id"], "t1");
  EXPECT_EQ(fw["tasks"][0]["state"], "TASK_RUNNING");
  EXPECT_EQ(fw["tasks"][0]["slave_id"], agent["id"]);
  // The status last forwarded to the framework, at the time the agent gave it.
  ASSERT_EQ(fw["tasks"][0]["statuses"].size(), 1u);
  EXPECT_EQ(fw["tasks"][0]["statuses"][0]["state"], "TASK_RUNNING");
  EXPECT_EQ(fw["tasks"][0]["statuses"][0]["timestamp"], running_at);
  EXPECT_EQ(fw["used_resources"]["cpus"], 1.0);
  // Whatever is left of the agent is offered (or about to be) to the only framework.
  const size_t offers = loop_.call([&] { return daemon_->master().outstanding_offers(); });
  EXPECT_EQ(fw["offers"].size(), offers);

  report("t1", v1::TaskState::TASK_FINISHED, s.framework_id);
  ASSERT_TRUE(testing::eventually(
      [&] { return get_json("/master/state")["frameworks"][0]["completed_tasks"].size() == 1; }));
  const json after = get_json("/master/state");
  EXPECT_EQ(after["frameworks"][0]["completed_tasks"][0]["state"], "TASK_FINISHED");
  EXPECT_TRUE(after["frameworks"][0]["tasks"].empty() ||
              after["frameworks"][0]["tasks"][0]["state"] == "TASK_FINISHED");

  const json summary = get_json("/master/state-summary");
  ASSERT_EQ(summary["slaves"].size(), 1u);
  EXPECT_EQ(summary["frameworks"][0]["id"], s.framework_id);
  EXPECT_TRUE(summary["frameworks"][0].contains("TASK_RUNNING"));
}

TEST_F(MasterEndpointsTest, MetricsSnapshotCountsWhatTheMasterKnows) {
  auto s = run_one_task();
  const json m = get_json("/metrics/snapshot");
  EXPECT_EQ(m["master/elected"], 1.0);
  EXPECT_GT(m["master/uptime_secs"].get<double>(), 0.0);
  EXPECT_EQ(m["master/slaves_active"], 1.0);
  EXPECT_EQ(m["master/frameworks_active"], 1.0);
  EXPECT_EQ(m["master/tasks_running"], 1.0);
  EXPECT_EQ(m["master/tasks_finished"], 0.0);
  EXPECT_EQ(m["master/cpus_total"], 2.0);
  EXPECT_EQ(m["master/cpus_used"], 1.0);
  EXPECT_EQ(m["master/cpus_percent"], 0.5);
  EXPECT_EQ(m["master/mem_total"], 1024.0);
  EXPECT_GT(m["allocator/mesos/allocation_runs"].get<double>(), 0.0);
  EXPECT_TRUE(m.contains("allocator/mesos/allocation_run_ms"));
  EXPECT_GE(m["allocator/mesos/allocation_run_ms"].get<double>(), 0.0);
  for (const auto& [key, value] : m.items()) EXPECT_TRUE(value.is_number()) << key;

  report("t1", v1::TaskState::TASK_FAILED, s.framework_id);
  ASSERT_TRUE(testing::eventually(
      [&] { return get_json("/metrics/snapshot")["master/tasks_failed"] == 1.0; }));
  EXPECT_EQ(get_json("/metrics/snapshot")["master/tasks_running"], 0.0);
}

// mesosim's timer: one sample per RunTaskMessage an ACCEPT made the master write to the agent.
TEST_F(MasterEndpointsTest, MetricsSnapshotTimesEachLaunchFromItsAccept) {
  const std::string timer(kAcceptToLaunchMetric);
  auto s = subscribe(testing::subscribe_body("fw"));
  start_agent();
  EXPECT_FALSE(get_json("/metrics/snapshot").contains(timer + "/count"));  // none yet
  auto offers = s.client->read_event_of("OFFERS");
  ASSERT_TRUE(offers.has_value());
  const json offer = (*offers)["offers"]["offers"][0];
  json tasks = json::array();
  for (const char* id : {"a", "b", "c"}) {
    tasks.push_back(
        {{"name", id},
         {"task_id", {{"value", id}}},
         {"agent_id", offer["agent_id"]},
         {"command", {{"value", "true"}}},
         {"resources", json::parse(R"([{"name":"cpus","type":"SCALAR","scalar":{"value":0.5}},
                                       {"name":"mem","type":"SCALAR","scalar":{"value":32}}])")}});
  }
  ASSERT_EQ(
      call(s, json{{"type", "ACCEPT"},
                   {"accept",
                    {{"offer_ids", json::array({offer["id"]})},
                     {"operations",
                      json::array({{{"type", "LAUNCH"}, {"launch", {{"task_infos", tasks}}}}})}}}})
          .status,
      202);
  ASSERT_TRUE(testing::eventually(
      [&] { return loop_.call([&] { return agent_->all<v1::RunTaskMessage>().size(); }) == 3; }));
  ASSERT_TRUE(testing::eventually(
      [&] { return get_json("/metrics/snapshot").value(timer + "/count", 0.0) == 3.0; }));
  const json m = get_json("/metrics/snapshot");
  for (const char* key : {"", "/min", "/p50", "/p90", "/p99", "/p999", "/max"}) {
    ASSERT_TRUE(m.contains(timer + key)) << key;
    EXPECT_GE(m[timer + key].get<double>(), 0.0) << key;
  }
  EXPECT_LE(m[timer + "/min"].get<double>(), m[timer + "/p50"].get<double>());
  EXPECT_LE(m[timer + "/p50"].get<double>(), m[timer + "/max"].get<double>());
  // A launch over loopback, measured from the ACCEPT's arrival, takes far less than the test's
  // own timeouts: the timer does not measure from some earlier moment (the subscription).
  EXPECT_LT(m[timer + "/max"].get<double>(), 5000.0);
}

TEST_F(MasterEndpointsTest, AnAgentThatGoesAwayIsDisconnectedByItsFailedPing) {
  start_agent();
  EXPECT_EQ(get_json("/metrics/snapshot")["master/slaves_active"], 1.0);
  loop_.call([&] { agent_.reset(); });  // its server closes: the next ping cannot be delivered
  ASSERT_TRUE(testing::eventually(
      [&] { return get_json("/metrics/snapshot")["master/slaves_disconnected"] == 1.0; }));
  const json state = get_json("/master/state");
  EXPECT_EQ(state["activated_slaves"], 0);
  EXPECT_EQ(state["slaves"][0]["active"], false);
}

TEST_F(MasterEndpointsTest, RecordWritesTheEventStreamInTheEventLogFormat) {
  start_agent();
  loop_.call([&] { daemon_->stop(); });
  std::ifstream in(dir_ + "/events.jsonl");
  auto reader = EventLogReader::open(in, "events.jsonl");
  ASSERT_TRUE(reader.ok()) << reader.error().message;
  EXPECT_EQ(reader.value().header().time_base, TimeBase::kUnixEpoch);
  EXPECT_EQ(reader.value().header().writer, "mesosim master");
  std::vector<std::string> types;
  while (true) {
    auto e = reader.value().next();
    ASSERT_TRUE(e.ok()) << e.error().message;
    if (!e.value()) break;
    types.push_back(std::string(event_type(e.value()->body)));
  }
  ASSERT_FALSE(types.empty());
  EXPECT_EQ(types.front(), "LEADER_ELECTED");
  EXPECT_NE(std::find(types.begin(), types.end(), "AGENT_ADDED"), types.end());
  EXPECT_EQ(std::find(types.begin(), types.end(), "MASTER_CRASHED"), types.end());
}

TEST(MasterDaemon, StartErrorsNameTheFlag) {
  boost::asio::io_context io;
  MasterDaemonOptions o;
  o.port = 0;
  auto no_dir = MasterDaemon::start(io, o);
  ASSERT_FALSE(no_dir.ok());
  EXPECT_EQ(no_dir.error().message, "--work_dir is required");
  o.work_dir = ::testing::TempDir() + "/mesosim-master-start";
  o.record_file = "/nonexistent-dir/x/events.jsonl";
  auto bad_record = MasterDaemon::start(io, o);
  ASSERT_FALSE(bad_record.ok());
  EXPECT_EQ(bad_record.error().message,
            "--record '/nonexistent-dir/x/events.jsonl': cannot open for writing");
}

// The flags bound what /master/state lists (they once reached only the master, which keeps no
// completed tasks).
class MasterEndpointsBoundsTest : public testing::MasterDaemonTest {
 protected:
  void configure(MasterDaemonOptions& options) override {
    options.master.max_completed_tasks_per_framework = 7;
    options.master.max_completed_frameworks = 3;
  }
};

TEST_F(MasterEndpointsBoundsTest, CompletedBoundsFollowTheFlags) {
  EXPECT_EQ(daemon_->book().max_completed_tasks(), 7u);
  EXPECT_EQ(daemon_->book().max_completed_frameworks(), 3u);
}

}  // namespace
}  // namespace mesosim::live
