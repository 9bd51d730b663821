#include "sim/live/uuid.hpp"

namespace mesosim::live {

namespace {
constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}
}  // namespace

std::string base64_encode(std::string_view raw) {
  std::string out;
  out.reserve((raw.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= raw.size(); i += 3) {
    uint32_t n = (uint32_t{static_cast<uint8_t>(raw[i])} << 16) |
                 (uint32_t{static_cast<uint8_t>(raw[i + 1])} << 8) |
                 uint32_t{static_cast<uint8_t>(raw[i + 2])};
    for (int s = 18; s >= 0; s -= 6) out.push_back(kAlphabet[(n >> s) & 0x3f]);
  }
  size_t rest = raw.size() - i;
  if (rest > 0) {
    uint32_t n = uint32_t{static_cast<uint8_t>(raw[i])} << 16;
    if (rest == 2) n |= uint32_t{static_cast<uint8_t>(raw[i + 1])} << 8;
    out.push_back(kAlphabet[(n >> 18) & 0x3f]);
    out.push_back(kAlphabet[(n >> 12) & 0x3f]);
    out.push_back(rest == 2 ? kAlphabet[(n >> 6) & 0x3f] : '=');
    out.push_back('=');
  }
  return out;
}

Result<std::string> base64_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size() / 4 * 3);
  uint32_t acc = 0;
  int pending = 0;  // characters in `acc`
  int padding = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;  // as Mesos's decoder
    if (c == '=') {
      ++padding;
      continue;
    }
    int v = base64_value(c);
    if (v < 0 || padding > 0) {
      return Error{std::string(v < 0 ? "expected base64, found '" : "data after padding: '") +
                   std::string(1, c) + "' at offset " + std::to_string(i)};
    }
    acc = (acc << 6) | static_cast<uint32_t>(v);
    if (++pending == 4) {
      out.push_back(static_cast<char>((acc >> 16) & 0xff));
      out.push_back(static_cast<char>((acc >> 8) & 0xff));
      out.push_back(static_cast<char>(acc & 0xff));
      acc = 0;
      pending = 0;
    }
  }
  if (pending == 1) return Error{"expected base64, found a truncated final group"};
  if (padding > 0 && padding != 4 - pending) {
    return Error{"expected base64, found " + std::to_string(padding) + " padding characters"};
  }
  if (pending == 2) out.push_back(static_cast<char>((acc >> 4) & 0xff));
  if (pending == 3) {
    out.push_back(static_cast<char>((acc >> 10) & 0xff));
    out.push_back(static_cast<char>((acc >> 2) & 0xff));
  }
  return out;
}

Result<Uuid> uuid_from_bytes(std::string_view raw, const std::string& where) {
  if (std::optional<Uuid> uuid = Uuid::from_bytes(raw)) return *uuid;
  return Error{"expected a 16-byte UUID at '" + where + "', found " + std::to_string(raw.size()) +
               " bytes"};
}

}  // namespace mesosim::live
