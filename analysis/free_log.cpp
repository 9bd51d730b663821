#include "analysis/free_log.hpp"

#include <algorithm>
#include <cstring>

namespace mesosim::analysis {
namespace {

uint64_t zigzag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}

int64_t unzigzag(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

// The value an agent's previous change had at `id` (0 where it had none).
int64_t previous(const std::vector<std::vector<int64_t>>& last, uint32_t agent, size_t id) {
  if (agent >= last.size() || id >= last[agent].size()) return 0;
  return last[agent][id];
}

}  // namespace

void FreeLog::put(uint64_t v) {
  while (v >= 0x80) {
    record_.push_back(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  record_.push_back(static_cast<uint8_t>(v));
}

void FreeLog::append(int64_t t, uint32_t agent, const int64_t* values, uint32_t width) {
  record_.clear();
  // Differences wrap in uint64 and are read back the same way, so any int64 round-trips.
  put(zigzag(static_cast<int64_t>(static_cast<uint64_t>(t) - static_cast<uint64_t>(last_t_))));
  put(agent);
  put(width);
  for (uint32_t id = 0; id < width; ++id) {
    const uint64_t d =
        static_cast<uint64_t>(values[id]) - static_cast<uint64_t>(previous(last_, agent, id));
    put(zigzag(static_cast<int64_t>(d)));
  }
  if (chunks_.empty() || used_.back() + record_.size() > kChunk) {
    chunks_.push_back(std::make_unique<uint8_t[]>(kChunk));
    used_.push_back(0);
  }
  std::memcpy(chunks_.back().get() + used_.back(), record_.data(), record_.size());
  used_.back() += record_.size();
  encoded_ += record_.size();
  if (agent >= last_.size()) last_.resize(agent + size_t{1});
  last_[agent].assign(values, values + width);
  last_t_ = t;
  max_width_ = std::max(max_width_, width);
  ++count_;
}

FreeLog::Reader::Reader(const FreeLog& log) : log_(&log) { peek_time(); }

uint64_t FreeLog::Reader::varint() {
  uint64_t v = 0;
  for (int shift = 0;; shift += 7) {
    if (pos_ == log_->used_[chunk_]) {  // a record never spans chunks: only at a record start
      ++chunk_;
      pos_ = 0;
    }
    const uint8_t b = log_->chunks_[chunk_][pos_++];
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return v;
  }
}

void FreeLog::Reader::peek_time() {
  if (done()) return;
  next_t_ = static_cast<int64_t>(static_cast<uint64_t>(t_) +
                                 static_cast<uint64_t>(unzigzag(varint())));
}

uint32_t FreeLog::Reader::next(std::vector<int64_t>& values) {
  t_ = next_t_;
  const auto agent = static_cast<uint32_t>(varint());
  const auto width = static_cast<uint32_t>(varint());
  values.resize(width);
  for (uint32_t id = 0; id < width; ++id) {
    values[id] = static_cast<int64_t>(static_cast<uint64_t>(previous(last_, agent, id)) +
                                      static_cast<uint64_t>(unzigzag(varint())));
  }
  if (agent >= last_.size()) last_.resize(agent + size_t{1});
  last_[agent] = values;
  ++read_;
  peek_time();
  return agent;
}

}  // namespace mesosim::analysis
