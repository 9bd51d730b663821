#pragma once

// Lines of a text file, plain or gzip-compressed, read through one large buffer.
//
// gzip is recognised by its magic bytes (1f 8b), whatever the file is called, and decompressed
// by zlib (concatenated members are read as one stream). Lines end at '\n'; a trailing '\r' is
// dropped, and the last line needs no terminator. Nothing is copied per line: the view a call
// returns is valid until the next call. Memory is the buffer plus the longest line.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "allocator/result.hpp"

namespace mesosim {

class LineReader {
 public:
  // Opens `path`; an error names the file and why it cannot be read.
  static Result<std::unique_ptr<LineReader>> open(const std::string& path);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // The next line, nullopt at the end of the file, or an error for a read failure or a corrupt
  // or truncated gzip stream (naming the file and the line it was reading).
  Result<std::optional<std::string_view>> next();

  // 1-based number of the line the last next() returned (0 before the first).
  int64_t line_number() const { return line_; }
  const std::string& path() const { return path_; }
  bool gzipped() const { return gz_ != nullptr; }

 private:
  LineReader(std::string path, std::FILE* plain, void* gz);
  // Reads more bytes after the unconsumed tail; false at the end of the input.
  Result<bool> fill();

  std::string path_;
  std::FILE* plain_ = nullptr;
  void* gz_ = nullptr;  // gzFile, kept opaque so users need not include zlib.h
  std::unique_ptr<char[]> buf_;
  size_t cap_ = 0;
  size_t begin_ = 0;  // first unconsumed byte
  size_t end_ = 0;    // one past the last byte read
  bool eof_ = false;
  int64_t line_ = 0;
};

// Whether the file starts with the gzip magic bytes (false for unreadable or short files).
bool is_gzip_file(const std::string& path);

}  // namespace mesosim
