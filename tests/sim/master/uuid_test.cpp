#include "sim/master/uuid.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace mesosim {
namespace {

TEST(Uuid, RandomUuidIsVersion4Rfc4122Variant) {
  Rng rng(7);
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    Uuid u = Uuid::random(rng);
    EXPECT_EQ(u.bytes[6] >> 4, 4);
    EXPECT_EQ(u.bytes[8] & 0xc0, 0x80);
    std::string text = u.to_string();
    ASSERT_EQ(text.size(), 36u);
    EXPECT_EQ(text[8], '-');
    EXPECT_EQ(text[13], '-');
    EXPECT_EQ(text[14], '4');
    EXPECT_EQ(text[18], '-');
    EXPECT_TRUE(std::string("89ab").find(text[19]) != std::string::npos) << text;
    EXPECT_EQ(text[23], '-');
    seen.insert(text);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(Uuid, SameSeedGivesSameUuids) {
  Rng a(42), b(42);
  EXPECT_EQ(Uuid::random(a), Uuid::random(b));
  EXPECT_EQ(Uuid::random(a).to_string(), Uuid::random(b).to_string());
}

// The simulator's runs depend on it: a uuid is two draws, low byte first, and nothing else.
TEST(Uuid, RandomTakesTwoDrawsAndKeepsTheirBitsButVersionAndVariant) {
  Rng rng(9), copy(9);
  const Uuid u = Uuid::random(rng);
  const uint64_t first = copy.next();
  const uint64_t second = copy.next();
  EXPECT_EQ(rng.next(), copy.next()) << "exactly two draws";
  for (size_t i = 0; i < 8; ++i) {
    const auto want = static_cast<uint8_t>(first >> (8 * i));
    if (i == 6) {
      EXPECT_EQ(u.bytes[i], (want & 0x0f) | 0x40);
    } else {
      EXPECT_EQ(u.bytes[i], want) << i;
    }
  }
  for (size_t i = 0; i < 8; ++i) {
    const auto want = static_cast<uint8_t>(second >> (8 * i));
    if (i == 0) {
      EXPECT_EQ(u.bytes[8], (want & 0x3f) | 0x80);
    } else {
      EXPECT_EQ(u.bytes[8 + i], want) << 8 + i;
    }
  }
}

TEST(Uuid, CanonicalTextOfKnownBytes) {
  Uuid u = *Uuid::from_bytes(
      std::string("\xf8\x1d\x4f\xae\x7d\xec\x41\xd0\xa7\x65\x00\xa0\xc9\x1e\x6b\xf6", 16));
  EXPECT_EQ(u.to_string(), "f81d4fae-7dec-41d0-a765-00a0c91e6bf6");
  EXPECT_EQ(u.to_bytes(), std::string(u.view()));
  EXPECT_EQ(u.view().size(), 16u);
  EXPECT_EQ(Uuid::from_bytes(u.to_bytes()), u);
  EXPECT_FALSE(Uuid::from_bytes("short").has_value());
  EXPECT_FALSE(Uuid::from_bytes(std::string(17, 'x')).has_value());
}

TEST(Uuid, TheDefaultValueIsTheNilUuid) {
  EXPECT_EQ(Uuid{}.to_string(), "00000000-0000-0000-0000-000000000000");
  Rng rng(1);
  EXPECT_NE(Uuid::random(rng), Uuid{}) << "the version bits alone make it non-nil";
}

TEST(Uuid, OrdersByteWiseWithTheFirstByteMostSignificant) {
  Uuid low, high;
  low.bytes[15] = 0xff;
  high.bytes[0] = 0x01;
  EXPECT_LT(low, high);
  EXPECT_LT(Uuid{}, low);
  EXPECT_EQ(std::set<Uuid>({high, low, high}).size(), 2u);
}

}  // namespace
}  // namespace mesosim
