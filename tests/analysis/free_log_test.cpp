// The fragmentation sweep's compact log of free-resource changes: what is appended is read back
// exactly, in order, across chunk boundaries, whatever the values; and it stays compact.

#include "analysis/free_log.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <random>
#include <vector>

namespace mesosim::analysis {
namespace {

struct Change {
  int64_t t;
  uint32_t agent;
  std::vector<int64_t> values;
};

void expect_reads_back(const FreeLog& log, const std::vector<Change>& written) {
  ASSERT_EQ(log.size(), written.size());
  FreeLog::Reader reader(log);
  std::vector<int64_t> values;
  for (size_t i = 0; i < written.size(); ++i) {
    ASSERT_FALSE(reader.done()) << "change " << i;
    ASSERT_EQ(reader.next_time(), written[i].t) << "change " << i;
    ASSERT_EQ(reader.next(values), written[i].agent) << "change " << i;
    ASSERT_EQ(values, written[i].values) << "change " << i;
  }
  EXPECT_TRUE(reader.done());
}

TEST(FreeLogTest, ReadsBackEveryChangeAcrossChunksWithGrowingWidthsAndAnyValues) {
  std::mt19937_64 rng(2026);
  FreeLog log;
  std::vector<Change> written;
  int64_t t = 0;
  uint32_t width = 2;
  for (int i = 0; i < 400000; ++i) {
    if (i % 100000 == 99999) ++width;  // a resource name first seen mid-run
    t += static_cast<int64_t>(rng() % 3 == 0 ? rng() % 5'000'000 : 0);
    Change c{t, static_cast<uint32_t>(rng() % 3000), {}};
    const uint32_t w = rng() % 50 == 0 ? width - 1 : width;  // some records narrower
    for (uint32_t id = 0; id < w; ++id) {
      c.values.push_back(static_cast<int64_t>(rng() % 17'000'000));
    }
    log.append(c.t, c.agent, c.values.data(), w);
    written.push_back(std::move(c));
  }
  // Extremes: negative and full-range values, and a time going backwards (an out-of-order
  // stream is recorded as it came).
  const int64_t lo = std::numeric_limits<int64_t>::min(), hi = std::numeric_limits<int64_t>::max();
  for (const Change& c : {Change{t - 7, 5, {lo, hi, -1}}, Change{hi, 5, {hi, lo, 0}},
                          Change{lo, 70000, {0}}, Change{0, 5, {}}}) {
    log.append(c.t, c.agent, c.values.data(), static_cast<uint32_t>(c.values.size()));
    written.push_back(c);
  }
  EXPECT_GE(log.chunks(), 3u) << "the test must cross chunk boundaries";
  EXPECT_EQ(log.max_width(), width);
  expect_reads_back(log, written);
}

TEST(FreeLogTest, AnOfferCycleCostsAFewBytesPerChange) {
  // What a replay records: an agent's cpus and mem (milli-units) drop by an offer and come back
  // when it is declined, milliseconds apart, on a thousand agents.
  FreeLog log;
  std::vector<Change> written;
  int64_t t = 0;
  for (int i = 0; i < 200000; ++i) {
    const uint32_t agent = static_cast<uint32_t>(i / 2 % 1000);
    t += 1500;
    const bool offered = i % 2 == 0;
    Change c{t, agent, {offered ? 0 : 8000, offered ? 0 : 16'384'000}};
    log.append(c.t, c.agent, c.values.data(), 2);
    written.push_back(std::move(c));
  }
  expect_reads_back(log, written);
  // A plain record took 24 bytes plus 8 per value (40 here).
  EXPECT_LT(static_cast<double>(log.encoded_bytes()) / static_cast<double>(log.size()), 14.0);
}

// `n` changes of a thousand agents, appended to `log`, and what was appended.
std::vector<Change> fill(FreeLog& log, int n) {
  std::mt19937_64 rng(7);
  std::vector<Change> written;
  for (int i = 0; i < n; ++i) {
    Change c{i * 1000,
             static_cast<uint32_t>(rng() % 1000),
             {static_cast<int64_t>(rng() % 8000), static_cast<int64_t>(rng() % 16'000'000)}};
    log.append(c.t, c.agent, c.values.data(), 2);
    written.push_back(std::move(c));
  }
  return written;
}

size_t open_fds() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

// Sets TMPDIR for the scope.
class ScopedTmpdir {
 public:
  explicit ScopedTmpdir(const std::string& dir) {
    if (const char* old = std::getenv("TMPDIR")) old_ = old;
    setenv("TMPDIR", dir.c_str(), 1);
  }
  ~ScopedTmpdir() {
    if (old_.empty()) {
      unsetenv("TMPDIR");
    } else {
      setenv("TMPDIR", old_.c_str(), 1);
    }
  }

 private:
  std::string old_;
};

TEST(FreeLogTest, ALongLogSpillsToAnUnlinkedFileAndReadsBackTheSame) {
  const auto dir = std::filesystem::temp_directory_path() / "mesosim-free-log-test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  ScopedTmpdir tmpdir(dir.string());
  const size_t fds_before = open_fds();
  {
    FreeLog log(/*chunk_bytes=*/256, /*memory_chunks=*/3);
    const std::vector<Change> written = fill(log, 50000);
    EXPECT_GT(log.spilled_chunks(), 100u);
    EXPECT_GE(log.chunks() - log.spilled_chunks(), 1u);
    EXPECT_LE(log.chunks() - log.spilled_chunks(), 4u) << "memory holds at most a few chunks";
    EXPECT_EQ(open_fds(), fds_before + 1) << "one temporary file";
    EXPECT_TRUE(std::filesystem::is_empty(dir)) << "the file is unlinked at once";
    expect_reads_back(log, written);
    expect_reads_back(log, written);  // a second reader reads the same
  }
  EXPECT_EQ(open_fds(), fds_before) << "the file is closed with the log";
  std::filesystem::remove_all(dir);
}

TEST(FreeLogTest, WithoutAWritableTemporaryDirectoryTheLogStaysInMemory) {
  ScopedTmpdir tmpdir("/nonexistent/mesosim-free-log-test");
  FreeLog log(/*chunk_bytes=*/256, /*memory_chunks=*/3);
  const std::vector<Change> written = fill(log, 20000);
  EXPECT_EQ(log.spilled_chunks(), 0u);
  EXPECT_GT(log.chunks(), 3u);
  expect_reads_back(log, written);
}

TEST(FreeLogTest, AnEmptyLogReadsNothing) {
  FreeLog log;
  FreeLog::Reader reader(log);
  EXPECT_TRUE(reader.done());
  EXPECT_EQ(log.max_width(), 0u);
  EXPECT_EQ(log.encoded_bytes(), 0u);
  EXPECT_EQ(log.chunks(), 0u);
}

}  // namespace
}  // namespace mesosim::analysis
