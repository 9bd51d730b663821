#include "sim/live/uuid.hpp"

#include <gtest/gtest.h>

#include <set>

namespace mesosim::live {
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

TEST(Uuid, CanonicalTextOfKnownBytes) {
  Uuid u = *Uuid::from_bytes(
      std::string("\xf8\x1d\x4f\xae\x7d\xec\x41\xd0\xa7\x65\x00\xa0\xc9\x1e\x6b\xf6", 16));
  EXPECT_EQ(u.to_string(), "f81d4fae-7dec-41d0-a765-00a0c91e6bf6");
  EXPECT_EQ(base64_encode(u.to_bytes()), "+B1Prn3sQdCnZQCgyR5r9g==");
  EXPECT_EQ(Uuid::from_bytes(u.to_bytes()), u);
  EXPECT_FALSE(Uuid::from_bytes("short").has_value());
}

TEST(Base64, EncodesWithStandardAlphabetAndPadding) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("\xfb\xff"), "+/8=");
}

TEST(Base64, DecodesWhatItEncodes) {
  for (std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar", "\xfb\xff\x00"}) {
    Result<std::string> r = base64_decode(base64_encode(s));
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r.value(), s);
  }
}

TEST(Base64, RejectsBadInputSayingWhat) {
  Result<std::string> r = base64_decode("Zm9vY");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("truncated"), std::string::npos);
  r = base64_decode("Zm!v");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("'!' at offset 2"), std::string::npos) << r.error().message;
  EXPECT_FALSE(base64_decode("Zg==Zm9v").ok());  // padding before the end
  EXPECT_FALSE(base64_decode("Z===").ok());
  EXPECT_FALSE(base64_decode("-_8=").ok());   // URL-safe alphabet
  EXPECT_FALSE(base64_decode("Zm8==").ok());  // too much padding
}

TEST(Base64, AcceptsMissingPaddingAndWhitespaceAsMesosDoes) {
  EXPECT_EQ(base64_decode("Zm9vYg").value(), "foob");
  EXPECT_EQ(base64_decode("Zm9v\nYmFy").value(), "foobar");
  // The uuid of the ACKNOWLEDGE example in Mesos's docs: 22 characters, no padding, 16 bytes.
  EXPECT_EQ(base64_decode("jhadf73jhakdlfha723adf").value().size(), 16u);
}

}  // namespace
}  // namespace mesosim::live
