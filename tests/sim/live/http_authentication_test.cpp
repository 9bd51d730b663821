// Credentials files (Mesos's JSON and the legacy text form) and HTTP Basic `Authorization`
// headers checked against them.

#include "sim/live/http_authentication.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "sim/live/uuid.hpp"

namespace mesosim::live {
namespace {

Credentials two() {
  return parse_credentials(
             R"({"credentials":[{"principal":"alice","secret":"s3cret"},
                                {"principal":"bob","secret":"pw"}]})",
             "creds.json")
      .value();
}

std::string basic(std::string_view principal_and_secret) {
  return "Basic " + base64_encode(principal_and_secret);
}

TEST(CredentialsTest, JsonFormGivesEveryPrincipalItsSecret) {
  const Credentials c = two();
  ASSERT_EQ(c.secrets.size(), 2u);
  EXPECT_EQ(c.secrets.at("alice"), "s3cret");
  EXPECT_EQ(c.secrets.at("bob"), "pw");
}

TEST(CredentialsTest, TextFormIsOnePrincipalAndSecretPerLine) {
  auto c = parse_credentials("alice s3cret\n\n  bob\tpw  \n", "creds.txt");
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_EQ(c.value().secrets.size(), 2u);
  EXPECT_EQ(c.value().secrets.at("alice"), "s3cret");
  EXPECT_EQ(c.value().secrets.at("bob"), "pw");
}

TEST(CredentialsTest, ErrorsNameTheFileAndLineOrPathButNotTheSecret) {
  auto fields = parse_credentials("alice s3cret\nbob pw extra\n", "creds.txt");
  ASSERT_FALSE(fields);
  EXPECT_EQ(fields.error().message, "creds.txt:2: expected 'principal secret', found 3 fields");

  auto twice = parse_credentials("alice a\nalice b\n", "creds.txt");
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().message, "creds.txt:2: principal 'alice' is given twice");

  auto no_secret = parse_credentials(
      R"({"credentials":[{"principal":"a","secret":"x"},{"principal":"b"}]})", "creds.json");
  ASSERT_FALSE(no_secret);
  EXPECT_EQ(no_secret.error().message, "creds.json: credentials[1].secret: expected a string");

  auto not_list = parse_credentials(R"({"credentials":{}})", "creds.json");
  ASSERT_FALSE(not_list);
  EXPECT_EQ(not_list.error().message, "creds.json: expected an array at 'credentials'");

  auto bad_json = parse_credentials("{\"credentials\":\n [{\"principal\": s3cret}]}", "c.json");
  ASSERT_FALSE(bad_json);
  EXPECT_EQ(bad_json.error().message.rfind("c.json:2:", 0), 0u) << bad_json.error().message;
  EXPECT_EQ(bad_json.error().message.find("s3cret"), std::string::npos);

  auto empty = parse_credentials("\n", "creds.txt");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().message, "creds.txt: must contain at least one credential");
  EXPECT_FALSE(parse_credentials(R"({"credentials":[]})", "creds.json"));
}

TEST(CredentialsTest, ReadStripsTheFilePrefixAndNamesAMissingFile) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "mesosim-creds-XXXXXX").string();
  ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
  const std::string path = tmpl + "/credentials";
  std::ofstream(path) << "alice s3cret\n";
  auto c = read_credentials("file://" + path);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c.value().secrets.at("alice"), "s3cret");
  auto missing = read_credentials(tmpl + "/nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, tmpl + "/nope: cannot open for reading");
  std::filesystem::remove_all(tmpl);
}

TEST(BasicAuthenticationTest, TheRightSecretProvesItsPrincipal) {
  EXPECT_EQ(authenticate_basic(basic("alice:s3cret"), two()), "alice");
  EXPECT_EQ(authenticate_basic(basic("bob:pw"), two()), "bob");
}

TEST(BasicAuthenticationTest, AnythingElseProvesNothing) {
  const Credentials c = two();
  EXPECT_EQ(authenticate_basic(std::nullopt, c), std::nullopt);
  EXPECT_EQ(authenticate_basic(basic("alice:wrong"), c), std::nullopt);
  EXPECT_EQ(authenticate_basic(basic("bob:s3cret"), c), std::nullopt);  // another's secret
  EXPECT_EQ(authenticate_basic(basic("carol:s3cret"), c), std::nullopt);
  EXPECT_EQ(authenticate_basic(basic("alice"), c), std::nullopt);  // no ':'
  EXPECT_EQ(authenticate_basic(basic("alice:s3cret:x"), c), std::nullopt);
  EXPECT_EQ(authenticate_basic("Basic !!not*base64", c), std::nullopt);
  EXPECT_EQ(authenticate_basic("Basic ", c), std::nullopt);
  EXPECT_EQ(authenticate_basic(base64_encode("alice:s3cret"), c), std::nullopt);  // no scheme
  EXPECT_EQ(authenticate_basic("Bearer " + base64_encode("alice:s3cret"), c), std::nullopt);
  EXPECT_EQ(authenticate_basic("Basic  " + base64_encode("alice:s3cret"), c), std::nullopt);
}

}  // namespace
}  // namespace mesosim::live
