#pragma once

// FlatTable: the mechanics of an open-addressing hash table, shared by the tables that keep their
// entries in flat arrays instead of a node per entry (OfferFilters' groups, the simulated
// network's endpoint sets and pair floors, the master's FlatIndex, analysis' StringIndex).
// Linear probing over a power-of-two array of slots, doubled once it would be more than half full
// and shrunk only by reset(); deletion by backward shift, so no tombstones are left and a probe
// ends at the first empty slot.
//
// What a slot holds, and how to hash and compare keys, is the user's: the table stores each slot
// whole, takes the hash of the key it is asked about, and compares keys only through the
// predicate passed to find() and try_emplace(). `Traits` says the rest:
//   static bool empty(const Slot&);            // whether it is free (as Slot{} must be)
//   static uint64_t hash(const Slot&);         // the hash an occupied slot was placed under
//   static size_t home(uint64_t hash, size_t mask, unsigned shift);  // where the probe for `hash`
//       starts: below the array's size, given mask = size - 1 and shift = 64 - log2(size)
//   static constexpr size_t kInitialCapacity;  // the array's first size, a power of two
//
// The order of the slots follows the hashes: what for_each() visits must not reach behaviour in
// an order-dependent way.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "allocator/check.hpp"

namespace mesosim {

template <class Slot, class Traits>
class FlatTable {
 public:
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // The occupied slot, among those probed from the home of `hash`, for which match(slot) holds;
  // nullptr if there is none. Pointers stay valid until the next try_emplace() or erase().
  template <class Match>
  const Slot* find(uint64_t hash, Match&& match) const {
    if (size_ == 0) return nullptr;
    for (size_t i = Traits::home(hash, mask_, shift_);; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (Traits::empty(s)) return nullptr;
      if (match(s)) return &s;
    }
  }
  template <class Match>
  Slot* find(uint64_t hash, Match&& match) {
    return const_cast<Slot*>(std::as_const(*this).find(hash, match));
  }

  // The slot for which match(slot) holds, and false; if there is none, fills a free slot of the
  // probe from `hash`'s home with make() (which must return an occupied slot placed under
  // `hash`) and returns it and true. Grows first if one more slot would fill over half the array,
  // even when the key is found.
  template <class Match, class Make>
  std::pair<Slot*, bool> try_emplace(uint64_t hash, Match&& match, Make&& make) {
    if (2 * (size_ + 1) > slots_.size()) grow();
    for (size_t i = Traits::home(hash, mask_, shift_);; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (Traits::empty(s)) {
        s = make();
        MESOSIM_CHECK(!Traits::empty(s), "FlatTable: an emplaced slot must be occupied");
        ++size_;
        return {&s, true};
      }
      if (match(s)) return {&s, false};
    }
  }

  // Frees the slot `s` that find() or try_emplace() returned (what it holds by now does not
  // matter): every later slot of its probe run that may move back into the hole does, so that no
  // probe stops early.
  void erase(const Slot* s) {
    size_t i = static_cast<size_t>(s - slots_.data());
    for (size_t j = (i + 1) & mask_; !Traits::empty(slots_[j]); j = (j + 1) & mask_) {
      const size_t home = Traits::home(Traits::hash(slots_[j]), mask_, shift_);
      // The slot at j may move to the hole at i unless its home lies cyclically in (i, j].
      const bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
      if (stays) continue;
      slots_[i] = slots_[j];
      i = j;
    }
    slots_[i] = Slot{};
    --size_;
  }

  // Frees every slot and keeps the array for the slots to come.
  void clear() {
    for (Slot& s : slots_) s = Slot{};
    size_ = 0;
  }
  // Frees every slot and the array: as new.
  void reset() { *this = FlatTable{}; }

  // Calls f(slot) for every occupied slot, in the array's order.
  template <class F>
  void for_each(F&& f) const {
    for (const Slot& s : slots_) {
      if (!Traits::empty(s)) f(s);
    }
  }

 private:
  void grow() {
    static_assert(std::has_single_bit(Traits::kInitialCapacity));
    std::vector<Slot> old = std::move(slots_);
    const size_t capacity = old.empty() ? Traits::kInitialCapacity : old.size() * 2;
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
    shift_ = 64 - static_cast<unsigned>(std::countr_zero(capacity));
    for (const Slot& s : old) {
      if (Traits::empty(s)) continue;
      size_t i = Traits::home(Traits::hash(s), mask_, shift_);
      while (!Traits::empty(slots_[i])) i = (i + 1) & mask_;
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;  // empty until the first try_emplace()
  size_t mask_ = 0;          // slots_.size() - 1
  unsigned shift_ = 64;      // 64 - log2(slots_.size())
  size_t size_ = 0;          // occupied slots
};

}  // namespace mesosim
