#include "allocator/ranges.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "allocator/check.hpp"
#include "allocator/text.hpp"

namespace mesosim {
namespace {

std::optional<uint64_t> parse_u64(std::string_view s) {
  s = trim_space(s);
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

RangeSet::RangeSet(std::vector<Interval> intervals) : intervals_(std::move(intervals)) {
  normalize();
}

Result<RangeSet> RangeSet::parse(std::string_view text) {
  const std::string_view t = trim_space(text);
  if (t.size() < 2 || t.front() != '[' || t.back() != ']') {
    return Error{fmt::format("expected ranges like '[31000-32000]', found '{}'", text)};
  }
  std::string_view body = trim_space(t.substr(1, t.size() - 2));
  std::vector<Interval> out;
  while (!body.empty()) {
    const size_t comma = body.find(',');
    const std::string_view item = trim_space(body.substr(0, comma));
    const size_t dash = item.find('-');
    if (dash == std::string_view::npos) {
      return Error{fmt::format("expected a range 'begin-end' in '{}', found '{}'", text, item)};
    }
    auto b = parse_u64(item.substr(0, dash));
    auto e = parse_u64(item.substr(dash + 1));
    if (!b || !e) {
      return Error{fmt::format("expected non-negative integers in range '{}' of '{}'", item, text)};
    }
    if (*b > *e) {
      return Error{fmt::format("range '{}' of '{}' begins after it ends", item, text)};
    }
    out.push_back({*b, *e});
    if (comma == std::string_view::npos) break;
    body.remove_prefix(comma + 1);
    if (trim_space(body).empty()) return Error{fmt::format("trailing ',' in ranges '{}'", text)};
  }
  return RangeSet(std::move(out));
}

uint64_t RangeSet::count() const {
  uint64_t n = 0;
  for (const auto& i : intervals_) n += i.end - i.begin + 1;
  return n;
}

void RangeSet::normalize() {
  // Merged in place (the merged prefix never overtakes the interval being read), so adding to a
  // set allocates nothing beyond what the insertion needed.
  std::sort(intervals_.begin(), intervals_.end());
  size_t kept = 0;
  for (size_t k = 0; k < intervals_.size(); ++k) {
    const Interval i = intervals_[k];
    Interval* last = kept == 0 ? nullptr : &intervals_[kept - 1];
    if (last != nullptr && (last->end == UINT64_MAX || i.begin <= last->end + 1)) {
      last->end = std::max(last->end, i.end);
    } else {
      intervals_[kept++] = i;
    }
  }
  intervals_.resize(kept);
}

bool RangeSet::contains(uint64_t value) const {
  auto it = std::upper_bound(intervals_.begin(), intervals_.end(), value,
                             [](uint64_t v, const Interval& i) { return v < i.begin; });
  return it != intervals_.begin() && std::prev(it)->end >= value;
}

bool RangeSet::contains(const RangeSet& other) const {
  // Both are sorted; walk them together.
  auto it = intervals_.begin();
  for (const auto& o : other.intervals_) {
    while (it != intervals_.end() && it->end < o.begin) ++it;
    if (it == intervals_.end() || it->begin > o.begin || it->end < o.end) return false;
  }
  return true;
}

void RangeSet::add(const RangeSet& other) {
  // A set united with itself is itself; inserting a vector's own range into it is undefined.
  if (other.empty() || &other == this) return;
  intervals_.insert(intervals_.end(), other.intervals_.begin(), other.intervals_.end());
  normalize();
}

RangeSet RangeSet::intersection(const RangeSet& other) const {
  RangeSet out;
  auto a = intervals_.begin();
  auto b = other.intervals_.begin();
  while (a != intervals_.end() && b != other.intervals_.end()) {
    const uint64_t begin = std::max(a->begin, b->begin);
    const uint64_t end = std::min(a->end, b->end);
    if (begin <= end) out.intervals_.push_back({begin, end});
    // Advance whichever interval ends first; the other may still overlap the next one.
    if (a->end < b->end) {
      ++a;
    } else {
      ++b;
    }
  }
  return out;  // sorted and disjoint; non-adjacent because both inputs are
}

void RangeSet::subtract(const RangeSet& other) {
  if (intervals_ == other.intervals_) {  // all of it
    intervals_.clear();
    return;
  }
  MESOSIM_CHECK(contains(other), "subtracting ranges that are not contained");
  std::vector<Interval> out;
  auto o = other.intervals_.begin();
  for (Interval cur : intervals_) {
    bool gone = false;
    while (o != other.intervals_.end() && o->begin <= cur.end) {
      // o lies within cur (containment holds).
      if (o->begin > cur.begin) out.push_back({cur.begin, o->begin - 1});
      if (o->end == cur.end) {
        gone = true;
        ++o;
        break;
      }
      cur.begin = o->end + 1;
      ++o;
    }
    if (!gone) out.push_back(cur);
  }
  intervals_ = std::move(out);
}

RangeSet RangeSet::take_first(uint64_t n) const {
  RangeSet out;
  for (const auto& i : intervals_) {
    if (n == 0) break;
    const uint64_t len = i.end - i.begin + 1;
    if (len <= n) {
      out.intervals_.push_back(i);
      n -= len;
    } else {
      out.intervals_.push_back({i.begin, i.begin + n - 1});
      n = 0;
    }
  }
  return out;
}

std::string RangeSet::to_string() const {
  std::string s = "[";
  for (size_t k = 0; k < intervals_.size(); ++k) {
    if (k) s += ',';
    s += fmt::format("{}-{}", intervals_[k].begin, intervals_[k].end);
  }
  s += ']';
  return s;
}

}  // namespace mesosim
