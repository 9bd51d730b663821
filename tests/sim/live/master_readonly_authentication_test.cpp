// `--authenticate_http_readonly` on a live master daemon: the endpoints of Mesos's read-only realm
// (/master/state, /master/state.json, /master/state-summary, /metrics/snapshot) answer 401 with
// the realm's Basic challenge unless the request carries credentials from `--credentials`; the
// endpoints Mesos leaves open (/health, /version, /master/redirect, the web UI page) stay open.
// Off (the default), nothing is asked even when credentials are configured.

#include <gtest/gtest.h>

#include "sim/live/uuid.hpp"
#include "tests/sim/live/master_daemon_fixture.hpp"

namespace mesosim::live {
namespace {

using testing::http;
using testing::RawResponse;
using Headers = std::vector<std::pair<std::string, std::string>>;

const std::vector<std::string> kProtected = {"/master/state", "/master/state.json",
                                             "/master/state-summary", "/metrics/snapshot"};

Headers basic(std::string_view principal_and_secret) {
  return {{"Authorization", "Basic " + base64_encode(principal_and_secret)}};
}

class ReadOnlyAuthenticationTest : public testing::MasterDaemonTest {
 protected:
  void configure(MasterDaemonOptions& o) override {
    o.credentials = Credentials{{{"alice", "s3cret"}}};
    o.authenticate_http_readonly = true;
  }
};

TEST_F(ReadOnlyAuthenticationTest, TheReadOnlyEndpointsNeedCredentials) {
  for (const std::string& path : kProtected) {
    const RawResponse none = http(port_, "GET", path);
    EXPECT_EQ(none.status, 401) << path;
    EXPECT_EQ(none.header("www-authenticate"), "Basic realm=\"mesos-master-readonly\"") << path;
    EXPECT_EQ(http(port_, "GET", path, basic("alice:wrong")).status, 401) << path;
    EXPECT_EQ(http(port_, "GET", path, basic("mallory:s3cret")).status, 401) << path;
    const RawResponse ok = http(port_, "GET", path, basic("alice:s3cret"));
    EXPECT_EQ(ok.status, 200) << path;
    EXPECT_EQ(ok.header("content-type"), "application/json") << path;
  }
  // Authentication comes first, as in libprocess: a POST without credentials is 401, not 405.
  EXPECT_EQ(http(port_, "POST", "/master/state", {}, "{}").status, 401);
  EXPECT_EQ(http(port_, "POST", "/master/state", basic("alice:s3cret"), "{}").status, 405);
}

TEST_F(ReadOnlyAuthenticationTest, TheEndpointsMesosLeavesOpenStayOpen) {
  EXPECT_EQ(http(port_, "GET", "/health").status, 200);
  EXPECT_EQ(http(port_, "GET", "/master/health").status, 200);
  EXPECT_EQ(http(port_, "GET", "/version").status, 200);
  EXPECT_EQ(http(port_, "GET", "/master/redirect").status, 307);
  EXPECT_EQ(http(port_, "GET", "/").status, 200);
}

// The flag concerns the read-only realm only: schedulers still subscribe without credentials.
TEST_F(ReadOnlyAuthenticationTest, SchedulersAreNotAskedForCredentials) {
  auto s = subscribe(testing::subscribe_body("fw"));
  EXPECT_EQ(s.head.status, 200);
  EXPECT_FALSE(s.framework_id.empty());
}

class CredentialsWithoutReadOnlyAuthenticationTest : public testing::MasterDaemonTest {
 protected:
  void configure(MasterDaemonOptions& o) override {
    o.credentials = Credentials{{{"alice", "s3cret"}}};
  }
};

TEST_F(CredentialsWithoutReadOnlyAuthenticationTest, NothingIsAsked) {
  for (const std::string& path : kProtected) {
    const RawResponse r = http(port_, "GET", path);
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.header("www-authenticate"), "") << path;
  }
}

TEST(MasterDaemonReadOnlyAuthentication, NeedsCredentials) {
  boost::asio::io_context io;
  MasterDaemonOptions o;
  o.port = 0;
  o.work_dir = ::testing::TempDir() + "/mesosim-readonly-auth";
  o.authenticate_http_readonly = true;
  auto started = MasterDaemon::start(io, o);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().message,
            "--authenticate_http_readonly requires --credentials: No credentials provided for the "
            "default 'basic' HTTP authenticator for realm 'mesos-master-readonly'");
}

}  // namespace
}  // namespace mesosim::live
