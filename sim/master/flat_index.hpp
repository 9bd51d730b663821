#pragma once

// FlatIndex: the master's index of records (tasks) by a hashed external id, without a node per
// record. An open-addressing table of (32-bit hash, slot) pairs, 8 bytes each, probed linearly;
// the records themselves stay in their own slots, and a lookup compares ids only where the
// hashes agree. Compared with std::unordered_map keyed by views, a lookup that finds nothing
// touches one or two cache lines of the table and no record, an insert allocates nothing, and
// growing rehashes from the stored hashes without touching a record. The table's probing, growth
// and deletion are allocator/flat_table.hpp's.
//
// Never walked: the order of its slots depends on hashes and must not reach behaviour.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "allocator/check.hpp"
#include "allocator/flat_table.hpp"
#include "sim/master/id_hash.hpp"

namespace mesosim {

// The 32 bits of an id's (or an id pair's) hash that the index keeps.
inline uint32_t flat_hash(IdPairView key) {
  const size_t h = hash_id_pair(key.first, key.second);
  return static_cast<uint32_t>(h ^ (h >> 32));
}
inline uint32_t flat_hash(std::string_view id) {
  const size_t h = hash_id(id);
  return static_cast<uint32_t>(h ^ (h >> 32));
}

class FlatIndex {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  size_t size() const { return table_.size(); }

  // The value stored under `hash` for which `matches(value)` holds, or kNone.
  template <class Matches>
  uint32_t find(uint32_t hash, Matches&& matches) const {
    const Slot* s =
        table_.find(hash, [&](const Slot& x) { return x.hash == hash && matches(x.value); });
    return s == nullptr ? kNone : s->value;
  }

  // Adds `value` (not kNone) under `hash`; the caller makes sure its key is not there yet.
  void insert(uint32_t hash, uint32_t value) {
    MESOSIM_CHECK(value != kNone, "FlatIndex: kNone is no value");
    const auto no_match = [](const Slot&) { return false; };  // no need to compare keys
    table_.try_emplace(hash, no_match, [&] { return Slot{hash, value}; });
  }

  // Removes the value stored under `hash` for which `matches(value)` holds, found and removed in
  // one probe, and returns it; kNone (nothing removed) if there is none.
  template <class Matches>
  uint32_t take(uint32_t hash, Matches&& matches) {
    const Slot* s =
        table_.find(hash, [&](const Slot& x) { return x.hash == hash && matches(x.value); });
    if (s == nullptr) return kNone;
    const uint32_t value = s->value;
    table_.erase(s);
    return value;
  }

  // Removes `value`, stored under `hash`: it must be there.
  void erase(uint32_t hash, uint32_t value) {
    const Slot* s = table_.find(hash, [&](const Slot& x) { return x.value == value; });
    MESOSIM_CHECK(s != nullptr, "FlatIndex: erase of a value not there");
    table_.erase(s);
  }

 private:
  struct Slot {
    uint32_t hash = 0;
    uint32_t value = kNone;
  };
  struct SlotTraits {
    static bool empty(const Slot& s) { return s.value == kNone; }
    static uint64_t hash(const Slot& s) { return s.hash; }
    static size_t home(uint64_t hash, size_t mask, unsigned /*shift*/) { return hash & mask; }
    static constexpr size_t kInitialCapacity = 16;
  };

  FlatTable<Slot, SlotTraits> table_;
};

// Records at stable addresses, kChunk to an allocation. What std::deque promises for
// emplace_back, but a deque allocates a block per record once a record outgrows its 512-byte
// blocks, as the master's tasks do: 400,000 tasks re-registering were 400,000 mallocs.
// Records are default-constructed a chunk at a time; emplace_back() hands out the next one.
template <class T, size_t kChunk = 64>
class StableSlots {
 public:
  size_t size() const { return size_; }
  T& operator[](size_t i) { return chunks_[i / kChunk][i % kChunk]; }
  const T& operator[](size_t i) const { return chunks_[i / kChunk][i % kChunk]; }
  T& emplace_back() {
    if (size_ == chunks_.size() * kChunk) chunks_.push_back(std::make_unique<T[]>(kChunk));
    return (*this)[size_++];
  }

 private:
  std::vector<std::unique_ptr<T[]>> chunks_;
  size_t size_ = 0;
};

}  // namespace mesosim
