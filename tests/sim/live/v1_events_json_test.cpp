#include <gtest/gtest.h>

#include "sim/live/recordio.hpp"
#include "sim/live/uuid.hpp"
#include "sim/live/v1_json.hpp"

namespace mesosim::live {
namespace {

namespace sched = v1::scheduler;

// The bytes of f81d4fae-7dec-41d0-a765-00a0c91e6bf6.
const Uuid kUuid{{0xf8, 0x1d, 0x4f, 0xae, 0x7d, 0xec, 0x41, 0xd0, 0xa7, 0x65, 0x00, 0xa0, 0xc9,
                  0x1e, 0x6b, 0xf6}};

sched::Event event(auto body) { return sched::Event{std::move(body)}; }

TEST(V1EventsJson, SubscribedWithMasterInfoExactly) {
  sched::Subscribed s;
  s.framework_id = v1::FrameworkID{"fw-1"};
  s.heartbeat_interval_seconds = 15;
  s.master_info =
      v1::MasterInfo{"m1", *mesos_ip("127.0.0.1"), 5050, "localhost", "1.11.0", "127.0.0.1"};
  EXPECT_EQ(encode_event(event(s)),
            R"({"type":"SUBSCRIBED","subscribed":{"framework_id":{"value":"fw-1"},)"
            R"("heartbeat_interval_seconds":15.0,"master_info":{"id":"m1","ip":16777343,)"
            R"("port":5050,"hostname":"localhost","version":"1.11.0",)"
            R"("address":{"hostname":"localhost","ip":"127.0.0.1","port":5050}}}})");
}

TEST(V1EventsJson, SubscribedWithoutMasterInfo) {
  EXPECT_EQ(encode_event(event(sched::Subscribed{v1::FrameworkID{"fw-1"}, 2.5, "m", {}})),
            R"({"type":"SUBSCRIBED","subscribed":{"framework_id":{"value":"fw-1"},)"
            R"("heartbeat_interval_seconds":2.5}})");
}

TEST(V1EventsJson, MesosIpIsNetworkOrderReadAsLittleEndian) {
  EXPECT_EQ(mesos_ip("127.0.0.1"), 16777343u);
  EXPECT_EQ(mesos_ip("10.0.0.2"), 0x0200000Au);
  EXPECT_FALSE(mesos_ip("256.0.0.1").has_value());
  EXPECT_FALSE(mesos_ip("1.2.3").has_value());
  EXPECT_FALSE(mesos_ip("1.2.3.4.").has_value());
}

TEST(V1EventsJson, OffersExactly) {
  v1::Offer o;
  o.id = v1::OfferID{"o1"};
  o.framework_id = v1::FrameworkID{"fw-1"};
  o.agent_id = v1::AgentID{"a1"};
  o.hostname = "h1";
  o.role = "web";
  o.resources = Resources::parse("cpus:2;ports:[31000-31001]").value();
  o.attributes = {v1::Attribute{"rack", "r1"}};
  o.executor_ids = {v1::ExecutorID{"e1"}};
  EXPECT_EQ(
      encode_event(event(sched::Offers{{o}})),
      R"({"type":"OFFERS","offers":{"offers":[{"id":{"value":"o1"},"framework_id":{"value":"fw-1"},)"
      R"("agent_id":{"value":"a1"},"hostname":"h1","resources":[)"
      R"({"name":"cpus","type":"SCALAR","scalar":{"value":2.0},"role":"*","allocation_info":{"role":"web"}},)"
      R"({"name":"ports","type":"RANGES","ranges":{"range":[{"begin":31000,"end":31001}]},"role":"*",)"
      R"("allocation_info":{"role":"web"}}],)"
      R"("attributes":[{"name":"rack","type":"TEXT","text":{"value":"r1"}}],)"
      R"("executor_ids":[{"value":"e1"}],"allocation_info":{"role":"web"}}]}})");
}

TEST(V1EventsJson, OffersUseTheFrameworksResourceFormat) {
  v1::Offer o{v1::OfferID{"o1"},
              v1::FrameworkID{"f"},
              v1::AgentID{"a"},
              "h",
              "web",
              Resources::parse("cpus(web):1").value(),
              {},
              {}};
  v1::FrameworkInfo refined;
  refined.capabilities = {v1::FrameworkCapability::RESERVATION_REFINEMENT};
  std::string text = encode_event(event(sched::Offers{{o}}), encode_options_for(refined));
  EXPECT_NE(text.find(R"("reservations":[{"type":"STATIC","role":"web"}])"), std::string::npos)
      << text;
  EXPECT_EQ(text.find(R"("role":"web","allocation_info")"), std::string::npos) << text;
  text = encode_event(event(sched::Offers{{o}}), encode_options_for(v1::FrameworkInfo{}));
  EXPECT_NE(text.find(R"("role":"web","allocation_info")"), std::string::npos) << text;
}

TEST(V1EventsJson, UpdateExactlyWithBase64Uuid) {
  v1::TaskStatus s;
  s.task_id = v1::TaskID{"t1"};
  s.state = v1::TaskState::TASK_RUNNING;
  s.agent_id = v1::AgentID{"a1"};
  s.executor_id = v1::ExecutorID{"t1"};
  s.timestamp = Time::from_micros(1'700'000'000'250'000);
  s.uuid = kUuid;
  s.source = v1::TaskStatusSource::SOURCE_EXECUTOR;
  s.message = "ok";
  EXPECT_EQ(encode_event(event(sched::Update{s})),
            R"({"type":"UPDATE","update":{"status":{"task_id":{"value":"t1"},)"
            R"("state":"TASK_RUNNING","message":"ok","source":"SOURCE_EXECUTOR",)"
            R"("agent_id":{"value":"a1"},"executor_id":{"value":"t1"},)"
            R"("timestamp":1700000000.25,"uuid":"+B1Prn3sQdCnZQCgyR5r9g=="}}})");
}

TEST(V1EventsJson, ReconciliationUpdateHasReasonAndNoUuid) {
  v1::TaskStatus s;
  s.task_id = v1::TaskID{"t2"};
  s.state = v1::TaskState::TASK_LOST;
  s.timestamp = Time::from_micros(3'000'000);
  s.reason = v1::TaskStatusReason::REASON_RECONCILIATION;
  EXPECT_EQ(encode_event(event(sched::Update{s})),
            R"({"type":"UPDATE","update":{"status":{"task_id":{"value":"t2"},)"
            R"("state":"TASK_LOST","source":"SOURCE_MASTER","reason":"REASON_RECONCILIATION",)"
            R"("timestamp":3.0}}})");
}

TEST(V1EventsJson, RescindFailureErrorHeartbeatExactly) {
  EXPECT_EQ(encode_event(event(sched::Rescind{v1::OfferID{"o1"}})),
            R"({"type":"RESCIND","rescind":{"offer_id":{"value":"o1"}}})");
  EXPECT_EQ(encode_event(event(sched::Failure{v1::AgentID{"a1"}, v1::ExecutorID{"e1"}, 137})),
            R"({"type":"FAILURE","failure":{"agent_id":{"value":"a1"},)"
            R"("executor_id":{"value":"e1"},"status":137}})");
  EXPECT_EQ(encode_event(event(sched::Failure{v1::AgentID{"a1"}, {}, {}})),
            R"({"type":"FAILURE","failure":{"agent_id":{"value":"a1"}}})");
  EXPECT_EQ(encode_event(event(sched::Error{"Framework has been removed"})),
            R"({"type":"ERROR","error":{"message":"Framework has been removed"}})");
  EXPECT_EQ(encode_event(event(sched::Heartbeat{})), R"({"type":"HEARTBEAT"})");
}

TEST(V1EventsJson, EventsAreFramedAsRecordIO) {
  EXPECT_EQ(encode_record(encode_event(event(sched::Heartbeat{}))), "20\n{\"type\":\"HEARTBEAT\"}");
}

TEST(V1EventsJson, StringsAreEscaped) {
  EXPECT_EQ(encode_event(event(sched::Error{"a \"quoted\"\nline"})),
            R"({"type":"ERROR","error":{"message":"a \"quoted\"\nline"}})");
}

}  // namespace
}  // namespace mesosim::live
