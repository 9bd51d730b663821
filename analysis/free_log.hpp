#pragma once

// Every change of an agent's free resources over a run, in stream order: the input of the
// fragmentation sweep (internal to analysis/). A long replay records one change per offer made
// and per offer ended, tens of millions of them, so the log is compact: each change is a few
// varints (the time since the previous change, the agent, the number of values, and each value
// as its difference from that agent's previous change, zigzag-encoded) in 1 MiB chunks, which
// grow without the copy and the doubled peak of a vector's reallocation. About 10–14 bytes a
// change where a plain record took 24 + 8 per value.

#include <cstdint>
#include <memory>
#include <vector>

namespace mesosim::analysis {

class FreeLog {
 public:
  // Appends a change: at time `t` (micros), `agent`'s free resources are values[0..width).
  void append(int64_t t, uint32_t agent, const int64_t* values, uint32_t width);
  size_t size() const { return count_; }
  // The largest width appended (0 when empty).
  uint32_t max_width() const { return max_width_; }
  // Bytes of the encoded changes, and the chunks holding them (for tests and figures).
  size_t encoded_bytes() const { return encoded_; }
  size_t chunks() const { return chunks_.size(); }

  // Reads the changes back in order.
  class Reader {
   public:
    explicit Reader(const FreeLog& log);
    bool done() const { return read_ == log_->count_; }
    // The time of the next change; only when !done().
    int64_t next_time() const { return next_t_; }
    // Reads the next change: its agent, and its values into `values` (resized to its width).
    uint32_t next(std::vector<int64_t>& values);

   private:
    uint64_t varint();
    void peek_time();

    const FreeLog* log_;
    size_t read_ = 0;  // changes read
    size_t chunk_ = 0, pos_ = 0;
    int64_t t_ = 0, next_t_ = 0;
    std::vector<std::vector<int64_t>> last_;  // by agent: its previous change's values
  };

 private:
  static constexpr size_t kChunk = size_t{1} << 20;

  void put(uint64_t v);

  std::vector<std::unique_ptr<uint8_t[]>> chunks_;
  std::vector<size_t> used_;  // bytes used in each chunk
  size_t count_ = 0;
  size_t encoded_ = 0;
  uint32_t max_width_ = 0;
  int64_t last_t_ = 0;
  std::vector<std::vector<int64_t>> last_;  // by agent: its previous change's values
  std::vector<uint8_t> record_;             // the change being encoded
};

}  // namespace mesosim::analysis
