#include "allocator/quantities.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "allocator/check.hpp"

namespace mesosim {

Quantities Quantities::of(const Resources& r) {
  Quantities q;
  q.add(r);
  return q;
}

Result<Quantities> Quantities::parse(std::string_view text) {
  auto r = Resources::parse(text);
  if (!r.ok()) return r.error();
  if (!r.value().range_entries().empty()) {
    return Error{fmt::format("quantities '{}' may hold only scalars, found ranges", text)};
  }
  if (!r.value().reserved().empty() || !r.value().revocable().empty()) {
    return Error{fmt::format("quantities '{}' may not name a role or {{REV}}", text)};
  }
  return of(r.value());
}

void Quantities::set(ResourceName name, Scalar value) {
  ensure(name.id() + 1u);
  milli_[name.id()] = value.milli();
}

bool Quantities::empty() const {
  return std::all_of(milli_.begin(), milli_.end(), [](int64_t v) { return v == 0; });
}

void Quantities::add(const Resources& r) {
  for (const auto& e : r.scalar_entries()) {
    ensure(e.key.name.id() + 1u);
    milli_[e.key.name.id()] += e.value.milli();
  }
}

void Quantities::subtract(const Resources& r) {
  for (const auto& e : r.scalar_entries()) {
    ensure(e.key.name.id() + 1u);
    milli_[e.key.name.id()] -= e.value.milli();
    MESOSIM_CHECK(milli_[e.key.name.id()] >= 0, "quantity went negative");
  }
}

Quantities& Quantities::operator+=(const Quantities& o) {
  ensure(o.milli_.size());
  for (size_t i = 0; i < o.milli_.size(); ++i) milli_[i] += o.milli_[i];
  return *this;
}

Quantities& Quantities::operator-=(const Quantities& o) {
  ensure(o.milli_.size());
  for (size_t i = 0; i < o.milli_.size(); ++i) {
    milli_[i] -= o.milli_[i];
    MESOSIM_CHECK(milli_[i] >= 0, "quantity went negative");
  }
  return *this;
}

Quantities Quantities::minus_floor_zero(const Quantities& o) const {
  Quantities out = *this;
  out.ensure(o.milli_.size());
  for (size_t i = 0; i < o.milli_.size(); ++i) out.milli_[i] = std::max<int64_t>(0, out.milli_[i] - o.milli_[i]);
  return out;
}

Quantities Quantities::min(const Quantities& o) const {
  Quantities out;
  out.ensure(std::min(milli_.size(), o.milli_.size()));
  for (size_t i = 0; i < out.milli_.size(); ++i) out.milli_[i] = std::min(milli_[i], o.milli_[i]);
  return out;
}

bool Quantities::contains(const Quantities& o) const {
  for (size_t i = 0; i < o.milli_.size(); ++i) {
    const int64_t mine = i < milli_.size() ? milli_[i] : 0;
    if (mine < o.milli_[i]) return false;
  }
  return true;
}

bool Quantities::contained_in(const Resources& r) const {
  for (size_t i = 0; i < milli_.size(); ++i) {
    if (milli_[i] <= 0) continue;
    if (r.get(ResourceName::from_id(static_cast<uint16_t>(i))).milli() < milli_[i]) return false;
  }
  return true;
}

bool Quantities::operator==(const Quantities& o) const { return contains(o) && o.contains(*this); }

std::vector<ResourceName> Quantities::names() const {
  std::vector<ResourceName> out;
  for (size_t i = 0; i < milli_.size(); ++i) {
    if (milli_[i] != 0) out.push_back(ResourceName::from_id(static_cast<uint16_t>(i)));
  }
  return out;
}

std::string Quantities::to_string() const {
  std::string s;
  for (ResourceName n : names()) {
    if (!s.empty()) s += ';';
    s += fmt::format("{}:{}", n.str(), get(n).to_string());
  }
  return s;
}

Resources shrink_scalars(const Resources& r, const Quantities& limit) {
  Quantities left = limit;
  Resources out;
  for (const auto& e : r.scalar_entries()) {
    const Scalar room = left.get(e.key.name);
    if (room.milli() <= 0) continue;
    const Scalar take = std::min(room, e.value);
    out.add(e.key, take);
    left.set(e.key.name, room - take);
  }
  return out;
}

}  // namespace mesosim
