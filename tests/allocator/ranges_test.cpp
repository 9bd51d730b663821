#include "allocator/ranges.hpp"

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/allocator/allocator_test_util.hpp"

namespace mesosim {
namespace {

using ::testing::HasSubstr;

using ::mesosim::testing::Same;

constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();

RangeSet parse_ok(std::string_view text) {
  auto r = RangeSet::parse(text);
  EXPECT_TRUE(r.ok()) << "'" << text << "': " << (r.ok() ? "" : r.error().message);
  return r.ok() ? r.value() : RangeSet();
}

std::string parse_error(std::string_view text) {
  auto r = RangeSet::parse(text);
  EXPECT_FALSE(r.ok()) << "'" << text << "' was accepted as "
                       << (r.ok() ? r.value().to_string() : "");
  return r.ok() ? "" : r.error().message;
}

TEST(RangeSetTest, MergesOverlappingIntervals) {
  EXPECT_EQ(RangeSet({{5, 10}, {1, 6}}).to_string(), "[1-10]");
}

TEST(RangeSetTest, MergesAdjacentIntervalsButKeepsGapsOfOne) {
  EXPECT_EQ(RangeSet({{4, 6}, {1, 3}}).to_string(), "[1-6]");
  EXPECT_EQ(RangeSet({{1, 3}, {5, 6}}).to_string(), "[1-3,5-6]");
}

TEST(RangeSetTest, SortsIntervalsAndSwallowsContainedOnes) {
  EXPECT_EQ(RangeSet({{20, 25}, {1, 10}, {3, 4}, {10, 10}, {22, 30}}).to_string(), "[1-10,20-30]");
}

TEST(RangeSetTest, MergesIntervalsAtTheTopOfTheValueRangeWithoutOverflow) {
  EXPECT_EQ(RangeSet({{kMax, kMax}, {5, kMax - 1}}).to_string(), "[5-18446744073709551615]");
  EXPECT_EQ(RangeSet({{5, kMax}, {10, 20}}).to_string(), "[5-18446744073709551615]");
}

TEST(RangeSetTest, EqualSetsCompareEqualHoweverTheyWereBuilt) {
  EXPECT_SAME(RangeSet({{1, 2}, {3, 4}}), RangeSet({{1, 4}}));
  EXPECT_SAME(parse_ok("[3-4,1-2]"), RangeSet({{1, 4}}));
  EXPECT_NE(RangeSet({{1, 2}}), RangeSet({{1, 3}}));
}

TEST(RangeSetTest, CountsTheIntegersHeld) {
  EXPECT_EQ(RangeSet().count(), 0u);
  EXPECT_EQ(RangeSet({{7, 7}}).count(), 1u);
  EXPECT_EQ(RangeSet({{1, 3}, {10, 10}, {31000, 32000}}).count(), 3u + 1u + 1001u);
}

TEST(RangeSetTest, ContainsValuesOnlyInsideItsIntervals) {
  const RangeSet r({{10, 20}, {30, 30}});
  for (uint64_t v : {10u, 15u, 20u, 30u}) EXPECT_TRUE(r.contains(v)) << v;
  for (uint64_t v : {0u, 9u, 21u, 29u, 31u}) EXPECT_FALSE(r.contains(v)) << v;
  EXPECT_FALSE(RangeSet().contains(uint64_t{0}));
}

TEST(RangeSetTest, ContainsASetOnlyIfEveryIntervalFitsInsideOneOfItsOwn) {
  const RangeSet r({{1, 10}, {20, 30}});
  EXPECT_TRUE(r.contains(RangeSet({{1, 10}})));
  EXPECT_TRUE(r.contains(RangeSet({{2, 3}, {5, 5}, {20, 30}})));
  EXPECT_TRUE(r.contains(r));
  EXPECT_FALSE(r.contains(RangeSet({{10, 20}})));  // spans the gap
  EXPECT_FALSE(r.contains(RangeSet({{0, 1}})));
  EXPECT_FALSE(r.contains(RangeSet({{30, 31}})));
  EXPECT_FALSE(r.contains(RangeSet({{2, 3}, {15, 15}})));
}

TEST(RangeSetTest, EverySetContainsTheEmptySetAndTheEmptySetContainsNothingElse) {
  EXPECT_TRUE(RangeSet({{1, 2}}).contains(RangeSet()));
  EXPECT_TRUE(RangeSet().contains(RangeSet()));
  EXPECT_FALSE(RangeSet().contains(RangeSet({{1, 1}})));
}

TEST(RangeSetTest, AddingMergesWithWhatIsThere) {
  RangeSet r({{1, 2}, {10, 12}});
  r.add(RangeSet({{3, 4}, {8, 9}, {20, 20}}));
  EXPECT_EQ(r.to_string(), "[1-4,8-12,20-20]");
  r.add(RangeSet());
  EXPECT_EQ(r.to_string(), "[1-4,8-12,20-20]");
}

TEST(RangeSetTest, AddingASetToItselfLeavesItUnchanged) {
  RangeSet r({{1, 2}, {5, 9}, {20, 20}});
  r.add(r);
  EXPECT_EQ(r.to_string(), "[1-2,5-9,20-20]");
}

TEST(RangeSetTest, SubtractingFromTheMiddleSplitsAnIntervalInTwo) {
  RangeSet r({{1, 10}});
  r.subtract(RangeSet({{4, 6}}));
  EXPECT_EQ(r.to_string(), "[1-3,7-10]");
}

TEST(RangeSetTest, SubtractingAtEitherEdgeShrinksTheInterval) {
  RangeSet r({{1, 10}});
  r.subtract(RangeSet({{1, 1}}));
  EXPECT_EQ(r.to_string(), "[2-10]");
  r.subtract(RangeSet({{8, 10}}));
  EXPECT_EQ(r.to_string(), "[2-7]");
}

TEST(RangeSetTest, SubtractingAWholeIntervalRemovesOnlyThatInterval) {
  RangeSet r({{1, 3}, {5, 7}, {9, 11}});
  r.subtract(RangeSet({{5, 7}}));
  EXPECT_EQ(r.to_string(), "[1-3,9-11]");
  r.subtract(r);
  EXPECT_TRUE(r.empty());
}

TEST(RangeSetTest, SubtractingManyPiecesAcrossIntervalsLeavesTheRest) {
  RangeSet r({{1, 10}, {20, 30}});
  r.subtract(RangeSet({{2, 3}, {5, 5}, {10, 10}, {20, 29}}));
  EXPECT_EQ(r.to_string(), "[1-1,4-4,6-9,30-30]");
  EXPECT_EQ(r.count(), 7u);
}

TEST(RangeSetTest, SubtractingAtTheTopOfTheValueRangeWorks) {
  RangeSet r({{kMax - 5, kMax}});
  r.subtract(RangeSet({{kMax - 1, kMax}}));
  EXPECT_EQ(r.to_string(), "[18446744073709551610-18446744073709551613]");
}

TEST(RangeSetDeathTest, SubtractingWhatIsNotContainedAborts) {
  EXPECT_DEATH(
      {
        RangeSet r({{1, 10}});
        r.subtract(RangeSet({{10, 11}}));
      },
      "not contained");
}

TEST(RangeSetTest, TakeFirstTakesTheLowestValuesInOrder) {
  const RangeSet r({{5, 7}, {10, 20}});
  EXPECT_TRUE(r.take_first(0).empty());
  EXPECT_SAME(r.take_first(2), RangeSet({{5, 6}}));
  EXPECT_SAME(r.take_first(3), RangeSet({{5, 7}}));
  EXPECT_SAME(r.take_first(5), RangeSet({{5, 7}, {10, 11}}));
  EXPECT_EQ(r.take_first(5).count(), 5u);
  EXPECT_SAME(r.take_first(1000), r);
  EXPECT_SAME(r, RangeSet({{5, 7}, {10, 20}}));  // unchanged
}

TEST(RangeSetTest, TakeFirstResultIsContainedAndCanBeSubtracted) {
  RangeSet r({{5, 7}, {10, 20}});
  const RangeSet taken = r.take_first(4);
  EXPECT_TRUE(r.contains(taken));
  r.subtract(taken);
  EXPECT_SAME(r, RangeSet({{11, 20}}));
}

TEST(RangeSetTest, PrintsBracketedCommaSeparatedIntervals) {
  EXPECT_EQ(RangeSet().to_string(), "[]");
  EXPECT_EQ(RangeSet({{7, 7}}).to_string(), "[7-7]");
  EXPECT_EQ(RangeSet({{33000, 33005}, {31000, 32000}}).to_string(), "[31000-32000,33000-33005]");
}

TEST(RangeSetTest, ParsesWhatItPrints) {
  for (const char* text : {"[]", "[0-0]", "[1-2,4-5]", "[31000-32000,33000-33005]",
                           "[18446744073709551615-18446744073709551615]"}) {
    EXPECT_EQ(parse_ok(text).to_string(), text);
  }
}

TEST(RangeSetTest, ParsingToleratesWhitespace) {
  EXPECT_SAME(parse_ok("  [ 1 - 2 ,\t4-5 ]  "), RangeSet({{1, 2}, {4, 5}}));
  EXPECT_TRUE(parse_ok("[ ]").empty());
  EXPECT_SAME(parse_ok("[1-2,\r\n 4-5]\n"), RangeSet({{1, 2}, {4, 5}}));
}

TEST(RangeSetTest, ParsingMergesOverlappingAndAdjacentItems) {
  EXPECT_EQ(parse_ok("[10-20,1-5,6-8,15-25]").to_string(), "[1-8,10-25]");
}

struct BadRanges {
  const char* text;
  const char* named;
};

TEST(RangeSetTest, BadTextIsAnErrorNamingTheOffendingPart) {
  const BadRanges cases[] = {
      {"1-2", "'1-2'"},
      {"[1-2", "'[1-2'"},
      {"1-2]", "'1-2]'"},
      {"", "''"},
      {"[5]", "'5'"},
      {"[a-2]", "'a-2'"},
      {"[1-b]", "'1-b'"},
      {"[-1-2]", "'-1-2'"},
      {"[+1-2]", "'+1-2'"},
      {"[1.5-2]", "'1.5-2'"},
      {"[5-3]", "'5-3'"},
      {"[1-2,]", "'[1-2,]'"},
      {"[,1-2]", "''"},
      {"[1-2,,3-4]", "''"},
      {"[1-2 3-4]", "'1-2 3-4'"},
      {"[0-18446744073709551616]", "'0-18446744073709551616'"},
  };
  for (const BadRanges& c : cases) {
    EXPECT_THAT(parse_error(c.text), HasSubstr(c.named)) << "input: " << c.text;
  }
}

TEST(RangeSetTest, ReversedRangeErrorSaysItBeginsAfterItEnds) {
  EXPECT_THAT(parse_error("[5-3]"), HasSubstr("begins after it ends"));
}

TEST(RangeSetTest, IntersectionKeepsWhatBothHold) {
  const RangeSet a = parse_ok("[1-10,20-30,40-40]");
  const RangeSet b = parse_ok("[5-25,30-45]");
  EXPECT_EQ(a.intersection(b).to_string(), "[5-10,20-25,30-30,40-40]");
  EXPECT_EQ(b.intersection(a), a.intersection(b));
  EXPECT_TRUE(a.intersection(parse_ok("[11-19]")).empty());
  EXPECT_EQ(a.intersection(a), a);
}

}  // namespace
}  // namespace mesosim
