#pragma once

// A set of non-negative integers held as sorted, disjoint, non-adjacent closed intervals: the
// value of a RANGES resource such as ports:[31000-32000,33000-33005].

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "allocator/result.hpp"

namespace mesosim {

struct Interval {
  uint64_t begin = 0;  // inclusive
  uint64_t end = 0;    // inclusive, >= begin
  auto operator<=>(const Interval&) const = default;
};

class RangeSet {
 public:
  RangeSet() = default;
  // Any intervals, overlapping or not; they are merged.
  explicit RangeSet(std::vector<Interval> intervals);
  // "[31000-32000,33000-33005]" (the brackets are required; "[]" is the empty set).
  static Result<RangeSet> parse(std::string_view text);

  bool empty() const { return intervals_.empty(); }
  // How many integers the set holds.
  uint64_t count() const;
  const std::vector<Interval>& intervals() const { return intervals_; }

  bool contains(const RangeSet& other) const;
  bool contains(uint64_t value) const;
  void add(const RangeSet& other);
  // Precondition: contains(other).
  void subtract(const RangeSet& other);
  // The integers both sets hold.
  RangeSet intersection(const RangeSet& other) const;
  // The first `n` integers of the set in ascending order (all of it if it has fewer).
  RangeSet take_first(uint64_t n) const;

  bool operator==(const RangeSet&) const = default;
  std::string to_string() const;

 private:
  void normalize();
  std::vector<Interval> intervals_;
};

}  // namespace mesosim
