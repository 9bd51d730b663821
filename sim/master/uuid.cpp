#include "sim/master/uuid.hpp"

namespace mesosim {

Uuid Uuid::random(Rng& rng) {
  Uuid u;
  for (size_t i = 0; i < 16; i += 8) {
    uint64_t r = rng.next();
    for (size_t j = 0; j < 8; ++j) u.bytes[i + j] = static_cast<uint8_t>(r >> (8 * j));
  }
  u.bytes[6] = static_cast<uint8_t>((u.bytes[6] & 0x0f) | 0x40);  // version 4
  u.bytes[8] = static_cast<uint8_t>((u.bytes[8] & 0x3f) | 0x80);  // variant RFC 4122
  return u;
}

std::optional<Uuid> Uuid::from_bytes(std::string_view raw) {
  if (raw.size() != 16) return std::nullopt;
  Uuid u;
  for (size_t i = 0; i < 16; ++i) u.bytes[i] = static_cast<uint8_t>(raw[i]);
  return u;
}

std::string Uuid::to_bytes() const { return std::string(view()); }

std::string Uuid::to_string() const {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[bytes[i] >> 4]);
    out.push_back(kHex[bytes[i] & 0xf]);
  }
  return out;
}

}  // namespace mesosim
