// The real `mesosim master` program: started with Mesos's flags, it serves HTTP, streams to a
// scheduler, records, and exits 0 on SIGTERM; bad flags make it exit non-zero, naming them.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "sim/live/uuid.hpp"
#include "tests/sim/live/daemon_test_util.hpp"
#include "tests/sim/live/master_daemon_fixture.hpp"
#include "tests/sim/live/process_test_util.hpp"

namespace mesosim::live {
namespace {

using testing::Child;
using testing::slurp;
using testing::spawn;
using testing::wait_exit;

class MasterBinaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "mesosim-bin-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    if (child_.pid > 0 && !child_.reaped) {
      ::kill(child_.pid, SIGKILL);
      wait_exit(child_, 2000);
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  // The port the master says it listens on (it was started with --port 0), or 0 if it never
  // says so.
  uint16_t listening_port() const {
    uint16_t port = 0;
    const std::regex listening("listening on 127\\.0\\.0\\.1:([0-9]+)");
    const bool said = testing::eventually([&] {
      std::smatch m;
      const std::string log = slurp(child_.log);
      if (!std::regex_search(log, m, listening)) return false;
      port = static_cast<uint16_t>(std::stoi(m[1]));
      return true;
    });
    return said ? port : 0;
  }
  std::string dir_;
  Child child_;
};

TEST_F(MasterBinaryTest, ServesSchedulersAndShutsDownCleanlyOnSigterm) {
  child_ =
      spawn({MESOSIM_BINARY, "master", "--ip", "127.0.0.1", "--port", "0", "--work_dir",
             dir_ + "/work", "--record", dir_ + "/events.jsonl", "--allocation_interval", "100ms"},
            dir_ + "/master.log");
  const uint16_t port = listening_port();
  ASSERT_NE(port, 0) << slurp(child_.log);

  EXPECT_EQ(testing::http(port, "GET", "/health").status, 200);
  testing::RawClient scheduler(port);
  scheduler.request("POST", "/api/v1/scheduler",
                    {{"Content-Type", "application/json"}, {"Accept", "application/json"}},
                    testing::subscribe_body("binary-test"));
  auto head = scheduler.read_head();
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->status, 200);
  auto subscribed = scheduler.read_event();
  ASSERT_TRUE(subscribed.has_value());
  EXPECT_EQ((*subscribed)["type"], "SUBSCRIBED");
  auto state = nlohmann::json::parse(testing::http(port, "GET", "/master/state").body);
  EXPECT_EQ(state["flags"]["allocation_interval"], "100ms");
  EXPECT_EQ(state["frameworks"][0]["name"], "binary-test");

  ASSERT_EQ(::kill(child_.pid, SIGTERM), 0);
  EXPECT_EQ(wait_exit(child_, 5000), 0);
  // Its stream ends with the master (after what was already on its way).
  int more = 0;
  while (scheduler.read_event().has_value() && ++more < 100) {
  }
  EXPECT_LT(more, 100);
  EXPECT_TRUE(scheduler.closed_by_server());
  const std::string log = slurp(child_.log);
  EXPECT_NE(log.find("Received SIGTERM; shutting down"), std::string::npos) << log;
  const std::string events = slurp(dir_ + "/events.jsonl");
  EXPECT_NE(events.find("\"time_base\":\"unix_epoch\""), std::string::npos);
  EXPECT_NE(events.find("\"type\":\"FRAMEWORK_ADDED\""), std::string::npos) << events;
}

TEST_F(MasterBinaryTest, BadFlagsExitNonZeroNamingTheFlag) {
  child_ = spawn({MESOSIM_BINARY, "master", "--port", "0", "--work_dir", dir_,
                  "--allocation_interval", "1parsec"},
                 dir_ + "/bad.log");
  EXPECT_EQ(wait_exit(child_, 5000), 2);
  EXPECT_NE(slurp(child_.log).find("--allocation_interval: '1parsec' is not a duration"),
            std::string::npos)
      << slurp(child_.log);

  child_ = spawn({MESOSIM_BINARY, "master", "--port", "0"}, dir_ + "/nodir.log");
  EXPECT_NE(wait_exit(child_, 5000), 0);
  EXPECT_NE(slurp(child_.log).find("--work_dir"), std::string::npos) << slurp(child_.log);
}

// The agent's flag values are checked before it starts anything; the error names the flag once.
TEST_F(MasterBinaryTest, AnAgentsBadFlagValuesExitTwoNamingTheFlag) {
  const struct {
    const char* flag;
    const char* value;
    const char* error;
  } cases[] = {
      {"--switch_user", "yes", "mesosim agent: --switch_user: expected true or false, found 'yes'"},
      {"--executor_shutdown_grace_period", "5",
       "mesosim agent: --executor_shutdown_grace_period: expected a unit"},
      {"--cgroups_root", "../x", "--cgroups_root: invalid container name '../x'"},
  };
  for (const auto& c : cases) {
    child_ = spawn({MESOSIM_BINARY, "agent", "--port", "0", "--work_dir", dir_ + "/agent",
                    c.flag, c.value},
                   dir_ + "/agent" + c.flag + ".log");
    EXPECT_EQ(wait_exit(child_, 5000), 2) << c.flag;
    EXPECT_NE(slurp(child_.log).find(c.error), std::string::npos) << slurp(child_.log);
  }
}

TEST_F(MasterBinaryTest, AuthenticationFlagsAreCheckedAtStartup) {
  child_ = spawn({MESOSIM_BINARY, "master", "--port", "0", "--work_dir", dir_ + "/work",
                  "--authenticate_http_frameworks=true"},
                 dir_ + "/nocreds.log");
  EXPECT_NE(wait_exit(child_, 5000), 0);
  EXPECT_NE(slurp(child_.log).find("--authenticate_http_frameworks requires --credentials"),
            std::string::npos)
      << slurp(child_.log);

  std::ofstream(dir_ + "/creds.txt") << "alice s3cret\nbob\n";
  child_ = spawn({MESOSIM_BINARY, "master", "--port", "0", "--work_dir", dir_ + "/work",
                  "--credentials", dir_ + "/creds.txt"},
                 dir_ + "/badcreds.log");
  EXPECT_EQ(wait_exit(child_, 5000), 2);
  const std::string log = slurp(child_.log);
  EXPECT_NE(log.find("--credentials: " + dir_ + "/creds.txt:2: expected 'principal secret'"),
            std::string::npos)
      << log;
  EXPECT_EQ(log.find("s3cret"), std::string::npos) << log;

  child_ = spawn({MESOSIM_BINARY, "master", "--port", "0", "--work_dir", dir_ + "/work",
                  "--authenticate_http_frameworks", "maybe"},
                 dir_ + "/badbool.log");
  EXPECT_EQ(wait_exit(child_, 5000), 2);
  EXPECT_NE(slurp(child_.log).find("--authenticate_http_frameworks: expected true or false"),
            std::string::npos)
      << slurp(child_.log);
}

TEST_F(MasterBinaryTest, AuthenticatesFrameworksWithTheCredentialsFile) {
  std::ofstream(dir_ + "/creds.json")
      << R"({"credentials":[{"principal":"alice","secret":"s3cret"}]})";
  child_ =
      spawn({MESOSIM_BINARY, "master", "--port", "0", "--work_dir", dir_ + "/work", "--credentials",
             "file://" + dir_ + "/creds.json", "--authenticate_http_frameworks=true"},
            dir_ + "/master.log");
  const uint16_t port = listening_port();
  ASSERT_NE(port, 0) << slurp(child_.log);

  const std::vector<std::pair<std::string, std::string>> headers = {
      {"Content-Type", "application/json"}, {"Accept", "application/json"}};
  testing::RawClient anonymous(port);
  anonymous.request("POST", "/api/v1/scheduler", headers, testing::subscribe_body("anon"));
  auto refused = anonymous.read_head();
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->status, 401);

  auto with_credentials = headers;
  with_credentials.emplace_back("Authorization", "Basic " + base64_encode("alice:s3cret"));
  testing::RawClient scheduler(port);
  scheduler.request("POST", "/api/v1/scheduler", with_credentials, testing::subscribe_body("fw"));
  auto head = scheduler.read_head();
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->status, 200);

  auto state = nlohmann::json::parse(testing::http(port, "GET", "/master/state").body);
  EXPECT_EQ(state["flags"]["authenticate_http_frameworks"], "true");
  EXPECT_EQ(state["flags"]["credentials"], "file://" + dir_ + "/creds.json");
  EXPECT_EQ(state.dump().find("s3cret"), std::string::npos);
  EXPECT_EQ(slurp(child_.log).find("s3cret"), std::string::npos);
  ASSERT_EQ(::kill(child_.pid, SIGTERM), 0);
  EXPECT_EQ(wait_exit(child_, 5000), 0);
}

// `--authenticate_http_readonly` from the command line: refused without credentials, and with
// them /master/state asks for them (and shows the flag once given them).
TEST_F(MasterBinaryTest, AuthenticatesReadOnlyEndpointsWhenAsked) {
  child_ = spawn({MESOSIM_BINARY, "master", "--port", "0", "--work_dir", dir_ + "/work",
                  "--authenticate_http_readonly=true"},
                 dir_ + "/nocreds.log");
  EXPECT_EQ(wait_exit(child_, 5000), 1);
  EXPECT_NE(slurp(child_.log).find("--authenticate_http_readonly requires --credentials"),
            std::string::npos)
      << slurp(child_.log);

  child_ = spawn({MESOSIM_BINARY, "master", "--port", "0", "--work_dir", dir_ + "/work",
                  "--authenticate_http_readonly", "perhaps"},
                 dir_ + "/badbool.log");
  EXPECT_EQ(wait_exit(child_, 5000), 2);
  EXPECT_NE(slurp(child_.log).find("--authenticate_http_readonly: expected true or false"),
            std::string::npos)
      << slurp(child_.log);

  std::ofstream(dir_ + "/creds.txt") << "alice s3cret\n";
  child_ = spawn({MESOSIM_BINARY, "master", "--port", "0", "--work_dir", dir_ + "/work",
                  "--credentials", dir_ + "/creds.txt", "--authenticate_http_readonly=true"},
                 dir_ + "/master.log");
  const uint16_t port = listening_port();
  ASSERT_NE(port, 0) << slurp(child_.log);
  const testing::RawResponse refused = testing::http(port, "GET", "/master/state");
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(refused.header("www-authenticate"), "Basic realm=\"mesos-master-readonly\"");
  const testing::RawResponse state = testing::http(
      port, "GET", "/master/state", {{"Authorization", "Basic " + base64_encode("alice:s3cret")}});
  ASSERT_EQ(state.status, 200);
  EXPECT_EQ(nlohmann::json::parse(state.body)["flags"]["authenticate_http_readonly"], "true");
  EXPECT_NE(slurp(child_.log)
                .find("Master only allowing authenticated requests to read-only HTTP "
                      "endpoints"),
            std::string::npos);
  ASSERT_EQ(::kill(child_.pid, SIGTERM), 0);
  EXPECT_EQ(wait_exit(child_, 5000), 0);
}

}  // namespace
}  // namespace mesosim::live
