// The collector's string-id table against std::unordered_map: insertions, lookups and
// erasures in a long seeded random sequence (growth, probe runs, backward-shift deletion).

#include "analysis/string_index.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <unordered_map>

namespace mesosim::analysis {
namespace {

TEST(StringIndexTest, BehavesLikeAMapThroughInsertionsAndErasures) {
  StringIndex index;
  std::unordered_map<std::string, uint32_t> reference;
  std::mt19937 rng(12345);
  for (uint32_t step = 0; step < 200000; ++step) {
    // Keys from a pool of 3000, long enough to need the heap, so probe runs and reuse happen.
    const std::string key = "framework-0000-task-" + std::to_string(rng() % 3000);
    switch (rng() % 3) {
      case 0: {
        const auto [value, added] = index.try_emplace(key, step);
        const auto [it, ref_added] = reference.try_emplace(key, step);
        ASSERT_EQ(added, ref_added) << key;
        ASSERT_EQ(value, it->second) << key;
        break;
      }
      case 1: {
        const auto it = reference.find(key);
        const uint32_t expected = it == reference.end() ? StringIndex::kNone : it->second;
        if (it != reference.end()) reference.erase(it);
        ASSERT_EQ(index.erase(key), expected) << key;
        break;
      }
      default: {
        const auto it = reference.find(key);
        ASSERT_EQ(index.find(key), it == reference.end() ? StringIndex::kNone : it->second) << key;
      }
    }
    ASSERT_EQ(index.size(), reference.size());
  }
  size_t seen = 0;
  index.for_each([&](std::string_view key, uint32_t value) {
    ++seen;
    EXPECT_EQ(reference.at(std::string(key)), value);
  });
  EXPECT_EQ(seen, reference.size());
}

TEST(StringIndexTest, EmptyAndErasedKeysAreAbsent) {
  StringIndex index;
  EXPECT_EQ(index.find("a"), StringIndex::kNone);
  EXPECT_EQ(index.erase("a"), StringIndex::kNone);
  EXPECT_EQ(index.try_emplace("a", 7), std::make_pair(uint32_t{7}, true));
  EXPECT_EQ(index.try_emplace("a", 8), std::make_pair(uint32_t{7}, false));
  EXPECT_EQ(index.try_emplace("", 9), std::make_pair(uint32_t{9}, true));  // "" is a key too
  EXPECT_EQ(index.erase("a"), 7u);
  EXPECT_EQ(index.find("a"), StringIndex::kNone);
  EXPECT_EQ(index.find(""), 9u);
  EXPECT_EQ(index.size(), 1u);
  index.clear();
  EXPECT_EQ(index.size(), 0u);
  EXPECT_EQ(index.find(""), StringIndex::kNone);
  EXPECT_EQ(index.try_emplace("b", 1), std::make_pair(uint32_t{1}, true));
  EXPECT_EQ(index.find("b"), 1u);
}

}  // namespace
}  // namespace mesosim::analysis
