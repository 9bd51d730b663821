#include "analysis/string_index.hpp"

#include <functional>

namespace mesosim::analysis {

uint64_t StringIndex::hash_of(std::string_view key) {
  const uint64_t h = std::hash<std::string_view>{}(key);
  return h == 0 ? 1 : h;
}

size_t StringIndex::probe(std::string_view key, uint64_t hash) const {
  const size_t mask = slots_.size() - 1;
  size_t i = static_cast<size_t>(hash) & mask;
  while (slots_[i].hash != 0 && (slots_[i].hash != hash || keys_[slots_[i].key] != key)) {
    i = (i + 1) & mask;
  }
  return i;
}

uint32_t StringIndex::find(std::string_view key) const {
  if (size_ == 0) return kNone;
  const Slot& s = slots_[probe(key, hash_of(key))];
  return s.hash == 0 ? kNone : s.value;
}

std::pair<uint32_t, bool> StringIndex::try_emplace(std::string_view key, uint32_t value) {
  if (2 * (size_ + 1) > slots_.size()) grow();
  const uint64_t hash = hash_of(key);
  Slot& s = slots_[probe(key, hash)];
  if (s.hash != 0) return {s.value, false};
  uint32_t k;
  if (!free_keys_.empty()) {
    k = free_keys_.back();
    free_keys_.pop_back();
    keys_[k].assign(key);  // reuses the capacity of the key erased from this slot
  } else {
    k = static_cast<uint32_t>(keys_.size());
    keys_.emplace_back(key);
  }
  s = Slot{hash, k, value};
  ++size_;
  return {value, true};
}

uint32_t StringIndex::erase(std::string_view key) {
  if (size_ == 0) return kNone;
  const size_t mask = slots_.size() - 1;
  size_t hole = probe(key, hash_of(key));
  if (slots_[hole].hash == 0) return kNone;
  const uint32_t value = slots_[hole].value;
  free_keys_.push_back(slots_[hole].key);
  --size_;
  // Backward shift: move later entries of the probe run into the hole when their home slot
  // does not lie (cyclically) after the hole, so every key stays reachable from its home.
  size_t i = hole;
  while (true) {
    i = (i + 1) & mask;
    if (slots_[i].hash == 0) break;
    const size_t home = static_cast<size_t>(slots_[i].hash) & mask;
    const bool stays = hole <= i ? (hole < home && home <= i) : (hole < home || home <= i);
    if (stays) continue;
    slots_[hole] = slots_[i];
    hole = i;
  }
  slots_[hole] = Slot{};
  return value;
}

void StringIndex::clear() {
  for (Slot& s : slots_) {
    if (s.hash != 0) free_keys_.push_back(s.key);
    s = Slot{};
  }
  size_ = 0;
}

void StringIndex::grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.empty() ? 16 : old.size() * 2, Slot{});
  const size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.hash == 0) continue;
    size_t i = static_cast<size_t>(s.hash) & mask;
    while (slots_[i].hash != 0) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

}  // namespace mesosim::analysis
