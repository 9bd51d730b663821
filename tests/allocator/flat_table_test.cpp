#include "allocator/flat_table.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <vector>

#include "allocator/rng.hpp"

namespace mesosim {
namespace {

constexpr uint32_t kNoKey = UINT32_MAX;

// A slot whose hash the test chooses, so that it can place keys where it wants them.
struct Entry {
  uint32_t key = kNoKey;
  uint32_t value = 0;
  uint64_t hash = 0;
};
struct EntryTraits {
  static bool empty(const Entry& e) { return e.key == kNoKey; }
  static uint64_t hash(const Entry& e) { return e.hash; }
  static size_t home(uint64_t hash, size_t mask, unsigned) { return hash & mask; }
  static constexpr size_t kInitialCapacity = 8;
};
using Table = FlatTable<Entry, EntryTraits>;

const Entry* find(const Table& t, uint32_t key, uint64_t hash) {
  return t.find(hash, [&](const Entry& e) { return e.key == key; });
}
bool insert(Table& t, uint32_t key, uint32_t value, uint64_t hash) {
  const auto same = [&](const Entry& e) { return e.key == key; };
  return t.try_emplace(hash, same, [&] { return Entry{key, value, hash}; }).second;
}
void erase(Table& t, uint32_t key, uint64_t hash) {
  const Entry* e = find(t, key, hash);
  ASSERT_NE(e, nullptr) << key;
  t.erase(e);
}
// The keys in the order of the slots they occupy.
std::vector<uint32_t> layout(const Table& t) {
  std::vector<uint32_t> out;
  t.for_each([&](const Entry& e) { out.push_back(e.key); });
  return out;
}

// Eight slots (mask 7), at most four of them full. Erasing the key at slot 7 shifts the run that
// wraps around to slot 0: a key whose home is 7 moves back across the end of the array, a key at
// its home stays, and one whose home is the hole (7) moves from past its neighbour that stayed.
TEST(FlatTableTest, BackwardShiftAcrossTheEndMovesOnlyWhatMayMove) {
  Table t;
  insert(t, 1, 10, 7);  // slot 7
  insert(t, 2, 20, 7);  // slot 0
  insert(t, 3, 30, 1);  // slot 1, its home
  insert(t, 4, 40, 7);  // slot 2
  ASSERT_EQ(layout(t), (std::vector<uint32_t>{2, 3, 4, 1}));
  erase(t, 1, 7);
  EXPECT_EQ(layout(t), (std::vector<uint32_t>{4, 3, 2}));  // 4 at slot 0, 3 at 1, 2 at 7
  EXPECT_EQ(t.size(), 3u);
  EXPECT_EQ(find(t, 1, 7), nullptr);
  for (const auto& [key, hash] : {std::pair{2u, 7u}, {3u, 1u}, {4u, 7u}}) {
    ASSERT_NE(find(t, key, hash), nullptr) << key;
    EXPECT_EQ(find(t, key, hash)->value, key * 10);
  }
}

// The hole at slot 6 with the run 6, 7, 0, 1: the keys at 7 and 0 sit at their homes, which lie
// cyclically between the hole and them, so they stay; the last one, whose home is 6, moves back
// into the hole past both, across the end of the array.
TEST(FlatTableTest, KeysWhoseHomeLiesAcrossTheEndAfterTheHoleStay) {
  Table t;
  insert(t, 1, 10, 6);  // slot 6
  insert(t, 2, 20, 7);  // slot 7
  insert(t, 3, 30, 0);  // slot 0
  insert(t, 4, 40, 6);  // slot 1
  ASSERT_EQ(layout(t), (std::vector<uint32_t>{3, 4, 1, 2}));
  erase(t, 1, 6);
  EXPECT_EQ(layout(t), (std::vector<uint32_t>{3, 4, 2}));  // 3 at slot 0, 4 at 6, 2 at 7
  for (const auto& [key, hash] : {std::pair{2u, 7u}, {3u, 0u}, {4u, 6u}}) {
    EXPECT_NE(find(t, key, hash), nullptr) << key;
  }
}

// Random insertions, erasures, lookups and clears against a std::map. A third of the keys hash to
// the last three slots whatever the table's size, so their probe runs wrap around the end of the
// array and erasures shift across it; the others spread. After every step every key of the
// reference must be found with its value, and nothing else.
TEST(FlatTableTest, RandomOperationsMatchAStdMap) {
  const auto hash_of = [](uint32_t key) -> uint64_t {
    return key % 3 == 0 ? UINT64_MAX - key % 4 : key * 0x9E3779B97F4A7C15ull;
  };
  Rng rng(11);
  for (int round = 0; round < 20; ++round) {
    Table t;
    std::map<uint32_t, uint32_t> model;
    const uint32_t keys = round < 10 ? 12 : 300;
    for (int step = 0; step < 3000; ++step) {
      const uint32_t key = static_cast<uint32_t>(rng.below(keys));
      const uint64_t op = rng.below(100);
      if (op < 50) {
        const uint32_t value = static_cast<uint32_t>(rng.below(1000));
        const bool fresh = insert(t, key, value, hash_of(key));
        ASSERT_EQ(fresh, !model.contains(key));
        if (fresh) model[key] = value;
      } else if (op < 95) {
        const Entry* e = find(t, key, hash_of(key));
        ASSERT_EQ(e != nullptr, model.contains(key));
        if (e != nullptr) {
          t.erase(e);
          model.erase(key);
        }
      } else if (op < 97) {
        t.clear();
        model.clear();
      } else if (op < 98) {
        t.reset();
        model.clear();
      }
      ASSERT_EQ(t.size(), model.size());
      for (const auto& [k, v] : model) {
        const Entry* e = find(t, k, hash_of(k));
        ASSERT_NE(e, nullptr) << "round " << round << " step " << step << " key " << k;
        ASSERT_EQ(e->value, v);
      }
      ASSERT_EQ(find(t, keys, hash_of(keys)), nullptr);  // never inserted
    }
    std::map<uint32_t, uint32_t> seen;
    t.for_each([&](const Entry& e) { seen[e.key] = e.value; });
    EXPECT_EQ(seen, model);
  }
}

}  // namespace
}  // namespace mesosim
