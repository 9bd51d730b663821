#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "sim/live/uuid.hpp"
#include "sim/live/v1_json.hpp"

namespace mesosim::live {
namespace {

namespace sched = v1::scheduler;

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(MESOSIM_TEST_DATA_DIR) + "/live/" + name);
  EXPECT_TRUE(in.good()) << "missing fixture " << name;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

sched::Call decode_fixture(const std::string& name) {
  Result<sched::Call> call = decode_call(fixture(name));
  EXPECT_TRUE(call.ok()) << name << ": " << (call.ok() ? "" : call.error().message);
  return call.ok() ? call.value() : sched::Call{};
}

std::string error_of(std::string_view body) {
  Result<sched::Call> call = decode_call(body);
  EXPECT_FALSE(call.ok()) << "decoded " << body;
  return call.ok() ? "" : call.error().message;
}

// --- The request bodies of Mesos's docs/scheduler-http-api.md ---

TEST(V1CallsJson, SubscribeFromTheDocs) {
  sched::Call call = decode_fixture("subscribe_multi_role.json");
  EXPECT_FALSE(call.framework_id.has_value());
  const auto& s = std::get<sched::Subscribe>(call.call);
  EXPECT_EQ(s.framework_info.user, "foo");
  EXPECT_EQ(s.framework_info.name, "Example HTTP Framework");
  EXPECT_EQ(s.framework_info.roles, (std::vector<std::string>{"test1", "test2"}));
  // SHARED_RESOURCES is a Mesos capability mesosim does not model; an unknown name is dropped
  // as Mesos's parser drops unknown values of optional enums.
  EXPECT_EQ(s.framework_info.capabilities,
            std::vector<v1::FrameworkCapability>{v1::FrameworkCapability::MULTI_ROLE});
  EXPECT_EQ(s.suppressed_roles, std::vector<std::string>{"test2"});
}

TEST(V1CallsJson, ResubscribeWithEveryFrameworkInfoField) {
  sched::Call call = decode_fixture("subscribe_resubscribe.json");
  ASSERT_TRUE(call.framework_id.has_value());
  EXPECT_EQ(call.framework_id->value, "12220-3440-12532-2345");
  const v1::FrameworkInfo& f = std::get<sched::Subscribe>(call.call).framework_info;
  EXPECT_EQ(f.id, call.framework_id);
  EXPECT_EQ(f.roles, std::vector<std::string>{"engineering"});
  EXPECT_EQ(f.failover_timeout, 604800);
  EXPECT_TRUE(f.checkpoint);
  EXPECT_EQ(f.principal, "ops");
  EXPECT_EQ(f.hostname, "scheduler.example.com");
  EXPECT_TRUE(f.has(v1::FrameworkCapability::PARTITION_AWARE));
  EXPECT_TRUE(f.has(v1::FrameworkCapability::TASK_KILLING_STATE));
}

TEST(V1CallsJson, AcceptLaunchWithExecutorFromTheDocs) {
  sched::Call call = decode_fixture("accept_launch_executor.json");
  const auto& a = std::get<sched::Accept>(call.call);
  ASSERT_EQ(a.offer_ids.size(), 1u);
  EXPECT_EQ(a.offer_ids[0].value, "12220-3440-12532-O12");
  EXPECT_EQ(a.filters.refuse_seconds, 5.0);
  ASSERT_EQ(a.operations.size(), 1u);
  ASSERT_EQ(a.operations[0].type, v1::Operation::Type::LAUNCH);
  ASSERT_EQ(a.operations[0].task_infos.size(), 1u);
  const v1::TaskInfo& t = a.operations[0].task_infos[0];
  EXPECT_EQ(t.name, "My Task");
  EXPECT_EQ(t.task_id.value, "12220-3440-12532-my-task");
  EXPECT_EQ(t.agent_id.value, "12220-3440-12532-S1233");
  EXPECT_EQ(t.resources, Resources::parse("cpus:1;mem:128").value());
  ASSERT_TRUE(t.executor.has_value());
  EXPECT_FALSE(t.command.has_value());
  EXPECT_EQ(t.executor->executor_id.value, "12214-23523-my-executor");
  EXPECT_EQ(t.executor->command.value, "sleep 1000");
  EXPECT_TRUE(t.executor->command.shell);
}

TEST(V1CallsJson, AcceptWithReserveCommandTaskAndUnreserve) {
  sched::Call call = decode_fixture("accept_command_reserve.json");
  const auto& a = std::get<sched::Accept>(call.call);
  EXPECT_EQ(a.offer_ids.size(), 2u);
  EXPECT_FALSE(a.filters.refuse_seconds.has_value());
  ASSERT_EQ(a.operations.size(), 3u);
  EXPECT_EQ(a.operations[0].type, v1::Operation::Type::RESERVE);
  EXPECT_EQ(a.operations[0].resources, Resources::parse("cpus(web){DYN:ops:team=a}:2").value());
  const v1::TaskInfo& t = a.operations[1].task_infos.at(0);
  ASSERT_TRUE(t.command.has_value());
  EXPECT_FALSE(t.command->shell);
  EXPECT_EQ(t.command->value, "/usr/bin/python3");
  EXPECT_EQ(t.command->arguments,
            (std::vector<std::string>{"python3", "-m", "http.server", "31000"}));
  EXPECT_EQ(t.command->environment, (std::vector<std::pair<std::string, std::string>>{
                                        {"PORT", "31000"}, {"MODE", "prod"}}));
  EXPECT_EQ(t.resources,
            Resources::parse("cpus:0.5;mem(web){DYN:ops}:64;ports:[31000-31000]").value());
  EXPECT_EQ(t.labels,
            (std::vector<std::pair<std::string, std::string>>{{"app", "web"}, {"canary", ""}}));
  EXPECT_EQ(a.operations[2].type, v1::Operation::Type::UNRESERVE);
  EXPECT_EQ(a.operations[2].resources, Resources::parse("disk(web){DYN:ops}:100").value());
}

TEST(V1CallsJson, DeclineReviveSuppressKillReconcileTeardownFromTheDocs) {
  const auto d = std::get<sched::Decline>(decode_fixture("decline.json").call);
  EXPECT_EQ(d.offer_ids.size(), 2u);
  EXPECT_EQ(d.offer_ids[1].value, "12220-3440-12532-O13");
  EXPECT_EQ(d.filters.refuse_seconds, 5.0);
  EXPECT_EQ(std::get<sched::Revive>(decode_fixture("revive.json").call).roles,
            std::vector<std::string>{"test1"});
  EXPECT_EQ(std::get<sched::Suppress>(decode_fixture("suppress.json").call).roles,
            (std::vector<std::string>{"test1", "test2"}));
  const auto k = std::get<sched::Kill>(decode_fixture("kill.json").call);
  EXPECT_EQ(k.task_id.value, "12220-3440-12532-my-task");
  EXPECT_EQ(k.agent_id->value, "12220-3440-12532-S1233");
  const auto r = std::get<sched::Reconcile>(decode_fixture("reconcile.json").call);
  ASSERT_EQ(r.tasks.size(), 1u);
  EXPECT_EQ(r.tasks[0].task_id.value, "312325");
  EXPECT_EQ(r.tasks[0].agent_id->value, "123535");
  sched::Call teardown = decode_fixture("teardown.json");
  EXPECT_TRUE(std::holds_alternative<sched::Teardown>(teardown.call));
  EXPECT_EQ(teardown.framework_id->value, "12220-3440-12532-2345");
}

TEST(V1CallsJson, AcknowledgeFromTheDocsDecodesTheUnpaddedUuid) {
  const auto ack = std::get<sched::Acknowledge>(decode_fixture("acknowledge.json").call);
  EXPECT_EQ(ack.agent_id.value, "12220-3440-12532-S1233");
  EXPECT_EQ(base64_encode(ack.uuid.view()), "jhadf73jhakdlfha723adQ==");
}

TEST(V1CallsJson, AcknowledgeCarriesBackTheUuidOfAnUpdate) {
  Rng rng(3);
  Uuid uuid = Uuid::random(rng);
  std::string body = R"({"framework_id":{"value":"f"},"type":"ACKNOWLEDGE","acknowledge":{)"
                     R"("agent_id":{"value":"a"},"task_id":{"value":"t"},"uuid":")" +
                     base64_encode(uuid.to_bytes()) + R"("}})";
  Result<sched::Call> call = decode_call(body);
  ASSERT_TRUE(call.ok()) << call.error().message;
  EXPECT_EQ(std::get<sched::Acknowledge>(call.value().call).uuid, uuid);
}

// --- Round trips: every supported call through call_to_json and back ---

v1::TaskInfo sample_task() {
  v1::TaskInfo t;
  t.name = "t";
  t.task_id = v1::TaskID{"t-1"};
  t.agent_id = v1::AgentID{"a-1"};
  t.resources = Resources::parse("cpus:1;mem(web){DYN:p:k=v}:32;ports:[1-2]").value();
  t.command = v1::CommandInfo{true, "echo hi", {}, {{"A", "1"}}};
  t.labels = {{"x", "y"}};
  return t;
}

sched::ResourceRequest request(std::optional<v1::AgentID> agent, std::string_view resources) {
  sched::ResourceRequest r;
  r.agent_id = std::move(agent);
  r.resources = Resources::parse(resources).value();
  return r;
}

std::vector<sched::Call> every_call() {
  const v1::FrameworkID fw{"fw-1"};
  v1::FrameworkInfo info;
  info.user = "u";
  info.name = "n";
  info.id = fw;
  info.roles = {"a", "b/c"};
  info.capabilities = {v1::FrameworkCapability::MULTI_ROLE,
                       v1::FrameworkCapability::RESERVATION_REFINEMENT};
  info.failover_timeout = 60.5;
  info.checkpoint = true;
  info.principal = "p";
  info.hostname = "h";
  v1::TaskInfo with_executor = sample_task();
  with_executor.task_id = v1::TaskID{"t-2"};
  with_executor.command.reset();
  with_executor.executor = v1::ExecutorInfo{v1::ExecutorID{"e"}, "exec",
                                            v1::CommandInfo{false, "/bin/e", {"e", "-v"}, {}},
                                            Resources::parse("cpus:0.1").value()};
  v1::Operation launch{v1::Operation::Type::LAUNCH, {sample_task(), with_executor}, {}};
  v1::Operation reserve{
      v1::Operation::Type::RESERVE, {}, Resources::parse("cpus(a){DYN:p}:1").value()};
  v1::Operation unreserve{
      v1::Operation::Type::UNRESERVE, {}, Resources::parse("disk(a){DYN}:5").value()};
  return {
      sched::Call{std::nullopt, sched::Subscribe{[&] {
                                                   v1::FrameworkInfo first = info;
                                                   first.id.reset();
                                                   return first;
                                                 }(),
                                                 {"b/c"}}},
      sched::Call{fw, sched::Subscribe{info, {}}},
      sched::Call{fw, sched::Teardown{}},
      sched::Call{fw, sched::Accept{{v1::OfferID{"o1"}, v1::OfferID{"o2"}},
                                    {reserve, launch, unreserve},
                                    v1::Filters{2.5}}},
      sched::Call{fw, sched::Accept{{v1::OfferID{"o1"}}, {}, v1::Filters{}}},
      sched::Call{fw, sched::Decline{{v1::OfferID{"o3"}}, v1::Filters{0}}},
      sched::Call{fw, sched::Revive{{}}},
      sched::Call{fw, sched::Revive{{"a"}}},
      sched::Call{fw, sched::Suppress{{"a", "b/c"}}},
      sched::Call{fw, sched::Kill{v1::TaskID{"t-1"}, v1::AgentID{"a-1"}}},
      sched::Call{fw, sched::Kill{v1::TaskID{"t-1"}, std::nullopt}},
      sched::Call{fw, sched::Acknowledge{v1::AgentID{"a-1"}, v1::TaskID{"t-1"},
                                         *Uuid::from_bytes(std::string(16, '\x7f'))}},
      sched::Call{fw, sched::Request{}},
      sched::Call{fw, sched::Request{{request(v1::AgentID{"a-1"}, "cpus:1"),
                                      request(std::nullopt, "mem:32")}}},
      sched::Call{fw, sched::Reconcile{{}}},
      sched::Call{fw, sched::Reconcile{{{v1::TaskID{"t-1"}, v1::AgentID{"a-1"}},
                                        {v1::TaskID{"t-2"}, std::nullopt}}}},
      sched::Call{fw, sched::Message{v1::AgentID{"a-1"}, v1::ExecutorID{"e"},
                                     std::string("\x00\x01bytes\xff", 8)}},
      sched::Call{fw, sched::Shutdown{v1::ExecutorID{"e"}, v1::AgentID{"a-1"}}},
      sched::Call{fw, sched::UpdateFramework{info, {"a"}}},
  };
}

TEST(V1CallsJson, EveryCallRoundTrips) {
  for (const sched::Call& call : every_call()) {
    std::string encoded = call_to_json(call).dump();
    Result<sched::Call> decoded = decode_call(encoded);
    ASSERT_TRUE(decoded.ok()) << encoded << "\n" << decoded.error().message;
    EXPECT_EQ(call_to_json(decoded.value()).dump(), encoded);
    EXPECT_EQ(sched::call_type(decoded.value()), sched::call_type(call));
  }
}

TEST(V1CallsJson, RoundTripKeepsTaskDetails) {
  sched::Call call = every_call()[3];
  Result<sched::Call> decoded = decode_call(call_to_json(call).dump());
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  const auto& ops = std::get<sched::Accept>(decoded.value().call).operations;
  ASSERT_EQ(ops.size(), 3u);
  const v1::TaskInfo& t = ops[1].task_infos.at(0);
  EXPECT_EQ(t.resources, sample_task().resources);
  EXPECT_EQ(t.command->environment, sample_task().command->environment);
  EXPECT_EQ(ops[1].task_infos.at(1).executor->command.arguments,
            (std::vector<std::string>{"e", "-v"}));
  EXPECT_EQ(ops[0].resources, Resources::parse("cpus(a){DYN:p}:1").value());
}

// --- Errors: each names the JSON path and what was expected ---

constexpr std::string_view kFw = R"("framework_id":{"value":"f"},)";

std::string with_fw(std::string_view rest) { return "{" + std::string(kFw) + std::string(rest); }

// Mesos's Request: agent_id and resources, no more; each entry is one task's worth.
TEST(V1CallsJson, RequestCarriesAgentAndResources) {
  sched::Call call = decode_fixture("request.json");
  const auto& r = std::get<sched::Request>(call.call);
  ASSERT_EQ(r.requests.size(), 2u);
  EXPECT_EQ(r.requests[0].agent_id, v1::AgentID{"a-1"});
  EXPECT_EQ(r.requests[0].resources.to_string(), "cpus:1;mem:128");
  EXPECT_EQ(r.requests[0].count, 1u);
  EXPECT_FALSE(r.requests[1].agent_id.has_value());
  EXPECT_EQ(error_of(with_fw(R"("type":"REQUEST","request":{"requests":[{"resources":3}]}})")),
            "expected an array at 'request.requests[0].resources', found 3");
}

TEST(V1CallsJsonErrors, MalformedJson) {
  std::string e = error_of(R"({"type": "TEARDOWN",)");
  EXPECT_EQ(e.rfind("malformed JSON at byte", 0), 0u) << e;
  EXPECT_EQ(error_of("").rfind("malformed JSON", 0), 0u);
}

TEST(V1CallsJsonErrors, DeepNestingIsRefusedWithoutRecursingThroughIt) {
  std::string deep = with_fw(R"("type":"TEARDOWN","x":)") + std::string(200000, '[') +
                     std::string(200000, ']') + "}";
  EXPECT_EQ(error_of(deep), "JSON nested deeper than 64 levels");
}

TEST(V1CallsJsonErrors, NotAnObject) {
  EXPECT_EQ(error_of("[1,2]"), "expected a JSON object (a Call) at '.', found [1,2]");
}

TEST(V1CallsJsonErrors, TypeMissingWrongOrUnknown) {
  EXPECT_EQ(error_of(R"({"framework_id":{"value":"f"}})"), "missing required field 'type'");
  EXPECT_EQ(error_of(with_fw(R"("type":3})")), "expected a string at 'type', found 3");
  EXPECT_EQ(error_of(with_fw(R"("type":"LAUNCH_ROCKETS"})")),
            "expected a call type (SUBSCRIBE, TEARDOWN, ACCEPT, DECLINE, REVIVE, SUPPRESS, KILL, "
            "ACKNOWLEDGE, RECONCILE, REQUEST, MESSAGE, SHUTDOWN, UPDATE_FRAMEWORK) at 'type', "
            "found \"LAUNCH_ROCKETS\"");
  EXPECT_EQ(error_of(with_fw(R"("type":"RECONCILE_OPERATIONS","reconcile_operations":{}})")),
            "call type 'RECONCILE_OPERATIONS' is not supported by mesosim");
}

TEST(V1CallsJsonErrors, MissingFrameworkIdOrCallBody) {
  EXPECT_EQ(error_of(R"({"type":"TEARDOWN"})"), "missing required field 'framework_id'");
  EXPECT_EQ(error_of(with_fw(R"("type":"ACCEPT"})")), "missing required field 'accept'");
  EXPECT_EQ(error_of(with_fw(R"("type":"KILL","kill":{}})")),
            "missing required field 'kill.task_id'");
  EXPECT_EQ(error_of(with_fw(R"("type":"KILL","kill":{"task_id":{"value":""}}})")),
            "expected a non-empty id at 'kill.task_id.value', found \"\"");
  EXPECT_EQ(error_of(R"({"framework_id":{"value":7},"type":"TEARDOWN"})"),
            "expected a string at 'framework_id.value', found 7");
}

TEST(V1CallsJsonErrors, SubscribeErrors) {
  EXPECT_EQ(error_of(R"({"type":"SUBSCRIBE","subscribe":{"framework_info":{"name":"n"}}})"),
            "missing required field 'subscribe.framework_info.user'");
  EXPECT_EQ(error_of(R"({"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u",
                          "name":"n","failover_timeout":"soon"}}})"),
            "expected a number at 'subscribe.framework_info.failover_timeout', found \"soon\"");
  EXPECT_EQ(error_of(R"({"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u",
                          "name":"n","roles":["a"]}}})"),
            "'subscribe.framework_info.roles' needs the MULTI_ROLE capability; use 'role'");
  EXPECT_EQ(error_of(R"({"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u",
                          "name":"n","roles":[1],"capabilities":[{"type":"MULTI_ROLE"}]}}})"),
            "expected a string at 'subscribe.framework_info.roles[0]', found 1");
  EXPECT_EQ(error_of(R"({"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u",
                          "name":"n","checkpoint":"yes"}}})"),
            "expected a boolean at 'subscribe.framework_info.checkpoint', found \"yes\"");
  EXPECT_EQ(error_of(R"({"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u",
                          "name":"n","id":{"value":"x"}}}})"),
            "'framework_id' differs from 'subscribe.framework_info.id'");
  EXPECT_NE(error_of(R"({"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u",
                          "name":"n","role":"bad role"}}})")
                .find("bad role at 'subscribe.framework_info.role'"),
            std::string::npos);
}

TEST(V1CallsJsonErrors, AcceptErrorsNameTheDeepPath) {
  EXPECT_EQ(error_of(with_fw(R"("type":"ACCEPT","accept":{"filters":{"refuse_seconds":"x"}}})")),
            R"(expected a number at 'accept.filters.refuse_seconds', found "x")");
  EXPECT_EQ(error_of(with_fw(R"("type":"ACCEPT","accept":{"offer_ids":{"value":"o"}}})")),
            R"(expected an array at 'accept.offer_ids', found {"value":"o"})");
  EXPECT_EQ(error_of(with_fw(R"("type":"ACCEPT","accept":{"operations":[{"type":"CREATE"}]}})")),
            "operation type 'CREATE' at 'accept.operations[0].type' is not supported by mesosim");
  EXPECT_EQ(error_of(with_fw(R"("type":"ACCEPT","accept":{"operations":[{"type":"LAUNCH"}]}})")),
            "missing required field 'accept.operations[0].launch'");
  const std::string task_head =
      R"("type":"ACCEPT","accept":{"operations":[{"type":"LAUNCH","launch":{"task_infos":[{"name":"t",)"
      R"("task_id":{"value":"t"},"agent_id":{"value":"a"},)";
  EXPECT_EQ(
      error_of(with_fw(task_head +
                       R"("command":{"value":"x"},"resources":[{"name":"cpus","type":"SCALAR",)"
                       R"("scalar":{"value":true}}]}]}}]}})")),
      "expected a number at "
      "'accept.operations[0].launch.task_infos[0].resources[0].scalar.value', found true");
  EXPECT_EQ(error_of(with_fw(task_head + R"("resources":[]}]}}]}})")),
            "'accept.operations[0].launch.task_infos[0]' must have exactly one of 'command' and "
            "'executor'");
  EXPECT_EQ(error_of(with_fw(task_head +
                             R"("command":{"value":"x","uris":[{"value":"http://x"}]}}]}}]}})")),
            "'accept.operations[0].launch.task_infos[0].command.uris' is not supported by mesosim "
            "(no fetcher)");
  EXPECT_EQ(error_of(with_fw(task_head + R"("command":{"shell":true}}]}}]}})")),
            "missing required field 'accept.operations[0].launch.task_infos[0].command.value'");
  EXPECT_EQ(error_of(with_fw(task_head + R"("command":{"value":"x","environment":{"variables":[)"
                                         R"({"name":"S","type":"SECRET"}]}}}]}}]}})")),
            "'accept.operations[0].launch.task_infos[0].command.environment.variables[0].type': "
            "only VALUE variables are supported, found \"SECRET\"");
}

TEST(V1CallsJsonErrors, AcknowledgeErrors) {
  const std::string head =
      R"("type":"ACKNOWLEDGE","acknowledge":{"agent_id":{"value":"a"},"task_id":{"value":"t"},)";
  EXPECT_EQ(error_of(with_fw(head + R"("uuid":"not base64!"}})")),
            "bad base64 at 'acknowledge.uuid': expected base64, found '!' at offset 10");
  EXPECT_EQ(error_of(with_fw(head + R"("uuid":"Zm9v"}})")),
            "expected a 16-byte UUID at 'acknowledge.uuid', found 3 bytes");
  EXPECT_EQ(error_of(with_fw(head + R"("x":1}})")), "missing required field 'acknowledge.uuid'");
}

TEST(V1CallsJsonErrors, UnknownFieldsAreIgnoredAsMesosDoes) {
  Result<sched::Call> call =
      decode_call(with_fw(R"("type":"REVIVE","revive":{"roles":[],"future":1},"extra":{}})"));
  ASSERT_TRUE(call.ok()) << call.error().message;
  EXPECT_TRUE(std::get<sched::Revive>(call.value().call).roles.empty());
}

TEST(V1CallsJsonErrors, NullIsNeverAValue) {
  EXPECT_EQ(error_of(with_fw(R"("type":"DECLINE","decline":{"offer_ids":null}})")),
            "expected an array at 'decline.offer_ids', found null");
}

}  // namespace
}  // namespace mesosim::live
