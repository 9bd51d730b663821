// A live cluster as a user runs it: `mesosim master` and `mesosim agent` as real processes on
// loopback, and a scheduler that speaks only the v1 HTTP API (JSON over a raw socket). It
// launches a `sleep` and a memory hog: the first finishes, the second is killed at its memory
// limit (under cgroups; with posix isolation there is no limit, and the test says so). The web
// UI is then loaded in headless Chromium while a task runs.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <regex>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tests/sim/live/daemon_test_util.hpp"
#include "tests/sim/live/master_daemon_fixture.hpp"
#include "tests/sim/live/process_test_util.hpp"

namespace mesosim::live {
namespace {

using nlohmann::json;
using testing::Child;
using testing::slurp;
using testing::spawn;
using testing::wait_exit;

json scalar(const std::string& name, double value) {
  return {{"name", name}, {"type", "SCALAR"}, {"scalar", {{"value", value}}}};
}

json command_task(const std::string& id, const std::string& agent, const std::string& command,
                  double cpus, double mem) {
  return {{"name", id},
          {"task_id", {{"value", id}}},
          {"agent_id", {{"value", agent}}},
          {"resources", json::array({scalar("cpus", cpus), scalar("mem", mem)})},
          {"command", {{"shell", true}, {"value", command}}}};
}

class LiveClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "mesosim-live-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    for (Child* c : {&agent_, &master_}) {
      if (c->pid > 0 && !c->reaped) {
        ::kill(c->pid, SIGTERM);
        if (wait_exit(*c, 5000) < 0) {
          ::kill(c->pid, SIGKILL);
          wait_exit(*c, 2000);
        }
      }
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // The port a daemon logged it listens on.
  static uint16_t listening_port(const Child& c, const std::string& who) {
    uint16_t port = 0;
    const std::regex re(who + " .*listening on 127\\.0\\.0\\.1:([0-9]+)");
    testing::eventually([&] {
      std::smatch m;
      const std::string log = slurp(c.log);
      if (!std::regex_search(log, m, re)) return false;
      port = static_cast<uint16_t>(std::stoi(m[1]));
      return true;
    });
    return port;
  }

  void start_cluster(const std::string& agent_resources) {
    master_ = spawn({MESOSIM_BINARY, "master", "--port", "0", "--work_dir", dir_ + "/master",
                     "--allocation_interval", "100ms"},
                    dir_ + "/master.log");
    master_port_ = listening_port(master_, "Master");
    ASSERT_NE(master_port_, 0) << slurp(master_.log);
    agent_ = spawn({MESOSIM_BINARY, "agent", "--master", fmt::format("127.0.0.1:{}", master_port_),
                    "--port", "0", "--work_dir", dir_ + "/agent", "--resources", agent_resources,
                    "--attributes", "rack:r1", "--switch_user", "false"},
                   dir_ + "/agent.log");
    ASSERT_TRUE(testing::eventually(
        [&] { return slurp(master_.log).find("Added agent") != std::string::npos; }, 10000))
        << slurp(master_.log) << slurp(agent_.log);
  }

  // Subscribes `client`; returns the framework id and keeps the stream id.
  std::string subscribe(testing::RawClient& client, const std::string& name) {
    client.request("POST", "/api/v1/scheduler",
                   {{"Content-Type", "application/json"}, {"Accept", "application/json"}},
                   testing::subscribe_body(name));
    auto head = client.read_head();
    EXPECT_TRUE(head.has_value());
    if (!head) return "";
    EXPECT_EQ(head->status, 200);
    stream_id_ = head->headers["mesos-stream-id"];
    auto subscribed = client.read_event_of("SUBSCRIBED");
    EXPECT_TRUE(subscribed.has_value());
    return subscribed ? (*subscribed)["subscribed"]["framework_id"]["value"].get<std::string>()
                      : "";
  }

  int call(const json& body) {
    return testing::http(master_port_, "POST", "/api/v1/scheduler",
                         {{"Content-Type", "application/json"}, {"Mesos-Stream-Id", stream_id_}},
                         body.dump())
        .status;
  }

  // Waits for the first offer and launches `tasks` (built for its agent) on it.
  std::string launch(testing::RawClient& stream, const std::string& framework,
                     const std::function<json(const std::string& agent)>& tasks) {
    auto offers = stream.read_event_of("OFFERS");
    EXPECT_TRUE(offers.has_value());
    if (!offers) return "";
    const json& offer = (*offers)["offers"]["offers"][0];
    const std::string agent = offer["agent_id"]["value"];
    const json accept{
        {"framework_id", {{"value", framework}}},
        {"type", "ACCEPT"},
        {"accept",
         {{"offer_ids", json::array({offer["id"]})},
          {"operations",
           json::array({{{"type", "LAUNCH"}, {"launch", {{"task_infos", tasks(agent)}}}}})},
          {"filters", {{"refuse_seconds", 1}}}}}};
    EXPECT_EQ(call(accept), 202);
    return agent;
  }

  // Reads updates (acknowledging each: the agent sends a task's next update only after the
  // previous one was acknowledged) until every task in `want` reached a terminal state, or
  // until `until` says stop.
  std::map<std::string, json> run_to_end(
      testing::RawClient& stream, const std::string& framework, std::set<std::string> want,
      const std::function<bool(const json& status)>& until = {}) {
    std::map<std::string, json> last;
    for (int i = 0; i < 200 && !want.empty(); ++i) {
      auto event = stream.read_event_of("UPDATE");
      if (!event) break;
      const json& status = (*event)["update"]["status"];
      const std::string task = status["task_id"]["value"];
      last[task] = status;
      if (status.contains("uuid")) {
        call({{"framework_id", {{"value", framework}}},
              {"type", "ACKNOWLEDGE"},
              {"acknowledge",
               {{"agent_id", status["agent_id"]},
                {"task_id", status["task_id"]},
                {"uuid", status["uuid"]}}}});
      }
      if (until && until(status)) break;
      const std::string state = status["state"];
      if (state != "TASK_STAGING" && state != "TASK_STARTING" && state != "TASK_RUNNING" &&
          state != "TASK_KILLING") {
        want.erase(task);
      }
    }
    return last;
  }

  bool cgroups_isolation() const {
    return slurp(agent_.log).find("Isolation: cgroups") != std::string::npos;
  }

  std::string dir_;
  Child master_;
  Child agent_;
  uint16_t master_port_ = 0;
  std::string stream_id_;
};

TEST_F(LiveClusterTest, ASleepFinishesAndAMemoryHogFailsAtItsLimit) {
  start_cluster("cpus:2;mem:1024;disk:1000;ports:[31000-31100]");
  testing::RawClient stream(master_port_, 20000);
  const std::string framework = subscribe(stream, "http-scheduler");
  ASSERT_FALSE(framework.empty());
  // `tail` keeps its whole input (no newline in it) in memory: 200 MB against a 64 MB limit.
  launch(stream, framework, [](const std::string& agent) {
    return json::array({command_task("sleeper", agent, "sleep 0.3", 0.5, 64),
                        command_task("hog", agent, "head -c 200000000 /dev/zero | tail", 0.5, 64)});
  });
  const auto last = run_to_end(stream, framework, {"sleeper", "hog"});
  ASSERT_TRUE(last.count("sleeper")) << slurp(agent_.log);
  EXPECT_EQ(last.at("sleeper")["state"], "TASK_FINISHED");
  EXPECT_EQ(last.at("sleeper")["executor_id"]["value"], "sleeper");  // the command executor
  ASSERT_TRUE(last.count("hog")) << slurp(agent_.log);
  if (!cgroups_isolation()) {
    GTEST_SKIP() << "posix isolation (no writable cgroups here): the hog has no memory limit";
  }
  EXPECT_EQ(last.at("hog")["state"], "TASK_FAILED");
  EXPECT_EQ(last.at("hog")["reason"], "REASON_CONTAINER_LIMITATION_MEMORY");
  const json state = json::parse(testing::http(master_port_, "GET", "/master/state").body);
  EXPECT_EQ(state["slaves"][0]["attributes"]["rack"], "r1");
}

// SHUTDOWN of a command task's executor (its id is the task id) kills the task: the framework
// gets TASK_KILLED, as from Mesos's command executor. A MESSAGE to it is accepted, forwarded and
// ignored by the executor. UPDATE_FRAMEWORK renames the framework in /master/state; one that
// changes the user is refused with 400 and changes nothing.
TEST_F(LiveClusterTest, ShutdownKillsARunningSleepAndUpdateFrameworkRenamesTheFramework) {
  start_cluster("cpus:2;mem:1024;disk:1000");
  testing::RawClient stream(master_port_, 20000);
  const std::string framework = subscribe(stream, "http-scheduler");
  ASSERT_FALSE(framework.empty());
  const std::string agent = launch(stream, framework, [](const std::string& agent) {
    return json::array({command_task("napper", agent, "sleep 600", 0.5, 32)});
  });
  const auto running = run_to_end(stream, framework, {"napper"}, [](const json& status) {
    return status["state"] == "TASK_RUNNING";
  });
  ASSERT_TRUE(running.count("napper")) << slurp(agent_.log);
  ASSERT_EQ(running.at("napper")["state"], "TASK_RUNNING") << slurp(agent_.log);

  const json fw_id{{"value", framework}};
  EXPECT_EQ(call({{"framework_id", fw_id},
                  {"type", "MESSAGE"},
                  {"message",
                   {{"agent_id", {{"value", agent}}},
                    {"executor_id", {{"value", "napper"}}},
                    {"data", "aGVsbG8="}}}}),
            202);
  EXPECT_TRUE(testing::eventually([&] {
    return slurp(agent_.log).find("Ignoring a framework message of 5 bytes") != std::string::npos;
  })) << slurp(agent_.log);
  EXPECT_EQ(call({{"framework_id", fw_id},
                  {"type", "SHUTDOWN"},
                  {"shutdown",
                   {{"executor_id", {{"value", "napper"}}}, {"agent_id", {{"value", agent}}}}}}),
            202);
  const auto last = run_to_end(stream, framework, {"napper"});
  ASSERT_TRUE(last.count("napper")) << slurp(agent_.log);
  EXPECT_EQ(last.at("napper")["state"], "TASK_KILLED") << last.at("napper").dump();
  const json metrics = json::parse(testing::http(master_port_, "GET", "/metrics/snapshot").body);
  EXPECT_EQ(metrics["master/valid_framework_to_executor_messages"], 1.0);
  EXPECT_EQ(metrics["master/invalid_framework_to_executor_messages"], 0.0);

  const auto update = [&](const std::string& user, const std::string& name) {
    return call({{"framework_id", fw_id},
                 {"type", "UPDATE_FRAMEWORK"},
                 {"update_framework",
                  {{"framework_info", {{"id", fw_id}, {"user", user}, {"name", name}}}}}});
  };
  const auto name_in_state = [&] {
    const json state = json::parse(testing::http(master_port_, "GET", "/master/state").body);
    return state["frameworks"][0]["name"].get<std::string>();
  };
  EXPECT_EQ(update("someone-else", "stolen"), 400);
  EXPECT_EQ(name_in_state(), "http-scheduler");
  EXPECT_EQ(update("tester", "renamed-scheduler"), 202);
  EXPECT_TRUE(testing::eventually([&] { return name_in_state() == "renamed-scheduler"; }))
      << name_in_state();
}

// The web UI, loaded in Debian's headless Chromium while a task runs: the task and the agent
// appear in its tables. The screenshot is kept with the test output (build/tests/webui.png).
TEST_F(LiveClusterTest, TheWebUiShowsTheAgentAndARunningTask) {
  const char* chromium = std::getenv("MESOSIM_CHROMIUM");
  const std::string browser = chromium ? chromium : "/usr/bin/chromium";
  if (!std::filesystem::exists(browser)) {
    GTEST_SKIP() << browser << " is not installed (scripts/install-deps.sh installs it)";
  }
  start_cluster("cpus:2;mem:1024;disk:1000");
  testing::RawClient stream(master_port_, 20000);
  const std::string framework = subscribe(stream, "ui-scheduler");
  ASSERT_FALSE(framework.empty());
  launch(stream, framework, [](const std::string& agent) {
    return json::array({command_task("long-sleeper", agent, "sleep 60", 0.5, 32)});
  });
  const auto seen = run_to_end(stream, framework, {"long-sleeper"}, [](const json& status) {
    return status["state"] == "TASK_RUNNING";
  });
  ASSERT_TRUE(seen.count("long-sleeper")) << slurp(agent_.log);
  ASSERT_EQ(seen.at("long-sleeper")["state"], "TASK_RUNNING") << slurp(agent_.log);
  const std::string url = fmt::format("http://127.0.0.1:{}/", master_port_);
  // Beside the test binary (build/tests/), whatever directory the test runs from; an older
  // screenshot is removed first so that only this run's can pass the check below.
  const std::string shot = std::string(MESOSIM_TEST_OUTPUT_DIR) + "/webui.png";
  std::filesystem::remove(shot);
  const std::string dom = dir_ + "/dom.html";
  const std::string flags =
      "--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run "
      "--virtual-time-budget=5000 --window-size=1400,900 --user-data-dir=" +
      dir_ + "/chromium";
  ASSERT_EQ(std::system((browser + " " + flags + " --dump-dom " + url + " > " + dom + " 2>" + dir_ +
                         "/chromium.log")
                            .c_str()),
            0)
      << slurp(dir_ + "/chromium.log");
  const std::string page = slurp(dom);
  EXPECT_NE(page.find("data-loaded=\"true\""), std::string::npos) << page.substr(0, 2000);
  EXPECT_NE(page.find("long-sleeper"), std::string::npos) << "the running task is listed";
  EXPECT_NE(page.find("TASK_RUNNING"), std::string::npos);
  EXPECT_NE(page.find("ui-scheduler"), std::string::npos) << "the framework is listed";
  const json state = json::parse(testing::http(master_port_, "GET", "/master/state").body);
  const std::string hostname = state["slaves"][0]["hostname"];
  EXPECT_NE(page.find(hostname), std::string::npos) << "the agent is listed";
  std::system(
      (browser + " " + flags + " --screenshot=" + shot + " " + url + " 2>/dev/null").c_str());
  EXPECT_TRUE(std::filesystem::exists(shot));
}

}  // namespace
}  // namespace mesosim::live
