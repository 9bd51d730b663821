// POST /api/v1/scheduler against a live master daemon, played by a raw HTTP client: the event
// stream, the status codes of refused calls (which change nothing), offers from an agent
// registered over HttpTransport, a launch reaching it, TEARDOWN, disconnection and failover.

#include <gtest/gtest.h>

#include "sim/live/master_book.hpp"
#include "tests/sim/live/master_daemon_fixture.hpp"

namespace mesosim::live {
namespace {

using testing::http;
using testing::RawResponse;
using json = nlohmann::json;

class SchedulerApiTest : public testing::MasterDaemonTest {
 protected:
  size_t frameworks() {
    return loop_.call([&] { return daemon_->master().frameworks().size(); });
  }
  RawResponse post(const std::string& body,
                   std::vector<std::pair<std::string, std::string>> headers = {
                       {"Content-Type", "application/json"}}) {
    return http(port_, "POST", "/api/v1/scheduler", headers, body);
  }
};

TEST_F(SchedulerApiTest, SubscribeOpensAStreamOfSubscribedThenHeartbeats) {
  auto s = subscribe(testing::subscribe_body("fw"));
  EXPECT_EQ(s.head.status, 200);
  EXPECT_EQ(s.head.header("content-type"), "application/json");
  EXPECT_EQ(s.head.header("transfer-encoding"), "chunked");
  ASSERT_EQ(s.stream_id.size(), 36u) << s.stream_id;
  EXPECT_EQ(s.stream_id[14], '4');  // a version 4 uuid
  EXPECT_EQ(s.subscribed["type"], "SUBSCRIBED");
  EXPECT_DOUBLE_EQ(s.subscribed["subscribed"]["heartbeat_interval_seconds"].get<double>(), 0.3);
  EXPECT_EQ(s.subscribed["subscribed"]["master_info"]["port"], port_);
  EXPECT_EQ(s.subscribed["subscribed"]["master_info"]["ip"], 16777343);
  // One HEARTBEAT at once, then one per interval: the stream stays open.
  for (int i = 0; i < 3; ++i) {
    auto e = s.client->read_event();
    ASSERT_TRUE(e.has_value()) << "heartbeat " << i;
    EXPECT_EQ((*e)["type"], "HEARTBEAT");
  }
  auto views = loop_.call([&] { return daemon_->master().frameworks(); });
  ASSERT_EQ(views.size(), 1u);
  EXPECT_EQ(views[0].info.id->value, s.framework_id);
  EXPECT_TRUE(views[0].active);
}

TEST_F(SchedulerApiTest, RecordIOAcceptGetsARecordIOStreamOfJsonMessages) {
  auto s = subscribe(testing::subscribe_body("fw"), {{"Content-Type", "application/json"},
                                                     {"Accept", "application/recordio"},
                                                     {"Message-Accept", "application/json"}});
  EXPECT_EQ(s.head.status, 200);
  EXPECT_EQ(s.head.header("content-type"), "application/recordio");
  EXPECT_EQ(s.head.header("message-content-type"), "application/json");
  EXPECT_EQ(s.subscribed["type"], "SUBSCRIBED");
}

TEST_F(SchedulerApiTest, CallsNeedTheirFrameworksStreamId) {
  auto a = subscribe(testing::subscribe_body("a"));
  auto b = subscribe(testing::subscribe_body("b"));
  const json revive{{"type", "REVIVE"}};
  json no_header = revive;
  no_header["framework_id"] = {{"value", a.framework_id}};
  RawResponse missing = post(no_header.dump());
  EXPECT_EQ(missing.status, 403);
  EXPECT_EQ(missing.body, "All non-subscribe calls should include the 'Mesos-Stream-Id' header\n");
  EXPECT_EQ(call(a, revive, "00000000-0000-4000-8000-000000000000").status, 403);
  RawResponse other = call(a, revive, b.stream_id);
  EXPECT_EQ(other.status, 403);
  EXPECT_NE(other.body.find("belongs to framework " + b.framework_id), std::string::npos)
      << other.body;
  EXPECT_EQ(call(a, revive).status, 202);
}

TEST_F(SchedulerApiTest, RefusedRequestsGetMesosStatusCodesAndChangeNothing) {
  auto s = subscribe(testing::subscribe_body("fw"));
  const auto before = loop_.call([&] { return daemon_->master().frameworks().size(); });
  RawResponse malformed = call(s, json{{"type", "DECLINE"}, {"decline", {{"offer_ids", 3}}}});
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(malformed.body,
            "Failed to parse the body into a Call: expected an array at 'decline.offer_ids', "
            "found 3\n");
  RawResponse not_json = post("{\"type\":", {{"Content-Type", "application/json"}});
  EXPECT_EQ(not_json.status, 400);
  EXPECT_EQ(post("{}", {}).status, 400);  // no Content-Type
  RawResponse protobuf = post("\x0a\x02", {{"Content-Type", "application/x-protobuf"}});
  EXPECT_EQ(protobuf.status, 415);
  EXPECT_NE(protobuf.body.find("does not serve protobuf"), std::string::npos);
  EXPECT_EQ(post("{}", {{"Content-Type", "text/plain"}}).status, 415);
  RawResponse get = http(port_, "GET", "/api/v1/scheduler");
  EXPECT_EQ(get.status, 405);
  EXPECT_EQ(get.header("allow"), "POST");
  EXPECT_EQ(subscribe(testing::subscribe_body("x"),
                      {{"Content-Type", "application/json"}, {"Accept", "text/html"}})
                .head.status,
            406);
  EXPECT_EQ(post(std::string(100 * 1024, ' ')).status, 413);
  RawResponse unsupported =
      call(s, json{{"type", "RECONCILE_OPERATIONS"}, {"reconcile_operations", json::object()}});
  EXPECT_EQ(unsupported.status, 501);
  EXPECT_EQ(unsupported.body, "call type 'RECONCILE_OPERATIONS' is not supported by mesosim\n");
  RawResponse message = call(s, json{{"type", "MESSAGE"}, {"message", json::object()}});
  EXPECT_EQ(message.status, 400);
  EXPECT_EQ(message.body,
            "Failed to parse the body into a Call: missing required field 'message.agent_id'\n");
  EXPECT_EQ(subscribe(testing::subscribe_body("x"),
                      {{"Content-Type", "application/json"}, {"Mesos-Stream-Id", s.stream_id}})
                .head.status,
            400);
  RawResponse unnamed = subscribe(testing::subscribe_body("")).head;
  EXPECT_EQ(unnamed.status, 400);

  EXPECT_EQ(loop_.call([&] { return daemon_->master().frameworks().size(); }), before);
  EXPECT_EQ(loop_.call([&] { return daemon_->book().calls_rejected(); }), 0u);
  EXPECT_EQ(http(port_, "GET", "/health").status, 200);  // and it keeps serving
}

TEST_F(SchedulerApiTest, DeclineSuppressAndReviveAreAccepted) {
  auto s = subscribe(testing::subscribe_body("fw"));
  EXPECT_EQ(call(s, json{{"type", "SUPPRESS"}}).status, 202);
  EXPECT_EQ(call(s, json{{"type", "DECLINE"},
                         {"decline", {{"offer_ids", json::array({{{"value", "nope"}}})}}}})
                .status,
            202);
  EXPECT_EQ(call(s, json{{"type", "REVIVE"}, {"revive", {{"roles", {"*"}}}}}).status, 202);
  RawResponse foreign_role = call(s, json{{"type", "REVIVE"}, {"revive", {{"roles", {"x"}}}}});
  EXPECT_EQ(foreign_role.status, 400);
  EXPECT_EQ(foreign_role.body, "role 'x' is not one of the framework's\n");
}

TEST_F(SchedulerApiTest, OffersReachTheSchedulerAndALaunchReachesTheAgent) {
  auto s = subscribe(testing::subscribe_body("fw"));
  start_agent();
  auto offers = s.client->read_event_of("OFFERS");
  ASSERT_TRUE(offers.has_value());
  const json& offer = (*offers)["offers"]["offers"][0];
  const std::string agent_id = loop_.call([&] { return agent_->agent_id; });
  EXPECT_EQ(offer["agent_id"]["value"], agent_id);
  EXPECT_EQ(offer["hostname"], "agent-host");

  const json task{
      {"name", "t"},
      {"task_id", {{"value", "t1"}}},
      {"agent_id", {{"value", agent_id}}},
      {"command", {{"shell", true}, {"value", "sleep 1"}}},
      {"resources", json::parse(R"([{"name":"cpus","type":"SCALAR","scalar":{"value":1}},
                                                {"name":"mem","type":"SCALAR","scalar":{"value":128}}])")}};
  const json accept{
      {"type", "ACCEPT"},
      {"accept",
       {{"offer_ids", json::array({offer["id"]})},
        {"operations",
         json::array({{{"type", "LAUNCH"}, {"launch", {{"task_infos", {task}}}}}})}}}};
  ASSERT_EQ(call(s, accept).status, 202);
  ASSERT_TRUE(testing::eventually(
      [&] { return loop_.call([&] { return agent_->all<v1::RunTaskMessage>().size(); }) == 1; }));
  const auto run = loop_.call([&] { return agent_->all<v1::RunTaskMessage>()[0]; });
  EXPECT_EQ(run.task.task_id.value, "t1");
  EXPECT_EQ(run.task.command->value, "sleep 1");
  EXPECT_EQ(run.framework.id->value, s.framework_id);

  // The agent reports it running; the scheduler sees the update and acknowledges it.
  const Uuid uuid = *Uuid::from_bytes(std::string(16, '\x2a'));
  loop_.call([&] {
    v1::TaskStatus st = testing::executor_status("t1", v1::TaskState::TASK_RUNNING, agent_id,
                                                 daemon_->clock().now());
    st.uuid = uuid;
    agent_->transport.send(agent_->self, agent_->master,
                           v1::StatusUpdateMessage{{v1::FrameworkID{s.framework_id}, st, {}, {}}});
  });
  auto update = s.client->read_event_of("UPDATE");
  ASSERT_TRUE(update.has_value());
  const json& status = (*update)["update"]["status"];
  EXPECT_EQ(status["state"], "TASK_RUNNING");
  EXPECT_EQ(status["agent_id"]["value"], agent_id);
  EXPECT_EQ(status["executor_id"]["value"], "t1");
  EXPECT_EQ(status["uuid"], "KioqKioqKioqKioqKioqKg==");
  EXPECT_EQ(call(s, json{{"type", "ACKNOWLEDGE"},
                         {"acknowledge",
                          {{"agent_id", {{"value", agent_id}}},
                           {"task_id", {{"value", "t1"}}},
                           {"uuid", status["uuid"]}}}})
                .status,
            202);
  ASSERT_TRUE(testing::eventually([&] {
    return loop_.call(
               [&] { return agent_->all<v1::StatusUpdateAcknowledgementMessage>().size(); }) == 1;
  }));
  EXPECT_EQ(
      loop_.call([&] { return agent_->all<v1::StatusUpdateAcknowledgementMessage>()[0].uuid; }),
      uuid);
}

TEST_F(SchedulerApiTest, TeardownClosesTheStreamAndCompletesTheFramework) {
  auto s = subscribe(testing::subscribe_body("fw", 60));
  EXPECT_EQ(call(s, json{{"type", "TEARDOWN"}}).status, 202);
  while (s.client->read_event().has_value()) {
  }
  EXPECT_TRUE(s.client->closed_by_server());
  EXPECT_EQ(frameworks(), 0u);
  const json state = get_json("/master/state");
  ASSERT_EQ(state["completed_frameworks"].size(), 1u);
  EXPECT_EQ(state["completed_frameworks"][0]["id"], s.framework_id);
  EXPECT_EQ(subscribe(testing::subscribe_body("fw", 60, s.framework_id)).head.status, 403);
}

TEST_F(SchedulerApiTest, ClosingTheConnectionDisconnectsTheFramework) {
  auto keeps = subscribe(testing::subscribe_body("keeps", 60));
  auto goes = subscribe(testing::subscribe_body("goes", 0));
  keeps.client->close();
  goes.client->close();
  ASSERT_TRUE(testing::eventually([&] {
    return loop_.call([&] {
      auto views = daemon_->master().frameworks();
      return views.size() == 1 && !views[0].connected;
    });
  }));
  const json state = get_json("/master/state");
  EXPECT_EQ(state["frameworks"][0]["id"], keeps.framework_id);  // waits for its failover
  EXPECT_EQ(state["frameworks"][0]["active"], false);
  EXPECT_EQ(state["completed_frameworks"][0]["id"], goes.framework_id);
}

TEST_F(SchedulerApiTest, ResubscribingFromANewConnectionClosesTheOldStream) {
  auto first = subscribe(testing::subscribe_body("fw", 60));
  auto second = subscribe(testing::subscribe_body("fw", 60, first.framework_id));
  ASSERT_EQ(second.head.status, 200);
  EXPECT_EQ(second.framework_id, first.framework_id);
  EXPECT_NE(second.stream_id, first.stream_id);
  auto error = first.client->read_event_of("ERROR");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ((*error)["error"]["message"], "Framework failed over");
  EXPECT_FALSE(first.client->read_event().has_value());
  EXPECT_TRUE(first.client->closed_by_server());
  // The old stream id is gone; the new one works; the framework stays connected.
  EXPECT_EQ(call(second, json{{"type", "REVIVE"}}, first.stream_id).status, 403);
  EXPECT_EQ(call(second, json{{"type", "REVIVE"}}).status, 202);
  auto views = loop_.call([&] { return daemon_->master().frameworks(); });
  ASSERT_EQ(views.size(), 1u);
  EXPECT_TRUE(views[0].connected);
}

}  // namespace
}  // namespace mesosim::live
