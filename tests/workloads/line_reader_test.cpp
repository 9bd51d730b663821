#include "workloads/line_reader.hpp"

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <zlib.h>

namespace mesosim {
namespace {

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("mesosim_line_reader_" + name)).string();
}

void write_file(const std::string& path, const std::string& bytes) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  std::fwrite(bytes.data(), 1, bytes.size(), f);
  std::fclose(f);
}

std::vector<std::string> all_lines(const std::string& path) {
  auto r = LineReader::open(path);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  std::vector<std::string> out;
  if (!r.ok()) return out;
  for (;;) {
    auto line = r.value()->next();
    EXPECT_TRUE(line.ok()) << (line.ok() ? "" : line.error().message);
    if (!line.ok() || !line.value()) break;
    out.emplace_back(*line.value());
    EXPECT_EQ(r.value()->line_number(), static_cast<int64_t>(out.size()));
  }
  return out;
}

TEST(LineReaderTest, SplitsOnNewlinesDropsCarriageReturnsAndKeepsAnUnterminatedLastLine) {
  const auto path = temp_path("basic.txt");
  write_file(path, "a,b\r\n\nlast");
  EXPECT_EQ(all_lines(path), (std::vector<std::string>{"a,b", "", "last"}));
  write_file(path, "");
  EXPECT_TRUE(all_lines(path).empty());
  std::filesystem::remove(path);
}

TEST(LineReaderTest, ReadsLinesLongerThanItsBuffer) {
  const auto path = temp_path("long.txt");
  const std::string long_line(3'500'000, 'x');
  write_file(path, "first\n" + long_line + "\nthird\n");
  const auto lines = all_lines(path);
  std::filesystem::remove(path);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[1], long_line);
  EXPECT_EQ(lines[2], "third");
}

TEST(LineReaderTest, ReadsConcatenatedGzipMembersAsOneStream) {
  const auto path = temp_path("members.gz");
  // Two gzip members, the second appended (as `cat a.gz b.gz` makes), a line split across them.
  gzFile first = gzopen(path.c_str(), "wb");
  gzputs(first, "one\ntw");
  gzclose(first);
  gzFile second = gzopen(path.c_str(), "ab");
  gzputs(second, "o\nthree\n");
  gzclose(second);
  EXPECT_TRUE(is_gzip_file(path));
  EXPECT_EQ(all_lines(path), (std::vector<std::string>{"one", "two", "three"}));
  std::filesystem::remove(path);
}

TEST(LineReaderTest, AFileWithAGzipNameButPlainContentIsReadAsPlain) {
  const auto path = temp_path("plain.gz");
  write_file(path, "not compressed\n");
  EXPECT_FALSE(is_gzip_file(path));
  EXPECT_EQ(all_lines(path), (std::vector<std::string>{"not compressed"}));
  std::filesystem::remove(path);
}

TEST(LineReaderTest, ADirectoryIsAnErrorNotAnEmptyTrace) {
  const auto dir = std::filesystem::temp_directory_path().string();
  auto r = LineReader::open(dir);
  if (r.ok()) {
    auto line = r.value()->next();
    ASSERT_FALSE(line.ok());
    EXPECT_NE(line.error().message.find(dir), std::string::npos);
  } else {
    EXPECT_NE(r.error().message.find(dir), std::string::npos);
  }
}

}  // namespace
}  // namespace mesosim
