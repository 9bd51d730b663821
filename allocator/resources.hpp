#pragma once

// Resources: what an agent has, what is offered and what a task uses.
//
// A Resources value is a bag of entries, each identified by (name, reservation, revocable)
// and holding either a fixed-point Scalar (cpus, mem, disk, gpus, ...) or a RangeSet (ports).
// Entries are kept sorted by that key with no zero or empty values, so equal bags compare equal
// and printing is canonical. Subtraction never goes negative: it requires containment, which
// callers at boundaries check first (and report as an error).
//
// Text format (Mesos's, with two extensions for what Mesos cannot print as text):
//   cpus:8;mem:16384;disk:100000;ports:[31000-32000];cpus(analytics):2
//   name[(role)][{REV}][{DYN[:principal[:k=v,k2=v2]]}]:value
// `(role)` alone is a static reservation; `{DYN...}` makes it dynamic, with the principal and
// labels of the RESERVE that made it; `{REV}` marks revocable resources. Values are
// non-negative decimals (rounded to 0.001) or ranges "[a-b,c-d]". Items with the same key add.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "allocator/ranges.hpp"
#include "allocator/reservation.hpp"
#include "allocator/resource_name.hpp"
#include "allocator/result.hpp"
#include "allocator/scalar.hpp"

namespace mesosim {

struct ResourceKey {
  ResourceName name = ResourceName::cpus();
  Reservation reservation;
  bool revocable = false;

  constexpr uint64_t packed() const {
    return (uint64_t{name.id()} << 40) | (uint64_t{revocable} << 32) | reservation.id();
  }
  constexpr bool operator==(const ResourceKey& o) const { return packed() == o.packed(); }
  constexpr bool operator<(const ResourceKey& o) const { return packed() < o.packed(); }
};

class Resources {
 public:
  struct ScalarEntry {
    ResourceKey key;
    Scalar value;
    bool operator==(const ScalarEntry&) const = default;
  };
  struct RangesEntry {
    ResourceKey key;
    RangeSet value;
    bool operator==(const RangesEntry&) const = default;
  };

  Resources() = default;
  // Parses the text format above. Items without a role get `default_role` ("*" = unreserved,
  // otherwise a static reservation, like Mesos's --default_role). Errors name the bad item.
  static Result<Resources> parse(std::string_view text, std::string_view default_role = "*");

  static Resources scalar(ResourceName name, Scalar value, Reservation r = {}, bool rev = false);
  static Resources ranges(ResourceName name, RangeSet value, Reservation r = {}, bool rev = false);

  void add(const ResourceKey& key, Scalar value);
  void add(const ResourceKey& key, const RangeSet& value);

  bool empty() const { return scalars_.empty() && ranges_.empty(); }
  bool contains(const Resources& other) const;
  // contains(other.filter(keep)), without building it.
  template <typename Keep>
  bool contains_selected(const Resources& other, const Keep& keep) const;
  Resources& operator+=(const Resources& other);
  // Precondition: contains(other).
  Resources& operator-=(const Resources& other);
  friend Resources operator+(Resources a, const Resources& b) { return a += b; }
  friend Resources operator-(Resources a, const Resources& b) { return a -= b; }
  bool operator==(const Resources&) const = default;
  // What both hold, key by key: the smaller scalar, the common ranges. `a - a.common(b)` is the
  // subtraction that stops at zero (Mesos's Resources::operator-).
  Resources common(const Resources& other) const;

  // Sum of a scalar name over all reservations and revocability.
  Scalar get(ResourceName name) const;
  const std::vector<ScalarEntry>& scalar_entries() const { return scalars_; }
  const std::vector<RangesEntry>& range_entries() const { return ranges_; }

  // Subsets. Each keeps the entries whose key satisfies the predicate.
  template <typename Keep>
  Resources filter(const Keep& keep) const;
  // True iff some entry's key satisfies the predicate (filter(keep) would not be empty).
  template <typename Keep>
  bool any_key(const Keep& keep) const;
  // True iff every entry's key satisfies the predicate (filter(keep) would equal this).
  template <typename Keep>
  bool all_keys(const Keep& keep) const;
  Resources unreserved() const;
  Resources reserved() const;
  // Reserved to `role` exactly.
  Resources reserved_to(std::string_view role) const;
  // What a framework in `role` may be offered: unreserved, or reserved to `role` or to one of
  // its ancestors.
  Resources allocatable_to(std::string_view role) const;
  Resources revocable() const;
  Resources non_revocable() const;
  Resources scalars() const;
  Resources non_scalars() const;

  // This with every entry re-keyed to `reservation` (used by RESERVE/UNRESERVE).
  Resources with_reservation(Reservation reservation) const;

  std::string to_string() const;

 private:
  std::vector<ScalarEntry> scalars_;  // sorted by key, values > 0
  std::vector<RangesEntry> ranges_;   // sorted by key, values non-empty
};

std::string to_string(const ResourceKey& key);

// True iff resources reserved under `key` may be offered to a framework in `role`: reserved to
// `role` or to one of its ancestors.
bool is_reserved_allocatable_to(const ResourceKey& key, std::string_view role);

// True iff resources under `key` may be offered to a framework in `role`: unreserved, or
// reserved to `role` or to one of its ancestors (Resources::allocatable_to, entry by entry).
inline bool is_allocatable_to(const ResourceKey& key, std::string_view role) {
  return !key.reservation.is_reserved() || is_reserved_allocatable_to(key, role);
}

template <typename Keep>
Resources Resources::filter(const Keep& keep) const {
  Resources out;
  out.scalars_.reserve(scalars_.size());  // one allocation rather than one per doubling
  for (const auto& e : scalars_) {
    if (keep(e.key)) out.scalars_.push_back(e);
  }
  for (const auto& e : ranges_) {
    if (keep(e.key)) out.ranges_.push_back(e);
  }
  return out;
}

template <typename Keep>
bool Resources::contains_selected(const Resources& other, const Keep& keep) const {
  // As contains(): a sorted merge walk, over the entries of `other` that `keep` selects.
  auto s = scalars_.begin();
  for (const auto& o : other.scalars_) {
    if (!keep(o.key)) continue;
    while (s != scalars_.end() && s->key < o.key) ++s;
    if (s == scalars_.end() || !(s->key == o.key) || s->value < o.value) return false;
  }
  auto r = ranges_.begin();
  for (const auto& o : other.ranges_) {
    if (!keep(o.key)) continue;
    while (r != ranges_.end() && r->key < o.key) ++r;
    if (r == ranges_.end() || !(r->key == o.key) || !r->value.contains(o.value)) return false;
  }
  return true;
}

template <typename Keep>
bool Resources::any_key(const Keep& keep) const {
  for (const auto& e : scalars_) {
    if (keep(e.key)) return true;
  }
  for (const auto& e : ranges_) {
    if (keep(e.key)) return true;
  }
  return false;
}

template <typename Keep>
bool Resources::all_keys(const Keep& keep) const {
  for (const auto& e : scalars_) {
    if (!keep(e.key)) return false;
  }
  for (const auto& e : ranges_) {
    if (!keep(e.key)) return false;
  }
  return true;
}

}  // namespace mesosim
