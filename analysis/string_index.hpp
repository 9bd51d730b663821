#pragma once

// The collector's translation of the stream's string ids (agents, frameworks, tasks, offers)
// to dense indices (internal to analysis/). An open-addressing hash table: linear probing over
// a power-of-two array of (hash, key slot, value), deletion by backward shift (no tombstones).
// Keys live in slots of a vector that erased keys give back, so a key's string reuses the
// capacity of one erased before it: in steady state (as many ids come as go) an insertion or
// erasure allocates nothing, unlike std::unordered_map's node and key per insertion.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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
  size_t size() const { return size_; }
  // Every (key, value), in no defined order.
  template <typename F>
  void for_each(F&& f) const {
    for (const Slot& s : slots_) {
      if (s.hash != 0) f(std::string_view(keys_[s.key]), s.value);
    }
  }

 private:
  struct Slot {
    uint64_t hash = 0;  // 0: empty (a key's hash is never 0)
    uint32_t key = 0;   // index into keys_
    uint32_t value = 0;
  };
  static uint64_t hash_of(std::string_view key);
  // The slot holding `key`, or the empty slot where it would go.
  size_t probe(std::string_view key, uint64_t hash) const;
  void grow();

  std::vector<Slot> slots_;  // size a power of two, at most 1/2 full
  std::vector<std::string> keys_;
  std::vector<uint32_t> free_keys_;  // slots of keys_ not in use
  size_t size_ = 0;
};

}  // namespace mesosim::analysis
