#pragma once

// The collector's translation of the stream's string ids (agents, frameworks, tasks, offers)
// to dense indices (internal to analysis/). An open-addressing hash table: linear probing over
// a power-of-two array of (hash, key slot, value), deletion by backward shift (no tombstones).
// Keys live in slots of a vector that erased keys give back, so a key's string reuses the
// capacity of one erased before it: in steady state (as many ids come as go) an insertion or
// erasure allocates nothing, unlike std::unordered_map's node and key per insertion. The table's
// mechanics are allocator/flat_table.hpp's.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "allocator/flat_table.hpp"

namespace mesosim::analysis {

class StringIndex {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  // The value of `key`, or kNone.
  uint32_t find(std::string_view key) const;
  // The value of `key` and false if present; otherwise inserts (key, value): value and true.
  std::pair<uint32_t, bool> try_emplace(std::string_view key, uint32_t value);
  // Removes `key` and returns its value; kNone if it was absent.
  uint32_t erase(std::string_view key);
  // Removes every key (their strings' capacity is kept for the keys to come).
  void clear();
  size_t size() const { return table_.size(); }
  // Every (key, value), in no defined order.
  template <typename F>
  void for_each(F&& f) const {
    table_.for_each([&](const Slot& s) { f(std::string_view(keys_[s.key]), s.value); });
  }

 private:
  struct Slot {
    uint64_t hash = 0;  // 0: empty (a key's hash is never 0)
    uint32_t key = 0;   // index into keys_
    uint32_t value = 0;
  };
  struct SlotTraits {
    static bool empty(const Slot& s) { return s.hash == 0; }
    static uint64_t hash(const Slot& s) { return s.hash; }
    static size_t home(uint64_t hash, size_t mask, unsigned /*shift*/) {
      return static_cast<size_t>(hash) & mask;
    }
    static constexpr size_t kInitialCapacity = 16;
  };
  static uint64_t hash_of(std::string_view key);
  // Tells whether a slot holds `key`, whose hash is `hash`.
  auto holds(std::string_view key, uint64_t hash) const {
    return [this, key, hash](const Slot& s) { return s.hash == hash && keys_[s.key] == key; };
  }

  FlatTable<Slot, SlotTraits> table_;  // at most 1/2 full
  std::vector<std::string> keys_;
  std::vector<uint32_t> free_keys_;  // slots of keys_ not in use
};

}  // namespace mesosim::analysis
