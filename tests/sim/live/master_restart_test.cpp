// A master restart recovering from its registry (<work_dir>/registry.json), with `mesosim
// master` and `mesosim agent` as real processes: the master is killed (SIGKILL: nothing is
// written at exit) and a new one started on the same port and work dir. The agent re-registers
// (its ping timeout comes from the master: 1 s × 2 here) and its checkpointing framework's
// task is adopted; an agent that never comes back is marked unreachable once
// agent_reregister_timeout has passed; a corrupt registry stops the master. In process: weights
// and quota come back.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sim/live/master_daemon.hpp"
#include "sim/live/registry_file.hpp"
#include "sim/master/event_log.hpp"
#include "tests/sim/live/daemon_test_util.hpp"
#include "tests/sim/live/process_test_util.hpp"

namespace mesosim::live {
namespace {

using nlohmann::json;
using testing::Child;
using testing::slurp;
using testing::spawn;
using testing::wait_exit;

class MasterRestartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "mesosim-restart-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    for (Child* c : {&agent_, &master_}) stop(*c, SIGTERM);
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  static void stop(Child& c, int signal) {
    if (c.pid <= 0 || c.reaped) return;
    ::kill(c.pid, signal);
    if (wait_exit(c, 5000) < 0) {
      ::kill(c.pid, SIGKILL);
      wait_exit(c, 2000);
    }
  }

  // `port` 0 the first time; the restarted master takes the first one's.
  void start_master(const std::string& log, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{MESOSIM_BINARY,
                                  "master",
                                  "--port",
                                  std::to_string(master_port_),
                                  "--work_dir",
                                  dir_ + "/master",
                                  "--allocation_interval",
                                  "100ms",
                                  "--agent_ping_timeout",
                                  "1secs",
                                  "--max_agent_ping_timeouts",
                                  "2"};
    args.insert(args.end(), extra.begin(), extra.end());
    master_ = spawn(args, dir_ + "/" + log);
    const std::regex re("Master .*listening on 127\\.0\\.0\\.1:([0-9]+)");
    ASSERT_TRUE(testing::eventually(
        [&] {
          std::smatch m;
          const std::string text = slurp(master_.log);
          if (!std::regex_search(text, m, re)) return false;
          master_port_ = static_cast<uint16_t>(std::stoi(m[1]));
          return true;
        },
        10000))
        << slurp(master_.log);
  }

  // Starts an agent and returns the id the master gave it.
  std::string start_agent() {
    agent_ = spawn({MESOSIM_BINARY, "agent", "--master", fmt::format("127.0.0.1:{}", master_port_),
                    "--port", "0", "--work_dir", dir_ + "/agent", "--resources",
                    "cpus:2;mem:1024;disk:1000", "--switch_user", "false"},
                   dir_ + "/agent.log");
    std::string id;
    testing::eventually(
        [&] {
          const json s = state();
          if (s["slaves"].empty()) return false;
          id = s["slaves"][0]["id"];
          return true;
        },
        10000);
    return id;
  }

  json state() const {
    return json::parse(testing::http(master_port_, "GET", "/master/state").body);
  }
  json registry() const { return json::parse(slurp(dir_ + "/master/registry.json")); }
  std::string registry_state_of(const std::string& agent) const {
    const json r = registry();  // (a temporary's member would dangle in the loop)
    for (const json& a : r["agents"]) {
      if (a["info"]["id"]["value"] == agent) return a["state"];
    }
    return "(absent)";
  }
  // The task's state in /master/state, "" if the master does not list it.
  std::string task_state(const std::string& task) const {
    const json s = state();
    for (const json& f : s["frameworks"]) {
      for (const json& t : f["tasks"]) {
        if (t["id"] == task) return t["state"];
      }
    }
    return "";
  }

  int call(const std::string& stream_id, const json& body) const {
    return testing::http(master_port_, "POST", "/api/v1/scheduler",
                         {{"Content-Type", "application/json"}, {"Mesos-Stream-Id", stream_id}},
                         body.dump())
        .status;
  }

  // SUBSCRIBE as a checkpointing framework (again with `id`); returns the framework id and
  // sets `stream_id`.
  static std::string subscribe(testing::RawClient& client, std::string& stream_id,
                               const std::string& id = "") {
    json info{{"user", "tester"},
              {"name", "restart"},
              {"checkpoint", true},
              {"failover_timeout", 3600.0}};
    json body{{"type", "SUBSCRIBE"}, {"subscribe", {{"framework_info", info}}}};
    if (!id.empty()) {
      body["framework_id"] = {{"value", id}};
      body["subscribe"]["framework_info"]["id"] = {{"value", id}};
    }
    client.request("POST", "/api/v1/scheduler",
                   {{"Content-Type", "application/json"}, {"Accept", "application/json"}},
                   body.dump());
    auto head = client.read_head();
    if (!head || head->status != 200) return "";
    stream_id = head->headers["mesos-stream-id"];
    auto subscribed = client.read_event_of("SUBSCRIBED");
    return subscribed ? (*subscribed)["subscribed"]["framework_id"]["value"].get<std::string>()
                      : "";
  }

  // Reads (and acknowledges) updates of the framework until `task` is in `state`.
  bool wait_for_update(testing::RawClient& stream, const std::string& stream_id,
                       const std::string& framework, const std::string& task,
                       const std::string& state) {
    for (int i = 0; i < 50; ++i) {
      auto event = stream.read_event_of("UPDATE");
      if (!event) return false;
      const json& status = (*event)["update"]["status"];
      if (status.contains("uuid")) {
        call(stream_id, {{"framework_id", {{"value", framework}}},
                         {"type", "ACKNOWLEDGE"},
                         {"acknowledge",
                          {{"agent_id", status["agent_id"]},
                           {"task_id", status["task_id"]},
                           {"uuid", status["uuid"]}}}});
      }
      if (status["task_id"]["value"] == task && status["state"] == state) return true;
    }
    return false;
  }

  std::string dir_;
  Child master_;
  Child agent_;
  uint16_t master_port_ = 0;
};

TEST_F(MasterRestartTest, ARestartedMasterRecoversItsAgentAndTheRunningTask) {
  start_master("master1.log");
  const std::string agent = start_agent();
  ASSERT_FALSE(agent.empty()) << slurp(master_.log) << slurp(agent_.log);
  EXPECT_EQ(registry_state_of(agent), "admitted");

  testing::RawClient stream(master_port_, 20000);
  std::string stream_id;
  const std::string framework = subscribe(stream, stream_id);
  ASSERT_FALSE(framework.empty());
  auto offers = stream.read_event_of("OFFERS");
  ASSERT_TRUE(offers.has_value());
  const json& offer = (*offers)["offers"]["offers"][0];
  const json task{
      {"name", "sleeper"},
      {"task_id", {{"value", "sleeper"}}},
      {"agent_id", {{"value", agent}}},
      {"resources",
       json::array({{{"name", "cpus"}, {"type", "SCALAR"}, {"scalar", {{"value", 0.5}}}},
                    {{"name", "mem"}, {"type", "SCALAR"}, {"scalar", {{"value", 32}}}}})},
      {"command", {{"shell", true}, {"value", "sleep 300"}}}};
  ASSERT_EQ(call(stream_id,
                 {{"framework_id", {{"value", framework}}},
                  {"type", "ACCEPT"},
                  {"accept",
                   {{"offer_ids", json::array({offer["id"]})},
                    {"operations",
                     json::array({{{"type", "LAUNCH"}, {"launch", {{"task_infos", {task}}}}}})}}}}),
            202);
  ASSERT_TRUE(wait_for_update(stream, stream_id, framework, "sleeper", "TASK_RUNNING"))
      << slurp(agent_.log);
  stream.close();

  stop(master_, SIGKILL);
  start_master("master2.log");
  EXPECT_NE(slurp(master_.log).find("Recovered 1 agents from the registry (1 admitted"),
            std::string::npos)
      << slurp(master_.log);
  // The agent hears no ping for 2 s, re-registers with the same id and reports its task.
  ASSERT_TRUE(testing::eventually([&] { return task_state("sleeper") == "TASK_RUNNING"; }, 30000))
      << slurp(master_.log) << slurp(agent_.log);
  const json s = state();
  ASSERT_EQ(s["slaves"].size(), 1u);
  EXPECT_EQ(s["slaves"][0]["id"], agent);
  // Re-registered: no longer among the agents the master is waiting for.
  EXPECT_EQ(s["recovered_slaves"], json::array());
  EXPECT_EQ(registry_state_of(agent), "admitted");
  EXPECT_NE(slurp(master_.log).find("Re-registered agent " + agent), std::string::npos);

  // The framework re-subscribes to the new master, which can now kill the adopted task.
  testing::RawClient again(master_port_, 20000);
  ASSERT_EQ(subscribe(again, stream_id, framework), framework);
  ASSERT_EQ(
      call(stream_id,
           {{"framework_id", {{"value", framework}}},
            {"type", "KILL"},
            {"kill", {{"task_id", {{"value", "sleeper"}}}, {"agent_id", {{"value", agent}}}}}}),
      202);
  EXPECT_TRUE(wait_for_update(again, stream_id, framework, "sleeper", "TASK_KILLED"))
      << slurp(agent_.log);
}

TEST_F(MasterRestartTest, AnAgentThatDoesNotComeBackIsMarkedUnreachable) {
  start_master("master1.log");
  const std::string agent = start_agent();
  ASSERT_FALSE(agent.empty()) << slurp(master_.log) << slurp(agent_.log);
  stop(agent_, SIGTERM);
  stop(master_, SIGKILL);
  start_master("master2.log", {"--agent_reregister_timeout", "3secs"});
  // Until the timeout, the agent is one the master recovered from its registry and waits for,
  // listed as Mesos's json(SlaveInfo).
  const json waiting = state();
  EXPECT_TRUE(waiting["slaves"].empty());
  ASSERT_EQ(waiting["recovered_slaves"].size(), 1u) << waiting.dump();
  EXPECT_EQ(waiting["recovered_slaves"][0]["id"], agent);
  EXPECT_FALSE(waiting["recovered_slaves"][0]["hostname"].get<std::string>().empty());
  EXPECT_TRUE(waiting["recovered_slaves"][0]["attributes"].is_object());
  EXPECT_EQ(waiting["unreachable_slaves"], 0);
  ASSERT_TRUE(testing::eventually([&] { return registry_state_of(agent) == "unreachable"; }, 10000))
      << slurp(master_.log);
  // Removed (unreachable): it drops out of the list and is counted as unreachable.
  const json removed = state();
  EXPECT_EQ(removed["recovered_slaves"], json::array());
  EXPECT_EQ(removed["unreachable_slaves"], 1);
  EXPECT_NE(slurp(master_.log)
                .find("Removed agent " + agent +
                      " (unreachable): did not re-register after master failover"),
            std::string::npos)
      << slurp(master_.log);
  EXPECT_TRUE(state()["slaves"].empty());

  // A third master recovers the agent as unreachable: it waits for nobody.
  stop(master_, SIGKILL);
  start_master("master3.log");
  EXPECT_NE(slurp(master_.log)
                .find("Recovered 1 agents from the registry (0 admitted, 1 "
                      "unreachable"),
            std::string::npos)
      << slurp(master_.log);
}

TEST_F(MasterRestartTest, ACorruptRegistryStopsTheMasterAndIsLeftAsItWas) {
  std::filesystem::create_directories(dir_ + "/master");
  const std::string file = dir_ + "/master/registry.json";
  const std::string corrupt = R"({"format":1,"agents":[{"info":{"hostname":7}}]})";
  std::ofstream(file) << corrupt;
  master_ = spawn({MESOSIM_BINARY, "master", "--port", "0", "--work_dir", dir_ + "/master"},
                  dir_ + "/corrupt.log");
  EXPECT_EQ(wait_exit(master_, 10000), 1);
  EXPECT_NE(slurp(master_.log).find(file + ": expected a string at 'agents[0].info.hostname'"),
            std::string::npos)
      << slurp(master_.log);
  EXPECT_EQ(slurp(file), corrupt);
}

// As Mesos's master when its registrar fails: a change that cannot be stored stops the master.
TEST_F(MasterRestartTest, AMasterThatCannotWriteItsRegistryStops) {
  start_master("master.log");
  // The temporary file cannot be created: a directory holds its name.
  std::filesystem::create_directories(dir_ + "/master/registry.json.tmp");
  agent_ = spawn({MESOSIM_BINARY, "agent", "--master", fmt::format("127.0.0.1:{}", master_port_),
                  "--port", "0", "--work_dir", dir_ + "/agent", "--resources",
                  "cpus:1;mem:512;disk:100", "--switch_user", "false"},
                 dir_ + "/agent.log");
  EXPECT_EQ(wait_exit(master_, 20000), 1) << slurp(master_.log);
  EXPECT_NE(slurp(master_.log)
                .find("Failed to update the registry: cannot create " + dir_ +
                      "/master/registry.json.tmp"),
            std::string::npos)
      << slurp(master_.log);
}

// In process: weights and quota set through one master are in the registry file, and the next
// master on that work dir puts them back into its allocator when elected (its event stream says
// so, as for any weight or quota change).
TEST(MasterRegistryRecovery, WeightsAndQuotaComeBackAfterARestart) {
  std::string dir = (std::filesystem::temp_directory_path() / "mesosim-weights-XXXXXX").string();
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  testing::LoopThread loop;
  auto start = [&](const std::string& record) {
    MasterDaemonOptions o;
    o.port = 0;
    o.work_dir = dir + "/work";
    o.record_file = dir + "/" + record;
    o.seed = 7;
    return loop.call([&] { return MasterDaemon::start(loop.io(), o).value(); });
  };
  std::unique_ptr<MasterDaemon> first = start("first.jsonl");
  Quota quota;
  quota.guarantees = Quantities::parse("cpus:1;mem:256").value();
  loop.call([&] {
    EXPECT_TRUE(first->master().update_weight("analytics", 3).ok());
    EXPECT_TRUE(first->master().update_quota("analytics", quota).ok());
  });
  ASSERT_TRUE(testing::eventually([&] {
    Result<std::optional<Registry>> r = read_registry(dir + "/work");
    return r && r.value() && r.value()->quotas.count("analytics") == 1;
  }));
  loop.call([&] { first.reset(); });

  std::unique_ptr<MasterDaemon> second = start("second.jsonl");
  loop.call([&] { second.reset(); });  // flushes the record
  std::optional<double> weight;
  std::optional<Quota> recovered;
  std::istringstream lines(slurp(dir + "/second.jsonl"));
  for (std::string line; std::getline(lines, line);) {
    Result<MasterEvent> event = parse_event_line(line);
    if (!event) continue;  // the header
    if (auto* w = std::get_if<master_event::WeightChanged>(&event.value().body)) {
      if (w->role == "analytics") weight = w->weight;
    }
    if (auto* q = std::get_if<master_event::QuotaChanged>(&event.value().body)) {
      if (q->role == "analytics") recovered = q->quota;
    }
  }
  EXPECT_EQ(weight, 3.0);
  ASSERT_TRUE(recovered.has_value());
  EXPECT_EQ(recovered->guarantees, quota.guarantees);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace mesosim::live
