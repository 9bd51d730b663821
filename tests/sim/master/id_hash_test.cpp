// The id hash of the master's books and the FlatIndex built on it.

#include "sim/master/id_hash.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <set>
#include <string>
#include <vector>

#include "sim/master/flat_index.hpp"

namespace mesosim {
namespace {

// Ids shaped as the simulator and live mode make them, of every length from 0 to 40 bytes.
std::vector<std::string> sample_ids() {
  std::vector<std::string> ids;
  for (int i = 0; i < 3000; ++i) {
    ids.push_back(fmt::format("M1-{:04}", i));
    ids.push_back(fmt::format("M1-O{}", i));
    ids.push_back(fmt::format("job-{}-task-{}", i / 7, i % 7));
  }
  for (size_t n = 0; n <= 40; ++n) ids.push_back(std::string(n, 'a'));
  return ids;
}

TEST(IdHash, EveryByteOfAnIdOfAnyLengthCounts) {
  for (size_t n = 1; n <= 40; ++n) {
    const std::string base(n, 'x');
    std::set<size_t> hashes{hash_id(base)};
    for (size_t i = 0; i < n; ++i) {
      std::string other = base;
      other[i] = 'y';
      hashes.insert(hash_id(other));
    }
    EXPECT_EQ(hashes.size(), n + 1) << "length " << n;
  }
  EXPECT_NE(hash_id(""), hash_id(std::string(1, '\0'))) << "the length counts too";
}

TEST(IdHash, SampleIdsDoNotCollideAndSpreadOverTheLowBits) {
  const std::vector<std::string> ids = sample_ids();
  std::set<size_t> full;
  std::set<uint32_t> low;  // what a FlatIndex of 16,384 slots starts its probe from
  for (const std::string& id : ids) {
    full.insert(hash_id(id));
    low.insert(flat_hash(id) & 16383);
  }
  EXPECT_EQ(full.size(), ids.size());
  // 9,041 ids thrown at random into 16,384 buckets fill about 6,950 of them (a hash that used
  // only some bytes, or collided on a suffix, fills far fewer).
  EXPECT_GT(low.size(), 6700u) << low.size();
}

TEST(IdHash, APairIsNotItsIdsSwappedNorAJoinedId) {
  EXPECT_EQ(hash_id_pair("M1-0001", "t1"), hash_id_pair("M1-0001", "t1"));
  EXPECT_NE(hash_id_pair("M1-0001", "t1"), hash_id_pair("t1", "M1-0001"));
  EXPECT_NE(hash_id_pair("M1-0001", "t1"), hash_id_pair("M1-0001t", "1"));
}

TEST(FlatIndex, FindsWhatWasInsertedAndNothingAfterErase) {
  const std::vector<std::string> ids = sample_ids();
  FlatIndex index;
  for (uint32_t v = 0; v < ids.size(); ++v) index.insert(flat_hash(ids[v]), v);
  auto find = [&](const std::string& id) {
    return index.find(flat_hash(id), [&](uint32_t v) { return ids[v] == id; });
  };
  for (uint32_t v = 0; v < ids.size(); ++v) ASSERT_EQ(find(ids[v]), v) << ids[v];
  EXPECT_EQ(find("no-such-id"), FlatIndex::kNone);
  for (uint32_t v = 0; v < ids.size(); v += 2) index.erase(flat_hash(ids[v]), v);
  for (uint32_t v = 0; v < ids.size(); ++v) {
    ASSERT_EQ(find(ids[v]), v % 2 == 0 ? FlatIndex::kNone : v) << ids[v];
  }
}

TEST(FlatIndex, TakeRemovesAndReturnsTheMatchOnlyAndLeavesTheRestFindable) {
  const std::vector<std::string> ids = sample_ids();
  FlatIndex index;
  for (uint32_t v = 0; v < ids.size(); ++v) index.insert(flat_hash(ids[v]), v);
  auto matching = [&](const std::string& id) { return [&](uint32_t v) { return ids[v] == id; }; };
  EXPECT_EQ(index.take(flat_hash("no-such-id"), matching("no-such-id")), FlatIndex::kNone);
  EXPECT_EQ(index.size(), ids.size()) << "taking nothing removes nothing";
  for (uint32_t v = 1; v < ids.size(); v += 2) {
    ASSERT_EQ(index.take(flat_hash(ids[v]), matching(ids[v])), v) << ids[v];
  }
  EXPECT_EQ(index.size(), (ids.size() + 1) / 2);
  for (uint32_t v = 0; v < ids.size(); ++v) {
    const uint32_t found = index.find(flat_hash(ids[v]), matching(ids[v]));
    ASSERT_EQ(found, v % 2 == 1 ? FlatIndex::kNone : v) << ids[v];
  }
}

}  // namespace
}  // namespace mesosim
