#include "allocator/rng.hpp"

namespace mesosim {
namespace {

uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t splitmix64(uint64_t& x) { return mix64(x += 0x9e3779b97f4a7c15ULL); }

}  // namespace

Rng::Rng(uint64_t seed) {
  for (auto& s : s_) s = splitmix64(seed);
}

// The seed and n are mixed before they meet (not seed + n, whose splitmix64 sequences would
// overlap from one n to the next), so nearby seeds and counts give unrelated states.
Rng Rng::derived(uint64_t seed, uint64_t n) { return Rng(mix64(seed) ^ mix64(~n)); }

double Rng::unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

Rng Rng::fork() { return Rng(next()); }

}  // namespace mesosim
