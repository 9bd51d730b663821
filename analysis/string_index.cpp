#include "analysis/string_index.hpp"

#include <functional>

namespace mesosim::analysis {

uint64_t StringIndex::hash_of(std::string_view key) {
  const uint64_t h = std::hash<std::string_view>{}(key);
  return h == 0 ? 1 : h;
}

uint32_t StringIndex::find(std::string_view key) const {
  if (table_.empty()) return kNone;
  const uint64_t hash = hash_of(key);
  const Slot* s = table_.find(hash, holds(key, hash));
  return s == nullptr ? kNone : s->value;
}

std::pair<uint32_t, bool> StringIndex::try_emplace(std::string_view key, uint32_t value) {
  const uint64_t hash = hash_of(key);
  const auto [s, fresh] = table_.try_emplace(hash, holds(key, hash), [&] {
    uint32_t k;
    if (!free_keys_.empty()) {
      k = free_keys_.back();
      free_keys_.pop_back();
      keys_[k].assign(key);  // reuses the capacity of the key erased from this slot
    } else {
      k = static_cast<uint32_t>(keys_.size());
      keys_.emplace_back(key);
    }
    return Slot{hash, k, value};
  });
  return {s->value, fresh};
}

uint32_t StringIndex::erase(std::string_view key) {
  if (table_.empty()) return kNone;
  const uint64_t hash = hash_of(key);
  const Slot* s = table_.find(hash, holds(key, hash));
  if (s == nullptr) return kNone;
  const uint32_t value = s->value;
  free_keys_.push_back(s->key);
  table_.erase(s);
  return value;
}

void StringIndex::clear() {
  table_.for_each([&](const Slot& s) { free_keys_.push_back(s.key); });
  table_.clear();
}

}  // namespace mesosim::analysis
