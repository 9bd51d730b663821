#pragma once

// The hash of a pair of external ids (framework id and task id), for the books that are hashed
// by such a pair: the master's tasks and the status update manager's streams.

#include <compare>
#include <cstddef>
#include <functional>
#include <string_view>

namespace mesosim {

inline size_t hash_id_pair(std::string_view first, std::string_view second) noexcept {
  const size_t h = std::hash<std::string_view>{}(first);
  return h ^ (std::hash<std::string_view>{}(second) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
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
