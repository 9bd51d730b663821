#include "sim/master/master.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/sim/sim_test_util.hpp"

namespace mesosim {
namespace {

using namespace mesosim::testing;
using ::testing::ElementsAre;
using v1::TaskState;

TEST(MasterTest, ScriptedFrameworkRunsATaskToFinishedAndAcknowledges) {
  SimCluster cluster(SimClusterOptions{});
  cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
  ScriptedScheduler s;
  bool launched = false;
  s.on_offers = [&](SchedulerDriver& d, const std::vector<v1::Offer>& offers) {
    for (const auto& o : offers) {
      if (!launched) {
        d.launch(o, {task("t1", o, "cpus:1;mem:128", Duration::seconds(10))});
        launched = true;
      } else {
        d.decline({o.id});
      }
    }
  };
  cluster.add_framework(framework("fw"), &s);
  EventLines log;
  cluster.add_observer(&log);
  cluster.start();
  cluster.run_until(secs(30));

  ASSERT_TRUE(s.id.has_value());
  EXPECT_THAT(s.states_of("t1"),
              ElementsAre(TaskState::TASK_STARTING, TaskState::TASK_RUNNING,
                          TaskState::TASK_FINISHED));
  for (const auto& u : s.updates) {
    EXPECT_TRUE(u.uuid.has_value()) << "agent updates carry a uuid to acknowledge";
    EXPECT_EQ(u.executor_id, std::optional(v1::ExecutorID{"t1"})) << "command executor id";
  }
  // The terminal update was acknowledged: the master dropped the task, the agent its record.
  EXPECT_FALSE(cluster.leader()->task(*s.id, v1::TaskID{"t1"}).has_value());
  EXPECT_EQ(cluster.agent(0).tasks().size(), 0u);
  const auto agents = cluster.leader()->agents();
  ASSERT_EQ(agents.size(), 1u);
  EXPECT_TRUE(agents[0].used.empty()) << agents[0].used.to_string();
  EXPECT_EQ(log.count("TASK_STATE task=t1"), 4u);  // STAGING, STARTING, RUNNING, FINISHED
  EXPECT_EQ(cluster.check_invariants(), std::nullopt);
}

}  // namespace
}  // namespace mesosim
