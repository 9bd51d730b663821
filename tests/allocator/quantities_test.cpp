#include "allocator/quantities.hpp"

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

Resources resources(std::string_view text) {
  auto r = Resources::parse(text);
  EXPECT_TRUE(r.ok()) << "'" << text << "': " << (r.ok() ? "" : r.error().message);
  return r.ok() ? r.value() : Resources();
}

Quantities quantities(std::string_view text) {
  auto q = Quantities::parse(text);
  EXPECT_TRUE(q.ok()) << "'" << text << "': " << (q.ok() ? "" : q.error().message);
  return q.ok() ? q.value() : Quantities();
}

std::string parse_error(std::string_view text) {
  auto q = Quantities::parse(text);
  EXPECT_FALSE(q.ok()) << "'" << text << "' was accepted as "
                       << (q.ok() ? q.value().to_string() : "");
  return q.ok() ? "" : q.error().message;
}

const ResourceName kCpus = ResourceName::cpus();
const ResourceName kMem = ResourceName::mem();
const ResourceName kDisk = ResourceName::disk();

TEST(QuantitiesTest, OfSumsScalarsAcrossReservationsAndRevocability) {
  const Quantities q =
      Quantities::of(resources("cpus:1;cpus(qt_of){DYN}:2;cpus{REV}:0.5;mem:32;ports:[1-100]"));
  EXPECT_EQ(q.get(kCpus), Scalar::from_milli(3500));
  EXPECT_SAME(q.get(kMem), Scalar::from_units(32));
  EXPECT_TRUE(q.get(ResourceName::ports()).is_zero());  // ranges are ignored
  EXPECT_TRUE(q.get(kDisk).is_zero());
}

TEST(QuantitiesTest, ContainedInCountsEveryEntryOfANameAsQuantitiesOfDoes) {
  // Reserved and revocable entries count toward the name, ranges do not.
  const Resources r = resources("cpus:1;cpus(qt_in){DYN}:2;cpus{REV}:0.5;mem:64;ports:[1-10]");
  EXPECT_TRUE(quantities("cpus:3.5;mem:64").contained_in(r));
  EXPECT_FALSE(quantities("cpus:3.501").contained_in(r));
  EXPECT_FALSE(quantities("mem:32;disk:1").contained_in(r)) << "disk is absent";
  EXPECT_TRUE(Quantities().contained_in(r));
  Quantities zero_disk = quantities("mem:32");
  zero_disk.set(kDisk, Scalar());
  EXPECT_TRUE(zero_disk.contained_in(r)) << "a name at zero needs nothing";
  for (const char* q : {"cpus:3.5", "cpus:4", "mem:65", "mem:64;cpus:1", "cpus:0.001;disk:0.001"}) {
    EXPECT_EQ(quantities(q).contained_in(r), Quantities::of(r).contains(quantities(q))) << q;
  }
}

TEST(QuantitiesTest, NamesNeverMentionedReadAsZero) {
  const Quantities q;
  EXPECT_TRUE(q.empty());
  EXPECT_TRUE(q.get(kCpus).is_zero());
  EXPECT_TRUE(q.get(ResourceName::of("qt_never_mentioned")).is_zero());
}

TEST(QuantitiesTest, ParsesScalarItems) {
  const Quantities q = quantities("cpus:1;mem:32");
  EXPECT_SAME(q.get(kCpus), Scalar::from_units(1));
  EXPECT_SAME(q.get(kMem), Scalar::from_units(32));
  EXPECT_TRUE(q.get(kDisk).is_zero());
  EXPECT_EQ(q.names(), (std::vector<ResourceName>{kCpus, kMem}));
}

TEST(QuantitiesTest, ParsingAddsRepeatedNamesAndKeepsFixedPoint) {
  EXPECT_EQ(quantities("cpus:0.1;cpus:0.2").get(kCpus), Scalar::from_milli(300));
  EXPECT_SAME(quantities("cpus(*):1;cpus:1"), quantities("cpus:2"));
}

TEST(QuantitiesTest, ParsingRejectsRanges) {
  const std::string message = parse_error("cpus:1;ports:[1-2]");
  EXPECT_THAT(message, HasSubstr("ranges"));
  EXPECT_THAT(message, HasSubstr("ports"));
}

TEST(QuantitiesTest, ParsingRejectsRolesAndRevocability) {
  EXPECT_THAT(parse_error("cpus(qt_role):1"), HasSubstr("cpus(qt_role)"));
  EXPECT_THAT(parse_error("mem:1;cpus{REV}:1"), HasSubstr("cpus{REV}"));
  EXPECT_THAT(parse_error("cpus(qt_role){DYN}:1"), HasSubstr("qt_role"));
}

TEST(QuantitiesTest, ParsingPassesOnResourceTextErrors) {
  EXPECT_THAT(parse_error("cpus:many"), HasSubstr("'many'"));
  EXPECT_THAT(parse_error("cpus(a//b):1"), HasSubstr("'a//b'"));
}

TEST(QuantitiesTest, PrintsNonZeroNamesInIdOrder) {
  EXPECT_EQ(quantities("mem:32;cpus:1.5;disk:0").to_string(), "cpus:1.5;mem:32");
  EXPECT_EQ(Quantities().to_string(), "");
}

TEST(QuantitiesTest, SetOverwritesOneName) {
  Quantities q = quantities("cpus:1;mem:2");
  q.set(kCpus, Scalar::from_units(5));
  q.set(kDisk, Scalar::from_units(3));
  EXPECT_SAME(q, quantities("cpus:5;mem:2;disk:3"));
  q.set(kCpus, Scalar());
  EXPECT_EQ(q.names(), (std::vector<ResourceName>{kMem, kDisk}));
}

TEST(QuantitiesTest, EqualityIgnoresNamesThatAreZero) {
  Quantities explicit_zero;
  explicit_zero.set(ResourceName::of("qt_eq_zero"), Scalar());
  EXPECT_SAME(explicit_zero, Quantities());
  EXPECT_TRUE(explicit_zero.empty());
  EXPECT_NE(quantities("cpus:1"), quantities("cpus:1;mem:1"));
}

TEST(QuantitiesTest, ContainsComparesEveryName) {
  const Quantities q = quantities("cpus:2;mem:10");
  EXPECT_TRUE(q.contains(quantities("cpus:2;mem:10")));
  EXPECT_TRUE(q.contains(quantities("cpus:1")));
  EXPECT_TRUE(q.contains(Quantities()));
  EXPECT_FALSE(q.contains(quantities("cpus:2.001")));
  EXPECT_FALSE(q.contains(quantities("cpus:1;disk:1")));
  EXPECT_FALSE(Quantities().contains(quantities("mem:1")));

  // A name whose id lies beyond the other's storage still counts.
  Quantities high;
  high.set(ResourceName::of("qt_contains_high"), Scalar::from_units(1));
  EXPECT_FALSE(q.contains(high));
  EXPECT_TRUE(high.contains(Quantities()));
}

TEST(QuantitiesTest, AddAndSubtractResourcesMoveOnlyScalars) {
  Quantities q = quantities("cpus:1");
  q.add(resources("cpus(qt_add):1;mem:4;ports:[1-9]"));
  EXPECT_SAME(q, quantities("cpus:2;mem:4"));
  q.subtract(resources("cpus{REV}:2;ports:[1-9]"));
  EXPECT_SAME(q, quantities("mem:4"));
}

TEST(QuantitiesTest, PlusAndMinusAssignWorkPerName) {
  Quantities q = quantities("cpus:1;mem:2");
  q += quantities("mem:3;disk:4");
  EXPECT_SAME(q, quantities("cpus:1;mem:5;disk:4"));
  q -= quantities("cpus:1;disk:4");
  EXPECT_SAME(q, quantities("mem:5"));
  q += q;
  EXPECT_SAME(q, quantities("mem:10"));
}

TEST(QuantitiesDeathTest, GoingNegativeAborts) {
  EXPECT_DEATH(
      {
        Quantities q = quantities("cpus:1");
        q -= quantities("cpus:2");
      },
      "negative");
  EXPECT_DEATH(
      {
        Quantities q = quantities("cpus:1");
        q.subtract(resources("mem:1"));
      },
      "negative");
}

TEST(QuantitiesTest, MinusFloorZeroClampsEachNameAtZero) {
  const Quantities q = quantities("cpus:2;mem:10;gpus:1");
  EXPECT_SAME(q.minus_floor_zero(quantities("cpus:3;mem:4;disk:1")), quantities("mem:6;gpus:1"));
  EXPECT_SAME(q.minus_floor_zero(Quantities()), q);
  EXPECT_TRUE(Quantities().minus_floor_zero(q).empty());
  EXPECT_SAME(q, quantities("cpus:2;mem:10;gpus:1"));  // unchanged
}

TEST(QuantitiesTest, MinTakesTheSmallerAmountPerName) {
  const Quantities a = quantities("cpus:2;mem:10;disk:5");
  const Quantities b = quantities("cpus:3;mem:4");
  EXPECT_SAME(a.min(b), quantities("cpus:2;mem:4"));
  EXPECT_SAME(b.min(a), quantities("cpus:2;mem:4"));
  EXPECT_TRUE(a.min(Quantities()).empty());
}

TEST(ShrinkScalarsTest, TakesEntriesInKeyOrderAndCutsTheLastOne) {
  // Key order for one name: unreserved, then reserved, then revocable.
  const Resources r = resources("cpus:1;cpus(qt_shrink):2;cpus{REV}:4;mem:100");
  EXPECT_SAME(shrink_scalars(r, quantities("cpus:2.5;mem:1000")),
              resources("cpus:1;cpus(qt_shrink):1.5;mem:100"));
}

TEST(ShrinkScalarsTest, TakesEverythingWhenTheLimitIsLargeEnough) {
  const Resources r = resources("cpus:1;cpus{REV}:4;mem:100");
  EXPECT_SAME(shrink_scalars(r, quantities("cpus:100;mem:100")), r);
}

TEST(ShrinkScalarsTest, DropsNamesAbsentFromTheLimitAndDropsRanges) {
  const Resources r = resources("cpus:1;mem:100;disk:5;ports:[1-10];qt_shrink_r:[3-4]");
  EXPECT_SAME(shrink_scalars(r, quantities("cpus:1")), resources("cpus:1"));
  EXPECT_TRUE(shrink_scalars(r, Quantities()).empty());
}

TEST(ShrinkScalarsTest, AZeroLimitDropsTheName) {
  Quantities limit = quantities("mem:50");
  limit.set(kCpus, Scalar());
  EXPECT_SAME(shrink_scalars(resources("cpus:1;mem:100"), limit), resources("mem:50"));
}

}  // namespace
}  // namespace mesosim
