// The JSON codec of the messages between live daemons: every message survives a round trip,
// and bad bodies are errors that name the message and the field.

#include "sim/live/internal_messages_json.hpp"

#include <gtest/gtest.h>

#include "sim/live/uuid.hpp"

namespace mesosim::live {
namespace {

Resources res(std::string_view text) { return Resources::parse(text).value(); }

v1::FrameworkInfo framework() {
  v1::FrameworkInfo f;
  f.user = "alice";
  f.name = "spark";
  f.id = v1::FrameworkID{"M-0001"};
  f.roles = {"analytics", "batch"};
  f.capabilities = {v1::FrameworkCapability::MULTI_ROLE, v1::FrameworkCapability::PARTITION_AWARE};
  f.failover_timeout = 60.5;
  f.principal = "p";
  f.hostname = "h1";
  f.checkpoint = true;
  return f;
}

v1::TaskStatus status() {
  v1::TaskStatus s;
  s.task_id = v1::TaskID{"t1"};
  s.state = v1::TaskState::TASK_FAILED;
  s.agent_id = v1::AgentID{"A1"};
  s.executor_id = v1::ExecutorID{"t1"};
  s.timestamp = Time::from_micros(1'700'000'000'123'456);
  s.uuid = Uuid::from_bytes(std::string("\x01\x02\xff\x00 sixteen bytes", 16));
  s.source = v1::TaskStatusSource::SOURCE_EXECUTOR;
  s.reason = v1::TaskStatusReason::REASON_CONTAINER_LIMITATION_MEMORY;
  s.message = "Memory limit exceeded";
  return s;
}

v1::TaskStatus minimal_status() {
  v1::TaskStatus s;
  s.task_id = v1::TaskID{"t"};
  s.agent_id = v1::AgentID{"A"};
  return s;
}

v1::Task task() {
  return v1::Task{"t",
                  v1::TaskID{"t1"},
                  v1::FrameworkID{"M-0001"},
                  v1::AgentID{"A1"},
                  v1::ExecutorID{"t1"},
                  res("cpus:0.5;mem:64;ports:[31000-31001]"),
                  v1::TaskState::TASK_RUNNING,
                  "analytics",
                  {{"job_id", "j7"}}};
}

// Compares by re-encoding: the encoding is canonical, so equal messages give equal text.
void expect_round_trip(const Message& message) {
  const auto name = internal_message_name(message);
  ASSERT_TRUE(name.has_value());
  const std::string body = encode_internal_message(message);
  Result<Message> back = decode_internal_message(*name, body);
  ASSERT_TRUE(back.ok()) << *name << ": " << back.error().message;
  EXPECT_EQ(back.value().index(), message.index());
  EXPECT_EQ(encode_internal_message(back.value()), body) << *name;
}

TEST(InternalMessagesJson, EveryAgentMessageSurvivesARoundTrip) {
  v1::AgentInfo agent{"host1",
                      v1::AgentID{"A1"},
                      res("cpus:4;mem:4096;cpus(analytics):2;ports:[31000-32000];gpus{REV}:1"),
                      {{"rack", "r1"}, {"zone", "z"}}};
  v1::TaskInfo info;
  info.name = "t";
  info.task_id = v1::TaskID{"t1"};
  info.agent_id = v1::AgentID{"A1"};
  info.resources = res("cpus:1;mem:128");
  info.command = v1::CommandInfo{true, "sleep 10", {"a", "b"}, {{"K", "V"}}};
  info.executor = v1::ExecutorInfo{v1::ExecutorID{"e"}, "ex",
                                   v1::CommandInfo{false, "/bin/x", {}, {}}, res("cpus:0.1")};
  info.labels = {{"k", "v"}};

  expect_round_trip(v1::RegisterAgentMessage{agent});
  expect_round_trip(v1::AgentRegisteredMessage{v1::AgentID{"A1"}});
  expect_round_trip(v1::AgentRegisteredMessage{v1::AgentID{"A1"}, Duration::seconds(75)});
  expect_round_trip(v1::AgentReregisteredMessage{v1::AgentID{"A1"}, {}, Duration::millis(1500)});
  expect_round_trip(v1::ReregisterAgentMessage{agent, {task()}, {framework()}});
  expect_round_trip(v1::AgentReregisteredMessage{
      v1::AgentID{"A1"}, {v1::ReconcileTasksMessage{framework(), {v1::TaskID{"t9"}}}}});
  expect_round_trip(v1::RunTaskMessage{framework(), info, "analytics"});
  expect_round_trip(v1::KillTaskMessage{v1::FrameworkID{"F"}, v1::TaskID{"t1"}});
  expect_round_trip(v1::StatusUpdateMessage{
      v1::StatusUpdate{v1::FrameworkID{"F"}, status(), v1::TaskState::TASK_FAILED, res("mem:10")}});
  // Only the required fields: no executor, uuid, reason, latest state or usage.
  expect_round_trip(
      v1::StatusUpdateMessage{v1::StatusUpdate{v1::FrameworkID{"F"}, minimal_status(), {}, {}}});
  expect_round_trip(v1::StatusUpdateAcknowledgementMessage{
      v1::AgentID{"A1"}, v1::FrameworkID{"F"}, v1::TaskID{"t1"},
      *Uuid::from_bytes(std::string(16, '\x7f'))});
  expect_round_trip(v1::PingAgentMessage{false});
  expect_round_trip(v1::PongAgentMessage{});
  expect_round_trip(v1::ShutdownFrameworkMessage{v1::FrameworkID{"F"}});
  expect_round_trip(v1::ShutdownAgentMessage{"bye"});
  expect_round_trip(
      v1::UsageReportMessage{v1::AgentID{"A1"},
                             Time::from_micros(5),
                             {{v1::FrameworkID{"F"}, v1::TaskID{"t"}, res("cpus:0.2")}}});
  expect_round_trip(v1::FrameworkToExecutorMessage{v1::AgentID{"A1"}, v1::FrameworkID{"F"},
                                                   v1::ExecutorID{"e"},
                                                   std::string("\x00bytes\xff", 7)});
  expect_round_trip(v1::ShutdownExecutorMessage{v1::FrameworkID{"F"}, v1::ExecutorID{"e"}});
}

TEST(InternalMessagesJson, AFrameworkMessageKeepsItsBytesAndNeedsEveryField) {
  const v1::FrameworkToExecutorMessage sent{v1::AgentID{"A1"}, v1::FrameworkID{"F"},
                                            v1::ExecutorID{"e"}, std::string("\x00\x01\x02", 3)};
  auto back = decode_internal_message("FrameworkToExecutorMessage", encode_internal_message(sent));
  ASSERT_TRUE(back.ok()) << back.error().message;
  const auto& got = std::get<v1::FrameworkToExecutorMessage>(back.value());
  EXPECT_EQ(got.data, sent.data);
  EXPECT_EQ(got.executor_id, sent.executor_id);
  auto missing =
      decode_internal_message("ShutdownExecutorMessage", R"({"framework_id":{"value":"F"}})");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message,
            "ShutdownExecutorMessage: missing required field 'executor_id'");
}

TEST(InternalMessagesJson, DecodedFieldsEqualTheOriginal) {
  const v1::RunTaskMessage run{
      framework(),
      v1::TaskInfo{
          "n", v1::TaskID{"t"}, v1::AgentID{"a"}, res("cpus:1"), v1::CommandInfo{}, {}, {}, {}},
      "batch"};
  auto back = decode_internal_message("RunTaskMessage", encode_internal_message(run));
  ASSERT_TRUE(back.ok()) << back.error().message;
  const auto& got = std::get<v1::RunTaskMessage>(back.value());
  EXPECT_EQ(got.role, "batch");
  EXPECT_EQ(got.framework.roles, framework().roles);
  EXPECT_EQ(got.framework.capabilities, framework().capabilities);
  EXPECT_DOUBLE_EQ(got.framework.failover_timeout, 60.5);
  EXPECT_TRUE(got.framework.checkpoint);
  EXPECT_EQ(got.task.resources, res("cpus:1"));
  ASSERT_TRUE(got.task.command.has_value());

  auto update = decode_internal_message(
      "StatusUpdateMessage",
      encode_internal_message(v1::StatusUpdateMessage{{v1::FrameworkID{"F"}, status(), {}, {}}}));
  ASSERT_TRUE(update.ok());
  const v1::TaskStatus& s = std::get<v1::StatusUpdateMessage>(update.value()).update.status;
  EXPECT_EQ(s.uuid, status().uuid);
  EXPECT_EQ(s.timestamp, status().timestamp);
  EXPECT_EQ(s.reason, status().reason);
  EXPECT_EQ(s.source, v1::TaskStatusSource::SOURCE_EXECUTOR);
}

// A uuid is 16 bytes in memory, so the decoder must refuse any other length rather than invent
// one; the error names the field, as for any other bad field.
TEST(InternalMessagesJson, AUuidThatIsNotSixteenBytesIsRejected) {
  auto short_ack = decode_internal_message(
      "StatusUpdateAcknowledgementMessage",
      R"({"agent_id":{"value":"A"},"framework_id":{"value":"F"},"task_id":{"value":"t"},)"
      R"("uuid":"Zm9v"})");
  ASSERT_FALSE(short_ack.ok());
  EXPECT_EQ(short_ack.error().message,
            "StatusUpdateAcknowledgementMessage: expected a 16-byte UUID at 'uuid', found 3 bytes");

  auto status_with_uuid = [](const std::string& base64) {
    return decode_internal_message(
        "StatusUpdateMessage",
        R"({"update":{"framework_id":{"value":"F"},"status":{"task_id":{"value":"t"},)"
        R"("state":"TASK_RUNNING","agent_id":{"value":"a"},"timestamp_us":1,)"
        R"("source":"SOURCE_AGENT","uuid":")" +
            base64 + R"("}}})");
  };
  // 17 bytes: one too many is as wrong as one too few.
  auto long_status = status_with_uuid(base64_encode(std::string(17, 'u')));
  ASSERT_FALSE(long_status.ok());
  EXPECT_EQ(long_status.error().message,
            "StatusUpdateMessage: expected a 16-byte UUID at 'update.status.uuid', found 17 bytes");

  auto empty_status = status_with_uuid("");
  ASSERT_FALSE(empty_status.ok());
  EXPECT_EQ(empty_status.error().message,
            "StatusUpdateMessage: expected a 16-byte UUID at 'update.status.uuid', found 0 bytes");
}

TEST(InternalMessagesJson, MessagesThatNeverLeaveAProcessHaveNoWireName) {
  EXPECT_FALSE(internal_message_name(ExitedMessage{Endpoint{1}}).has_value());
  EXPECT_FALSE(internal_message_name(MasterDetectedMessage{}).has_value());
  EXPECT_FALSE(internal_message_name(v1::scheduler::Event{v1::scheduler::Heartbeat{}}).has_value());
  EXPECT_EQ(internal_message_name(v1::PongAgentMessage{}), "PongAgentMessage");
}

TEST(InternalMessagesJson, BadBodiesNameTheMessageAndTheField) {
  auto unknown = decode_internal_message("LaunchRocketMessage", "{}");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().message, "unknown internal message 'LaunchRocketMessage'");

  auto not_json = decode_internal_message("PongAgentMessage", "{");
  ASSERT_FALSE(not_json.ok());
  EXPECT_EQ(not_json.error().message, "PongAgentMessage: the body is not valid JSON");

  auto wrong_type = decode_internal_message("RegisterAgentMessage",
                                            R"({"agent":{"hostname":"h","resources":3}})");
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_EQ(wrong_type.error().message,
            "RegisterAgentMessage: expected a string at 'agent.resources', found 3");

  auto bad_resources = decode_internal_message(
      "RegisterAgentMessage", R"({"agent":{"hostname":"h","resources":"cpus:x"}})");
  ASSERT_FALSE(bad_resources.ok());
  EXPECT_NE(bad_resources.error().message.find("at 'agent.resources'"), std::string::npos)
      << bad_resources.error().message;

  auto bad_state = decode_internal_message(
      "StatusUpdateMessage",
      R"({"update":{"framework_id":{"value":"F"},"status":{"task_id":{"value":"t"},)"
      R"("state":"TASK_DANCING","agent_id":{"value":"a"},"timestamp_us":1,"source":"SOURCE_AGENT"}}})");
  ASSERT_FALSE(bad_state.ok());
  EXPECT_EQ(bad_state.error().message,
            "StatusUpdateMessage: expected a task state at 'update.status.state', found "
            "\"TASK_DANCING\"");

  auto deep = decode_internal_message(
      "PongAgentMessage", "{\"a\":" + std::string(10000, '[') + std::string(10000, ']') + "}");
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.error().message, "PongAgentMessage: JSON nested deeper than 64 levels");

  auto missing = decode_internal_message("KillTaskMessage", R"({"framework_id":{"value":"F"}})");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, "KillTaskMessage: missing required field 'task_id'");
}

}  // namespace
}  // namespace mesosim::live
