#include "workloads/line_reader.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>
#include <zlib.h>

namespace mesosim {
namespace {

constexpr size_t kBufferBytes = size_t{1} << 20;

gzFile as_gz(void* p) { return static_cast<gzFile>(p); }

}  // namespace

bool is_gzip_file(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return false;
  unsigned char magic[2] = {0, 0};
  const size_t n = std::fread(magic, 1, 2, f);
  std::fclose(f);
  return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

Result<std::unique_ptr<LineReader>> LineReader::open(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    return Error{fmt::format("{}: cannot open: {}", path, std::strerror(errno))};
  }
  unsigned char magic[2] = {0, 0};
  const size_t n = std::fread(magic, 1, 2, f);
  if (std::ferror(f)) {
    const int err = errno;
    std::fclose(f);
    return Error{fmt::format("{}: cannot read: {}", path, std::strerror(err))};
  }
  if (n == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
    std::fclose(f);
    gzFile gz = gzopen(path.c_str(), "rb");
    if (gz == nullptr) return Error{fmt::format("{}: cannot open as gzip", path)};
    gzbuffer(gz, 1 << 18);
    return std::unique_ptr<LineReader>(new LineReader(path, nullptr, gz));
  }
  std::rewind(f);
  return std::unique_ptr<LineReader>(new LineReader(path, f, nullptr));
}

LineReader::LineReader(std::string path, std::FILE* plain, void* gz)
    : path_(std::move(path)),
      plain_(plain),
      gz_(gz),
      buf_(new char[kBufferBytes]),
      cap_(kBufferBytes) {}

LineReader::~LineReader() {
  if (plain_ != nullptr) std::fclose(plain_);
  if (gz_ != nullptr) gzclose(as_gz(gz_));
}

Result<bool> LineReader::fill() {
  if (eof_) return false;
  // Keep the unconsumed tail (a partial line) at the front; grow when one line fills it all.
  const size_t tail = end_ - begin_;
  if (begin_ > 0) {
    std::memmove(buf_.get(), buf_.get() + begin_, tail);
    begin_ = 0;
    end_ = tail;
  }
  if (end_ == cap_) {
    std::unique_ptr<char[]> bigger(new char[cap_ * 2]);
    std::memcpy(bigger.get(), buf_.get(), end_);
    buf_ = std::move(bigger);
    cap_ *= 2;
  }
  const size_t want = cap_ - end_;
  size_t got = 0;
  if (gz_ != nullptr) {
    const int n = gzread(as_gz(gz_), buf_.get() + end_, static_cast<unsigned>(want));
    int errnum = Z_OK;
    const char* msg = gzerror(as_gz(gz_), &errnum);
    if (n < 0 || (errnum != Z_OK && errnum != Z_STREAM_END)) {
      return Error{fmt::format("{}:{}: corrupt or truncated gzip data: {}", path_, line_ + 1,
                               msg != nullptr ? msg : "unknown zlib error")};
    }
    got = static_cast<size_t>(n);
  } else {
    got = std::fread(buf_.get() + end_, 1, want, plain_);
    if (got < want && std::ferror(plain_)) {
      return Error{fmt::format("{}:{}: read error: {}", path_, line_ + 1, std::strerror(errno))};
    }
  }
  if (got == 0) {
    eof_ = true;
    return false;
  }
  end_ += got;
  return true;
}

Result<std::optional<std::string_view>> LineReader::next() {
  size_t scanned = begin_;
  for (;;) {
    const char* start = buf_.get() + begin_;
    const void* nl = std::memchr(buf_.get() + scanned, '\n', end_ - scanned);
    if (nl != nullptr) {
      const char* stop = static_cast<const char*>(nl);
      size_t len = static_cast<size_t>(stop - start);
      begin_ += len + 1;
      if (len > 0 && start[len - 1] == '\r') --len;
      ++line_;
      return std::optional<std::string_view>(std::string_view(start, len));
    }
    const size_t consumed_tail = end_ - begin_;
    Result<bool> more = fill();
    if (!more.ok()) return more.error();
    if (!more.value()) {
      if (begin_ == end_) return std::optional<std::string_view>();
      const char* s = buf_.get() + begin_;
      size_t len = end_ - begin_;
      begin_ = end_;
      if (len > 0 && s[len - 1] == '\r') --len;
      ++line_;
      return std::optional<std::string_view>(std::string_view(s, len));
    }
    scanned = begin_ + consumed_tail;
  }
}

}  // namespace mesosim
