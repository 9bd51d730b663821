#include "allocator/reservation.hpp"

#include <array>
#include <atomic>
#include <map>
#include <mutex>
#include <tuple>

#include "allocator/check.hpp"

namespace mesosim {
namespace {

using Key = std::tuple<ReservationInfo::Type, std::string, std::string,
                       std::vector<std::pair<std::string, std::string>>>;

constexpr uint32_t kMaxReservations = 1 << 16;

// Readers index `infos` without a lock: a slot is written once, before `count` is published.
// Reservations are few (one per role, principal and labels in use), so a fixed table suffices.
struct ReservationTable {
  std::array<const ReservationInfo*, kMaxReservations> infos{};  // id - 1 -> info
  std::atomic<uint32_t> count{0};
  std::mutex mu;
  std::map<Key, uint32_t> index;  // guarded by mu
};

ReservationTable& table() {
  static ReservationTable t;
  return t;
}

const std::string kDefaultRole = "*";

}  // namespace

Reservation Reservation::of(const ReservationInfo& info) {
  MESOSIM_CHECK(!info.role.empty() && info.role != "*", "a reservation needs a role other than *");
  ReservationTable& t = table();
  std::lock_guard lock(t.mu);
  Key key{info.type, info.role, info.principal, info.labels};
  auto it = t.index.find(key);
  if (it != t.index.end()) return Reservation(it->second);
  const uint32_t n = t.count.load(std::memory_order_relaxed);
  MESOSIM_CHECK(n < kMaxReservations, "too many distinct reservations");
  t.infos[n] = new ReservationInfo(info);  // never freed: the table lives for the process
  const uint32_t id = n + 1;
  t.index.emplace(std::move(key), id);
  t.count.store(id, std::memory_order_release);
  return Reservation(id);
}

Reservation Reservation::static_for(std::string_view role) {
  ReservationInfo info;
  info.role = std::string(role);
  return of(info);
}

const ReservationInfo& Reservation::info() const {
  MESOSIM_CHECK(is_reserved(), "unreserved resources have no reservation info");
  ReservationTable& t = table();
  MESOSIM_CHECK(id_ <= t.count.load(std::memory_order_acquire), "unknown reservation id");
  return *t.infos[id_ - 1];
}

const std::string& Reservation::role() const {
  return is_reserved() ? info().role : kDefaultRole;
}

}  // namespace mesosim
