// The live master's registry file (sim/live/registry_file.hpp): what is written comes back,
// a bad file is an error naming the file and the field, and a failed write keeps the old file.

#include "sim/live/registry_file.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace mesosim::live {
namespace {

class RegistryFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "mesosim-registry-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  static Resources res(const std::string& text) { return Resources::parse(text).value(); }

  static Registry sample() {
    Registry r;
    r.agents["m-S0"] = {v1::AgentInfo{"host0",
                                      v1::AgentID{"m-S0"},
                                      res("cpus:2;mem:1024;cpus(analytics){DYN:ops}:1;"
                                          "ports:[31000-32000]"),
                                      {{"rack", "r1"}, {"zone", "a"}}},
                        Registry::AgentState::kAdmitted, Time::from_micros(1733140000000000)};
    r.agents["m-S1"] = {v1::AgentInfo{"host1", v1::AgentID{"m-S1"}, res("cpus:4"), {}},
                        Registry::AgentState::kUnreachable, Time::from_micros(1733140000500000)};
    r.agents["m-S2"] = {v1::AgentInfo{"host2", v1::AgentID{"m-S2"}, res("mem:64"), {}},
                        Registry::AgentState::kGone, Time::from_micros(1733140001000000)};
    r.weights["analytics"] = 2.5;
    r.weights["batch"] = 0.5;
    Quota q;
    q.guarantees = Quantities::parse("cpus:1;mem:512").value();
    q.limits = {{ResourceName::cpus(), Scalar::parse("4").value()}};
    r.quotas["analytics"] = q;
    return r;
  }

  std::string read(const std::string& path) const {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  void put(const std::string& text) const { std::ofstream(registry_path(dir_)) << text; }
  std::string error_of(const std::string& text) const {
    put(text);
    Result<std::optional<Registry>> r = read_registry(dir_);
    return r ? std::string("(no error)") : r.error().message;
  }

  std::string dir_;
};

TEST_F(RegistryFileTest, WhatIsWrittenIsReadBack) {
  const Registry written = sample();
  ASSERT_TRUE(write_registry(dir_, written));
  Result<std::optional<Registry>> read = read_registry(dir_);
  ASSERT_TRUE(read) << read.error().message;
  ASSERT_TRUE(read.value().has_value());
  const Registry& r = *read.value();
  ASSERT_EQ(r.agents.size(), 3u);
  const Registry::Agent& a0 = r.agents.at("m-S0");
  EXPECT_EQ(a0.info.hostname, "host0");
  EXPECT_EQ(a0.info.id, v1::AgentID{"m-S0"});
  EXPECT_EQ(a0.info.resources, written.agents.at("m-S0").info.resources);
  EXPECT_EQ(a0.info.resources.reserved_to("analytics"),
            written.agents.at("m-S0").info.resources.reserved_to("analytics"));
  EXPECT_EQ(a0.info.attributes, written.agents.at("m-S0").info.attributes);
  EXPECT_EQ(a0.state, Registry::AgentState::kAdmitted);
  EXPECT_EQ(a0.since, Time::from_micros(1733140000000000));
  EXPECT_EQ(r.agents.at("m-S1").state, Registry::AgentState::kUnreachable);
  EXPECT_EQ(r.agents.at("m-S2").state, Registry::AgentState::kGone);
  EXPECT_EQ(r.weights, written.weights);
  ASSERT_EQ(r.quotas.count("analytics"), 1u);
  EXPECT_EQ(r.quotas.at("analytics").guarantees, written.quotas.at("analytics").guarantees);
  EXPECT_EQ(r.quotas.at("analytics").limits, written.quotas.at("analytics").limits);
  // And the same document again.
  EXPECT_EQ(registry_to_json(r), registry_to_json(written));
  EXPECT_FALSE(std::filesystem::exists(registry_path(dir_) + ".tmp"));
}

TEST_F(RegistryFileTest, NoFileIsAFirstStart) {
  Result<std::optional<Registry>> read = read_registry(dir_);
  ASSERT_TRUE(read);
  EXPECT_FALSE(read.value().has_value());
}

TEST_F(RegistryFileTest, ABadFileIsAnErrorNamingTheFileAndTheField) {
  const std::string file = registry_path(dir_);
  const std::string agent =
      R"({"info":{"hostname":"h","id":{"value":"a1"},"resources":"cpus:1","attributes":[]},)"
      R"("state":"admitted","since_us":5})";
  struct Case {
    std::string text;
    std::string error;
  };
  const Case cases[] = {
      {"{\"format\": 1, \"agents\": [", file + ": not valid JSON"},
      {"[]", file + ": expected an object at '.', found []"},
      {R"({"agents":[]})", file + ": missing required field 'format'"},
      {R"({"format":2})", file + ": expected format 1 at 'format', found 2"},
      {R"({"format":1,"agents":[{"info":{"hostname":3}}]})",
       file + ": expected a string at 'agents[0].info.hostname', found 3"},
      {R"({"format":1,"agents":[{"info":{"hostname":"h","resources":"cpus:1"},"state":"admitted","since_us":1}]})",
       file + ": missing required field 'agents[0].info.id'"},
      {R"({"format":1,"agents":[{"info":{"hostname":"h","id":{"value":"a"},"resources":"cpus:x"}}]})",
       file + ": at 'agents[0].info.resources': "},
      {R"({"format":1,"agents":[)" + agent.substr(0, agent.find("admitted")) + R"(lost"}]})",
       file + ": expected admitted, unreachable or gone at 'agents[0].state', found \"lost\""},
      {R"({"format":1,"agents":[{"info":{"hostname":"h","id":{"value":"a1"},"resources":"cpus:1"},"state":"gone","since_us":"x"}]})",
       file + ": expected an integer at 'agents[0].since_us', found \"x\""},
      {R"({"format":1,"agents":[)" + agent + "," + agent + "]}",
       file + ": at 'agents[1]': agent 'a1' is listed twice"},
      {R"({"format":1,"weights":{"analytics":-1}})",
       file + ": expected a positive number at 'weights.analytics', found -1"},
      {R"({"format":1,"quotas":{"analytics":{"guarantees":"cpus:one","limits":{}}}})",
       file + ": at 'quotas.analytics.guarantees': "},
      {R"({"format":1,"quotas":{"analytics":{"guarantees":"cpus:1","limits":{"cpus":4}}}})",
       file + ": expected a decimal as a string at 'quotas.analytics.limits.cpus', found 4"},
  };
  for (const Case& c : cases) {
    const std::string error = error_of(c.text);
    EXPECT_EQ(error.substr(0, c.error.size()), c.error) << c.text;
  }
}

TEST_F(RegistryFileTest, AFileThatCannotBeReadIsAnErrorNamingIt) {
  std::filesystem::create_directory(registry_path(dir_));  // a directory where the file goes
  Result<std::optional<Registry>> read = read_registry(dir_);
  ASSERT_FALSE(read);
  EXPECT_NE(read.error().message.find(registry_path(dir_)), std::string::npos)
      << read.error().message;
}

TEST_F(RegistryFileTest, AFailedWriteLeavesThePreviousFile) {
  ASSERT_TRUE(write_registry(dir_, sample()));
  const std::string before = read(registry_path(dir_));
  // The temporary file cannot be created: a directory holds its name.
  std::filesystem::create_directory(registry_path(dir_) + ".tmp");
  Registry changed = sample();
  changed.weights["analytics"] = 9;
  Status written = write_registry(dir_, changed);
  ASSERT_FALSE(written);
  EXPECT_NE(written.error().message.find(registry_path(dir_) + ".tmp"), std::string::npos)
      << written.error().message;
  EXPECT_EQ(read(registry_path(dir_)), before);
  Result<std::optional<Registry>> again = read_registry(dir_);
  ASSERT_TRUE(again);
  EXPECT_EQ(again.value()->weights.at("analytics"), 2.5);
}

}  // namespace
}  // namespace mesosim::live
