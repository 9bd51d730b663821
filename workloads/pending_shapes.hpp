#pragma once

// PendingShapes: a framework model's pending tasks grouped by shape, the Resources they need, so
// that a first fit over an offer costs in proportion to the tasks it picks and the shapes
// pending, not to the tasks pending.
//
// Each pending task is a key (its place in pending order, increasing) and a need. Equal needs
// (Resources::operator==) share a shape, which holds its keys in order. first_fit() merges the
// shapes' keys in key order and offers each key whose need fits what is left of the offer; a
// shape whose need no longer fits is dropped for the rest of that walk. That drop is exact:
// what is left only shrinks as keys are taken, so a need it did not contain it never contains
// again, and every later key of that shape has that same need. The keys offered, and so the
// keys taken, are those a plain walk over every pending task in key order would offer.
//
// A shape lives while it has keys; its id is then reused, so memory follows what is pending.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <set>
#include <unordered_map>
#include <vector>

#include "allocator/resources.hpp"

namespace mesosim {

class PendingShapes {
 public:
  // `key` becomes pending, needing `need`. Keys are new and given in increasing order.
  void insert(uint64_t key, const Resources& need);
  // `key`, inserted with `need`, is no longer pending.
  void erase(uint64_t key, const Resources& need);

  // Offers each pending key in increasing order whose need `left` still contains, after the
  // needs of the keys taken so far are subtracted from it; take(key) says whether to take it.
  void first_fit(Resources left, const std::function<bool(uint64_t key)>& take) const;

  // Shapes with a key pending.
  size_t shapes() const { return index_.size(); }

 private:
  struct Shape {
    Resources need;
    std::set<uint64_t> keys;  // empty: the id is free
  };
  struct NeedHash {
    size_t operator()(const Resources& r) const;
  };

  std::vector<Shape> shapes_;                                // by shape id
  std::vector<uint32_t> free_;                               // ids of shapes with no key, to reuse
  std::unordered_map<Resources, uint32_t, NeedHash> index_;  // live shapes by need
};

}  // namespace mesosim
