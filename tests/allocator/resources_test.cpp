#include "allocator/resources.hpp"

#include <cmath>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/allocator/allocator_test_util.hpp"

namespace mesosim {
namespace {

using ::testing::HasSubstr;

using ::mesosim::testing::Same;

// Parses text that the test expects to be valid; a parse error fails the test and yields an
// empty bag so the remaining assertions still run.
Resources parse_ok(std::string_view text, std::string_view default_role = "*") {
  auto r = Resources::parse(text, default_role);
  EXPECT_TRUE(r.ok()) << "'" << text << "': " << (r.ok() ? "" : r.error().message);
  return r.ok() ? r.value() : Resources();
}

// The error message for text that the test expects to be rejected ("" if it was accepted).
std::string parse_error(std::string_view text, std::string_view default_role = "*") {
  auto r = Resources::parse(text, default_role);
  EXPECT_FALSE(r.ok()) << "'" << text << "' was accepted as '"
                       << (r.ok() ? r.value().to_string() : "") << "'";
  return r.ok() ? "" : r.error().message;
}

std::string canonical(std::string_view text) { return parse_ok(text).to_string(); }

int64_t cpus_milli(const Resources& r) { return r.get(ResourceName::cpus()).milli(); }

// ---------------------------------------------------------------------------------------------
// Text format: parsing and canonical printing.

TEST(ResourcesTextTest, ParsesTheMesosExampleIntoOneEntryPerKey) {
  const Resources r =
      parse_ok("cpus:8;mem:16384;disk:100000;ports:[31000-32000];cpus(analytics):2");
  EXPECT_EQ(r.scalar_entries().size(), 4u);
  ASSERT_EQ(r.range_entries().size(), 1u);
  EXPECT_SAME(r.get(ResourceName::cpus()), Scalar::from_units(10));
  EXPECT_SAME(r.get(ResourceName::mem()), Scalar::from_units(16384));
  EXPECT_SAME(r.get(ResourceName::disk()), Scalar::from_units(100000));
  EXPECT_EQ(r.range_entries()[0].key.name, ResourceName::ports());
  EXPECT_SAME(r.range_entries()[0].value, RangeSet({{31000, 32000}}));
  EXPECT_SAME(r.reserved_to("analytics").get(ResourceName::cpus()), Scalar::from_units(2));
  EXPECT_SAME(r.unreserved().get(ResourceName::cpus()), Scalar::from_units(8));
}

TEST(ResourcesTextTest, PrintsTheMesosExampleWithReservedCpusRightAfterUnreservedCpus) {
  EXPECT_EQ(canonical("cpus:8;mem:16384;disk:100000;ports:[31000-32000];cpus(analytics):2"),
            "cpus:8;cpus(analytics):2;mem:16384;disk:100000;ports:[31000-32000]");
}

TEST(ResourcesTextTest, PrintsWellKnownNamesInIdOrderWhateverTheInputOrder) {
  EXPECT_EQ(canonical("ports:[1-2];gpus:1;disk:3;mem:4;cpus:5"),
            "cpus:5;mem:4;disk:3;gpus:1;ports:[1-2]");
}

TEST(ResourcesTextTest, PrintsOtherNamesAfterWellKnownOnesInFirstSeenOrder) {
  // Names unique to this test, so "first seen" is this parse whatever else the binary runs.
  EXPECT_EQ(canonical("rt_order_zeta:1;ports:[7-7];rt_order_alpha:2;cpus:1"),
            "cpus:1;ports:[7-7];rt_order_zeta:1;rt_order_alpha:2");
  // First seen is process-wide: a later parse in the other order prints in the same order.
  EXPECT_EQ(canonical("rt_order_alpha:2;rt_order_zeta:1"), "rt_order_zeta:1;rt_order_alpha:2");
}

TEST(ResourcesTextTest, PrintsReservedEntriesAfterTheUnreservedOneOfTheSameName) {
  EXPECT_EQ(canonical("mem(rt_print_a):2;cpus(rt_print_a):2;mem:1;cpus:1"),
            "cpus:1;cpus(rt_print_a):2;mem:1;mem(rt_print_a):2");
}

TEST(ResourcesTextTest, CanonicalTextRoundTripsExactly) {
  for (const char* text : {
           "",
           "cpus:8",
           "cpus:0.5;mem:1024.125",
           "cpus:8;cpus(analytics):2;mem:16384;disk:100000;ports:[31000-32000]",
           "ports:[1-2,4-5,100-200]",
           "ports(rt_rt_web):[8080-8080]",
           "cpus{REV}:2",
           "cpus(rt_rt_eng/backend):1.5",
           "cpus(rt_rt_a){REV}:1",
           "cpus(rt_rt_b){DYN}:1",
           "cpus(rt_rt_c){DYN:alice}:1",
           "cpus(rt_rt_d){DYN:alice:team=ml,tier=gold}:1",
           "cpus(rt_rt_e){DYN::team=ml}:1",
           "cpus(rt_rt_f){REV}{DYN:bob}:3",
           "gpus:2;ports{REV}:[9-9]",
       }) {
    EXPECT_EQ(canonical(text), text);
  }
}

TEST(ResourcesTextTest, ReparsingThePrintedTextGivesEqualResources) {
  const Resources r = parse_ok(
      "ports(rt_rp_x):[5-6];mem{REV}:3;cpus(rt_rp_y){DYN:p:k=v}:1;cpus(rt_rp_z):2;cpus:4;"
      "rt_rp_custom:7;disk(rt_rp_y){REV}{DYN}:9;ports:[1-3,10-12]");
  const Resources again = parse_ok(r.to_string());
  EXPECT_SAME(again, r);
  EXPECT_EQ(again.to_string(), r.to_string());
}

TEST(ResourcesTextTest, EqualityDoesNotDependOnInputOrder) {
  EXPECT_SAME(parse_ok("mem:1;ports:[3-4];cpus:2;ports:[1-2]"),
              parse_ok("cpus:2;mem:1;ports:[1-4]"));
  EXPECT_NE(parse_ok("cpus:2"), parse_ok("cpus:2.001"));
}

TEST(ResourcesTextTest, EmptyTextIsEmptyResources) {
  EXPECT_TRUE(parse_ok("").empty());
  EXPECT_TRUE(parse_ok("  ;  ; ").empty());
  EXPECT_EQ(Resources().to_string(), "");
}

// ---------------------------------------------------------------------------------------------
// Reservations and revocability in the text.

TEST(ResourcesTextTest, RoleInParenthesesIsAStaticReservation) {
  const Resources r = parse_ok("cpus(rt_static):3");
  ASSERT_EQ(r.scalar_entries().size(), 1u);
  const ResourceKey& key = r.scalar_entries()[0].key;
  ASSERT_TRUE(key.reservation.is_reserved());
  EXPECT_EQ(key.reservation.info().type, ReservationInfo::Type::kStatic);
  EXPECT_EQ(key.reservation.role(), "rt_static");
  EXPECT_TRUE(key.reservation.info().principal.empty());
  EXPECT_FALSE(key.revocable);
}

TEST(ResourcesTextTest, StarRoleIsUnreserved) {
  EXPECT_SAME(parse_ok("cpus(*):3"), parse_ok("cpus:3"));
}

TEST(ResourcesTextTest, DynTagMakesADynamicReservationWithPrincipalAndLabelsInOrder) {
  const Resources r = parse_ok("cpus(rt_dyn_eng){DYN:alice:team=ml,tier=gold}:2");
  ASSERT_EQ(r.scalar_entries().size(), 1u);
  const ReservationInfo& info = r.scalar_entries()[0].key.reservation.info();
  EXPECT_EQ(info.type, ReservationInfo::Type::kDynamic);
  EXPECT_EQ(info.role, "rt_dyn_eng");
  EXPECT_EQ(info.principal, "alice");
  const std::vector<std::pair<std::string, std::string>> labels = {{"team", "ml"},
                                                                   {"tier", "gold"}};
  EXPECT_EQ(info.labels, labels);
}

TEST(ResourcesTextTest, DynTagWithoutPrincipalHasEmptyPrincipalAndNoLabels) {
  const Resources r = parse_ok("mem(rt_dyn_bare){DYN}:2");
  ASSERT_EQ(r.scalar_entries().size(), 1u);
  const ReservationInfo& info = r.scalar_entries()[0].key.reservation.info();
  EXPECT_EQ(info.type, ReservationInfo::Type::kDynamic);
  EXPECT_EQ(info.principal, "");
  EXPECT_TRUE(info.labels.empty());
}

TEST(ResourcesTextTest, StaticAndDynamicReservationsOfOneRoleStayApart) {
  const Resources r = parse_ok("cpus(rt_sd):1;cpus(rt_sd){DYN}:2;cpus(rt_sd){DYN:p}:4");
  EXPECT_EQ(r.scalar_entries().size(), 3u);
  EXPECT_EQ(cpus_milli(r.reserved_to("rt_sd")), 7000);
}

TEST(ResourcesTextTest, DynamicReservationsWithDifferentLabelsStayApart) {
  const Resources r = parse_ok("cpus(rt_lab){DYN:p:k=1}:1;cpus(rt_lab){DYN:p:k=2}:2");
  EXPECT_EQ(r.scalar_entries().size(), 2u);
  EXPECT_FALSE(r.contains(parse_ok("cpus(rt_lab){DYN:p:k=1}:2")));
  EXPECT_TRUE(r.contains(parse_ok("cpus(rt_lab){DYN:p:k=2}:2")));
}

TEST(ResourcesTextTest, RevTagMakesARevocableEntryApartFromTheNonRevocableOne) {
  const Resources r = parse_ok("cpus:1;cpus{REV}:2;cpus(rt_rev){REV}:4");
  EXPECT_EQ(r.scalar_entries().size(), 3u);
  EXPECT_EQ(cpus_milli(r.revocable()), 6000);
  EXPECT_EQ(cpus_milli(r.non_revocable()), 1000);
  EXPECT_TRUE(r.scalar_entries()[1].key.revocable);
}

TEST(ResourcesTextTest, DefaultRoleStaticallyReservesItemsWithoutARole) {
  const Resources r = parse_ok("cpus:1;mem(*):2;disk(rt_dr_other):3", "rt_dr_eng");
  EXPECT_EQ(cpus_milli(r.reserved_to("rt_dr_eng")), 1000);
  EXPECT_EQ(r.reserved_to("rt_dr_eng").scalar_entries()[0].key.reservation.info().type,
            ReservationInfo::Type::kStatic);
  EXPECT_SAME(r.unreserved(), parse_ok("mem:2"));
  EXPECT_SAME(r.reserved_to("rt_dr_other"), parse_ok("disk(rt_dr_other):3"));
  EXPECT_EQ(r.to_string(), "cpus(rt_dr_eng):1;mem:2;disk(rt_dr_other):3");
}

TEST(ResourcesTextTest, DefaultRoleStarLeavesItemsUnreserved) {
  EXPECT_TRUE(parse_ok("cpus:1;mem:2", "*").reserved().empty());
}

TEST(ResourcesTextTest, InvalidDefaultRoleIsAnErrorNamingIt) {
  EXPECT_THAT(parse_error("cpus:1", "rt//bad"), HasSubstr("'rt//bad'"));
}

// ---------------------------------------------------------------------------------------------
// Whitespace, duplicates, fixed point.

TEST(ResourcesTextTest, WhitespaceAroundTokensIsIgnored) {
  const Resources spaced = parse_ok(
      "  cpus : 8 ;\tmem:16 ;\n ports : [ 1 - 2 , 5-6 ] ; cpus ( rt_ws ) : 1 ;"
      " disk(rt_ws) {REV} : 2  ");
  EXPECT_SAME(spaced, parse_ok("cpus:8;mem:16;ports:[1-2,5-6];cpus(rt_ws):1;disk(rt_ws){REV}:2"));
}

TEST(ResourcesTextTest, NewlinesAndCarriageReturnsCountAsWhitespaceEverywhere) {
  EXPECT_SAME(parse_ok("cpus:1;\r\nports:[1-2,\n 4-5]\r\n"), parse_ok("cpus:1;ports:[1-2,4-5]"));
}

TEST(ResourcesTextTest, EmptyItemsAndATrailingSemicolonAreTolerated) {
  EXPECT_SAME(parse_ok("cpus:1;;mem:2;"), parse_ok("cpus:1;mem:2"));
}

TEST(ResourcesTextTest, DuplicateItemsAddUp) {
  EXPECT_EQ(canonical("cpus:1;mem:1;cpus:2.5;cpus(rt_dup):1;cpus(rt_dup):1;"
                      "ports:[1-3];ports:[3-5,10-10]"),
            "cpus:3.5;cpus(rt_dup):2;mem:1;ports:[1-5,10-10]");
}

TEST(ResourcesTextTest, ScalarsAreExactFixedPoint) {
  EXPECT_SAME(parse_ok("cpus:0.1;cpus:0.2"), parse_ok("cpus:0.3"));
  EXPECT_EQ(cpus_milli(parse_ok("cpus:0.1;cpus:0.2")), 300);

  Resources tenth = parse_ok("cpus:0.1");
  Resources sum;
  for (int i = 0; i < 10; ++i) sum += tenth;
  EXPECT_SAME(sum, parse_ok("cpus:1"));
  for (int i = 0; i < 10; ++i) sum -= tenth;
  EXPECT_TRUE(sum.empty());
}

TEST(ResourcesTextTest, ScalarsRoundToTheNearestThousandthLikeLlround) {
  for (const char* value :
       {"0.0004", "0.0006", "1.2345", "2.0015", "3.14159", "0.9996", "7.7777", "1e3", "2.5e-2"}) {
    const int64_t expected = std::llround(std::strtod(value, nullptr) * 1000.0);
    EXPECT_EQ(cpus_milli(parse_ok(std::string("cpus:") + value)), expected) << value;
  }
  EXPECT_EQ(cpus_milli(parse_ok("cpus:0.0006")), 1);
  EXPECT_EQ(cpus_milli(parse_ok("cpus:3.14159")), 3142);
  EXPECT_EQ(cpus_milli(parse_ok("cpus:1e3")), 1000000);
}

TEST(ResourcesTextTest, AmountsThatRoundToZeroLeaveNoEntry) {
  EXPECT_TRUE(parse_ok("cpus:0.0004").empty());
  EXPECT_TRUE(parse_ok("cpus:0;mem:0").empty());
  EXPECT_TRUE(parse_ok("ports:[]").empty());
}

// ---------------------------------------------------------------------------------------------
// Bad input: every error names the offending token.

struct BadInput {
  const char* text;
  const char* named;  // what the message must contain
};

TEST(ResourcesTextTest, BadInputIsAnErrorNamingTheOffendingToken) {
  const BadInput cases[] = {
      {"cpus:abc", "'abc'"},
      {"cpus:-1", "'-1'"},
      {"cpus:inf", "'inf'"},
      {"cpus:1x", "'1x'"},
      {"cpus:", "''"},
      {"cpus", "'cpus'"},
      {":4", "':4'"},
      {"cpus(:1", "'cpus(:1'"},
      {"cpus):1", "'cpus):1'"},
      {"cpus():1", "'cpus():1'"},
      {"cpus(a//b):1", "'a//b'"},
      {"cpus(-x):1", "'-x'"},
      {"cpus(.):1", "role '.'"},
      {"cpus(a/*):1", "'a/*'"},
      {"ports:5", "'5'"},
      {"cpus:[1-2]", "'cpus:[1-2]'"},
      {"mem:[1-2]", "'mem:[1-2]'"},
      {"ports:[5-3]", "'5-3'"},
      {"ports:[1-2,]", "'[1-2,]'"},
      {"ports:[x-3]", "'x-3'"},
      {"disks:{a,b}", "'disks:{a,b}'"},
      {"cpus{FOO}:1", "'{FOO}'"},
      {"c pus:1", "'c pus'"},
      {"cpu$:1", "'cpu$'"},
      {"cpus(*){DYN}:1", "'cpus(*){DYN}:1'"},
      {"cpus{DYN}:1", "'cpus{DYN}:1'"},
      {"cpus(a){DYNAMIC}:1", "'cpus(a){DYNAMIC}:1'"},
      {"cpus(a){DYN:p:novalue}:1", "'novalue'"},
      {"cpus(a){DYN:p:=v}:1", "'=v'"},
      {"cpus(a){DYN:p:k=v,}:1", "'cpus(a){DYN:p:k=v,}:1'"},
      {"cpus(a){DYN:p:}:1", "'cpus(a){DYN:p:}:1'"},
      {"cpus:1;mem:[1-2];mem:3", "'mem:[1-2]'"},
  };
  for (const BadInput& c : cases) {
    EXPECT_THAT(parse_error(c.text), HasSubstr(c.named)) << "input: " << c.text;
  }
}

TEST(ResourcesTextTest, SetValuedResourcesAreReportedAsUnsupported) {
  EXPECT_THAT(parse_error("disks:{a,b}"), HasSubstr("not supported"));
}

TEST(ResourcesTextTest, ABadItemAmongGoodOnesFailsTheWholeParse) {
  EXPECT_THAT(parse_error("cpus:1;mem:lots;disk:2"), HasSubstr("'lots'"));
}

TEST(ResourcesTextTest, OneNameCannotBeBothScalarAndRanges) {
  EXPECT_THAT(parse_error("rt_mix_a:1;rt_mix_a:[1-2]"), HasSubstr("'rt_mix_a'"));
  EXPECT_THAT(parse_error("rt_mix_b:[1-2];rt_mix_b:3"), HasSubstr("'rt_mix_b'"));
  // Across reservations too: the type belongs to the name.
  EXPECT_THAT(parse_error("rt_mix_c(rt_mix_role):[1-2];rt_mix_c:3"), HasSubstr("'rt_mix_c'"));
}

TEST(ResourcesTextTest, RepeatedTagsAreRejectedRatherThanOneSilentlyDropped) {
  EXPECT_THAT(parse_error("cpus{REV}{REV}:1"), HasSubstr("'cpus{REV}{REV}:1'"));
  EXPECT_THAT(parse_error("cpus{REV}{REV}:1"), HasSubstr("repeated"));
  EXPECT_THAT(parse_error("cpus(rt_tags){DYN:a}{DYN:b}:1"),
              HasSubstr("'cpus(rt_tags){DYN:a}{DYN:b}:1'"));
}

// ---------------------------------------------------------------------------------------------
// Arithmetic and containment.

TEST(ResourcesArithmeticTest, AddingMergesEqualKeysAndKeepsOthersApart) {
  Resources r = parse_ok("cpus:1;ports:[1-2]");
  r += parse_ok("cpus:2;cpus(rt_add):1;ports:[3-4];mem:5");
  EXPECT_SAME(r, parse_ok("cpus:3;cpus(rt_add):1;mem:5;ports:[1-4]"));
  EXPECT_EQ(r.scalar_entries().size(), 3u);
  EXPECT_EQ(r.range_entries().size(), 1u);
}

TEST(ResourcesArithmeticTest, PlusLeavesItsOperandsUnchanged) {
  const Resources a = parse_ok("cpus:1");
  const Resources b = parse_ok("mem:2");
  EXPECT_SAME(a + b, parse_ok("cpus:1;mem:2"));
  EXPECT_SAME(a, parse_ok("cpus:1"));
  EXPECT_SAME(parse_ok("cpus:1;mem:2") - b, a);
}

TEST(ResourcesArithmeticTest, SubtractingEverythingOfAnEntryRemovesIt) {
  Resources r = parse_ok("cpus:2;mem:3;ports:[1-5]");
  r -= parse_ok("cpus:2;ports:[1-5]");
  EXPECT_SAME(r, parse_ok("mem:3"));
  EXPECT_EQ(r.scalar_entries().size(), 1u);
  EXPECT_TRUE(r.range_entries().empty());
  r -= parse_ok("mem:3");
  EXPECT_TRUE(r.empty());
}

TEST(ResourcesArithmeticTest, SubtractingAReservedEntryLeavesTheUnreservedOneAlone) {
  Resources r = parse_ok("cpus:4;cpus(rt_sub):2");
  r -= parse_ok("cpus(rt_sub):2");
  EXPECT_SAME(r, parse_ok("cpus:4"));
}

TEST(ResourcesArithmeticTest, SubtractingARevocableEntryLeavesTheNonRevocableOneAlone) {
  Resources r = parse_ok("cpus:4;cpus{REV}:2");
  r -= parse_ok("cpus{REV}:1.5");
  EXPECT_SAME(r, parse_ok("cpus:4;cpus{REV}:0.5"));
}

TEST(ResourcesArithmeticTest, SubtractingPortsFromTheMiddleSplitsTheRange) {
  Resources r = parse_ok("ports:[31000-32000]");
  r -= parse_ok("ports:[31500-31509]");
  EXPECT_EQ(r.to_string(), "ports:[31000-31499,31510-32000]");
}

TEST(ResourcesArithmeticTest, AddingThenSubtractingGivesBackExactlyTheOriginal) {
  const Resources base = parse_ok("cpus:0.3;mem:100.125;ports:[10-20]");
  const Resources delta = parse_ok("cpus:0.7;mem:0.001;ports:[21-30];cpus(rt_rt):1");
  Resources r = base;
  r += delta;
  r -= delta;
  EXPECT_SAME(r, base);
}

TEST(ResourcesArithmeticTest, AddingResourcesToThemselvesDoublesScalarsAndKeepsRanges) {
  Resources r = parse_ok("cpus:1;mem:2;ports:[1-2,5-9];rt_self:[3-4]");
  r += r;
  EXPECT_SAME(r, parse_ok("cpus:2;mem:4;ports:[1-2,5-9];rt_self:[3-4]"));
}

TEST(ResourcesArithmeticTest, SubtractingResourcesFromThemselvesLeavesNothing) {
  Resources r = parse_ok("cpus:1;mem:2;disk:3;ports:[1-2,5-9];rt_self2:[3-4]");
  r -= r;
  EXPECT_TRUE(r.empty());
}

TEST(ResourcesArithmeticTest, NamedConstructorsBuildSingleEntriesAndDropZero) {
  const Reservation res = Reservation::static_for("rt_ctor");
  EXPECT_EQ(Resources::scalar(ResourceName::cpus(), Scalar::from_milli(1500), res, true),
            parse_ok("cpus(rt_ctor){REV}:1.5"));
  EXPECT_SAME(Resources::ranges(ResourceName::ports(), RangeSet({{1, 3}})),
              parse_ok("ports:[1-3]"));
  EXPECT_TRUE(Resources::scalar(ResourceName::mem(), Scalar()).empty());
  EXPECT_TRUE(Resources::ranges(ResourceName::ports(), RangeSet()).empty());
}

TEST(ResourcesContainsTest, ScalarsAreContainedUpToTheirAmount) {
  const Resources r = parse_ok("cpus:2;mem:10");
  EXPECT_TRUE(r.contains(parse_ok("cpus:2")));
  EXPECT_TRUE(r.contains(parse_ok("cpus:1.999;mem:10")));
  EXPECT_FALSE(r.contains(parse_ok("cpus:2.001")));
  EXPECT_FALSE(r.contains(parse_ok("disk:1")));
  EXPECT_FALSE(r.contains(parse_ok("cpus:1;disk:1")));
}

TEST(ResourcesContainsTest, EverythingContainsTheEmptyBagAndTheEmptyBagContainsOnlyItself) {
  EXPECT_TRUE(parse_ok("cpus:1").contains(Resources()));
  EXPECT_TRUE(Resources().contains(Resources()));
  EXPECT_FALSE(Resources().contains(parse_ok("cpus:0.001")));
  EXPECT_FALSE(Resources().contains(parse_ok("ports:[1-1]")));
}

TEST(ResourcesContainsTest, AmountsOfADifferentReservationOrRevocabilityDoNotCount) {
  const Resources r = parse_ok("cpus:8;cpus(rt_con_a):1");
  EXPECT_FALSE(r.contains(parse_ok("cpus(rt_con_a):2")));
  EXPECT_FALSE(r.contains(parse_ok("cpus(rt_con_b):1")));
  EXPECT_FALSE(r.contains(parse_ok("cpus(rt_con_a){DYN}:1")));
  EXPECT_FALSE(r.contains(parse_ok("cpus{REV}:1")));
  EXPECT_FALSE(parse_ok("cpus(rt_con_a):8").contains(parse_ok("cpus:1")));
}

TEST(ResourcesContainsTest, RangesAreContainedOnlyIfEveryValueIs) {
  const Resources r = parse_ok("ports:[1-10,20-30]");
  EXPECT_TRUE(r.contains(parse_ok("ports:[1-10]")));
  EXPECT_TRUE(r.contains(parse_ok("ports:[2-3,25-30]")));
  EXPECT_FALSE(r.contains(parse_ok("ports:[10-11]")));
  EXPECT_FALSE(r.contains(parse_ok("ports:[15-15]")));
  EXPECT_FALSE(r.contains(parse_ok("ports:[0-1]")));
  EXPECT_FALSE(r.contains(parse_ok("ports(rt_con_r):[1-2]")));
}

// contains_selected(other, keep) is contains(other.filter(keep)) without the copy: entries the
// predicate leaves out do not count, whether they would be contained or not.
TEST(ResourcesContainsTest, ContainsSelectedLooksOnlyAtTheSelectedEntries) {
  const Resources refused = parse_ok("cpus:2;mem:64;ports:[1-10]");
  const Resources offer = parse_ok("cpus:1;mem:128;cpus{REV}:4;ports:[5-6];ports(rt_cs_a):[7-7]");
  auto all = [](const ResourceKey&) { return true; };
  auto no_mem = [](const ResourceKey& k) { return k.name != ResourceName::mem(); };
  auto plain = [](const ResourceKey& k) { return !k.revocable && !k.reservation.is_reserved(); };
  auto plain_no_mem = [&](const ResourceKey& k) { return plain(k) && no_mem(k); };
  for (const auto& [name, result] : std::vector<std::pair<const char*, bool>>{
           {"all", refused.contains_selected(offer, all)},
           {"no_mem", refused.contains_selected(offer, no_mem)},
           {"plain", refused.contains_selected(offer, plain)},
           {"plain_no_mem", refused.contains_selected(offer, plain_no_mem)}}) {
    SCOPED_TRACE(name);
    const std::string n = name;
    const Resources selected = n == "all"      ? offer.filter(all)
                               : n == "no_mem" ? offer.filter(no_mem)
                               : n == "plain"  ? offer.filter(plain)
                                               : offer.filter(plain_no_mem);
    EXPECT_EQ(result, refused.contains(selected));
  }
  EXPECT_FALSE(refused.contains_selected(offer, plain));        // mem:128 > 64
  EXPECT_TRUE(refused.contains_selected(offer, plain_no_mem));  // cpus:1, ports:[5-6]
  EXPECT_TRUE(refused.contains_selected(offer, [](const ResourceKey&) { return false; }));
}

using ResourcesDeathTest = ::testing::Test;

TEST_F(ResourcesDeathTest, SubtractingWhatIsNotContainedAborts) {
  const Resources small = parse_ok("cpus:1;ports:[1-2]");
  EXPECT_DEATH(
      {
        Resources r = small;
        r -= parse_ok("cpus:2");
      },
      "not contained");
  EXPECT_DEATH(
      {
        Resources r = small;
        r -= parse_ok("ports:[2-3]");
      },
      "not contained");
  EXPECT_DEATH(
      {
        Resources r = small;
        r -= parse_ok("cpus(rt_death):1");
      },
      "not contained");
}

// ---------------------------------------------------------------------------------------------
// Subsets.

TEST(ResourcesFilterTest, UnreservedAndReservedSplitTheBag) {
  const Resources r =
      parse_ok("cpus:1;cpus(rt_f_a):2;mem{REV}:3;ports(rt_f_b){DYN}:[1-2];ports:[5-6]");
  EXPECT_SAME(r.unreserved(), parse_ok("cpus:1;mem{REV}:3;ports:[5-6]"));
  EXPECT_SAME(r.reserved(), parse_ok("cpus(rt_f_a):2;ports(rt_f_b){DYN}:[1-2]"));
  EXPECT_SAME(r.unreserved() + r.reserved(), r);
}

TEST(ResourcesFilterTest, ReservedToMatchesTheRoleExactlyNotItsSubrolesOrPrefixes) {
  const Resources r = parse_ok(
      "cpus(rt_rt_a):1;cpus(rt_rt_a){DYN:p}:2;cpus(rt_rt_a/child):4;cpus(rt_rt_ab):8;cpus:16");
  EXPECT_SAME(r.reserved_to("rt_rt_a"), parse_ok("cpus(rt_rt_a):1;cpus(rt_rt_a){DYN:p}:2"));
  EXPECT_SAME(r.reserved_to("rt_rt_a/child"), parse_ok("cpus(rt_rt_a/child):4"));
  EXPECT_TRUE(r.reserved_to("*").empty());
  EXPECT_TRUE(r.reserved_to("rt_rt_nobody").empty());
}

TEST(ResourcesFilterTest, ReservationsAreAllocatableToTheirRoleAndItsStrictSubroles) {
  const Resources r = parse_ok("cpus:1;cpus(rt_al_a):2;ports(rt_al_a){DYN}:[1-2]");
  const Resources for_a = parse_ok("cpus:1;cpus(rt_al_a):2;ports(rt_al_a){DYN}:[1-2]");
  EXPECT_SAME(r.allocatable_to("rt_al_a"), for_a);
  EXPECT_SAME(r.allocatable_to("rt_al_a/b"), for_a);
  EXPECT_SAME(r.allocatable_to("rt_al_a/b/c"), for_a);
}

TEST(ResourcesFilterTest, ReservationsAreNotAllocatableToParentsSiblingsOrPrefixNames) {
  const Resources r = parse_ok("cpus:1;cpus(rt_an_a/b):2;mem(rt_an_a):4");
  EXPECT_SAME(r.allocatable_to("rt_an_a"), parse_ok("cpus:1;mem(rt_an_a):4"));    // parent of a/b
  EXPECT_SAME(r.allocatable_to("rt_an_a/c"), parse_ok("cpus:1;mem(rt_an_a):4"));  // sibling
  EXPECT_SAME(r.allocatable_to("rt_an_ab"), parse_ok("cpus:1"));
  EXPECT_SAME(r.allocatable_to("rt_an_abc/d"), parse_ok("cpus:1"));
  EXPECT_SAME(r.allocatable_to("rt_an_a/bcd"), parse_ok("cpus:1;mem(rt_an_a):4"));
  EXPECT_SAME(r.allocatable_to("rt_an_a/bc"), parse_ok("cpus:1;mem(rt_an_a):4"));
  EXPECT_SAME(r.allocatable_to("rt_an_other"), parse_ok("cpus:1"));
  EXPECT_SAME(r.allocatable_to("*"), parse_ok("cpus:1"));
}

TEST(ResourcesFilterTest, RevocableAndNonRevocableSplitTheBag) {
  const Resources r = parse_ok("cpus:1;cpus{REV}:2;cpus(rt_rv){REV}:3;ports{REV}:[1-1]");
  EXPECT_SAME(r.revocable(), parse_ok("cpus{REV}:2;cpus(rt_rv){REV}:3;ports{REV}:[1-1]"));
  EXPECT_SAME(r.non_revocable(), parse_ok("cpus:1"));
}

TEST(ResourcesFilterTest, ScalarsAndNonScalarsSplitTheBag) {
  const Resources r = parse_ok("cpus:1;mem(rt_sc):2;ports:[1-2];rt_sc_ranges:[5-6]");
  EXPECT_SAME(r.scalars(), parse_ok("cpus:1;mem(rt_sc):2"));
  EXPECT_SAME(r.non_scalars(), parse_ok("ports:[1-2];rt_sc_ranges:[5-6]"));
  EXPECT_TRUE(r.scalars().range_entries().empty());
  EXPECT_TRUE(r.non_scalars().scalar_entries().empty());
}

TEST(ResourcesFilterTest, FilterKeepsExactlyTheEntriesThePredicateAccepts) {
  const Resources r = parse_ok("cpus:1;mem:2;ports:[1-2]");
  EXPECT_SAME(r.filter([](const ResourceKey& k) { return k.name == ResourceName::mem(); }),
              parse_ok("mem:2"));
  EXPECT_TRUE(r.filter([](const ResourceKey&) { return false; }).empty());
}

TEST(ResourcesFilterTest, WithReservationRekeysEveryEntryAndKeepsRevocability) {
  const Resources r = parse_ok("cpus:1;cpus(rt_wr_old):2;mem{REV}:3;ports:[1-2]");
  const Resources moved = r.with_reservation(Reservation::static_for("rt_wr_new"));
  EXPECT_SAME(moved, parse_ok("cpus(rt_wr_new):3;mem(rt_wr_new){REV}:3;ports(rt_wr_new):[1-2]"));
  EXPECT_SAME(moved.with_reservation(Reservation::unreserved()),
              parse_ok("cpus:3;mem{REV}:3;ports:[1-2]"));
}

TEST(ResourcesFilterTest, WithReservationToADynamicReservationMatchesTheParsedForm) {
  ReservationInfo info;
  info.type = ReservationInfo::Type::kDynamic;
  info.role = "rt_wr_dyn";
  info.principal = "ops";
  info.labels = {{"k", "v"}};
  EXPECT_EQ(parse_ok("cpus:2").with_reservation(Reservation::of(info)),
            parse_ok("cpus(rt_wr_dyn){DYN:ops:k=v}:2"));
}

TEST(ResourcesFilterTest, GetSumsANameOverReservationsAndRevocability) {
  const Resources r = parse_ok("cpus:1;cpus(rt_get){DYN}:2;cpus{REV}:0.5;mem:7;ports:[1-100]");
  EXPECT_EQ(r.get(ResourceName::cpus()), Scalar::from_milli(3500));
  EXPECT_SAME(r.get(ResourceName::mem()), Scalar::from_units(7));
  EXPECT_TRUE(r.get(ResourceName::disk()).is_zero());
  EXPECT_TRUE(r.get(ResourceName::ports()).is_zero());  // ranges are not scalars
}

}  // namespace
}  // namespace mesosim

namespace mesosim {
namespace {

TEST(ResourcesPrintOrderTest, ReservationsPrintByRoleNotByWhichWasSeenFirst) {
  // Intern the later role first: the printed order must not depend on it.
  const Reservation zz = Reservation::static_for("print-order-zz");
  const Reservation aa = Reservation::static_for("print-order-aa");
  Resources r;
  r.add(ResourceKey{ResourceName::cpus(), zz, false}, Scalar::from_units(1));
  r.add(ResourceKey{ResourceName::cpus(), aa, false}, Scalar::from_units(2));
  r.add(ResourceKey{ResourceName::cpus(), Reservation::unreserved(), false}, Scalar::from_units(3));
  EXPECT_EQ(r.to_string(), "cpus:3;cpus(print-order-aa):2;cpus(print-order-zz):1");
}

TEST(ResourcesCommonTest, CommonIsThePerKeyMinimumAndRangeIntersection) {
  const Resources total = parse_ok("cpus:2;mem:400;cpus(r):1;ports:[1-10]");
  const Resources held = parse_ok("cpus:3;mem:100;disk:5;ports:[5-20]");
  const Resources both = total.common(held);
  EXPECT_EQ(both.to_string(), "cpus:2;mem:100;ports:[5-10]");
  // The subtraction that stops at zero, as Mesos's.
  EXPECT_EQ((total - both).to_string(), "cpus(r):1;mem:300;ports:[1-4]");
  EXPECT_EQ(held.common(total), both);
}

}  // namespace
}  // namespace mesosim
