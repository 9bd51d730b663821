// Decoding of the MESSAGE, SHUTDOWN and UPDATE_FRAMEWORK calls (scheduler.proto's Call.Message,
// Call.Shutdown, Call.UpdateFramework): the bodies of Mesos's docs/scheduler-http-api.md, and a
// 400-worthy error naming the field for each missing or ill-typed one.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "sim/live/uuid.hpp"
#include "sim/live/v1_json.hpp"

namespace mesosim::live {
namespace {

namespace sched = v1::scheduler;

sched::Call decode_fixture(const std::string& name) {
  std::ifstream in(std::string(MESOSIM_TEST_DATA_DIR) + "/live/" + name);
  EXPECT_TRUE(in.good()) << "missing fixture " << name;
  std::stringstream text;
  text << in.rdbuf();
  Result<sched::Call> call = decode_call(text.str());
  EXPECT_TRUE(call.ok()) << name << ": " << (call.ok() ? "" : call.error().message);
  return call.ok() ? call.value() : sched::Call{};
}

std::string error_of(std::string_view body) {
  Result<sched::Call> call = decode_call(body);
  EXPECT_FALSE(call.ok()) << "decoded " << body;
  return call.ok() ? "" : call.error().message;
}

std::string with_fw(std::string_view rest) {
  return R"({"framework_id":{"value":"f"},)" + std::string(rest);
}

TEST(V1MessageCallJson, MessageFromTheDocsCarriesTheDecodedBytes) {
  sched::Call call = decode_fixture("message.json");
  EXPECT_EQ(call.framework_id, v1::FrameworkID{"12220-3440-12532-2345"});
  const auto& m = std::get<sched::Message>(call.call);
  EXPECT_EQ(m.agent_id, v1::AgentID{"12220-3440-12532-S1233"});
  EXPECT_EQ(m.executor_id, v1::ExecutorID{"my-framework-executor"});
  EXPECT_EQ(m.data, base64_decode("adaf838jahd748jnaldf").value());
  EXPECT_EQ(m.data.size(), 15u);
}

TEST(V1MessageCallJson, MessageNeedsAgentExecutorAndBase64Data) {
  EXPECT_EQ(error_of(with_fw(R"("type":"MESSAGE"})")), "missing required field 'message'");
  EXPECT_EQ(error_of(with_fw(R"("type":"MESSAGE","message":{"executor_id":{"value":"e"},)"
                             R"("data":""}})")),
            "missing required field 'message.agent_id'");
  EXPECT_EQ(error_of(with_fw(R"("type":"MESSAGE","message":{"agent_id":{"value":"a"},)"
                             R"("data":""}})")),
            "missing required field 'message.executor_id'");
  EXPECT_EQ(error_of(with_fw(R"("type":"MESSAGE","message":{"agent_id":{"value":"a"},)"
                             R"("executor_id":{"value":"e"}}})")),
            "missing required field 'message.data'");
  EXPECT_EQ(error_of(with_fw(R"("type":"MESSAGE","message":{"agent_id":{"value":"a"},)"
                             R"("executor_id":{"value":"e"},"data":"not base64!"}})")),
            "bad base64 at 'message.data': expected base64, found '!' at offset 10");
  EXPECT_EQ(error_of(with_fw(R"("type":"MESSAGE","message":{"agent_id":"a",)"
                             R"("executor_id":{"value":"e"},"data":""}})")),
            "expected an object at 'message.agent_id', found \"a\"");
}

TEST(V1ShutdownCallJson, ShutdownFromTheDocs) {
  sched::Call call = decode_fixture("shutdown.json");
  const auto& s = std::get<sched::Shutdown>(call.call);
  EXPECT_EQ(s.executor_id, v1::ExecutorID{"123450-2340-1232-my-executor"});
  EXPECT_EQ(s.agent_id, v1::AgentID{"12220-3440-12532-S1233"});
}

TEST(V1ShutdownCallJson, ShutdownNeedsExecutorAndAgent) {
  EXPECT_EQ(error_of(with_fw(R"("type":"SHUTDOWN"})")), "missing required field 'shutdown'");
  EXPECT_EQ(error_of(with_fw(R"("type":"SHUTDOWN","shutdown":{"agent_id":{"value":"a"}}})")),
            "missing required field 'shutdown.executor_id'");
  EXPECT_EQ(error_of(with_fw(R"("type":"SHUTDOWN","shutdown":{"executor_id":{"value":"e"}}})")),
            "missing required field 'shutdown.agent_id'");
  EXPECT_EQ(error_of(with_fw(R"("type":"SHUTDOWN","shutdown":{"executor_id":{"value":""},)"
                             R"("agent_id":{"value":"a"}}})")),
            "expected a non-empty id at 'shutdown.executor_id.value', found \"\"");
  EXPECT_EQ(error_of(R"({"type":"SHUTDOWN","shutdown":{"executor_id":{"value":"e"},)"
                     R"("agent_id":{"value":"a"}}})"),
            "missing required field 'framework_id'");
}

TEST(V1UpdateFrameworkCallJson, UpdateFrameworkCarriesTheFrameworkInfoAndSuppressedRoles) {
  sched::Call call = decode_fixture("update_framework.json");
  const auto& u = std::get<sched::UpdateFramework>(call.call);
  EXPECT_EQ(u.framework_info.id, v1::FrameworkID{"12220-3440-12532-2345"});
  EXPECT_EQ(u.framework_info.name, "Example HTTP Framework, renamed");
  EXPECT_EQ(u.framework_info.roles, (std::vector<std::string>{"test1", "test2"}));
  EXPECT_TRUE(u.framework_info.has(v1::FrameworkCapability::TASK_KILLING_STATE));
  EXPECT_EQ(u.framework_info.failover_timeout, 3600);
  EXPECT_EQ(u.suppressed_roles, std::vector<std::string>{"test2"});
}

// Mesos's scheduler call validation: "'framework_id' differs from
// 'update_framework.framework_info.id'" (also when framework_info has no id).
TEST(V1UpdateFrameworkCallJson, UpdateFrameworkErrors) {
  const std::string info = R"("framework_info":{"user":"u","name":"n")";
  EXPECT_EQ(error_of(with_fw(R"("type":"UPDATE_FRAMEWORK"})")),
            "missing required field 'update_framework'");
  EXPECT_EQ(error_of(with_fw(R"("type":"UPDATE_FRAMEWORK","update_framework":{}})")),
            "missing required field 'update_framework.framework_info'");
  EXPECT_EQ(error_of(with_fw(R"("type":"UPDATE_FRAMEWORK","update_framework":{)" + info +
                             R"(,"id":{"value":"other"}}}})")),
            "'framework_id' differs from 'update_framework.framework_info.id'");
  EXPECT_EQ(error_of(with_fw(R"("type":"UPDATE_FRAMEWORK","update_framework":{)" + info + "}}}")),
            "'framework_id' differs from 'update_framework.framework_info.id'");
  EXPECT_EQ(error_of(with_fw(R"("type":"UPDATE_FRAMEWORK","update_framework":{"framework_info":)"
                             R"({"name":"n","id":{"value":"f"}}}})")),
            "missing required field 'update_framework.framework_info.user'");
  EXPECT_EQ(error_of(with_fw(R"("type":"UPDATE_FRAMEWORK","update_framework":{)" + info +
                             R"(,"id":{"value":"f"},"failover_timeout":"soon"}}})")),
            "expected a number at 'update_framework.framework_info.failover_timeout', found "
            "\"soon\"");
  EXPECT_EQ(error_of(with_fw(R"("type":"UPDATE_FRAMEWORK","update_framework":{)" + info +
                             R"(,"id":{"value":"f"}},"suppressed_roles":"r"}})")),
            "expected an array at 'update_framework.suppressed_roles', found \"r\"");
}

}  // namespace
}  // namespace mesosim::live
