#pragma once

// Every change of an agent's free resources over a run, in stream order: the input of the
// fragmentation sweep (internal to analysis/). A long replay records one change per offer made
// and per offer ended, tens of millions of them, so the log is compact: each change is a few
// varints (the time since the previous change, the agent, the number of values, and each value
// as its difference from that agent's previous change, zigzag-encoded) in 1 MiB chunks, which
// grow without the copy and the doubled peak of a vector's reallocation. About 10–14 bytes a
// change where a plain record took 24 + 8 per value.
//
// A run long enough to fill `memory_chunks` chunks spills its full chunks to a temporary file
// (created in $TMPDIR, else /tmp, and unlinked at once, so nothing is left behind even on a
// crash) and keeps only the chunk being filled: memory stays bounded however long the run. If
// the file cannot be created or written, the chunks stay in memory (said once on stderr).

#include <cstdint>
#include <memory>
#include <vector>

namespace mesosim::analysis {

class FreeLog {
 public:
  static constexpr size_t kChunkBytes = size_t{1} << 20;
  static constexpr size_t kMemoryChunks = 64;

  explicit FreeLog(size_t chunk_bytes = kChunkBytes, size_t memory_chunks = kMemoryChunks);
  ~FreeLog();
  FreeLog(const FreeLog&) = delete;
  FreeLog& operator=(const FreeLog&) = delete;

  // Appends a change: at time `t` (micros), `agent`'s free resources are values[0..width).
  void append(int64_t t, uint32_t agent, const int64_t* values, uint32_t width);
  size_t size() const { return count_; }
  // The largest width appended (0 when empty).
  uint32_t max_width() const { return max_width_; }
  // Bytes of the encoded changes, and the chunks holding them (for tests and figures).
  size_t encoded_bytes() const { return encoded_; }
  size_t chunks() const { return chunks_.size(); }
  // Chunks written to the temporary file (0 while everything fits in memory).
  size_t spilled_chunks() const { return spilled_; }

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
    uint64_t varint_in_record();  // a varint after the record's first: no chunk boundary check
    void peek_time();
    const uint8_t* chunk_data(size_t chunk);

    const FreeLog* log_;
    const uint8_t* data_ = nullptr;  // the chunk being read
    std::vector<uint8_t> buffer_;    // a spilled chunk read back
    size_t read_ = 0;                // changes read
    size_t chunk_ = 0, pos_ = 0;
    int64_t t_ = 0, next_t_ = 0;
    std::vector<std::vector<int64_t>> last_;  // by agent: its previous change's values
  };

 private:
  void spill();

  size_t chunk_bytes_, memory_chunks_;
  int fd_ = -1;                       // the temporary file, once spilling began
  size_t spilled_ = 0;                // chunks [0, spilled_) are in the file, one after another
  std::vector<int64_t> file_offset_;  // of each spilled chunk
  bool spill_failed_ = false;
  std::vector<std::unique_ptr<uint8_t[]>> chunks_;  // null once spilled
  std::vector<size_t> used_;                        // bytes used in each chunk
  size_t count_ = 0;
  size_t encoded_ = 0;
  uint32_t max_width_ = 0;
  int64_t last_t_ = 0;
  std::vector<std::vector<int64_t>> last_;  // by agent: its previous change's values
  std::vector<uint8_t> record_;             // the change being encoded (room for the longest)
};

}  // namespace mesosim::analysis
