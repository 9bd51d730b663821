#pragma once

// The hash of a pair of external ids (framework id and task id), for the books that are hashed
// by such a pair: the master's tasks and the status update manager's streams.

#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace mesosim {

namespace id_hash_detail {
// The 128-bit product of a and b, its halves folded: the mixing step of wyhash.
inline uint64_t mix(uint64_t a, uint64_t b) noexcept {
  const unsigned __int128 r = static_cast<unsigned __int128>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}
inline uint64_t load64(const char* p) noexcept {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline uint64_t load32(const char* p) noexcept {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
}  // namespace id_hash_detail

// The hash of one external id. Ids are short ("M1-0001", "M1-O1234", a framework's task ids), so
// it reads them a word at a time (wyhash's scheme) rather than byte by byte as std::hash does,
// which is inline and several times cheaper on the per-message lookups. Not for adversarial
// input (nor are the books it serves exposed to any: live mode bounds what a client can add).
// The books that use it are never walked in hash order, so its values reach no output.
inline size_t hash_id(std::string_view id) noexcept {
  using namespace id_hash_detail;
  const char* p = id.data();
  size_t n = id.size();
  uint64_t seed = 0x9e3779b97f4a7c15ULL ^ n;
  for (; n > 16; p += 16, n -= 16) {
    seed = mix(load64(p) ^ 0xa0761d6478bd642fULL, load64(p + 8) ^ seed);
  }
  uint64_t a = 0;
  uint64_t b = 0;
  if (n > 8) {  // the two words overlap when n < 16
    a = load64(p);
    b = load64(p + n - 8);
  } else if (n >= 4) {
    a = load32(p);
    b = load32(p + n - 4);
  } else if (n > 0) {
    a = (uint64_t{static_cast<uint8_t>(p[0])} << 16) |
        (uint64_t{static_cast<uint8_t>(p[n / 2])} << 8) | static_cast<uint8_t>(p[n - 1]);
  }
  return mix(a ^ 0xe7037ed1a0b428dbULL, b ^ seed ^ 0x8ebc6af09c88c6e3ULL);
}

inline size_t hash_id_pair(std::string_view first, std::string_view second) noexcept {
  return id_hash_detail::mix(hash_id(first) ^ 0x589965cc75374cc3ULL, hash_id(second));
}

// A (framework id, task id) pair seen through views: what a pair-keyed book is searched with
// (C++20 heterogeneous lookup), so that a lookup copies neither id.
struct IdPairView {
  std::string_view first;
  std::string_view second;
  bool operator==(const IdPairView&) const = default;
  // The order of std::pair<std::string, std::string>: by the first id, then the second.
  auto operator<=>(const IdPairView&) const = default;
};

// Hash and equality of a book keyed by an id pair `Key`, searchable by its IdPairView. `View`
// turns a stored key into that view. The hash is deliberately not noexcept: libstdc++ then keeps
// each node's hash beside it, so a lookup compares hashes before ids and never re-hashes the ids
// of a bucket's next node to see where the bucket ends.
template <class Key, IdPairView (*View)(const Key&)>
struct IdPairHash {
  using is_transparent = void;
  size_t operator()(const Key& k) const { return (*this)(View(k)); }
  size_t operator()(IdPairView k) const { return hash_id_pair(k.first, k.second); }
};
template <class Key, IdPairView (*View)(const Key&)>
struct IdPairEqual {
  using is_transparent = void;
  bool operator()(const Key& a, const Key& b) const { return View(a) == View(b); }
  bool operator()(IdPairView a, const Key& b) const { return a == View(b); }
  bool operator()(const Key& a, IdPairView b) const { return View(a) == b; }
};

}  // namespace mesosim
