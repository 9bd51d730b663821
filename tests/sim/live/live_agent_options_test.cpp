// The live agent's flag values: parsing, defaults and errors.

#include "sim/live/live_agent_options.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>


namespace mesosim::live {
namespace {

constexpr uint64_t kGB = 1024ull * 1024 * 1024;

LiveAgentOptions options_with(const char* resources, const char* attributes) {
  LiveAgentOptions o;
  o.work_dir = "/var/lib/mesosim";
  if (resources) o.resources = resources;
  if (attributes) o.attributes = attributes;
  return o;
}

const MachineFacts kFacts{8, 16 * kGB, 100 * kGB};

TEST(LiveAgentOptionsTest, AttributesAreMesosTextPairs) {
  Result<std::vector<v1::Attribute>> a = parse_attributes_flag("rack:r1;zone:us-east/a;");
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a.value(), (std::vector<v1::Attribute>{{"rack", "r1"}, {"zone", "us-east/a"}}));
  EXPECT_TRUE(parse_attributes_flag("").value().empty());
}

TEST(LiveAgentOptionsTest, BadAttributesNameTheItemAndColumn) {
  Result<std::vector<v1::Attribute>> missing = parse_attributes_flag("rack:r1;zone");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message,
            "--attributes: item 2 ('zone') at column 9: expected 'name:value'");
  Result<std::vector<v1::Attribute>> empty_value = parse_attributes_flag("rack:");
  ASSERT_FALSE(empty_value);
  EXPECT_EQ(empty_value.error().message,
            "--attributes: item 1 ('rack:') at column 1: expected a value after ':'");
  Result<std::vector<v1::Attribute>> bad_name = parse_attributes_flag("ra ck:1");
  ASSERT_FALSE(bad_name);
  EXPECT_NE(bad_name.error().message.find("found ' '"), std::string::npos);
  EXPECT_FALSE(parse_attributes_flag(";rack:r1"));
}

TEST(LiveAgentOptionsTest, ResourcesTextIsCompletedWithDetectedDefaults) {
  Result<LiveAgentConfig> c =
      agent_config(options_with("cpus:2;ports:[5000-5010]", "rack:r1"), kFacts, "host1");
  ASSERT_TRUE(c) << c.error().message;
  // cpus and ports as given; mem = 16 GB - 1 GB; disk = 100 GB - 5 GB.
  EXPECT_EQ(c.value().resources,
            Resources::parse("cpus:2;mem:15360;disk:97280;ports:[5000-5010]").value());
  EXPECT_EQ(c.value().hostname, "host1");
  EXPECT_EQ(c.value().attributes, (std::vector<v1::Attribute>{{"rack", "r1"}}));
  EXPECT_EQ(c.value().executor_shutdown_grace_period, Duration::seconds(5));

  Result<LiveAgentConfig> detected = agent_config(options_with(nullptr, nullptr), kFacts, "h");
  ASSERT_TRUE(detected);
  EXPECT_EQ(detected.value().resources,
            Resources::parse("cpus:8;mem:15360;disk:97280;ports:[31000-32000]").value());
}

TEST(LiveAgentOptionsTest, BadFlagValuesAreErrorsNamingTheFlag) {
  Result<LiveAgentConfig> bad_resources =
      agent_config(options_with("cpus:x", nullptr), kFacts, "h");
  ASSERT_FALSE(bad_resources);
  EXPECT_EQ(bad_resources.error().message.rfind("--resources: ", 0), 0u)
      << bad_resources.error().message;
  EXPECT_FALSE(agent_config(options_with("", nullptr), kFacts, "h"));
  Result<LiveAgentConfig> bad_attributes = agent_config(options_with(nullptr, "rack"), kFacts, "h");
  ASSERT_FALSE(bad_attributes);
  EXPECT_EQ(bad_attributes.error().message.rfind("--attributes: ", 0), 0u);

  LiveAgentOptions no_work_dir;
  EXPECT_EQ(agent_config(no_work_dir, kFacts, "h").error().message,
            "--work_dir: required, found nothing");
  LiveAgentOptions bad_isolation = options_with(nullptr, nullptr);
  bad_isolation.isolation = "cgroups/cpu,docker/runtime";
  EXPECT_EQ(agent_config(bad_isolation, kFacts, "h").error().message.rfind("--isolation: ", 0), 0u);
}

TEST(LiveAgentOptionsTest, ThisMachineIsProbedWhenResourcesAreNotGiven) {
  std::string dir = (std::filesystem::temp_directory_path() / "mesosim-agent-XXXXXX").string();
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  LiveAgentOptions options;
  options.work_dir = dir + "/work";  // created if missing
  options.resources = "mem:512";
  Result<LiveAgentConfig> c = agent_config(options);
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_GE(c.value().resources.get(ResourceName::cpus()), Scalar::from_units(1));
  EXPECT_EQ(c.value().resources.get(ResourceName::mem()), Scalar::from_units(512));
  EXPECT_FALSE(c.value().hostname.empty());
}

TEST(LiveAgentOptionsTest, MasterIsHostAndPort) {
  Result<MasterAddress> m = parse_master_flag("127.0.0.1:5050");
  ASSERT_TRUE(m);
  EXPECT_EQ(m.value().host, "127.0.0.1");
  EXPECT_EQ(m.value().port, 5050);
  EXPECT_EQ(parse_master_flag("localhost:99999").error().message,
            "--master: expected a port 1-65535 after ':', found '99999' in 'localhost:99999'");
  EXPECT_FALSE(parse_master_flag("localhost"));
  EXPECT_NE(parse_master_flag("zk://zk1:2181/mesos").error().message.find("ZooKeeper"),
            std::string::npos);
}

TEST(LiveAgentOptionsTest, IsolationTakesMesosIsolatorLists) {
  EXPECT_EQ(parse_isolation_flag("auto").value(), "auto");
  EXPECT_EQ(parse_isolation_flag("cgroups/v1").value(), "cgroups/v1");
  EXPECT_EQ(parse_isolation_flag("cgroups/cpu,cgroups/mem").value(), "cgroups");
  EXPECT_EQ(parse_isolation_flag("posix/cpu,posix/mem").value(), "posix");
  EXPECT_NE(parse_isolation_flag("cgroups/cpu,posix/mem").error().message.find("mixes"),
            std::string::npos);
  LiveAgentOptions posix;
  posix.isolation = "posix";
  ASSERT_TRUE(agent_isolation(posix));
  EXPECT_EQ(agent_isolation(posix).value().kind, IsolationKind::kPosix);
}

TEST(LiveAgentOptionsTest, TheContainerPrefixIsTheWorkDirsOwn) {
  const std::string prefix = container_prefix("/var/lib/mesosim/agent-1");
  ASSERT_EQ(prefix.size(), 10u);
  EXPECT_EQ(prefix.front(), 'w');
  EXPECT_EQ(prefix.back(), '-');
  EXPECT_TRUE(validate_container_name(prefix + "c1-1"));
  // The same directory however it is spelled; another directory, another prefix.
  EXPECT_EQ(container_prefix("/var/lib/mesosim/./agent-1/"), prefix);
  EXPECT_EQ(container_prefix("/var/lib/mesosim/x/../agent-1"), prefix);
  EXPECT_NE(container_prefix("/var/lib/mesosim/agent-2"), prefix);
  LiveAgentOptions flags;
  LiveAgentConfig config;
  config.work_dir = "/var/lib/mesosim/agent-1";
  EXPECT_EQ(containerizer_options(flags, config).container_prefix, prefix);
}

TEST(LiveAgentOptionsTest, DurationsAndBooleansAreMesosFlagValues) {
  EXPECT_EQ(parse_duration_flag("5secs", "executor_shutdown_grace_period").value(),
            Duration::seconds(5));
  EXPECT_EQ(parse_duration_flag("2.5mins", "x").value(), Duration::seconds(150));
  EXPECT_EQ(parse_duration_flag("250ms", "x").value(), Duration::millis(250));
  EXPECT_EQ(parse_duration_flag("5", "executor_shutdown_grace_period").error().message,
            "--executor_shutdown_grace_period: expected a unit ns, us, ms, secs, mins, hrs, days "
            "or weeks after the number, found '' in '5'");
  EXPECT_EQ(parse_duration_flag("secs", "x").error().message,
            "--x: expected a number and a unit (e.g. 5secs), found 'secs'");
  EXPECT_FALSE(parse_duration_flag("-1secs", "x"));
  EXPECT_TRUE(parse_bool_flag("true", "switch_user").value());
  EXPECT_FALSE(parse_bool_flag("0", "switch_user").value());
  EXPECT_EQ(parse_bool_flag("yes", "switch_user").error().message,
            "--switch_user: expected true or false, found 'yes'");
}

}  // namespace
}  // namespace mesosim::live
