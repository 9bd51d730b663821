#include "analysis/free_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

namespace mesosim::analysis {
namespace {

uint64_t zigzag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}

int64_t unzigzag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

// Writes `v` as a varint at `p`; returns the byte after it.
uint8_t* put_varint(uint8_t* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<uint8_t>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<uint8_t>(v);
  return p;
}

std::string temporary_dir() {
  const char* dir = std::getenv("TMPDIR");
  return dir != nullptr && *dir != '\0' ? dir : "/tmp";
}

// An unlinked temporary file in `dir`; -1 and errno when it cannot be made.
int temporary_file(const std::string& dir) {
  std::string path = fmt::format("{}/mesosim-free-log-XXXXXX", dir);
  const int fd = mkostemp(path.data(), O_CLOEXEC);
  if (fd >= 0) unlink(path.c_str());
  return fd;
}

bool write_all(int fd, const uint8_t* data, size_t n, off_t offset) {
  while (n > 0) {
    const ssize_t w = pwrite(fd, data, n, offset);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    data += w;
    n -= static_cast<size_t>(w);
    offset += w;
  }
  return true;
}

}  // namespace

FreeLog::FreeLog(size_t chunk_bytes, size_t memory_chunks)
    : chunk_bytes_(std::max<size_t>(chunk_bytes, 64)),
      memory_chunks_(std::max<size_t>(memory_chunks, 1)) {}

FreeLog::~FreeLog() {
  if (fd_ >= 0) close(fd_);
}

// Writes every full chunk still in memory to the file and frees it.
void FreeLog::spill() {
  if (spill_failed_) return;
  if (fd_ < 0) {
    const std::string dir = temporary_dir();
    fd_ = temporary_file(dir);
    if (fd_ < 0) {
      spill_failed_ = true;
      fmt::print(stderr,
                 "analysis: cannot create a temporary file in {} ({}); the "
                 "fragmentation log stays in memory\n",
                 dir, std::strerror(errno));
      return;
    }
  }
  const size_t full = chunks_.size() - 1;  // the last one is being filled
  for (; spilled_ < full; ++spilled_) {
    const int64_t offset =
        file_offset_.empty() ? 0 : file_offset_.back() + static_cast<int64_t>(used_[spilled_ - 1]);
    if (!write_all(fd_, chunks_[spilled_].get(), used_[spilled_], static_cast<off_t>(offset))) {
      spill_failed_ = true;
      fmt::print(stderr,
                 "analysis: cannot write the fragmentation log's temporary file ({}); "
                 "it stays in memory\n",
                 std::strerror(errno));
      return;
    }
    file_offset_.push_back(offset);
    chunks_[spilled_].reset();
  }
}

void FreeLog::append(int64_t t, uint32_t agent, const int64_t* values, uint32_t width) {
  if (agent >= last_.size()) last_.resize(agent + size_t{1});
  std::vector<int64_t>& last = last_[agent];
  // Encoded in place, at most 10 bytes for the time, 5 each for agent and width, 10 a value.
  record_.resize(20 + size_t{10} * width);
  uint8_t* p = record_.data();
  // Differences wrap in uint64 and are read back the same way, so any int64 round-trips.
  p = put_varint(
      p, zigzag(static_cast<int64_t>(static_cast<uint64_t>(t) - static_cast<uint64_t>(last_t_))));
  p = put_varint(p, agent);
  p = put_varint(p, width);
  const uint32_t known = std::min(width, static_cast<uint32_t>(last.size()));
  for (uint32_t id = 0; id < width; ++id) {
    const int64_t before = id < known ? last[id] : 0;
    const uint64_t d = static_cast<uint64_t>(values[id]) - static_cast<uint64_t>(before);
    p = put_varint(p, zigzag(static_cast<int64_t>(d)));
  }
  const size_t size = static_cast<size_t>(p - record_.data());
  if (chunks_.empty() || used_.back() + size > chunk_bytes_) {
    // A record wider than a chunk gets its own.
    chunks_.push_back(std::make_unique<uint8_t[]>(std::max(chunk_bytes_, size)));
    used_.push_back(0);
    if (chunks_.size() - spilled_ > memory_chunks_) spill();
  }
  std::memcpy(chunks_.back().get() + used_.back(), record_.data(), size);
  used_.back() += size;
  encoded_ += size;
  last.assign(values, values + width);
  last_t_ = t;
  max_width_ = std::max(max_width_, width);
  ++count_;
}

FreeLog::Reader::Reader(const FreeLog& log) : log_(&log) { peek_time(); }

uint64_t FreeLog::Reader::varint() {
  uint64_t v = 0;
  for (int shift = 0;; shift += 7) {
    if (data_ == nullptr || pos_ == log_->used_[chunk_]) {  // only at a record's start: a
      if (data_ != nullptr) ++chunk_;                       // record never spans chunks
      pos_ = 0;
      data_ = chunk_data(chunk_);
    }
    const uint8_t b = data_[pos_++];
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return v;
  }
}

const uint8_t* FreeLog::Reader::chunk_data(size_t chunk) {
  if (chunk >= log_->spilled_) return log_->chunks_[chunk].get();
  buffer_.resize(log_->used_[chunk]);
  size_t got = 0;
  const auto offset = static_cast<off_t>(log_->file_offset_[chunk]);
  while (got < buffer_.size()) {
    const ssize_t r = pread(log_->fd_, buffer_.data() + got, buffer_.size() - got,
                            offset + static_cast<off_t>(got));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {  // the file this process wrote cannot be read back (an I/O error)
      throw std::runtime_error(
          fmt::format("analysis: cannot read the fragmentation log's temporary file ({})",
                      r < 0 ? std::strerror(errno) : "short file"));
    }
    got += static_cast<size_t>(r);
  }
  return buffer_.data();
}

void FreeLog::Reader::peek_time() {
  if (done()) return;
  next_t_ =
      static_cast<int64_t>(static_cast<uint64_t>(t_) + static_cast<uint64_t>(unzigzag(varint())));
}

uint64_t FreeLog::Reader::varint_in_record() {
  uint64_t v = 0;
  for (int shift = 0;; shift += 7) {
    const uint8_t b = data_[pos_++];
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return v;
  }
}

uint32_t FreeLog::Reader::next(std::vector<int64_t>& values) {
  t_ = next_t_;
  // peek_time() read the record's first varint: the rest is in the same chunk.
  const auto agent = static_cast<uint32_t>(varint_in_record());
  const auto width = static_cast<uint32_t>(varint_in_record());
  if (agent >= last_.size()) last_.resize(agent + size_t{1});
  std::vector<int64_t>& last = last_[agent];
  const uint32_t known = std::min(width, static_cast<uint32_t>(last.size()));
  values.resize(width);
  for (uint32_t id = 0; id < width; ++id) {
    const int64_t before = id < known ? last[id] : 0;
    values[id] = static_cast<int64_t>(static_cast<uint64_t>(before) +
                                      static_cast<uint64_t>(unzigzag(varint_in_record())));
  }
  last.assign(values.begin(), values.end());
  ++read_;
  peek_time();
  return agent;
}

}  // namespace mesosim::analysis
