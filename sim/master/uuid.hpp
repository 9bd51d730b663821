#pragma once

// The UUID of a status update (both modes) and of live mode's stream and master ids. A 16-byte
// value, so an update's uuid is copied at every hop (update manager, master, framework,
// acknowledgement) without allocating. Randomness comes from the caller's Rng, so a seeded run
// produces the same ids.

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "allocator/rng.hpp"

namespace mesosim {

// An RFC 4122 UUID as 16 raw bytes. random() makes a version 4 one (version nibble 4, variant
// 10xx); from_bytes() takes any 16 bytes as they come off the wire. The default value is the
// nil UUID (all zero), which no update carries.
struct Uuid {
  std::array<uint8_t, 16> bytes{};

  // Draws exactly two rng.next(), the first giving bytes 0-7 and the second bytes 8-15 (low byte
  // first), then sets the version and variant bits.
  static Uuid random(Rng& rng);
  // Accepts exactly the 16 raw bytes.
  static std::optional<Uuid> from_bytes(std::string_view raw);

  // The 16 raw bytes, valid as long as this Uuid is.
  std::string_view view() const {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
  }
  std::string to_bytes() const;   // the 16 raw bytes
  std::string to_string() const;  // "f81d4fae-7dec-41d0-a765-00a0c91e6bf6", lower case
  // Byte-wise, so tests can keep uuids in ordered sets.
  auto operator<=>(const Uuid&) const = default;
};
static_assert(std::is_trivially_copyable_v<Uuid> && sizeof(Uuid) == 16);

}  // namespace mesosim
