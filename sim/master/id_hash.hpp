#pragma once

// The hash of a pair of external ids (framework id and task id), for the books that are hashed
// by such a pair: the master's tasks and the status update manager's streams.

#include <cstddef>
#include <functional>
#include <string_view>

namespace mesosim {

inline size_t hash_id_pair(std::string_view first, std::string_view second) noexcept {
  const size_t h = std::hash<std::string_view>{}(first);
  return h ^ (std::hash<std::string_view>{}(second) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
}

}  // namespace mesosim
