#pragma once

// FlatIndex: the master's index of records (tasks) by a hashed external id, without a node per
// record. An open-addressing table of (32-bit hash, slot) pairs, 8 bytes each, probed linearly;
// the records themselves stay in their own slots, and a lookup compares ids only where the
// hashes agree. Compared with std::unordered_map keyed by views, a lookup that finds nothing
// touches one or two cache lines of the table and no record, an insert allocates nothing, and
// growing rehashes from the stored hashes without touching a record.
//
// Never walked: the order of its slots depends on hashes and must not reach behaviour.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "allocator/check.hpp"
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

  size_t size() const { return size_; }

  // The value stored under `hash` for which `matches(value)` holds, or kNone.
  template <class Matches>
  uint32_t find(uint32_t hash, Matches&& matches) const {
    if (size_ == 0) return kNone;
    for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.value == kNone) return kNone;
      if (s.hash == hash && matches(s.value)) return s.value;
    }
  }

  // Adds `value` (not kNone) under `hash`; the caller makes sure its key is not there yet.
  void insert(uint32_t hash, uint32_t value) {
    MESOSIM_CHECK(value != kNone, "FlatIndex: kNone is no value");
    if (2 * (size_ + 1) > slots_.size()) grow();
    place(hash, value);
    ++size_;
  }

  // Removes `value`, stored under `hash`: it must be there.
  void erase(uint32_t hash, uint32_t value) {
    size_t i = hash & mask_;
    while (slots_[i].value != value) {
      MESOSIM_CHECK(slots_[i].value != kNone, "FlatIndex: erase of a value not there");
      i = (i + 1) & mask_;
    }
    // Backward-shift deletion: every later slot of the run that may move into the hole does, so
    // that no lookup stops early and no tombstone is left.
    for (size_t j = (i + 1) & mask_;; j = (j + 1) & mask_) {
      const Slot& s = slots_[j];
      if (s.value == kNone) break;
      const size_t home = s.hash & mask_;
      // `s` may move to the hole at i unless its home lies cyclically in (i, j].
      const bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
      if (stays) continue;
      slots_[i] = s;
      i = j;
    }
    slots_[i] = Slot{};
    --size_;
  }

 private:
  struct Slot {
    uint32_t hash = 0;
    uint32_t value = kNone;
  };

  void place(uint32_t hash, uint32_t value) {
    size_t i = hash & mask_;
    while (slots_[i].value != kNone) i = (i + 1) & mask_;
    slots_[i] = Slot{hash, value};
  }

  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 16 : old.size() * 2, Slot{});
    mask_ = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.value != kNone) place(s.hash, s.value);
    }
  }

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
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
