// Job outcomes of a run (run_outcomes.hpp): streamed out of the models as jobs finish, with the
// models forgetting them, they are the same as what models keeping every job hold at the end,
// and so is the summary computed from them.

#include "scenarios/run_outcomes.hpp"

#include <gtest/gtest.h>

#include "scenarios/run_summary.hpp"
#include "scenarios/scenario_load.hpp"
#include "tests/scenarios/scenario_test_util.hpp"

namespace mesosim {
namespace {

void expect_same(const analysis::TaskOutcome& a, const analysis::TaskOutcome& b,
                 const std::string& where) {
  EXPECT_EQ(a.ready, b.ready) << where;
  EXPECT_EQ(a.launched, b.launched) << where;
  EXPECT_EQ(a.running, b.running) << where;
  EXPECT_EQ(a.ended, b.ended) << where;
  EXPECT_EQ(a.wait, b.wait) << where;
  EXPECT_EQ(a.locality, b.locality) << where;
  EXPECT_EQ(a.agent, b.agent) << where;
  EXPECT_EQ(a.final_state, b.final_state) << where;
  EXPECT_EQ(a.attempts, b.attempts) << where;
  EXPECT_EQ(a.resources, b.resources) << where;
}

// The quickstart has every kind of model (Hadoop, Spark, gang, Storm, services), jobs that
// finish and jobs still running at the end.
TEST(JobOutcomeStream, GivesWhatModelsKeepingEveryJobHoldWhileTheModelsForget) {
  auto loaded = load_scenario(testing::source_path("scenarios/quickstart.yaml"), {});
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  auto kept = ScenarioRun::create(loaded.value());
  auto streamed = ScenarioRun::create(loaded.value());
  ASSERT_TRUE(kept.ok() && streamed.ok());
  const RunOutcome kept_end = kept.value()->run();
  JobOutcomeStream stream(*streamed.value());
  const RunOutcome streamed_end = streamed.value()->run();

  const ScenarioRun& k = *kept.value();
  const ScenarioRun& s = *streamed.value();
  size_t held = 0, submitted = 0;
  for (size_t m = 0; m < s.framework_count(); ++m) {
    held += s.model(m).jobs_held();
    submitted += s.model(m).jobs_submitted();
    EXPECT_EQ(k.model(m).jobs_held(), k.model(m).jobs_submitted()) << "kept: every job";
  }
  EXPECT_GT(submitted, 100u);
  EXPECT_LT(held * 10, submitted) << "the streamed run's models forgot their finished jobs";

  const OutcomesByFramework a = outcomes_by_framework(k);
  const OutcomesByFramework b = stream.take();
  ASSERT_EQ(a.size(), b.size());
  for (size_t m = 0; m < a.size(); ++m) {
    ASSERT_EQ(a[m].size(), b[m].size()) << "framework " << m;
    for (size_t j = 0; j < a[m].size(); ++j) {
      const analysis::JobOutcome& x = a[m][j];
      const analysis::JobOutcome& y = b[m][j];
      ASSERT_EQ(x.id, y.id);
      EXPECT_EQ(x.group, y.group) << x.id;
      EXPECT_EQ(x.framework, y.framework) << x.id;
      EXPECT_EQ(x.submit, y.submit) << x.id;
      EXPECT_EQ(x.ready, y.ready) << x.id;
      EXPECT_EQ(x.start, y.start) << x.id;
      EXPECT_EQ(x.finish, y.finish) << x.id;
      EXPECT_EQ(x.abandoned, y.abandoned) << x.id;
      ASSERT_EQ(x.tasks.size(), y.tasks.size()) << x.id;
      for (size_t t = 0; t < x.tasks.size(); ++t) {
        expect_same(x.tasks[t], y.tasks[t], x.id + "/" + std::to_string(t));
      }
    }
  }
  EXPECT_EQ(format_summary(k, kept_end), format_summary(s, streamed_end, b));
}

}  // namespace
}  // namespace mesosim
