#include "allocator/resources.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "allocator/check.hpp"
#include "allocator/role_name.hpp"

namespace mesosim {
namespace {

template <typename Entry>
typename std::vector<Entry>::iterator find_slot(std::vector<Entry>& v, const ResourceKey& key) {
  return std::lower_bound(v.begin(), v.end(), key,
                          [](const Entry& e, const ResourceKey& k) { return e.key < k; });
}

template <typename Entry>
typename std::vector<Entry>::const_iterator find_key(const std::vector<Entry>& v,
                                                     const ResourceKey& key) {
  auto it = std::lower_bound(v.begin(), v.end(), key,
                             [](const Entry& e, const ResourceKey& k) { return e.key < k; });
  return (it != v.end() && it->key == key) ? it : v.end();
}

}  // namespace

Resources Resources::scalar(ResourceName name, Scalar value, Reservation r, bool rev) {
  Resources out;
  out.add(ResourceKey{name, r, rev}, value);
  return out;
}

Resources Resources::ranges(ResourceName name, RangeSet value, Reservation r, bool rev) {
  Resources out;
  out.add(ResourceKey{name, r, rev}, value);
  return out;
}

void Resources::add(const ResourceKey& key, Scalar value) {
  MESOSIM_CHECK(value.milli() >= 0, "negative scalar resource");
  if (value.is_zero()) return;
  auto it = find_slot(scalars_, key);
  if (it != scalars_.end() && it->key == key) {
    it->value += value;
  } else {
    scalars_.insert(it, ScalarEntry{key, value});
  }
}

void Resources::add(const ResourceKey& key, const RangeSet& value) {
  if (value.empty()) return;
  auto it = find_slot(ranges_, key);
  if (it != ranges_.end() && it->key == key) {
    it->value.add(value);
  } else {
    ranges_.insert(it, RangesEntry{key, value});
  }
}

bool Resources::contains(const Resources& other) const {
  // Sorted merge walk: every entry of `other` must be matched by one here that is at least it.
  auto s = scalars_.begin();
  for (const auto& o : other.scalars_) {
    while (s != scalars_.end() && s->key < o.key) ++s;
    if (s == scalars_.end() || !(s->key == o.key) || s->value < o.value) return false;
  }
  auto r = ranges_.begin();
  for (const auto& o : other.ranges_) {
    while (r != ranges_.end() && r->key < o.key) ++r;
    if (r == ranges_.end() || !(r->key == o.key) || !r->value.contains(o.value)) return false;
  }
  return true;
}

Resources& Resources::operator+=(const Resources& other) {
  if (&other == this) {
    const Resources copy = other;  // the loops below would read what they are changing
    return *this += copy;
  }
  if (empty()) {
    *this = other;  // a copy, into the buffers this already has (an agent's free resources
    return *this;   // coming back whole after an offer took them all)
  }
  for (const auto& e : other.scalars_) add(e.key, e.value);
  for (const auto& e : other.ranges_) add(e.key, e.value);
  return *this;
}

Resources& Resources::operator-=(const Resources& other) {
  // All of it (an offer that takes everything free on an agent, or this bag itself, which the
  // loops below would skip entries of while erasing): nothing to compute.
  if (&other == this || *this == other) {
    scalars_.clear();
    ranges_.clear();
    return *this;
  }
  MESOSIM_CHECK(contains(other), "subtracting resources that are not contained");
  for (const auto& o : other.scalars_) {
    auto it = find_slot(scalars_, o.key);
    it->value -= o.value;
    if (it->value.is_zero()) scalars_.erase(it);
  }
  for (const auto& o : other.ranges_) {
    auto it = find_slot(ranges_, o.key);
    it->value.subtract(o.value);
    if (it->value.empty()) ranges_.erase(it);
  }
  return *this;
}

Resources Resources::common(const Resources& other) const {
  Resources out;
  for (const auto& e : scalars_) {
    auto it = find_key(other.scalars_, e.key);
    if (it != other.scalars_.end()) out.scalars_.push_back({e.key, std::min(e.value, it->value)});
  }
  for (const auto& e : ranges_) {
    auto it = find_key(other.ranges_, e.key);
    if (it == other.ranges_.end()) continue;
    RangeSet both = e.value.intersection(it->value);
    if (!both.empty()) out.ranges_.push_back({e.key, std::move(both)});
  }
  return out;
}

Scalar Resources::get(ResourceName name) const {
  Scalar sum;
  for (const auto& e : scalars_) {
    if (e.key.name == name) sum += e.value;
  }
  return sum;
}

Resources Resources::unreserved() const {
  return filter([](const ResourceKey& k) { return !k.reservation.is_reserved(); });
}
Resources Resources::reserved() const {
  return filter([](const ResourceKey& k) { return k.reservation.is_reserved(); });
}
Resources Resources::reserved_to(std::string_view role) const {
  return filter([role](const ResourceKey& k) {
    return k.reservation.is_reserved() && k.reservation.role() == role;
  });
}
bool is_reserved_allocatable_to(const ResourceKey& key, std::string_view role) {
  const std::string& owner = key.reservation.role();
  return owner == role || is_strict_subrole(role, owner);
}

Resources Resources::allocatable_to(std::string_view role) const {
  return filter([role](const ResourceKey& k) { return is_allocatable_to(k, role); });
}
Resources Resources::revocable() const {
  return filter([](const ResourceKey& k) { return k.revocable; });
}
Resources Resources::non_revocable() const {
  return filter([](const ResourceKey& k) { return !k.revocable; });
}
Resources Resources::scalars() const {
  Resources out;
  out.scalars_ = scalars_;
  return out;
}
Resources Resources::non_scalars() const {
  Resources out;
  out.ranges_ = ranges_;
  return out;
}

Resources Resources::with_reservation(Reservation reservation) const {
  Resources out;
  for (const auto& e : scalars_) {
    out.add(ResourceKey{e.key.name, reservation, e.key.revocable}, e.value);
  }
  for (const auto& e : ranges_) {
    out.add(ResourceKey{e.key.name, reservation, e.key.revocable}, e.value);
  }
  return out;
}

std::string to_string(const ResourceKey& key) {
  std::string s(key.name.str());
  if (key.reservation.is_reserved()) {
    const ReservationInfo& info = key.reservation.info();
    s += fmt::format("({})", info.role);
    if (key.revocable) s += "{REV}";
    if (info.type == ReservationInfo::Type::kDynamic) {
      s += "{DYN";
      if (!info.principal.empty() || !info.labels.empty()) s += ":" + info.principal;
      if (!info.labels.empty()) {
        s += ':';
        for (size_t i = 0; i < info.labels.size(); ++i) {
          if (i) s += ',';
          s += info.labels[i].first + "=" + info.labels[i].second;
        }
      }
      s += '}';
    }
  } else if (key.revocable) {
    s += "{REV}";
  }
  return s;
}

std::string Resources::to_string() const {
  // Canonical order: by name, then unreserved before reserved, then by what the reservation
  // says (not by its interned id, which depends on what the process saw first), so the same
  // resources print the same in every run.
  struct Item {
    ResourceKey key;
    std::string value;
  };
  std::vector<Item> items;
  items.reserve(scalars_.size() + ranges_.size());
  for (const auto& e : scalars_) items.push_back({e.key, e.value.to_string()});
  for (const auto& e : ranges_) items.push_back({e.key, e.value.to_string()});
  auto rank = [](const ResourceKey& k) {
    static const ReservationInfo kNone{};
    const ReservationInfo& r = k.reservation.is_reserved() ? k.reservation.info() : kNone;
    return std::tie(r.role, r.type, r.principal, r.labels);
  };
  std::sort(items.begin(), items.end(), [&](const Item& a, const Item& b) {
    if (a.key.name != b.key.name) return a.key.name < b.key.name;
    if (a.key.revocable != b.key.revocable) return !a.key.revocable;
    if (a.key.reservation.is_reserved() != b.key.reservation.is_reserved()) {
      return !a.key.reservation.is_reserved();
    }
    return rank(a.key) < rank(b.key);
  });
  std::string out;
  for (const Item& item : items) {
    if (!out.empty()) out += ';';
    out += mesosim::to_string(item.key) + ":" + item.value;
  }
  return out;
}

}  // namespace mesosim
