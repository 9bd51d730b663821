#pragma once

// Who a resource is reserved for. Resources are either unreserved (role "*") or reserved to a
// role, statically (in the agent's configuration: `cpus(analytics):4`) or dynamically (by a
// RESERVE operation, with the principal that made it and optional labels that keep two
// reservations of the same role apart). A reservation makes the resource allocatable to its
// role and to that role's strict subroles.
//
// Reservations are interned like resource names: a Reservation is a 32-bit handle and equal
// handles mean equal reservations. Handle 0 is "unreserved".

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace mesosim {

struct ReservationInfo {
  enum class Type : uint8_t { kStatic, kDynamic };
  Type type = Type::kStatic;
  std::string role;
  std::string principal;  // dynamic only
  std::vector<std::pair<std::string, std::string>> labels;  // dynamic only, in given order

  bool operator==(const ReservationInfo&) const = default;
};

class Reservation {
 public:
  constexpr Reservation() = default;
  static constexpr Reservation unreserved() { return Reservation(); }
  static Reservation of(const ReservationInfo& info);
  static Reservation static_for(std::string_view role);

  constexpr bool is_reserved() const { return id_ != 0; }
  constexpr uint32_t id() const { return id_; }
  // Precondition: is_reserved().
  const ReservationInfo& info() const;
  // "*" when unreserved.
  const std::string& role() const;

  constexpr auto operator<=>(const Reservation&) const = default;

 private:
  constexpr explicit Reservation(uint32_t id) : id_(id) {}
  uint32_t id_ = 0;
};

}  // namespace mesosim
