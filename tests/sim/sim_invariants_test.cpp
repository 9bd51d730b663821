// Randomized runs of a whole cluster under a random fault schedule (tests/sim/random_run.hpp):
// after every event the books balance, and at the end every task a framework launched either
// ended as Mesos guarantees (one end, the agent's own reliable update for an end only the agent
// knows; late reconciliation answers and a TASK_LOST undone by the agent's return allowed) or
// still runs on a live agent (DESIGN.md, "Invariants"). Also: a run is a function of its seed.
// sim_soak runs the same over thousands of seeds.

#include <gtest/gtest.h>

#include <string>

#include "tests/sim/random_run.hpp"

namespace mesosim {
namespace {

using namespace mesosim::testing;

constexpr uint64_t kSeeds = 20;

TEST(SimInvariantsTest, RandomFaultsNeverUnbalanceTheBooksNorLoseATask) {
  size_t events = 0, tasks = 0, faults = 0, several_ends = 0;
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    RunResult r = random_run(seed);
    events += r.events;
    tasks += r.tasks;
    faults += r.faults;
    several_ends += r.several_ends.size();
    EXPECT_GT(r.tasks, 0u) << "seed " << seed;
    for (const auto& v : r.violations) ADD_FAILURE() << "seed " << seed << ": " << v;
  }
  RecordProperty("events", std::to_string(events));
  RecordProperty("tasks", std::to_string(tasks));
  RecordProperty("faults", std::to_string(faults));
  RecordProperty("tasks_with_several_ends", std::to_string(several_ends));
}

TEST(SimInvariantsTest, RandomFaultsEndEveryTaskInExactlyOneTerminalState) {
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    RunResult r = random_run(seed);
    for (const auto& v : r.several_ends) ADD_FAILURE() << "seed " << seed << ": " << v;
  }
}

TEST(SimInvariantsTest, SameSeedGivesTheSameEventLogAndAnotherSeedAnother) {
  const RunResult a = random_run(7);
  const RunResult b = random_run(7);
  const RunResult c = random_run(8);
  ASSERT_FALSE(a.log.empty());
  EXPECT_EQ(a.log, b.log);
  EXPECT_NE(a.log, c.log);
  ASSERT_GT(a.json.size(), 1000u);
  EXPECT_TRUE(a.json == b.json) << "the JSON event log of one seed is byte-identical";
  EXPECT_FALSE(a.json == c.json);
}

// The stream's allocation changes (OfferMade, ResourcesAdopted, ResourcesRecovered,
// ReservationApplied; resets at MasterCrashed and LeaderElected) sum, after every event of runs
// with agent crashes, partitions, scheduler crashes and master failovers, to what the leading
// master's allocator holds per framework, agent and role (checked after every event).
TEST(SimInvariantsTest, StreamAllocationsEqualTheLeadersAfterEveryEvent) {
  size_t checks = 0, adoptions = 0, crashes = 0;
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    RunResult r = random_run(seed);
    checks += r.allocation_checks;
    for (const auto& l : r.log) {
      adoptions += l.find("RESOURCES_ADOPTED") != std::string::npos;
      crashes += l.find("MASTER_CRASHED") != std::string::npos;
    }
    for (const auto& v : r.violations) ADD_FAILURE() << "seed " << seed << ": " << v;
  }
  EXPECT_GT(checks, 10000u);
  EXPECT_GT(adoptions, 0u) << "the runs must exercise adoption by a new leader";
  EXPECT_GT(crashes, 0u) << "the runs must exercise master failover";
}

}  // namespace
}  // namespace mesosim
