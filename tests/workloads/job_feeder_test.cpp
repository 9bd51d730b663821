#include "workloads/job_feeder.hpp"

#include <gtest/gtest.h>

#include "tests/workloads/workload_test_util.hpp"
#include "workloads/batch_framework.hpp"

namespace mesosim {
namespace {

using namespace mesosim::testing;

// Two batch models, "a" and "b", fed from one source, on a cluster that is not started (the
// feeder needs only the clock).
class JobFeederTest : public ::testing::Test {
 protected:
  JobFeederTest()
      : a(queue, BatchFrameworkOptions{named("a"), nullptr}),
        b(queue, BatchFrameworkOptions{named("b"), nullptr}) {}
  static FrameworkModelOptions named(std::string name) {
    FrameworkModelOptions o;
    o.name = std::move(name);
    return o;
  }
  void feed(std::vector<Job> jobs) {
    source = std::make_unique<VectorJobSource>(std::move(jobs));
    feeder = std::make_unique<JobFeeder>(queue, *source);
    feeder->route("a", &a);
    feeder->route("b", &b);
    feeder->start();
  }
  EventQueue queue;
  BatchFramework a, b;
  std::unique_ptr<VectorJobSource> source;
  std::unique_ptr<JobFeeder> feeder;
};

TEST_F(JobFeederTest, HandsEachJobToItsModelAtItsSubmitTime) {
  feed({make_job("j1", 1, 1, "cpus:1", Duration::seconds(1), "a"),
        make_job("j2", 1, 1, "cpus:1", Duration::seconds(1), "b"),
        make_job("j3", 5.5, 1, "cpus:1", Duration::seconds(1), "a")});
  queue.run_until(secs(0.9));
  EXPECT_EQ(a.jobs().size(), 0u);
  queue.run_until(secs(1));
  ASSERT_EQ(a.jobs().size(), 1u);
  ASSERT_EQ(b.jobs().size(), 1u);
  EXPECT_EQ(b.job("j2")->submit, secs(1));
  EXPECT_FALSE(feeder->done()) << "j3 is still to come";
  queue.run_until(secs(10));
  ASSERT_NE(a.job("j3"), nullptr);
  EXPECT_EQ(a.job("j3")->submit, secs(5.5));
  EXPECT_TRUE(feeder->done());
  EXPECT_EQ(feeder->error(), std::nullopt);
  EXPECT_EQ(feeder->submitted(), 3u);
}

TEST_F(JobFeederTest, AJobForAnUnknownModelStopsTheFeedWithAnErrorNamingIt) {
  feed({make_job("j1", 1, 1, "cpus:1", Duration::seconds(1), "a"),
        make_job("j2", 2, 1, "cpus:1", Duration::seconds(1), "mystery"),
        make_job("j3", 3, 1, "cpus:1", Duration::seconds(1), "a")});
  queue.run_until(secs(10));
  ASSERT_TRUE(feeder->error().has_value());
  EXPECT_NE(feeder->error()->message.find("j2"), std::string::npos);
  EXPECT_NE(feeder->error()->message.find("mystery"), std::string::npos);
  EXPECT_EQ(a.jobs().size(), 1u) << "jobs after the bad one are not fed";
}

TEST_F(JobFeederTest, ASourceOutOfSubmitOrderIsAnError) {
  feed({make_job("j1", 5, 1, "cpus:1", Duration::seconds(1), "a"),
        make_job("j2", 2, 1, "cpus:1", Duration::seconds(1), "a")});
  queue.run_until(secs(10));
  ASSERT_TRUE(feeder->error().has_value());
  EXPECT_NE(feeder->error()->message.find("submit order"), std::string::npos);
  EXPECT_EQ(a.jobs().size(), 1u);
}

TEST_F(JobFeederTest, HoldsOnlyTheNextJob) {
  // A source that counts how far it has been read.
  class CountingSource : public JobSource {
   public:
    int read = 0;
    Result<std::optional<Job>> next() override {
      if (read == 3) return std::optional<Job>();
      ++read;
      return std::optional<Job>(
          make_job("j" + std::to_string(read), read * 10, 1, "cpus:1", Duration::seconds(1), "a"));
    }
  } counting;
  JobFeeder f(queue, counting);
  f.route("a", &a);
  f.start();
  EXPECT_EQ(counting.read, 1);
  queue.run_until(secs(10));
  EXPECT_EQ(counting.read, 2);
  queue.run_until(secs(100));
  EXPECT_EQ(a.jobs().size(), 3u);
}

}  // namespace
}  // namespace mesosim
