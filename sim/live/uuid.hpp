#pragma once

// UUIDs of the v1 API: status update uuids (bytes, base64 in JSON) and stream ids
// (`Mesos-Stream-Id`, canonical 8-4-4-4-12 text). Randomness comes from the caller's Rng, so a
// seeded run produces the same ids.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "allocator/result.hpp"
#include "allocator/rng.hpp"

namespace mesosim::live {

// An RFC 4122 version 4 (random) UUID: 16 bytes with the version nibble 4 and variant 10xx.
struct Uuid {
  std::array<uint8_t, 16> bytes{};

  static Uuid random(Rng& rng);
  // Accepts exactly the 16 raw bytes.
  static std::optional<Uuid> from_bytes(std::string_view raw);

  std::string to_bytes() const;   // the 16 raw bytes
  std::string to_string() const;  // "f81d4fae-7dec-41d0-a765-00a0c91e6bf6", lower case
  bool operator==(const Uuid&) const = default;
};

// Standard base64 alphabet with '=' padding (RFC 4648 section 4), as Mesos writes `bytes`.
std::string base64_encode(std::string_view raw);
// As Mesos decodes `bytes`: padding optional, whitespace skipped, standard alphabet only. Stricter
// than Mesos in two cases it silently mangles: a dangling single character, data after '='.
Result<std::string> base64_decode(std::string_view text);

}  // namespace mesosim::live
