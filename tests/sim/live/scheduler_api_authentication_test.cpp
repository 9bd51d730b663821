// `--authenticate_http_frameworks` on a live master daemon: without valid HTTP Basic credentials
// every scheduler request is 401 and changes nothing; with them a framework subscribes as its
// principal and must keep authenticating as it. Off, nothing is asked.

#include <gtest/gtest.h>

#include "sim/live/uuid.hpp"
#include "tests/sim/live/master_daemon_fixture.hpp"

namespace mesosim::live {
namespace {

using testing::http;
using testing::RawResponse;
using json = nlohmann::json;
using Headers = std::vector<std::pair<std::string, std::string>>;

std::string basic(std::string_view principal_and_secret) {
  return "Basic " + base64_encode(principal_and_secret);
}

Headers subscribe_headers(std::optional<std::string> authorization) {
  Headers h{{"Content-Type", "application/json"}, {"Accept", "application/json"}};
  if (authorization) h.emplace_back("Authorization", *authorization);
  return h;
}

class AuthenticatedSchedulerApiTest : public testing::MasterDaemonTest {
 protected:
  void configure(MasterDaemonOptions& o) override {
    o.credentials = Credentials{{{"alice", "s3cret"}, {"bob", "pw"}}};
    o.authenticate_http_frameworks = true;
  }
  size_t frameworks() {
    return loop_.call([&] { return daemon_->master().frameworks().size(); });
  }
  // A refused SUBSCRIBE: a whole response, body included.
  RawResponse refused_subscribe(const std::string& body, std::optional<std::string> authorization) {
    return http(port_, "POST", "/api/v1/scheduler", subscribe_headers(authorization), body);
  }
  RawResponse revive(const testing::Subscription& s, std::optional<std::string> authorization) {
    Headers h{{"Content-Type", "application/json"}, {"Mesos-Stream-Id", s.stream_id}};
    if (authorization) h.emplace_back("Authorization", *authorization);
    const json body{{"type", "REVIVE"}, {"framework_id", {{"value", s.framework_id}}}};
    return http(port_, "POST", "/api/v1/scheduler", h, body.dump());
  }
};

TEST_F(AuthenticatedSchedulerApiTest, NoOrWrongCredentialsAre401AndChangeNothing) {
  const RawResponse none = refused_subscribe(testing::subscribe_body("fw"), std::nullopt);
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.header("www-authenticate"), "Basic realm=\"mesos-master-scheduler\"");
  EXPECT_NE(none.body.find("--credentials"), std::string::npos) << none.body;
  for (const std::string& bad : {basic("alice:wrong"), basic("carol:s3cret"),
                                 std::string("Basic %%%"), base64_encode("alice:s3cret")}) {
    const RawResponse r = refused_subscribe(testing::subscribe_body("fw"), bad);
    EXPECT_EQ(r.status, 401) << bad;
    EXPECT_EQ(r.header("www-authenticate"), "Basic realm=\"mesos-master-scheduler\"") << bad;
  }
  EXPECT_EQ(frameworks(), 0u);
  EXPECT_EQ(http(port_, "GET", "/master/state").status, 200);  // read-only stays open
}

TEST_F(AuthenticatedSchedulerApiTest, TheRightCredentialsOpenAStreamAsTheirPrincipal) {
  auto s = subscribe(testing::subscribe_body("fw"), subscribe_headers(basic("alice:s3cret")));
  ASSERT_EQ(s.head.status, 200);
  EXPECT_EQ(s.subscribed["type"], "SUBSCRIBED");
  auto views = loop_.call([&] { return daemon_->master().frameworks(); });
  ASSERT_EQ(views.size(), 1u);
  // The framework set no principal: it gets the one it authenticated as, as in Mesos.
  EXPECT_EQ(views[0].info.principal, "alice");
  EXPECT_EQ(get_json("/master/state")["frameworks"][0]["principal"], "alice");
}

TEST_F(AuthenticatedSchedulerApiTest, AFrameworkPrincipalOtherThanTheAuthenticatedOneIsRefused) {
  json body = json::parse(testing::subscribe_body("fw"));
  body["subscribe"]["framework_info"]["principal"] = "bob";
  const RawResponse r = refused_subscribe(body.dump(), basic("alice:s3cret"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body,
            "Failed to validate scheduler::Call: Authenticated principal 'alice' does not match "
            "principal 'bob' set in `FrameworkInfo`\n");
  EXPECT_EQ(frameworks(), 0u);

  body["subscribe"]["framework_info"]["principal"] = "alice";
  auto s = subscribe(body.dump(), subscribe_headers(basic("alice:s3cret")));
  EXPECT_EQ(s.head.status, 200);
  EXPECT_EQ(frameworks(), 1u);
}

TEST_F(AuthenticatedSchedulerApiTest, LaterCallsMustAuthenticateAsTheFrameworksPrincipal) {
  auto s = subscribe(testing::subscribe_body("fw"), subscribe_headers(basic("alice:s3cret")));
  ASSERT_EQ(s.head.status, 200);
  const RawResponse none = revive(s, std::nullopt);
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.header("www-authenticate"), "Basic realm=\"mesos-master-scheduler\"");
  EXPECT_EQ(revive(s, basic("alice:wrong")).status, 401);
  const RawResponse other = revive(s, basic("bob:pw"));
  EXPECT_EQ(other.status, 400);
  EXPECT_NE(other.body.find("Authenticated principal 'bob' does not match principal 'alice'"),
            std::string::npos)
      << other.body;
  EXPECT_EQ(loop_.call([&] { return daemon_->book().calls_rejected(); }), 0u);
  EXPECT_EQ(revive(s, basic("alice:s3cret")).status, 202);
}

class UnauthenticatedSchedulerApiTest : public testing::MasterDaemonTest {
 protected:
  void configure(MasterDaemonOptions& o) override {
    o.credentials = Credentials{{{"alice", "s3cret"}}};  // loaded, but not required
  }
};

TEST_F(UnauthenticatedSchedulerApiTest, SubscribingNeedsNoCredentials) {
  auto s = subscribe(testing::subscribe_body("fw"), subscribe_headers({}));
  EXPECT_EQ(s.head.status, 200);
  EXPECT_EQ(s.subscribed["type"], "SUBSCRIBED");
  // Not checked at all: even a wrong header is ignored, as Mesos does without the flag.
  auto t = subscribe(testing::subscribe_body("fw2"), subscribe_headers(basic("alice:wrong")));
  EXPECT_EQ(t.head.status, 200);
  EXPECT_EQ(loop_.call([&] { return daemon_->master().frameworks().size(); }), 2u);
}

TEST(MasterDaemonAuthenticationTest, AuthenticationWithoutCredentialsDoesNotStart) {
  boost::asio::io_context io;
  MasterDaemonOptions o;
  o.port = 0;
  o.work_dir = (std::filesystem::temp_directory_path() / "mesosim-auth-never-created").string();
  o.authenticate_http_frameworks = true;
  auto daemon = MasterDaemon::start(io, o);
  ASSERT_FALSE(daemon);
  EXPECT_NE(daemon.error().message.find("--authenticate_http_frameworks requires --credentials"),
            std::string::npos)
      << daemon.error().message;
  EXPECT_FALSE(std::filesystem::exists(o.work_dir));  // refused before anything was made
}

}  // namespace
}  // namespace mesosim::live
