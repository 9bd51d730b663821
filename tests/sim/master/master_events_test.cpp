// The master's event stream as analysis reads it: one event per task update, in order, with
// that update's fields; tasks' names and labels; usage; the allocation-changing and policy
// events; measured allocation runs.

#include "sim/master/master_events.hpp"

#include <algorithm>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/sim/sim_test_util.hpp"

namespace mesosim {
namespace {

using namespace mesosim::testing;
using namespace master_event;
using ::testing::ElementsAre;
using v1::TaskState;

template <typename T>
std::vector<T> all_of(const EventLines& log) {
  std::vector<T> out;
  for (const auto& e : log.events) {
    if (const T* b = std::get_if<T>(&e.body)) out.push_back(*b);
  }
  return out;
}

std::vector<TaskStateChanged> states_of(const EventLines& log, const std::string& task) {
  std::vector<TaskStateChanged> out;
  for (const auto& e : all_of<TaskStateChanged>(log)) {
    if (e.task.value == task) out.push_back(e);
  }
  return out;
}

std::vector<TaskState> state_names(const std::vector<TaskStateChanged>& events) {
  std::vector<TaskState> out;
  for (const auto& e : events) out.push_back(e.state);
  return out;
}

// A scheduler that launches one task on its first offer and declines the rest.
struct OneTask : ScriptedScheduler {
  explicit OneTask(v1::TaskInfo (*make)(const v1::Offer&)) {
    on_offers = [this, make](SchedulerDriver& d, const std::vector<v1::Offer>& offers) {
      for (const auto& o : offers) {
        if (!launched) {
          d.launch(o, {make(o)});
          launched = true;
        } else {
          d.decline({o.id});
        }
      }
    };
  }
  bool launched = false;
};

v1::TaskInfo labelled_task(const v1::Offer& o) {
  v1::TaskInfo t = task("t1", o, "cpus:1;mem:128", Duration::seconds(10));
  t.name = "map-3";
  t.labels = {{std::string(kJobIdLabel), "job-42"}, {"stage", "map"}};
  t.work->usage = Res("cpus:0.5;mem:64");
  return t;
}

TEST(MasterEventsTest, EachTaskUpdateIsPublishedOnceWithItsOwnFields) {
  SimCluster cluster(SimClusterOptions{});
  cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
  OneTask s(&labelled_task);
  cluster.add_framework(framework("fw"), &s);
  EventLines log;
  cluster.add_observer(&log);
  cluster.start();
  cluster.run_until(secs(30));

  const auto events = states_of(log, "t1");
  ASSERT_THAT(state_names(events), ElementsAre(TaskState::TASK_STAGING, TaskState::TASK_STARTING,
                                               TaskState::TASK_RUNNING, TaskState::TASK_FINISHED));
  const auto updates = s.updates_of("t1");
  ASSERT_EQ(updates.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(events[i + 1].timestamp, updates[i].timestamp) << i;
    EXPECT_EQ(events[i + 1].source, updates[i].source) << i;
    EXPECT_EQ(events[i + 1].reason, updates[i].reason) << i;
  }
  for (const auto& e : events) {
    EXPECT_EQ(e.name, "map-3");
    ASSERT_EQ(e.labels.size(), 2u);
    EXPECT_EQ(e.labels[0], std::make_pair(std::string(kJobIdLabel), std::string("job-42")));
  }
}

// The agent sends the oldest unacknowledged update with its newest state: the stream must not
// pair the newest state with the old update's timestamp, and must publish each state once.
TEST(MasterEventsTest, UnacknowledgedUpdatesDoNotRunTheStreamAhead) {
  SimCluster cluster(SimClusterOptions{});
  cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
  OneTask s(&labelled_task);
  SchedulerDriverOptions manual;
  manual.implicit_acknowledgements = false;
  cluster.add_framework(framework("fw"), &s, manual);
  EventLines log;
  cluster.add_observer(&log);
  cluster.start();
  cluster.run_until(secs(60));  // the task finished long ago; only STARTING was sent

  ASSERT_THAT(state_names(states_of(log, "t1")),
              ElementsAre(TaskState::TASK_STAGING, TaskState::TASK_STARTING));
  ASSERT_GE(s.updates.size(), 1u);
  EXPECT_EQ(states_of(log, "t1")[1].timestamp, s.updates[0].timestamp);
  // Yet its resources went back as soon as the master learnt its latest state.
  EXPECT_EQ(log.count("reason=TASK_RELEASED"), 1u);

  // Acknowledge whatever arrives: each later state reaches the stream once, in order, even
  // though STARTING was resent meanwhile.
  s.on_update = [](SchedulerDriver& d, const v1::TaskStatus& st) { d.acknowledge(st); };
  cluster.framework(0).acknowledge(s.updates.back());
  cluster.run_until(secs(200));
  const auto events = states_of(log, "t1");
  ASSERT_THAT(state_names(events), ElementsAre(TaskState::TASK_STAGING, TaskState::TASK_STARTING,
                                               TaskState::TASK_RUNNING, TaskState::TASK_FINISHED));
  const auto finished = s.updates_of("t1").back();
  ASSERT_EQ(finished.state, TaskState::TASK_FINISHED);
  EXPECT_EQ(events[3].timestamp, finished.timestamp);
  EXPECT_LT(events[2].timestamp, events[3].timestamp);
}

TEST(MasterEventsTest, LabelsSurviveAMasterFailoverThroughReregistration) {
  SimClusterOptions options;
  options.masters = 2;
  SimCluster cluster(options);
  cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
  OneTask s(+[](const v1::Offer& o) {
    v1::TaskInfo t = forever_task("t1", o, "cpus:1;mem:128");
    t.labels = {{std::string(kJobIdLabel), "job-9"}};
    return t;
  });
  cluster.add_framework(framework("fw", {"r"}, 600), &s);
  EventLines log;
  cluster.add_observer(&log);
  cluster.start();
  cluster.run_until(secs(10));
  cluster.inject(fault::MasterFailover{});
  cluster.run_until(secs(60));

  const auto events = states_of(log, "t1");
  ASSERT_FALSE(events.empty());
  const TaskStateChanged& reported = events.back();
  EXPECT_EQ(reported.state, TaskState::TASK_RUNNING);
  EXPECT_EQ(reported.message, "reported by re-registering agent");
  ASSERT_EQ(reported.labels.size(), 1u);
  EXPECT_EQ(reported.labels[0].second, "job-9");
  EXPECT_EQ(log.count("MASTER_CRASHED"), 1u);
  EXPECT_EQ(log.count("RESOURCES_ADOPTED framework=" + s.id->value), 1u);
}

TEST(MasterEventsTest, UsageArrivesWithStateChangesAndAtTheSamplingInterval) {
  for (const bool sampled : {false, true}) {
    SimCluster cluster(SimClusterOptions{});
    SimAgentOptions a = agent("a1", "cpus:4;mem:4096");
    if (sampled) a.usage_sample_interval = Duration::seconds(2);
    cluster.add_agent(a);
    OneTask s(&labelled_task);
    cluster.add_framework(framework("fw"), &s);
    EventLines log;
    cluster.add_observer(&log);
    cluster.start();
    cluster.run_until(secs(30));

    const auto usage = all_of<TaskUsage>(log);
    // One per agent update (STARTING: nothing yet, RUNNING: its usage, FINISHED: nothing), and
    // with sampling one every 2 s of the 10 s it runs.
    const auto updates = s.updates_of("t1");
    ASSERT_EQ(updates.size(), 3u);
    size_t samples = 0;
    for (const auto& u : usage) {
      EXPECT_EQ(u.task.value, "t1");
      const bool at_update = std::any_of(updates.begin(), updates.end(), [&](const auto& st) {
        return st.timestamp == u.timestamp;
      });
      if (!at_update) {
        ++samples;
        EXPECT_EQ(u.usage, Res("cpus:0.5;mem:64"));
      }
    }
    EXPECT_EQ(usage.size() - samples, 3u) << "sampled=" << sampled;
    if (sampled) {
      EXPECT_GE(samples, 4u);
      EXPECT_LE(samples, 5u);
    } else {
      EXPECT_EQ(samples, 0u);
    }
    ASSERT_GE(usage.size(), 3u);
    EXPECT_TRUE(usage.front().usage.empty()) << "STARTING uses nothing yet";
    EXPECT_EQ(usage[1].usage, Res("cpus:0.5;mem:64")) << "RUNNING";
    EXPECT_TRUE(usage.back().usage.empty()) << "FINISHED uses nothing";
  }
}

class FakeStopwatch : public Stopwatch {
 public:
  Duration elapsed() override { return now_ += Duration::micros(250); }

 private:
  Duration now_ = Duration::zero();
};

TEST(MasterEventsTest, AllocationRunsAreMeasuredOnlyWithAStopwatch) {
  for (const bool measured : {false, true}) {
    FakeStopwatch stopwatch;
    SimClusterOptions options;
    if (measured) options.master.stopwatch = &stopwatch;
    SimCluster cluster(options);
    cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
    QueueScheduler s;
    cluster.add_framework(framework("fw"), &s);
    EventLines log;
    cluster.add_observer(&log);
    cluster.start();
    cluster.run_until(secs(5));
    const auto runs = all_of<AllocationRun>(log);
    ASSERT_GE(runs.size(), 3u);
    for (const auto& r : runs) {
      if (measured) {
        EXPECT_EQ(r.duration, Duration::micros(250));
      } else {
        EXPECT_FALSE(r.duration.has_value());
      }
    }
  }
}

// Times of the events of one type.
template <typename T>
std::vector<Time> times_of(const EventLines& log) {
  std::vector<Time> out;
  for (const auto& e : log.events) {
    if (std::holds_alternative<T>(e.body)) out.push_back(e.time);
  }
  return out;
}

class SlowStopwatch : public Stopwatch {
 public:
  explicit SlowStopwatch(Duration step) : step_(step) {}
  Duration elapsed() override { return now_ += step_; }

 private:
  Duration step_;
  Duration now_ = Duration::zero();
};

// allocator.charge_cycle_time: a run that took 400 ms makes its offers 400 ms later, and a run
// asked for while the allocator is busy starts when it is done, as with Mesos's allocator actor.
TEST(MasterEventsTest, ChargedAllocationTimeDelaysOffersAndSerializesRuns) {
  std::vector<Time> uncharged_offers;
  for (const bool charged : {false, true}) {
    SlowStopwatch stopwatch(Duration::millis(400));
    SimClusterOptions options;
    options.master.stopwatch = &stopwatch;
    options.master.charge_allocation_time = charged;
    options.master.allocation_interval = Duration::millis(250);
    SimCluster cluster(options);
    cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
    cluster.add_agent(agent("a2", "cpus:4;mem:4096"));
    QueueScheduler s;
    s.hold_unused = true;
    cluster.add_framework(framework("fw"), &s);
    EventLines log;
    cluster.add_observer(&log);
    cluster.start();
    cluster.run_until(secs(3));
    const auto offers = times_of<OfferMade>(log);
    const auto runs = times_of<AllocationRun>(log);
    ASSERT_FALSE(offers.empty());
    ASSERT_GE(runs.size(), 2u);
    if (!charged) {
      uncharged_offers = offers;
      continue;
    }
    ASSERT_FALSE(uncharged_offers.empty());
    // The first run's offers come 400 ms late, or later if a run was already under way.
    EXPECT_GE(offers.front(), uncharged_offers.front() + Duration::millis(400));
    // Offers are made when their run ends, and no run ends without its offers made.
    for (const Time t : offers) {
      EXPECT_NE(std::find(runs.begin(), runs.end(), t), runs.end()) << t.seconds_f();
    }
    // Every run ends (and publishes) at least 400 ms after the one before: runs never overlap,
    // although the interval is 250 ms.
    for (size_t i = 1; i < runs.size(); ++i) {
      EXPECT_GE(runs[i] - runs[i - 1], Duration::millis(400)) << i;
    }
  }
}

TEST(MasterEventsTest, WeightAndQuotaChangesArePublishedAndReappliedByTheNextLeader) {
  SimClusterOptions options;
  options.masters = 2;
  SimCluster cluster(options);
  cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
  EventLines log;
  cluster.add_observer(&log);
  cluster.start();
  cluster.run_until(secs(1));
  ASSERT_TRUE(cluster.leader()->update_weight("r", 3).ok());
  Quota q;
  q.guarantees = Quantities::parse("cpus:1").value();
  ASSERT_TRUE(cluster.leader()->update_quota("r", q).ok());
  EXPECT_FALSE(cluster.leader()->update_weight("r", -1).ok());
  EXPECT_EQ(log.count("WEIGHT_CHANGED role=r weight=3"), 1u);
  EXPECT_EQ(log.count("QUOTA_CHANGED role=r guarantees=cpus:1 limits=none"), 1u);
  EXPECT_EQ(log.count("WEIGHT_CHANGED"), 1u) << "a refused weight is not published";

  cluster.inject(fault::MasterFailover{});
  cluster.run_until(secs(30));
  EXPECT_EQ(log.count("WEIGHT_CHANGED role=r weight=3"), 2u);
  EXPECT_EQ(log.count("QUOTA_CHANGED role=r"), 2u);
  // The new leader's LEADER_ELECTED comes before the weights it applies.
  size_t elected = 0, weight = 0;
  for (size_t i = 0; i < log.lines.size(); ++i) {
    if (log.lines[i].find("LEADER_ELECTED") != std::string::npos) elected = i;
    if (log.lines[i].find("WEIGHT_CHANGED") != std::string::npos) weight = i;
  }
  EXPECT_LT(elected, weight);
}

TEST(MasterEventsTest, SuppressReviveAndFiltersArePublished) {
  SimCluster cluster(SimClusterOptions{});
  cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
  ScriptedScheduler s;
  s.on_offers = [](SchedulerDriver& d, const std::vector<v1::Offer>& offers) {
    for (const auto& o : offers) d.decline({o.id}, v1::Filters{30.0});
  };
  cluster.add_framework(framework("fw"), &s);
  EventLines log;
  cluster.add_observer(&log);
  cluster.start();
  cluster.run_until(secs(2));
  ASSERT_TRUE(s.id.has_value());
  const auto filters = all_of<FilterSet>(log);
  ASSERT_EQ(filters.size(), 1u);
  EXPECT_EQ(filters[0].duration, Duration::seconds(30));
  EXPECT_EQ(filters[0].resources, Res("cpus:4;mem:4096"));
  EXPECT_EQ(filters[0].role, "r");
  EXPECT_EQ(log.count("reason=DECLINED"), 1u);

  cluster.framework(0).suppress();
  cluster.framework(0).revive({"r"});
  cluster.run_until(secs(3));
  EXPECT_EQ(log.count("OFFERS_SUPPRESSED framework=" + s.id->value + " roles=r"), 1u);
  EXPECT_EQ(log.count("OFFERS_REVIVED framework=" + s.id->value + " roles=r"), 1u);
}

// A call made outside a callback while the scheduler is still deciding leaves after that
// decision's calls: a REVIVE for work that arrived meanwhile must not overtake the SUPPRESS the
// decision made, or the master keeps the framework suppressed while it waits for offers.
TEST(MasterEventsTest, ACallMadeWhileTheSchedulerIsBusyLeavesAfterTheDecisionsCalls) {
  SimCluster cluster(SimClusterOptions{});
  cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
  ScriptedScheduler s;
  bool suppressed_once = false;
  s.on_offers = [&](SchedulerDriver& d, const std::vector<v1::Offer>& offers) {
    d.charge(Duration::seconds(1));
    for (const auto& o : offers) d.decline({o.id}, v1::Filters{0.0});
    if (!suppressed_once) d.suppress();
    suppressed_once = true;
  };
  cluster.add_framework(framework("fw"), &s);
  EventLines log;
  cluster.add_observer(&log);
  cluster.start();
  cluster.run_until(secs(1.5));
  ASSERT_EQ(s.offers_seen.size(), 1u) << "the first offer arrives at the first allocation";
  // Work arrives while the decision (1 s) is not done: the model revives from outside a callback.
  cluster.framework(0).revive({"r"});
  cluster.run_until(secs(6));
  std::vector<std::string> order;
  for (const auto& line : log.lines) {
    if (line.find("OFFERS_SUPPRESSED") != std::string::npos) order.push_back("suppressed");
    if (line.find("OFFERS_REVIVED") != std::string::npos) order.push_back("revived");
  }
  EXPECT_THAT(order, ElementsAre("suppressed", "revived"));
  EXPECT_GT(s.offers_seen.size(), 1u) << "revived after the suppress: offers come again";
}

TEST(MasterEventsTest, RolesSuppressedAtSubscriptionAreOnFrameworkAdded) {
  SimCluster cluster(SimClusterOptions{});
  cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
  ScriptedScheduler s;
  SchedulerDriverOptions options;
  options.suppressed_roles = {"b"};
  cluster.add_framework(framework("fw", {"a", "b"}), &s, options);
  EventLines log;
  cluster.add_observer(&log);
  cluster.start();
  cluster.run_until(secs(2));
  const auto added = all_of<FrameworkAdded>(log);
  ASSERT_EQ(added.size(), 1u);
  EXPECT_EQ(added[0].suppressed_roles, std::vector<std::string>{"b"});
  for (const auto& o : all_of<OfferMade>(log)) EXPECT_EQ(o.role, "a");
}

TEST(MasterEventsTest, InvalidAcceptVoidsItsValidOffersAndReservationsArePublished) {
  SimCluster cluster(SimClusterOptions{});
  cluster.add_agent(agent("a1", "cpus:4;mem:4096"));
  ScriptedScheduler s;
  int round = 0;
  s.on_offers = [&](SchedulerDriver& d, const std::vector<v1::Offer>& offers) {
    const v1::Offer& o = offers.front();
    if (round++ == 0) {
      d.accept({o.id, v1::OfferID{"no-such-offer"}}, {});
    } else if (round == 2) {
      v1::Operation reserve;
      reserve.type = v1::Operation::Type::RESERVE;
      reserve.resources = Res("cpus(r){DYN:ops}:1");
      d.accept({o.id}, {reserve}, v1::Filters{0.0});
    }
  };
  cluster.add_framework(framework("fw"), &s);
  EventLines log;
  AllocationBooks books;
  cluster.add_observer(&log);
  cluster.add_observer(&books);
  cluster.start();
  cluster.run_until(secs(5));

  const auto voided = all_of<OfferVoided>(log);
  ASSERT_EQ(voided.size(), 1u);
  EXPECT_EQ(voided[0].offer, s.offers_seen.front().id);
  EXPECT_EQ(log.count("reason=OFFER_VOIDED"), 1u);
  EXPECT_EQ(
      log.count("CALL_REJECTED framework=" + s.id->value + " call=ACCEPT reason=INVALID_OFFERS"),
      1u);

  const auto reserved = all_of<ReservationApplied>(log);
  ASSERT_EQ(reserved.size(), 1u);
  EXPECT_EQ(reserved[0].from, Res("cpus:1"));
  EXPECT_EQ(reserved[0].to, Res("cpus(r){DYN:ops}:1"));
  const auto totals = all_of<AgentTotalChanged>(log);
  ASSERT_EQ(totals.size(), 1u);
  EXPECT_EQ(totals[0].total, Res("cpus:3;cpus(r){DYN:ops}:1;mem:4096"));
  EXPECT_TRUE(books.errors.empty()) << books.errors.front();
  EXPECT_EQ(books.held, cluster.leader()->allocations());
}

}  // namespace
}  // namespace mesosim
