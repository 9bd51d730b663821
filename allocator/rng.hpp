#pragma once

// The one seeded random generator of a run, passed down to whoever needs randomness.
//
// Its output is fixed by this code alone (xoshiro256** seeded through splitmix64, Lemire's
// bounded integers, our own Fisher-Yates shuffle), never by the standard library's
// implementation-defined distributions, so a (scenario, seed) pair gives the same run on any
// platform.

#include <cstdint>
#include <span>
#include <utility>

namespace mesosim {

class Rng {
 public:
  explicit Rng(uint64_t seed);
  // The n-th of a family of generators of one seed, each independent of the others: for work
  // done many times (the allocator's runs) whose draws must not depend on how many earlier
  // times drew, so an occurrence that is skipped costs nothing and changes nothing after it.
  static Rng derived(uint64_t seed, uint64_t n);

  // Inline, as below(): a shuffle's loop then keeps the state in registers (the allocator
  // shuffles every agent at every run).
  uint64_t next() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, bound); bound > 0. Lemire's nearly divisionless method, with rejection so
  // the result is exactly uniform.
  uint64_t below(uint64_t bound) {
    unsigned __int128 m = static_cast<unsigned __int128>(next()) * bound;
    auto low = static_cast<uint64_t>(m);
    if (low < bound) [[unlikely]] {
      const uint64_t threshold = -bound % bound;
      while (low < threshold) {
        m = static_cast<unsigned __int128>(next()) * bound;
        low = static_cast<uint64_t>(m);
      }
    }
    return static_cast<uint64_t>(m >> 64);
  }
  // Uniform in [0, 1).
  double unit();
  // A generator whose stream is independent of this one's, derived from it (for sub-components
  // that must not perturb each other's draws when one of them changes).
  Rng fork();

  template <typename T>
  void shuffle(std::span<T> items) {
    for (size_t i = items.size(); i > 1; --i) {
      size_t j = static_cast<size_t>(below(i));
      std::swap(items[i - 1], items[j]);
    }
  }

 private:
  static constexpr uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  uint64_t s_[4];
};

}  // namespace mesosim
