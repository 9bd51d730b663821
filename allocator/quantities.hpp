#pragma once

// Scalar amounts by resource name, regardless of reservation or revocability: what DRF shares,
// quota guarantees and limits, headroom and min_allocatable_resources are measured in.
// Held densely, indexed by ResourceName id; names never mentioned read as zero.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "allocator/resources.hpp"

namespace mesosim {

class Quantities {
 public:
  Quantities() = default;
  // Sums the scalar entries of `r` by name (ranges are ignored).
  static Quantities of(const Resources& r);
  // "cpus:1;mem:32". Errors name the bad item. Reservations and ranges are not allowed.
  static Result<Quantities> parse(std::string_view text);

  Scalar get(ResourceName name) const {
    return name.id() < milli_.size() ? Scalar::from_milli(milli_[name.id()]) : Scalar();
  }
  void set(ResourceName name, Scalar value);
  bool empty() const;  // every name zero

  void add(const Resources& r);
  // Precondition: the result is non-negative for every name.
  void subtract(const Resources& r);
  Quantities& operator+=(const Quantities& o);
  // Precondition: contains(o).
  Quantities& operator-=(const Quantities& o);
  // max(0, this - o) per name.
  Quantities minus_floor_zero(const Quantities& o) const;
  // min(this, o) per name.
  Quantities min(const Quantities& o) const;
  // True iff every name here is at least o's.
  bool contains(const Quantities& o) const;
  // True iff `r` holds at least this much of every name: Quantities::of(r).contains(*this),
  // without building the quantities of `r`.
  bool contained_in(const Resources& r) const;
  bool operator==(const Quantities& o) const;

  // Names with a non-zero amount, ascending by id.
  std::vector<ResourceName> names() const;
  size_t size_hint() const { return milli_.size(); }
  const int64_t* data() const { return milli_.data(); }

  std::string to_string() const;

 private:
  void ensure(size_t n) {
    if (milli_.size() < n) milli_.resize(n, 0);
  }
  std::vector<int64_t> milli_;
};

// Keeps scalar entries of `r` (in key order) up to `limit` per name: an entry is taken whole or
// cut to what is left of the limit; names absent from `limit` are dropped. Ranges are dropped.
Resources shrink_scalars(const Resources& r, const Quantities& limit);

}  // namespace mesosim
