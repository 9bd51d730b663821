#include "sim/live/recordio.hpp"

#include <gtest/gtest.h>

namespace mesosim::live {
namespace {

std::vector<std::string> decode_all(RecordIODecoder& decoder, std::string_view chunk) {
  Result<std::vector<std::string>> r = decoder.decode(chunk);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? r.value() : std::vector<std::string>{};
}

TEST(RecordIO, EncodesDecimalLengthNewlineAndBytes) {
  EXPECT_EQ(encode_record("{}"), "2\n{}");
  EXPECT_EQ(encode_record(""), "0\n");
  EXPECT_EQ(encode_record(std::string(12, 'x')), "12\n" + std::string(12, 'x'));
}

TEST(RecordIO, DecodesRecordsSplitAtEveryByteBoundary) {
  const std::vector<std::string> records = {"{\"type\":\"HEARTBEAT\"}", "", "a\nb\n",
                                            std::string(123, 'z')};
  std::string stream;
  for (const auto& r : records) stream += encode_record(r);
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    RecordIODecoder decoder;
    std::vector<std::string> got = decode_all(decoder, std::string_view(stream).substr(0, cut));
    std::vector<std::string> rest = decode_all(decoder, std::string_view(stream).substr(cut));
    got.insert(got.end(), rest.begin(), rest.end());
    EXPECT_EQ(got, records) << "cut at " << cut;
    EXPECT_TRUE(decoder.at_record_boundary());
  }
}

TEST(RecordIO, DecodesOneByteAtATime) {
  std::string stream = encode_record("hello") + encode_record("world!");
  RecordIODecoder decoder;
  std::vector<std::string> got;
  for (char c : stream) {
    for (auto& r : decode_all(decoder, std::string_view(&c, 1))) got.push_back(r);
  }
  EXPECT_EQ(got, (std::vector<std::string>{"hello", "world!"}));
}

TEST(RecordIO, PartialRecordIsNotABoundary) {
  RecordIODecoder decoder;
  EXPECT_TRUE(decode_all(decoder, "5\nhel").empty());
  EXPECT_FALSE(decoder.at_record_boundary());
  EXPECT_EQ(decode_all(decoder, "lo"), std::vector<std::string>{"hello"});
}

TEST(RecordIO, NonDigitInLengthIsAnErrorAndSticks) {
  RecordIODecoder decoder;
  Result<std::vector<std::string>> r = decoder.decode("1x\n");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("expected a decimal digit"), std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("'x'"), std::string::npos);
  Result<std::vector<std::string>> again = decoder.decode("2\n{}");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().message, r.error().message);
}

TEST(RecordIO, NegativeOrSpacedLengthIsAnError) {
  EXPECT_FALSE(RecordIODecoder().decode("-1\n").ok());
  EXPECT_FALSE(RecordIODecoder().decode(" 1\nx").ok());
  EXPECT_FALSE(RecordIODecoder().decode("\n").ok());
}

TEST(RecordIO, RecordOverTheLimitIsAnErrorBeforeItsBytesArrive) {
  RecordIODecoder decoder(/*max_record_bytes=*/10);
  EXPECT_EQ(decode_all(decoder, encode_record("0123456789")),
            std::vector<std::string>{"0123456789"});
  Result<std::vector<std::string>> r = decoder.decode("11\n");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("exceeds the limit of 10 bytes"), std::string::npos)
      << r.error().message;
}

TEST(RecordIO, OverlongLengthHeaderIsAnErrorWithoutWaitingForNewline) {
  RecordIODecoder decoder(/*max_record_bytes=*/1000);
  Result<std::vector<std::string>> r = decoder.decode("12345");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("exceeds the limit"), std::string::npos) << r.error().message;
  // A header that would overflow size_t is refused too.
  EXPECT_FALSE(RecordIODecoder().decode(std::string(40, '9')).ok());
}

TEST(RecordIO, LimitSmallerThanOneDigitStillHolds) {
  RecordIODecoder decoder(/*max_record_bytes=*/5);
  EXPECT_EQ(decode_all(decoder, "5\nabcde"), std::vector<std::string>{"abcde"});
  EXPECT_FALSE(decoder.decode("9").ok());
}

TEST(RecordIO, LeadingZerosAreAccepted) {
  RecordIODecoder decoder(/*max_record_bytes=*/10);
  EXPECT_EQ(decode_all(decoder, "0002\nab"), std::vector<std::string>{"ab"});
}

}  // namespace
}  // namespace mesosim::live
