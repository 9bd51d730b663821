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

  uint64_t next();
  // Uniform in [0, bound); bound > 0.
  uint64_t below(uint64_t bound);
  // Uniform in [0, 1).
  double unit();
  // A generator whose stream is independent of this one's, derived from it (for sub-components
  // that must not perturb each other's draws when one of them changes).
  Rng fork();

  // Draws what shuffle() of n items draws, without the items: the generator ends where it would.
  void skip_shuffle(size_t n) {
    for (size_t i = n; i > 1; --i) below(i);
  }

  template <typename T>
  void shuffle(std::span<T> items) {
    for (size_t i = items.size(); i > 1; --i) {
      size_t j = static_cast<size_t>(below(i));
      std::swap(items[i - 1], items[j]);
    }
  }

 private:
  uint64_t s_[4];
};

}  // namespace mesosim
