#include "sim/live/uuid.hpp"

#include <gtest/gtest.h>

namespace mesosim::live {
namespace {

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
