#include <gtest/gtest.h>

#include "scenarios/scenario_load.hpp"
#include "scenarios/yaml_reader.hpp"
#include "tests/scenarios/scenario_test_util.hpp"

namespace mesosim {
namespace {

using testing::error_of;
using testing::fixture;
using testing::load_text;
using testing::minimal;

TEST(ScenarioLoad, EveryDocumentedKeyIsParsed) {
  auto r = load_scenario(fixture("full.yaml"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  const Scenario& s = r.value();
  EXPECT_EQ(s.name, "full");
  EXPECT_EQ(s.description, "every key");
  EXPECT_EQ(s.seed, 42u);
  EXPECT_EQ(s.duration, Duration::minutes(90));
  EXPECT_FALSE(s.run_to_completion);
  EXPECT_EQ(s.max_duration, Duration::hours(3));
  EXPECT_EQ(s.masters, 3);
  EXPECT_EQ(s.election_delay, Duration::seconds(5));
  EXPECT_EQ(s.latency.fixed, Duration::millis(2));
  EXPECT_EQ(s.latency.jitter, Duration::micros(250));
  EXPECT_EQ(s.out_dir, "out/full");

  ASSERT_EQ(s.cluster.groups.size(), 1u);
  const AgentGroup& g = s.cluster.groups[0];
  EXPECT_EQ(g.name, "small");
  EXPECT_EQ(g.count, 3);
  EXPECT_EQ(g.resources, "cpus:2;mem:4096;ports:[31000-31009]");
  EXPECT_EQ(g.name_prefix, "node");
  EXPECT_EQ(g.racks, 3);
  EXPECT_EQ(g.rack_prefix, "r");
  EXPECT_EQ(g.zone, "east");
  EXPECT_EQ(g.attributes, (std::map<std::string, std::string>{{"os", "linux"}, {"ssd", "true"}}));
  ASSERT_TRUE(s.cluster.machines.has_value());
  const MachineTraceSpec& m = *s.cluster.machines;
  ASSERT_EQ(m.files.size(), 1u);
  EXPECT_EQ(m.files[0], fixture("machines.csv"));
  EXPECT_EQ(m.reference_machine, "cpus:16;mem:32768");
  EXPECT_EQ(m.limit, 2);
  EXPECT_EQ(m.name_prefix, "m");
  EXPECT_EQ(m.racks, 2);
  EXPECT_EQ(m.rack_prefix, "mr");
  EXPECT_EQ(m.zone, "west");
  EXPECT_TRUE(m.skip_bad_rows);

  const AllocatorSpec& a = s.allocator;
  EXPECT_EQ(a.policy, "drf");
  EXPECT_EQ(a.allocation_interval, Duration::seconds(2));
  EXPECT_EQ(a.min_allocatable_resources, "cpus:0.1|mem:64");
  EXPECT_EQ(a.fair_sharing_excluded_resource_names, std::vector<std::string>{"gpus"});
  EXPECT_EQ(a.default_filter, Duration::seconds(3));
  EXPECT_EQ(a.offer_timeout, Duration::seconds(30));
  EXPECT_TRUE(a.allocate_on_task_end);
  EXPECT_TRUE(a.charge_cycle_time);
  ASSERT_EQ(a.roles.size(), 2u);
  EXPECT_EQ(a.roles[0].name, "eng");
  EXPECT_EQ(a.roles[0].weight, 3);
  EXPECT_EQ(a.roles[1].name, "ops");
  EXPECT_EQ(a.roles[1].weight, 0.5);
  EXPECT_EQ(a.roles[1].quota_guarantees, "cpus:1");
  EXPECT_EQ(a.roles[1].quota_limits, "cpus:4;mem:8192");
  EXPECT_EQ(a.static_mode, StaticMode::kWholeAgents);
  EXPECT_EQ(a.partitions,
            (std::vector<std::pair<std::string, double>>{{"eng", 0.6}, {"ops", 0.4}}));
  EXPECT_EQ(a.quincy.remote_cost, 80);
  EXPECT_EQ(a.quincy.wait_cost, 20);
  EXPECT_EQ(a.quincy.wait_cost_per_second, 5);
}

TEST(ScenarioLoad, EveryFrameworkAndWorkloadKeyIsParsed) {
  auto r = load_scenario(fixture("full.yaml"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto& fw = r.value().frameworks;
  ASSERT_EQ(fw.size(), 6u);
  const FrameworkSpec& b = fw[0];
  EXPECT_EQ(b.name, "trace-batch");
  EXPECT_EQ(b.model, "batch");
  EXPECT_EQ(b.role, "eng");
  EXPECT_EQ(b.user, "alice");
  EXPECT_TRUE(b.checkpoint);
  EXPECT_TRUE(b.partition_aware);
  EXPECT_EQ(b.failover_timeout, Duration::hours(1));
  EXPECT_EQ(b.t_job, Duration::millis(20));
  EXPECT_EQ(b.t_task, Duration::millis(2));
  EXPECT_EQ(b.refuse_seconds, 7);
  EXPECT_FALSE(b.requeue_lost);
  const WorkloadSpec& w = b.workload;
  EXPECT_EQ(w.trace, std::vector<std::string>{fixture("jobs.csv")});
  EXPECT_TRUE(w.skip_bad_rows);
  EXPECT_EQ(w.reference_machine, "cpus:8;mem:16384");
  EXPECT_EQ(w.google_window, Duration::hours(1));
  EXPECT_EQ(w.swf_default_mem_mb, 2048);
  EXPECT_EQ(w.time_scale, 0.5);
  EXPECT_EQ(w.start, Duration::minutes(1));
  EXPECT_EQ(w.limit, 2);

  EXPECT_EQ(fw[1].hadoop.node_locality_wait, Duration::seconds(2));
  EXPECT_EQ(fw[1].hadoop.rack_locality_wait, Duration::seconds(4));
  EXPECT_EQ(fw[1].hadoop.rack_local_slowdown, 1.1);
  EXPECT_EQ(fw[1].hadoop.remote_slowdown, 2);
  EXPECT_EQ(fw[1].workload.generator, "large-hadoop");
  // Durations with a unit reach the generator as seconds.
  EXPECT_EQ(fw[1].workload.params.at("task_duration"), "60.000000");
  EXPECT_EQ(fw[1].workload.params.at("tasks"), "4");

  EXPECT_EQ(fw[2].spark.executor_resources, Resources::parse("cpus:1;mem:1024").value());
  EXPECT_EQ(fw[2].spark.executor_cores, 1);
  EXPECT_EQ(fw[2].spark.executors_per_app, 2u);
  EXPECT_EQ(fw[2].spark.locality_wait, Duration::seconds(1));
  EXPECT_EQ(fw[2].spark.cache_miss_slowdown, 2.5);
  EXPECT_EQ(fw[2].spark.executor_idle_timeout, Duration::seconds(30));
  EXPECT_EQ(fw[3].storm.max_workers_per_agent, 2u);
  EXPECT_EQ(fw[4].service.max_instances_per_agent, 1u);
  EXPECT_EQ(fw[4].service.backoff, Duration::seconds(2));
  EXPECT_EQ(fw[4].service.backoff_factor, 2);
  EXPECT_EQ(fw[4].service.max_launch_delay, Duration::minutes(1));
  EXPECT_EQ(fw[4].service.backoff_reset_after, Duration::minutes(2));
  EXPECT_EQ(fw[5].gang.hold_timeout, Duration::seconds(45));
  EXPECT_EQ(fw[5].gang.release_refuse_seconds, 9);
}

TEST(ScenarioLoad, EveryFaultAndVariantKeyIsParsed) {
  auto r = load_scenario(fixture("full.yaml"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  const Scenario& s = r.value();
  ASSERT_EQ(s.faults.size(), 6u);
  EXPECT_EQ(s.faults[0].at, Duration::minutes(10));
  const auto& crash = std::get<fault::AgentCrash>(s.faults[0].fault);
  EXPECT_EQ(crash.agent, "node0");
  EXPECT_TRUE(crash.machine_lost);
  EXPECT_EQ(crash.restart_after, Duration::minutes(1));
  EXPECT_EQ(std::get<fault::AgentRestart>(s.faults[1].fault).agent, "node1");
  const auto& part = std::get<fault::Partition>(s.faults[2].fault);
  EXPECT_EQ(part.side_a, std::vector<std::string>{"node2"});
  EXPECT_EQ(part.side_b, std::vector<std::string>{"masters"});
  EXPECT_TRUE(std::get<fault::Heal>(s.faults[3].fault).side_a.empty());
  EXPECT_TRUE(std::holds_alternative<fault::MasterFailover>(s.faults[4].fault));
  const auto& sched = std::get<fault::SchedulerCrash>(s.faults[5].fault);
  EXPECT_EQ(sched.framework, "hdp");
  EXPECT_EQ(sched.restart_after, Duration::seconds(5));

  const RandomFaultsSpec& rf = s.random_faults;
  EXPECT_EQ(rf.agent_crash_interval, Duration::minutes(20));
  EXPECT_EQ(rf.machine_lost_probability, 0.25);
  EXPECT_EQ(rf.agent_restart_after, Duration::minutes(2));
  EXPECT_EQ(rf.master_failover_interval, Duration::hours(1));
  EXPECT_EQ(rf.scheduler_crash_interval, Duration::minutes(45));
  EXPECT_EQ(rf.scheduler_restart_after, Duration::seconds(3));
  EXPECT_EQ(rf.partition_interval, Duration::minutes(30));
  EXPECT_EQ(rf.partition_heal_after, Duration::seconds(10));

  ASSERT_EQ(s.variants.size(), 1u);
  EXPECT_EQ(s.variants[0].name, "static");
  ASSERT_EQ(s.variants[0].set.size(), 2u);
  EXPECT_EQ(s.variants[0].set[0].first, "allocator.policy");
  EXPECT_EQ(s.variants[0].set[0].second, "static");
}

TEST(ScenarioLoad, DefaultsAreTheDocumentedOnes) {
  auto r = load_text(minimal());
  ASSERT_TRUE(r.ok()) << r.error().message;
  const Scenario& s = r.value();
  EXPECT_EQ(s.name, "t");
  EXPECT_EQ(s.seed, 1u);
  EXPECT_EQ(s.masters, 1);
  EXPECT_EQ(s.max_duration, Duration::days(7));
  EXPECT_EQ(s.out_dir, "mesosim-out/t");
  EXPECT_EQ(s.latency.fixed, Duration::micros(500));
  EXPECT_EQ(s.cluster.groups[0].name_prefix, "agent");
  EXPECT_EQ(s.cluster.groups[0].racks, 1);
  EXPECT_EQ(s.cluster.groups[0].zone, "zone0");
  EXPECT_EQ(s.allocator.policy, "drf");
  EXPECT_EQ(s.allocator.allocation_interval, Duration::seconds(1));
  EXPECT_EQ(s.allocator.default_filter, Duration::seconds(5));
  EXPECT_EQ(s.frameworks[0].role, "*");
  EXPECT_EQ(s.frameworks[0].failover_timeout, Duration::days(7));
  EXPECT_FALSE(s.frameworks[0].refuse_seconds.has_value());
  EXPECT_EQ(s.variant, "base");
}

TEST(ScenarioLoad, DurationsTakeUnitsOrSeconds) {
  using scenario_yaml::parse_duration;
  EXPECT_EQ(parse_duration("10s"), Duration::seconds(10));
  EXPECT_EQ(parse_duration("5ms"), Duration::millis(5));
  EXPECT_EQ(parse_duration("250us"), Duration::micros(250));
  EXPECT_EQ(parse_duration("2m"), Duration::minutes(2));
  EXPECT_EQ(parse_duration("2min"), Duration::minutes(2));
  EXPECT_EQ(parse_duration("1.5h"), Duration::minutes(90));
  EXPECT_EQ(parse_duration("1d"), Duration::days(1));
  EXPECT_EQ(parse_duration("12"), Duration::seconds(12));
  EXPECT_EQ(parse_duration("0.25"), Duration::millis(250));
  EXPECT_FALSE(parse_duration("10 parsecs"));
  EXPECT_FALSE(parse_duration("-1s"));
  EXPECT_FALSE(parse_duration("s"));
  EXPECT_FALSE(parse_duration("10w"));
}

TEST(ScenarioLoad, UnknownKeyNamesItsPlaceAndTheNearestKey) {
  const auto e = error_of(
      "duration: 1m\ncluster: {groups: [{count: 1, resources: \"cpus:1\"}]}\nalocator: {}\n");
  EXPECT_EQ(e.message, "unknown key 'alocator' at t.yaml:3:1; did you mean 'allocator'?");
  EXPECT_EQ(e.file, "t.yaml");
  EXPECT_EQ(e.line, 3);
  EXPECT_EQ(e.column, 1);
}

TEST(ScenarioLoad, UnknownNestedKeyWithNothingNearListsTheKnownOnes) {
  const auto e = error_of(minimal("allocator:\n  zzzzzzzz: 1\n"));
  EXPECT_EQ(e.line, 10);
  EXPECT_EQ(e.column, 3);
  EXPECT_NE(e.message.find("unknown key 'zzzzzzzz' in allocator at t.yaml:10:3 (known: policy, "),
            std::string::npos)
      << e.message;
}

TEST(ScenarioLoad, ModelKeysBelongToTheirModel) {
  // node_locality_wait is a hadoop key; on a batch framework it is unknown.
  const auto e = error_of(minimal("", "    node_locality_wait: 5s\n"));
  EXPECT_EQ(e.line, 8);
  EXPECT_NE(e.message.find("unknown key 'node_locality_wait' in frameworks.0"), std::string::npos)
      << e.message;
}

TEST(ScenarioLoad, WrongTypeNamesThePlaceAndWhatWasExpected) {
  const auto e = error_of(
      "duration: 1m\ncluster:\n  groups:\n    - {count: many, resources: \"cpus:1\"}\nframeworks: "
      "[]\n");
  EXPECT_EQ(e.line, 4);
  EXPECT_EQ(e.column, 15);
  EXPECT_EQ(
      e.message,
      "cluster.groups.0.count: expected an integer from 0 to 1000000, found 'many' at t.yaml:4:15");
  const auto list = error_of(minimal("seed: [1, 2]\n"));
  EXPECT_NE(list.message.find("seed: expected an integer from 0 to"), std::string::npos);
  EXPECT_NE(list.message.find("found a list at t.yaml:9:7"), std::string::npos) << list.message;
}

TEST(ScenarioLoad, BadResourceTextCarriesTheParsersMessage) {
  const auto e = error_of(
      "duration: 1m\ncluster:\n  groups:\n    - count: 1\n      resources: \"cpus:x;mem:1\"\n");
  EXPECT_EQ(e.line, 5);
  EXPECT_EQ(e.column, 18);
  EXPECT_NE(e.message.find("cluster.groups.0.resources: bad resources 'cpus:x;mem:1': "),
            std::string::npos)
      << e.message;
  const std::string parser = Resources::parse("cpus:x;mem:1").error().message;
  EXPECT_NE(e.message.find(parser), std::string::npos) << e.message;
}

TEST(ScenarioLoad, UnknownModelPolicyAndGeneratorSuggestTheNearest) {
  std::string text = minimal();
  text.replace(text.find("model: batch"), 12, "model: hadop");
  const auto model = error_of(text);
  EXPECT_NE(
      model.message.find("frameworks.0.model: unknown model 'hadop' (known: batch, hadoop, spark, "
                         "storm, service, gang) at t.yaml:7:12; did you mean 'hadoop'?"),
      std::string::npos)
      << model.message;
  const auto policy = error_of(minimal("allocator: {policy: omega}\n"));
  EXPECT_EQ(policy.message,
            "allocator.policy: unknown policy 'omega' (known: drf, static, quincy) at t.yaml:9:21");
  const auto gen = error_of(
      "duration: 1m\ncluster: {groups: [{count: 1, resources: \"cpus:1\"}]}\nframeworks:\n"
      "  - {name: b, model: batch, workload: {generator: yarn}}\n");
  EXPECT_EQ(gen.line, 4);
  EXPECT_NE(gen.message.find("unknown generator 'yarn'"), std::string::npos) << gen.message;
}

TEST(ScenarioLoad, MissingTraceFileIsResolvedNextToTheScenario) {
  const auto e = error_of(
      "duration: 1m\ncluster: {groups: [{count: 1, resources: \"cpus:1\"}]}\nframeworks:\n"
      "  - name: b\n    model: batch\n    workload: {trace: nope.csv}\n");
  EXPECT_EQ(e.line, 6);
  EXPECT_EQ(e.column, 23);
  EXPECT_NE(e.message.find("trace file 'nope.csv' not found (looked for " +
                           testing::fixture("nope.csv") + ")"),
            std::string::npos)
      << e.message;
}

TEST(ScenarioLoad, MachineEventsAreNotAJobTrace) {
  const auto e = error_of(
      "duration: 1m\ncluster: {groups: [{count: 1, resources: \"cpus:1\"}]}\nframeworks:\n"
      "  - {name: b, model: batch, workload: {trace: machines.csv}}\n");
  EXPECT_NE(e.message.find("is google-machine-events, expected a job trace"), std::string::npos)
      << e.message;
}

TEST(ScenarioLoad, BadDurationSaysWhichUnitsExist) {
  const auto e = error_of(minimal("allocator: {allocation_interval: 3 weeks}\n"));
  EXPECT_EQ(e.line, 9);
  EXPECT_EQ(e.column, 34);
  EXPECT_NE(e.message.find(
                "allocator.allocation_interval: expected a duration (seconds, or a number with "
                "a unit: 250us, 5ms, 10s, 2m, 1.5h, 1d), found '3 weeks'"),
            std::string::npos)
      << e.message;
}

TEST(ScenarioLoad, BadYamlSyntaxHasAPosition) {
  const auto e = error_of("duration: 1m\ncluster: {groups: [\n");
  EXPECT_EQ(e.file, "t.yaml");
  EXPECT_GE(e.line, 2);
  EXPECT_NE(e.message.find("bad YAML"), std::string::npos) << e.message;
}

TEST(ScenarioLoad, ScalarsWhereMapsBelongAreErrorsNotCrashes) {
  const std::vector<std::string> texts = {
      "5\n",
      "duration: 1m\ncluster: 5\n",
      minimal("allocator: {roles: {r: 5}}\n"),
      minimal("faults: {scheduled: [5]}\n"),
      minimal("compare: [x]\n"),
      minimal("latency: fast\n"),
      "duration: 1m\ncluster: {groups: [{count: 1, resources: \"cpus:1\"}]}\nframeworks: [5]\n",
      "duration: 1m\ncluster: {groups: [{count: 1, resources: \"cpus:1\"}]}\nframeworks:\n"
      "  - {name: b, model: batch, workload: 5}\n"};
  for (const std::string& text : texts) {
    const auto e = error_of(text);
    EXPECT_NE(e.message.find("expected a map"), std::string::npos) << text << " -> " << e.message;
    EXPECT_EQ(e.file, "t.yaml");
  }
}

TEST(ScenarioLoad, DurationOrRunToCompletionIsRequired) {
  auto e = error_of("cluster: {groups: [{count: 1, resources: \"cpus:1\"}]}\nframeworks: []\n");
  EXPECT_NE(e.message.find("expected either 'duration' or 'run_to_completion: true'"),
            std::string::npos);
  EXPECT_EQ(e.line, 1);
}

TEST(ScenarioLoad, FaultsMustNameAgentsAndFrameworksOfTheScenario) {
  const auto e = error_of(
      minimal("faults:\n  scheduled:\n    - {at: 1s, type: agent_crash, agent: agent9}\n"));
  EXPECT_EQ(e.line, 11);
  EXPECT_NE(e.message.find("faults.scheduled.0.agent: no agent named 'agent9' in this scenario"),
            std::string::npos)
      << e.message;
  const auto f = error_of(
      minimal("faults:\n  scheduled:\n    - {at: 1s, type: scheduler_crash, framework: x}\n"));
  EXPECT_NE(f.message.find("no framework named 'x'"), std::string::npos) << f.message;
  const auto t =
      error_of(minimal("faults:\n  scheduled:\n    - {at: 1s, type: agent_crsh, agent: agent0}\n"));
  EXPECT_NE(t.message.find("did you mean 'agent_crash'?"), std::string::npos) << t.message;
}

TEST(ScenarioLoad, DuplicateFrameworkNamesAreRefused) {
  // minimal()'s extra goes after the first framework: a second one with the same name.
  const auto e =
      error_of(minimal("", "") + "  - {name: b, model: gang, workload: {generator: mpi}}\n");
  EXPECT_NE(e.message.find("duplicate framework name 'b'"), std::string::npos) << e.message;
}

// `count: N` makes N copies named NAME-0 .. NAME-(N-1); faults may name the copies.
TEST(ScenarioLoad, CountMakesNamedCopiesOfAFramework) {
  const auto r = load_text(
      minimal("faults:\n  scheduled:\n    - {at: 1s, type: scheduler_crash, framework: b-2}\n",
              "    count: 3\n    t_job: 2s\n"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  const Scenario& s = r.value();
  ASSERT_EQ(s.frameworks.size(), 3u);
  EXPECT_EQ(s.frameworks[0].name, "b-0");
  EXPECT_EQ(s.frameworks[2].name, "b-2");
  EXPECT_EQ(s.frameworks[1].t_job, Duration::seconds(2));
  const auto zero = error_of(minimal("", "    count: 0\n"));
  EXPECT_NE(zero.message.find("frameworks.0.count"), std::string::npos) << zero.message;
  // A copy's name may not clash with another framework's.
  const auto clash = error_of(minimal("", "    count: 2\n") +
                              "  - {name: b-1, model: gang, workload: {generator: mpi}}\n");
  EXPECT_NE(clash.message.find("duplicate framework name 'b-1'"), std::string::npos)
      << clash.message;
}

}  // namespace
}  // namespace mesosim
