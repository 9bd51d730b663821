// UPDATE_FRAMEWORK (Mesos 1.9+): a subscribed framework changes its FrameworkInfo and suppressed
// roles in place. Semantics of Mesos's Master::updateFramework and the cases of its
// src/tests/master/update_framework_tests.cpp that the simulator can express.

#include <gtest/gtest.h>

#include "sim/master/master.hpp"
#include "tests/sim/sim_test_util.hpp"

namespace mesosim {
namespace {

using namespace mesosim::testing;
using v1::TaskState;
namespace sched = v1::scheduler;

// One agent; framework "fw" in role "a" runs task "t" (cpus:1) and holds an offer of the rest.
struct Subscribed {
  SimCluster cluster{SimClusterOptions{}};
  QueueScheduler s;
  EventLines log;

  explicit Subscribed(bool hold_offers = true) {
    cluster.add_observer(&log);
    cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
    s.add({"t", "cpus:1;mem:128", std::nullopt, ""});
    s.hold_unused = hold_offers;
    cluster.add_framework(framework("fw", {"a"}), &s);
    cluster.start();
    cluster.run_until(secs(5));
    EXPECT_EQ(s.states_of("t").back(), TaskState::TASK_RUNNING);
  }
  SchedulerDriver& driver() { return cluster.framework(0); }
  const Master::FrameworkView view() { return cluster.leader()->frameworks().at(0); }
};

TEST(MasterUpdateFrameworkTest, UpdateFrameworkRenamesTheFrameworkKeepingItsIdAndTasks) {
  Subscribed run;
  v1::FrameworkInfo info = run.view().info;
  info.name = "renamed";
  info.failover_timeout = 60;
  info.capabilities.push_back(v1::FrameworkCapability::TASK_KILLING_STATE);
  run.driver().update_framework(info);
  run.cluster.run_until(secs(6));
  const Master::FrameworkView view = run.view();
  EXPECT_EQ(view.info.name, "renamed");
  EXPECT_EQ(view.info.id, run.s.id);
  EXPECT_EQ(view.info.failover_timeout, 60);
  EXPECT_TRUE(view.info.has(v1::FrameworkCapability::TASK_KILLING_STATE));
  EXPECT_TRUE(view.connected);
  EXPECT_EQ(run.log.count("name=renamed"), 1u);
  EXPECT_EQ(run.cluster.leader()->task(*run.s.id, v1::TaskID{"t"})->task.state,
            TaskState::TASK_RUNNING);
}

// Mesos: "Rescind offers allocated to the roles that were removed"; the allocator moves the
// framework to its new roles, and tasks keep running in the role they were launched in.
TEST(MasterUpdateFrameworkTest, LeavingARoleRescindsItsOffersAndLaterOffersComeInTheNewRole) {
  Subscribed run;
  ASSERT_GT(run.cluster.leader()->outstanding_offers(), 0u);
  ASSERT_EQ(run.s.offers_seen.back().role, "a");
  const v1::OfferID held = run.s.offers_seen.back().id;
  v1::FrameworkInfo info = run.view().info;
  info.roles = {"b"};
  run.driver().update_framework(info);
  run.cluster.run_until(secs(10));

  EXPECT_EQ(run.view().info.roles, std::vector<std::string>{"b"});
  ASSERT_FALSE(run.s.rescinded.empty());
  EXPECT_EQ(run.s.rescinded.front(), held);
  EXPECT_EQ(run.log.count("reason=FRAMEWORK_ROLE_REMOVED"), 1u);
  EXPECT_EQ(run.s.offers_seen.back().role, "b");
  // The task launched in "a" runs on and is still allocated there.
  EXPECT_EQ(run.cluster.leader()->task(*run.s.id, v1::TaskID{"t"})->task.state,
            TaskState::TASK_RUNNING);
  const auto allocations = run.cluster.leader()->allocations();
  const std::string fid = run.s.id->value;
  const std::string aid = run.cluster.agent(0).agent_id()->value;
  ASSERT_TRUE(allocations.count({fid, aid, "a"}));
  EXPECT_EQ(allocations.at({fid, aid, "a"}), Res("cpus:1;mem:128"));
  ASSERT_TRUE(allocations.count({fid, aid, "b"}));
  EXPECT_EQ(run.cluster.check_invariants(), std::nullopt);
}

TEST(MasterUpdateFrameworkTest, SuppressedRolesOfTheUpdateStopOffersInThem) {
  Subscribed run(false);  // declines with a 1 s filter: offers return every few seconds
  ASSERT_FALSE(run.s.offers_seen.empty());
  run.driver().update_framework(run.view().info, {"a"});
  run.cluster.run_until(secs(6));
  const size_t offers_before = run.s.offers_seen.size();
  run.cluster.run_until(secs(60));
  EXPECT_EQ(run.s.offers_seen.size(), offers_before);
  // REVIVE undoes it, as for any suppressed role.
  run.driver().revive();
  run.cluster.run_until(secs(70));
  EXPECT_GT(run.s.offers_seen.size(), offers_before);
}

TEST(MasterUpdateFrameworkTest, ChangingTheUserIsRejectedAndChangesNothing) {
  Subscribed run;
  v1::FrameworkInfo info = run.view().info;
  info.user = "someone-else";
  info.name = "renamed";
  run.driver().update_framework(info);
  run.cluster.run_until(secs(6));
  EXPECT_EQ(run.log.count("CALL_REJECTED framework=" + run.s.id->value + " call=UPDATE_FRAMEWORK"),
            1u);
  EXPECT_EQ(run.view().info.name, "fw");
  EXPECT_EQ(run.view().info.user, "test");
}

TEST(MasterUpdateFrameworkTest, ValidationRefusesAnotherIdACheckpointChangeAndABadSuppressedRole) {
  Subscribed run;
  const Endpoint from = run.driver().endpoint();
  const v1::FrameworkInfo current = run.view().info;
  const auto validate = [&](v1::FrameworkInfo info, std::vector<std::string> suppressed = {}) {
    return run.cluster.leader()->validate(
        from, sched::Call{current.id, sched::UpdateFramework{std::move(info), suppressed}});
  };
  EXPECT_EQ(validate(current), std::nullopt);

  v1::FrameworkInfo other = current;
  other.id = v1::FrameworkID{"someone-elses"};
  auto error = validate(other);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, CallError::Code::kBadRequest);
  EXPECT_EQ(error->message, "'framework_id' differs from 'update_framework.framework_info.id'");

  v1::FrameworkInfo checkpoint = current;
  checkpoint.checkpoint = !current.checkpoint;
  error = validate(checkpoint);
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->message.find("'FrameworkInfo.checkpoint' is unsupported"), std::string::npos);

  v1::FrameworkInfo principal = current;
  principal.principal = "p";
  EXPECT_TRUE(validate(principal).has_value());

  error = validate(current, {"not-a-role-of-it"});
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->message.find("suppressed role"), std::string::npos);

  v1::FrameworkInfo no_name = current;
  no_name.name.clear();
  EXPECT_TRUE(validate(no_name).has_value());
}

}  // namespace
}  // namespace mesosim
