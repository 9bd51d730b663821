#include "workloads/pending_shapes.hpp"

#include <algorithm>

#include "allocator/check.hpp"

namespace mesosim {

size_t PendingShapes::NeedHash::operator()(const Resources& r) const {
  uint64_t h = 0;
  const auto mix = [&h](uint64_t v) {
    h = (h ^ v) * 0x9e3779b97f4a7c15ULL;
    h ^= h >> 32;
  };
  for (const auto& e : r.scalar_entries()) {
    mix(e.key.packed());
    mix(static_cast<uint64_t>(e.value.milli()));
  }
  for (const auto& e : r.range_entries()) {
    mix(e.key.packed());
    for (const Interval& i : e.value.intervals()) {
      mix(i.begin);
      mix(i.end);
    }
  }
  return static_cast<size_t>(h);
}

void PendingShapes::insert(uint64_t key, const Resources& need) {
  auto [it, fresh] = index_.try_emplace(need, 0);
  if (fresh) {
    if (free_.empty()) {
      it->second = static_cast<uint32_t>(shapes_.size());
      shapes_.emplace_back();
    } else {
      it->second = free_.back();
      free_.pop_back();
    }
    shapes_[it->second].need = need;
  }
  std::set<uint64_t>& keys = shapes_[it->second].keys;
  MESOSIM_CHECK(keys.empty() || *keys.rbegin() < key, "pending keys out of order");
  keys.insert(keys.end(), key);
}

void PendingShapes::erase(uint64_t key, const Resources& need) {
  auto it = index_.find(need);
  MESOSIM_CHECK(it != index_.end(), "a pending key erased with a need it was not inserted with");
  Shape& shape = shapes_[it->second];
  MESOSIM_CHECK(shape.keys.erase(key) == 1, "a key erased that its shape does not hold");
  if (!shape.keys.empty()) return;
  shape.need = Resources();
  free_.push_back(it->second);
  index_.erase(it);
}

void PendingShapes::first_fit(Resources left, const std::function<bool(uint64_t key)>& take) const {
  // A min-heap of each shape's next key in the walk. Keys are unique, so the order is total.
  struct Next {
    uint64_t key;
    const Shape* shape;
    std::set<uint64_t>::const_iterator it;
  };
  const auto later = [](const Next& a, const Next& b) { return a.key > b.key; };
  std::vector<Next> heap;
  heap.reserve(index_.size());
  for (const Shape& s : shapes_) {
    if (!s.keys.empty()) heap.push_back({*s.keys.begin(), &s, s.keys.begin()});
  }
  std::make_heap(heap.begin(), heap.end(), later);
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), later);
    Next& next = heap.back();
    // Not contained now, never again in this walk (the header says why): drop the shape.
    if (!left.contains(next.shape->need)) {
      heap.pop_back();
      continue;
    }
    if (take(next.key)) left -= next.shape->need;
    if (++next.it == next.shape->keys.end()) {
      heap.pop_back();
      continue;
    }
    next.key = *next.it;
    std::push_heap(heap.begin(), heap.end(), later);
  }
}

}  // namespace mesosim
