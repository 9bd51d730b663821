// The master's ACCEPT and DECLINE: offer validation, per-task validation, and the filters that
// keep refused resources away from the refusing framework (MESOS-REFERENCE.md, "Master" and
// "Filters").

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "sim/master/master.hpp"
#include "tests/sim/sim_test_util.hpp"

namespace mesosim {
namespace {

using namespace mesosim::testing;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using v1::TaskState;
using v1::TaskStatusReason;

class MasterAcceptTest : public ::testing::Test {
 protected:
  MasterAcceptTest() : cluster(SimClusterOptions{}) { cluster.add_observer(&log); }

  // Starts the cluster and runs until every framework holds its first offers (a scheduler
  // without on_offers keeps what it is offered).
  void start() {
    cluster.start();
    cluster.run_until(secs(0.5));
  }
  Master& leader() { return *cluster.leader(); }
  // One agent (cpus:4;mem:4096) and one partition-aware framework, scheduled by `s`, started:
  // the one offer it holds (nullopt, with a failure, if it holds another number).
  std::optional<v1::Offer> one_offer(ScriptedScheduler& s) {
    cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
    cluster.add_framework(partition_aware(framework("fw")), &s);
    start();
    EXPECT_EQ(s.offers_seen.size(), 1u);
    if (s.offers_seen.size() != 1) return std::nullopt;
    return s.offers_seen[0];
  }

  static v1::Operation launch_op(std::vector<v1::TaskInfo> tasks) {
    v1::Operation op;
    op.type = v1::Operation::Type::LAUNCH;
    op.task_infos = std::move(tasks);
    return op;
  }
  // The master's view of a task, which must exist.
  Master::TaskView master_task(const ScriptedScheduler& s, const std::string& id) {
    auto view = leader().task(*s.id, v1::TaskID{id});
    EXPECT_TRUE(view.has_value()) << "the master does not know task " << id;
    return view.value_or(Master::TaskView{});
  }
  size_t agent_holds(size_t agent, const std::string& id) {
    size_t n = 0;
    for (const auto& t : cluster.agent(agent).tasks()) n += t.task_id.value == id;
    return n;
  }

  SimCluster cluster;
  EventLines log;
};

// ---- offers that cannot be used ----

TEST_F(MasterAcceptTest, UnknownOfferDropsEveryTaskOfAPartitionAwareFramework) {
  ScriptedScheduler s;
  const std::optional<v1::Offer> offer = one_offer(s);
  ASSERT_TRUE(offer.has_value());
  v1::Offer bogus = *offer;
  bogus.id = v1::OfferID{"no-such-offer"};
  cluster.framework(0).launch(bogus, {task("t1", bogus, "cpus:1;mem:128", Duration::seconds(5)),
                                      task("t2", bogus, "cpus:1;mem:128", Duration::seconds(5))});
  cluster.run_until(secs(1));

  for (const char* id : {"t1", "t2"}) {
    const auto updates = s.updates_of(id);
    ASSERT_EQ(updates.size(), 1u) << id;
    EXPECT_EQ(updates[0].state, TaskState::TASK_DROPPED) << id;
    EXPECT_EQ(updates[0].reason, TaskStatusReason::REASON_INVALID_OFFERS) << id;
    EXPECT_EQ(updates[0].source, v1::TaskStatusSource::SOURCE_MASTER) << id;
    EXPECT_FALSE(updates[0].uuid.has_value()) << "master-generated updates need no ack";
    EXPECT_FALSE(leader().task(*s.id, v1::TaskID{id}).has_value()) << id;
  }
  EXPECT_TRUE(cluster.agent(0).tasks().empty());
  EXPECT_EQ(log.count("CALL_REJECTED"), 1u);
  EXPECT_EQ(log.count_both("CALL_REJECTED", "no-such-offer"), 1u) << "the rejection names the offer";
  // The real offer is untouched and still usable.
  EXPECT_EQ(leader().outstanding_offers(), 1u);
  EXPECT_EQ(cluster.check_invariants(), std::nullopt);
}

TEST_F(MasterAcceptTest, UnknownOfferLosesEveryTaskOfAFrameworkThatIsNotPartitionAware) {
  cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
  ScriptedScheduler s;
  cluster.add_framework(framework("fw"), &s);
  start();
  ASSERT_EQ(s.offers_seen.size(), 1u);
  v1::Offer bogus = s.offers_seen[0];
  bogus.id = v1::OfferID{"no-such-offer"};
  cluster.framework(0).launch(bogus, {task("t1", bogus, "cpus:1;mem:128", Duration::seconds(5)),
                                      task("t2", bogus, "cpus:1;mem:128", Duration::seconds(5))});
  cluster.run_until(secs(1));

  for (const char* id : {"t1", "t2"}) {
    const auto updates = s.updates_of(id);
    ASSERT_EQ(updates.size(), 1u) << id;
    EXPECT_EQ(updates[0].state, TaskState::TASK_LOST) << id;
    EXPECT_EQ(updates[0].reason, TaskStatusReason::REASON_INVALID_OFFERS) << id;
  }
  EXPECT_TRUE(cluster.agent(0).tasks().empty());
}

// The master finds an offer by the number in its id ("<master id>-O<n>"): every other spelling
// of that number, another master's prefix, and a number that agrees with it in its low 32 bits
// (the index's hash) name no offer.
TEST_F(MasterAcceptTest, OfferIdsSpelledOtherwiseNameNoOffer) {
  ScriptedScheduler s;
  const std::optional<v1::Offer> held = one_offer(s);
  ASSERT_TRUE(held.has_value());
  const v1::Offer offer = *held;
  const size_t o = offer.id.value.rfind("-O");
  ASSERT_NE(o, std::string::npos) << offer.id.value;
  const std::string prefix = offer.id.value.substr(0, o + 2);
  const uint64_t number = std::stoull(offer.id.value.substr(o + 2));
  const std::vector<std::string> bogus_ids = {
      prefix + "0" + std::to_string(number),                        // a leading zero
      prefix + "+" + std::to_string(number),                        // a sign
      prefix + std::to_string(number) + "x",                        // trailing text
      prefix,                                                       // no number
      prefix + std::to_string(number + (uint64_t{1} << 32)),        // same low 32 bits
      prefix + "99999999999999999999",                              // beyond 64 bits
      "X" + offer.id.value,                                         // another master's
      offer.id.value.substr(0, o) + "-P" + std::to_string(number),  // not an offer id
  };
  for (size_t i = 0; i < bogus_ids.size(); ++i) {
    v1::Offer bogus = offer;
    bogus.id = v1::OfferID{bogus_ids[i]};
    cluster.framework(0).launch(
        bogus, {forever_task("bogus" + std::to_string(i), bogus, "cpus:1;mem:128")});
  }
  cluster.run_until(secs(0.7));
  for (size_t i = 0; i < bogus_ids.size(); ++i) {
    const auto updates = s.updates_of("bogus" + std::to_string(i));
    ASSERT_EQ(updates.size(), 1u) << bogus_ids[i];
    EXPECT_EQ(updates[0].state, TaskState::TASK_DROPPED) << bogus_ids[i];
    EXPECT_EQ(updates[0].reason, TaskStatusReason::REASON_INVALID_OFFERS) << bogus_ids[i];
  }
  EXPECT_EQ(leader().outstanding_offers(), 1u) << "the real offer is untouched";
  cluster.framework(0).launch(offer, {forever_task("real", offer, "cpus:1;mem:128")});
  cluster.run_until(secs(1.5));
  EXPECT_THAT(s.states_of("real"), ElementsAre(TaskState::TASK_STARTING, TaskState::TASK_RUNNING));
  EXPECT_EQ(cluster.check_invariants(), std::nullopt);
}

TEST_F(MasterAcceptTest, OfferUsedTwiceDropsTheTasksOfTheSecondAccept) {
  ScriptedScheduler s;
  const std::optional<v1::Offer> held = one_offer(s);
  ASSERT_TRUE(held.has_value());
  const v1::Offer offer = *held;
  cluster.framework(0).launch(offer, {forever_task("first", offer, "cpus:1;mem:128")});
  cluster.run_until(secs(0.6));
  cluster.framework(0).launch(offer, {forever_task("second", offer, "cpus:1;mem:128")});
  cluster.run_until(secs(3));

  EXPECT_THAT(s.states_of("first"), ElementsAre(TaskState::TASK_STARTING, TaskState::TASK_RUNNING));
  const auto second = s.updates_of("second");
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].state, TaskState::TASK_DROPPED);
  EXPECT_EQ(second[0].reason, TaskStatusReason::REASON_INVALID_OFFERS);
  EXPECT_EQ(agent_holds(0, "second"), 0u);
  EXPECT_EQ(leader().agents()[0].used, Res("cpus:1;mem:128"));
  EXPECT_EQ(cluster.check_invariants(), std::nullopt);
}

TEST_F(MasterAcceptTest, OfferOfAnotherFrameworkIsRejectedAndStaysWithItsOwner) {
  cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
  ScriptedScheduler s1, s2;
  cluster.add_framework(partition_aware(framework("f1")), &s1);
  cluster.add_framework(partition_aware(framework("f2")), &s2);
  start();
  // The first to subscribe holds the only agent; the other tries to use that offer.
  ASSERT_EQ(s1.offers_seen.size() + s2.offers_seen.size(), 1u);
  const bool first_owns = s1.offers_seen.size() == 1;
  ScriptedScheduler& owner = first_owns ? s1 : s2;
  ScriptedScheduler& thief = first_owns ? s2 : s1;
  SchedulerDriver& owner_driver = cluster.framework(first_owns ? 0 : 1);
  SchedulerDriver& thief_driver = cluster.framework(first_owns ? 1 : 0);
  const v1::Offer stolen = owner.offers_seen[0];
  thief_driver.launch(stolen, {forever_task("t", stolen, "cpus:1;mem:128")});
  cluster.run_until(secs(0.6));

  const auto updates = thief.updates_of("t");
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0].state, TaskState::TASK_DROPPED);
  EXPECT_EQ(updates[0].reason, TaskStatusReason::REASON_INVALID_OFFERS);
  EXPECT_EQ(log.count_both("CALL_REJECTED", "belongs to another framework"), 1u);
  EXPECT_TRUE(owner.rescinded.empty()) << "the owner's offer must not be taken from it";
  EXPECT_EQ(leader().outstanding_offers(), 1u);
  EXPECT_TRUE(cluster.agent(0).tasks().empty());

  // The owner can still use it.
  owner_driver.launch(stolen, {forever_task("mine", stolen, "cpus:1;mem:128")});
  cluster.run_until(secs(2));
  EXPECT_THAT(owner.states_of("mine"),
              ElementsAre(TaskState::TASK_STARTING, TaskState::TASK_RUNNING));
  EXPECT_EQ(cluster.check_invariants(), std::nullopt);
}

TEST_F(MasterAcceptTest, OffersOnTwoAgentsInOneAcceptAreRejectedAndReturned) {
  cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
  cluster.add_agent(agent("a2", "cpus:4;mem:4096"));
  ScriptedScheduler s;
  cluster.add_framework(partition_aware(framework("fw")), &s);
  start();
  ASSERT_EQ(s.offers_seen.size(), 2u);
  const v1::Offer o1 = s.offers_seen[0];
  const v1::Offer o2 = s.offers_seen[1];
  ASSERT_NE(o1.agent_id, o2.agent_id);
  cluster.framework(0).accept({o1.id, o2.id},
                              {launch_op({forever_task("t", o1, "cpus:1;mem:128")})});
  cluster.run_until(secs(0.6));

  const auto updates = s.updates_of("t");
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0].state, TaskState::TASK_DROPPED);
  EXPECT_EQ(updates[0].reason, TaskStatusReason::REASON_INVALID_OFFERS);
  EXPECT_EQ(log.count_both("CALL_REJECTED", "different agents"), 1u);
  // Both offers are used up and their resources are free again.
  EXPECT_EQ(leader().outstanding_offers(), 0u);
  for (const auto& a : leader().agents()) EXPECT_TRUE(a.offered.empty()) << a.offered.to_string();
  EXPECT_EQ(cluster.check_invariants(), std::nullopt);
  cluster.run_until(secs(10));
  EXPECT_EQ(s.offers_on(o1.agent_id).size(), 2u) << "the agent is offered again";
  EXPECT_EQ(s.offers_on(o2.agent_id).size(), 2u) << "the agent is offered again";
}

TEST_F(MasterAcceptTest, AcceptNamingNoOfferDropsItsTasks) {
  ScriptedScheduler s;
  const std::optional<v1::Offer> held = one_offer(s);
  ASSERT_TRUE(held.has_value());
  const v1::Offer offer = *held;
  // Mesos: "No offers specified" is handled like invalid offers (master.cpp, accept()).
  cluster.framework(0).accept({}, {launch_op({forever_task("t", offer, "cpus:1;mem:128")})});
  cluster.run_until(secs(1));

  const auto updates = s.updates_of("t");
  ASSERT_EQ(updates.size(), 1u) << "the framework must hear what became of its task";
  EXPECT_EQ(updates[0].state, TaskState::TASK_DROPPED);
  EXPECT_EQ(updates[0].reason, TaskStatusReason::REASON_INVALID_OFFERS);
  EXPECT_EQ(log.count("CALL_REJECTED"), 1u);
  EXPECT_TRUE(cluster.agent(0).tasks().empty());
  EXPECT_EQ(leader().outstanding_offers(), 1u);
}

// ---- tasks that cannot be launched ----

TEST_F(MasterAcceptTest, TaskNeedingMoreThanTheOfferGetsTaskErrorNamingIt) {
  cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
  ScriptedScheduler s;
  cluster.add_framework(framework("fw"), &s);
  start();
  ASSERT_EQ(s.offers_seen.size(), 1u);
  const v1::Offer offer = s.offers_seen[0];
  cluster.framework(0).launch(offer, {forever_task("small", offer, "cpus:3;mem:128"),
                                      forever_task("big", offer, "cpus:2;mem:128")});
  cluster.run_until(secs(2));

  const auto big = s.updates_of("big");
  ASSERT_EQ(big.size(), 1u);
  EXPECT_EQ(big[0].state, TaskState::TASK_ERROR);
  EXPECT_EQ(big[0].reason, TaskStatusReason::REASON_TASK_INVALID);
  EXPECT_THAT(big[0].message, HasSubstr("big"));
  EXPECT_FALSE(leader().task(*s.id, v1::TaskID{"big"}).has_value());
  EXPECT_EQ(agent_holds(0, "big"), 0u);
  // The task that fits is launched; what neither used is back in the pool.
  EXPECT_THAT(s.states_of("small"), ElementsAre(TaskState::TASK_STARTING, TaskState::TASK_RUNNING));
  EXPECT_EQ(leader().agents()[0].used, Res("cpus:3;mem:128"));
  EXPECT_EQ(cluster.check_invariants(), std::nullopt);
}

TEST_F(MasterAcceptTest, DuplicateTaskIdWithinOneAcceptGetsTaskError) {
  cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
  ScriptedScheduler s;
  cluster.add_framework(framework("fw"), &s);
  start();
  ASSERT_EQ(s.offers_seen.size(), 1u);
  const v1::Offer offer = s.offers_seen[0];
  cluster.framework(0).launch(offer, {forever_task("t1", offer, "cpus:1;mem:128"),
                                      forever_task("t1", offer, "cpus:2;mem:256")});
  cluster.run_until(secs(2));

  size_t errors = 0;
  for (const auto& u : s.updates_of("t1")) {
    if (u.state != TaskState::TASK_ERROR) continue;
    ++errors;
    EXPECT_EQ(u.reason, TaskStatusReason::REASON_TASK_INVALID);
    EXPECT_THAT(u.message, HasSubstr("t1"));
    EXPECT_THAT(u.message, HasSubstr("duplicate"));
  }
  EXPECT_EQ(errors, 1u);
  EXPECT_EQ(agent_holds(0, "t1"), 1u);
  EXPECT_EQ(master_task(s, "t1").task.resources, Res("cpus:1;mem:128")) << "the first one runs";
  EXPECT_EQ(master_task(s, "t1").task.state, TaskState::TASK_RUNNING);
  EXPECT_EQ(leader().agents()[0].used, Res("cpus:1;mem:128"));
  EXPECT_EQ(cluster.check_invariants(), std::nullopt);
}

TEST_F(MasterAcceptTest, DuplicateTaskIdOfARunningTaskGetsTaskErrorAndLeavesItRunning) {
  cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
  ScriptedScheduler s;
  cluster.add_framework(framework("fw"), &s);
  start();
  ASSERT_EQ(s.offers_seen.size(), 1u);
  const v1::Offer first = s.offers_seen[0];
  cluster.framework(0).launch(first, {forever_task("t1", first, "cpus:1;mem:128")},
                              v1::Filters{0.0});
  cluster.run_until(secs(3));
  ASSERT_EQ(s.offers_seen.size(), 2u) << "the remainder comes back at the next allocation";
  const v1::Offer second = s.offers_seen[1];
  cluster.framework(0).launch(second, {forever_task("t1", second, "cpus:1;mem:128")});
  cluster.run_until(secs(5));

  const auto updates = s.updates_of("t1");
  ASSERT_EQ(updates.size(), 3u);
  EXPECT_EQ(updates[2].state, TaskState::TASK_ERROR);
  EXPECT_EQ(updates[2].reason, TaskStatusReason::REASON_TASK_INVALID);
  EXPECT_THAT(updates[2].message, HasSubstr("t1"));
  EXPECT_EQ(master_task(s, "t1").task.state, TaskState::TASK_RUNNING);
  EXPECT_EQ(agent_holds(0, "t1"), 1u);
  EXPECT_EQ(leader().agents()[0].used, Res("cpus:1;mem:128"));
  EXPECT_EQ(cluster.check_invariants(), std::nullopt);
}

TEST_F(MasterAcceptTest, TaskWithBothCommandAndExecutorGetsTaskError) {
  cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
  ScriptedScheduler s;
  cluster.add_framework(framework("fw"), &s);
  start();
  ASSERT_EQ(s.offers_seen.size(), 1u);
  const v1::Offer offer = s.offers_seen[0];
  v1::TaskInfo both = forever_task("both", offer, "cpus:1;mem:128");
  both.executor = v1::ExecutorInfo{v1::ExecutorID{"ex"}, "ex", {}, {}};
  cluster.framework(0).launch(offer, {both});
  cluster.run_until(secs(2));

  const auto updates = s.updates_of("both");
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0].state, TaskState::TASK_ERROR);
  EXPECT_EQ(updates[0].reason, TaskStatusReason::REASON_TASK_INVALID);
  EXPECT_THAT(updates[0].message, HasSubstr("both"));
  EXPECT_TRUE(cluster.agent(0).tasks().empty());
  EXPECT_EQ(cluster.check_invariants(), std::nullopt);
}

TEST_F(MasterAcceptTest, TaskWithNeitherCommandNorExecutorGetsTaskError) {
  cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
  ScriptedScheduler s;
  cluster.add_framework(framework("fw"), &s);
  start();
  ASSERT_EQ(s.offers_seen.size(), 1u);
  const v1::Offer offer = s.offers_seen[0];
  v1::TaskInfo neither = forever_task("neither", offer, "cpus:1;mem:128");
  neither.command.reset();
  cluster.framework(0).launch(offer, {neither});
  cluster.run_until(secs(2));

  const auto updates = s.updates_of("neither");
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0].state, TaskState::TASK_ERROR);
  EXPECT_EQ(updates[0].reason, TaskStatusReason::REASON_TASK_INVALID);
  EXPECT_THAT(updates[0].message, HasSubstr("neither"));
  EXPECT_TRUE(cluster.agent(0).tasks().empty());
  EXPECT_EQ(cluster.check_invariants(), std::nullopt);
}

// ---- what an ACCEPT leaves unused, and DECLINE ----

// The first framework to see the agent launches one task with refuse_seconds 60; the other
// declines without a filter until the accept, then with one long enough to stay out of the way.
TEST_F(MasterAcceptTest, UnusedResourcesOfAnAcceptAreFilteredForTheAcceptingFrameworkOnly) {
  cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
  ScriptedScheduler s1, s2;
  ScriptedScheduler* accepter = nullptr;
  std::optional<Time> accepted_at;
  auto script = [&](ScriptedScheduler& me) {
    ScriptedScheduler* self = &me;
    return [&, self](SchedulerDriver& d, const std::vector<v1::Offer>& offers) {
      for (const auto& o : offers) {
        if (!accepter) {
          accepter = self;
          accepted_at = d.clock().now();
          d.launch(o, {forever_task("t", o, "cpus:1;mem:128")}, v1::Filters{60.0});
        } else {
          d.decline({o.id}, v1::Filters{accepted_at ? 1e6 : 0.0});
        }
      }
    };
  };
  s1.on_offers = script(s1);
  s2.on_offers = script(s2);
  cluster.add_framework(framework("f1"), &s1);
  cluster.add_framework(framework("f2"), &s2);
  cluster.start();
  cluster.run_until(secs(5));
  ASSERT_NE(accepter, nullptr);
  const ScriptedScheduler& other = accepter == &s1 ? s2 : s1;
  const v1::AgentID a1 = *cluster.agent(0).agent_id();
  cluster.run_until(*accepted_at + Duration::seconds(65));

  std::vector<Time> other_after;
  for (const auto& [at, o] : other.offers_on(a1)) {
    if (at > *accepted_at) other_after.push_back(at);
  }
  ASSERT_FALSE(other_after.empty()) << "the other framework is offered the remainder";
  EXPECT_LT(other_after.front(), *accepted_at + Duration::seconds(2));
  std::vector<std::pair<Time, v1::Offer>> again;
  for (const auto& [at, o] : accepter->offers_on(a1)) {
    if (at > *accepted_at) again.emplace_back(at, o);
  }
  ASSERT_FALSE(again.empty()) << "the filter expires after 60 s";
  EXPECT_GE(again.front().first, *accepted_at + Duration::seconds(60));
  EXPECT_LE(again.front().first, *accepted_at + Duration::millis(61500));
  EXPECT_EQ(again.front().second.resources, Res("cpus:3;mem:3968"));
}

TEST_F(MasterAcceptTest, UnusedResourcesOfAnAcceptWithRefuseZeroAreOfferedAtTheNextAllocation) {
  cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
  ScriptedScheduler s;
  cluster.add_framework(framework("fw"), &s);
  start();
  ASSERT_EQ(s.offers_seen.size(), 1u);
  const v1::Offer offer = s.offers_seen[0];
  const Time accepted_at = cluster.now();
  cluster.framework(0).launch(offer, {forever_task("t", offer, "cpus:1;mem:128")},
                              v1::Filters{0.0});
  cluster.run_until(secs(3));
  ASSERT_GE(s.offers_seen.size(), 2u);
  EXPECT_LE(s.offer_times[1], accepted_at + Duration::millis(1100));
  EXPECT_EQ(s.offers_seen[1].resources, Res("cpus:3;mem:3968"));
}

// One framework declines its first offer of the agent with `refuse`; returns how long after the
// decline it was offered the agent again.
class MasterDeclineTest : public MasterAcceptTest {
 protected:
  Duration reoffer_gap(std::optional<double> refuse) {
    cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
    ScriptedScheduler s;
    std::optional<Time> declined_at;
    s.on_offers = [&](SchedulerDriver& d, const std::vector<v1::Offer>& offers) {
      for (const auto& o : offers) {
        if (!declined_at) {
          declined_at = d.clock().now();
          d.decline({o.id}, v1::Filters{refuse});
        }
      }
    };
    cluster.add_framework(framework("fw"), &s);
    cluster.start();
    cluster.run_until(secs(60));
    EXPECT_TRUE(declined_at.has_value());
    EXPECT_GE(s.offers_seen.size(), 2u);
    if (!declined_at || s.offers_seen.size() < 2) return Duration::zero();
    EXPECT_EQ(log.count("OFFER_DECLINED"), 1u);
    return s.offer_times[1] - *declined_at;
  }
};

TEST_F(MasterDeclineTest, DeclineFilterKeepsTheAgentAwayForRefuseSeconds) {
  const Duration gap = reoffer_gap(30.0);
  EXPECT_GE(gap, Duration::seconds(30));
  EXPECT_LE(gap, Duration::millis(31100));
}

TEST_F(MasterDeclineTest, DeclineWithoutRefuseSecondsFiltersForFiveSeconds) {
  const Duration gap = reoffer_gap(std::nullopt);
  EXPECT_GE(gap, Duration::seconds(5));
  EXPECT_LE(gap, Duration::millis(6100));
}

TEST_F(MasterDeclineTest, DeclineWithZeroRefuseSecondsIsOfferedAgainAtTheNextAllocation) {
  const Duration gap = reoffer_gap(0.0);
  EXPECT_GT(gap, Duration::zero());
  EXPECT_LE(gap, Duration::millis(1100));
}

}  // namespace
}  // namespace mesosim
