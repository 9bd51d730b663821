// Apache Mesos's quota cases of src/tests/hierarchical_allocator_tests.cpp, re-expressed against
// our Allocator: guarantees, limits, headroom, quota on `*`, and quota of roles with subroles.
// Mesos's createQuota(q) sets guarantees and limits to q; quota() here does the same.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/allocator/mesos_conformance_util.hpp"

namespace mesosim {
namespace {

using namespace mesosim::testing;

Quota no_quota() { return Quota{}; }

// Mesos: HierarchicalAllocatorTest.QuotaProvidesGuarantee
TEST(MesosQuotaTest, QuotaProvidesGuarantee) {
  MesosHarness h;
  const uint32_t f1 = h.add_framework({"quota-role"});
  ASSERT_TRUE(h.alloc().set_quota("quota-role", quota("cpus:2;mem:1024")).ok());
  h.add_framework({"no-quota-role"});
  EXPECT_EQ(h.settle(), "");
  h.add_agent("cpus:1;mem:512;disk:0");
  EXPECT_EQ(h.settle(), offers({offer(f1, 0, "quota-role", "cpus:1;mem:512")}));
  h.add_agent("cpus:1;mem:512;disk:0");
  const auto second = h.settle_offers();
  ASSERT_EQ(text(second), offers({offer(f1, 1, "quota-role", "cpus:1;mem:512")}));
  // Declined for two intervals: held back for the quota role, never offered to the other.
  h.decline(second, Duration::seconds(2));
  EXPECT_EQ(h.advance(), "");
  EXPECT_EQ(h.advance(), offers({offer(f1, 1, "quota-role", "cpus:1;mem:512")}));
}

// Mesos: HierarchicalAllocatorTest.QuotaProvidesLimit (quota on "*": MESOS-3938)
TEST(MesosQuotaTest, QuotaProvidesLimit) {
  MesosHarness h;
  const uint32_t f1 = h.add_framework({"*"});
  const Status zero = h.alloc().set_quota("*", quota("", "cpus:0;mem:0;disk:0"));
  ASSERT_TRUE(zero.ok()) << zero.error().message;
  h.add_agent("cpus:2;mem:1024;disk:1024");
  EXPECT_EQ(h.settle(), "");
  const uint32_t f2 = h.add_framework({"no-quota-role"});
  EXPECT_EQ(h.settle(), offers({offer(f2, 0, "no-quota-role", "cpus:2;mem:1024;disk:1024")}));
  // Raising the limit lets "*" take up to it; the rest of the agent goes to the other role.
  ASSERT_TRUE(h.alloc().set_quota("*", quota("", "cpus:1;mem:512;disk:512")).ok());
  h.add_agent("cpus:2;mem:1024;disk:1024");
  EXPECT_EQ(h.settle(), offers({offer(f1, 1, "*", "cpus:1;mem:512;disk:512"),
                                offer(f2, 1, "no-quota-role", "cpus:1;mem:512;disk:512")}));
}

// Mesos: HierarchicalAllocatorTest.RemoveQuota
TEST(MesosQuotaTest, RemoveQuota) {
  MesosHarness h;
  ASSERT_TRUE(h.alloc().set_quota("quota-role", quota("cpus:2;mem:1024")).ok());
  const uint32_t f1 = h.add_framework({"quota-role"});
  const uint32_t f2 = h.add_framework({"no-quota-role"});
  for (int i = 0; i < 2; ++i) {
    h.add_agent("cpus:1;mem:512;disk:0",
                {UsedResources{framework_id(f1), "quota-role", R("cpus:1;mem:512")}});
  }
  ASSERT_TRUE(h.alloc().set_quota("quota-role", no_quota()).ok());
  EXPECT_EQ(h.settle(), "");
  EXPECT_SAME(h.alloc().required_headroom(), Quantities());
  h.recover(f1, 0, "quota-role", "cpus:1;mem:512");
  EXPECT_EQ(h.advance(), offers({offer(f2, 0, "no-quota-role", "cpus:1;mem:512")}));
}

// Mesos: HierarchicalAllocatorTest.QuotaMetrics (a guarantee on cpus, a limit on mem only; the
// guarantee shows in the required headroom, the limit in what is offered)
TEST(MesosQuotaTest, QuotaMetrics) {
  MesosHarness h;
  EXPECT_SAME(h.alloc().required_headroom(), Quantities());
  ASSERT_TRUE(h.alloc().set_quota("role", quota("cpus:1", "mem:1024")).ok());
  EXPECT_SAME(h.alloc().required_headroom(), Q("cpus:1"));
  ASSERT_TRUE(h.alloc().set_quota("role", quota("cpus:2", "mem:1024")).ok());
  EXPECT_SAME(h.alloc().required_headroom(), Q("cpus:2"));
  const uint32_t f = h.add_framework({"role"});
  h.add_agent("cpus:4;mem:4096");
  // No cpus limit: past the guarantee, cpus are bounded only by the (now empty) headroom.
  EXPECT_EQ(h.settle(), offers({offer(f, 0, "role", "cpus:4;mem:1024")}));
  ASSERT_TRUE(h.alloc().set_quota("role", quota("", "")).ok());
  EXPECT_SAME(h.alloc().required_headroom(), Quantities());
  EXPECT_EQ(h.advance(), offers({offer(f, 0, "role", "mem:3072")}));
}

// Mesos: HierarchicalAllocatorTest.MultipleFrameworksInRoleWithQuota
TEST(MesosQuotaTest, MultipleFrameworksInRoleWithQuota) {
  MesosHarness h;
  const uint32_t f1a = h.add_framework({"quota-role"});
  ASSERT_TRUE(h.alloc().set_quota("quota-role", quota("cpus:4;mem:2048")).ok());
  h.add_framework({"no-quota-role"});
  EXPECT_EQ(h.settle(), "");
  h.add_agent("cpus:1;mem:512;disk:0");
  EXPECT_EQ(h.settle(), offers({offer(f1a, 0, "quota-role", "cpus:1;mem:512")}));
  const uint32_t f1b = h.add_framework({"quota-role"});
  h.add_agent("cpus:2;mem:1024;disk:0");
  EXPECT_EQ(h.settle(), offers({offer(f1b, 1, "quota-role", "cpus:2;mem:1024")}));
  h.add_agent("cpus:1;mem:512;disk:0");
  const auto third = h.settle_offers();
  ASSERT_EQ(text(third), offers({offer(f1a, 2, "quota-role", "cpus:1;mem:512")}));
  // What one framework of the role declines goes to the other one.
  h.decline(third, Duration::seconds(5));
  EXPECT_EQ(h.advance(), offers({offer(f1b, 2, "quota-role", "cpus:1;mem:512")}));
}

// Mesos: HierarchicalAllocatorTest.QuotaAllocationGranularity
TEST(MesosQuotaTest, QuotaAllocationGranularity) {
  MesosHarness h;
  const uint32_t f1 = h.add_framework({"quota-role"});
  ASSERT_TRUE(h.alloc().set_quota("quota-role", quota("cpus:0.5;mem:200")).ok());
  h.add_agent("cpus:1;mem:512;disk:0");
  EXPECT_EQ(h.settle(), offers({offer(f1, 0, "quota-role", "cpus:0.5;mem:200")}));
  const uint32_t f2 = h.add_framework({"no-quota-role"});
  EXPECT_EQ(h.settle(), offers({offer(f2, 0, "no-quota-role", "cpus:0.5;mem:312")}));
}

// Mesos: HierarchicalAllocatorTest.QuotaRoleAllocateNonQuotaResource
TEST(MesosQuotaTest, QuotaRoleAllocateNonQuotaResource) {
  MesosHarness h;
  ASSERT_TRUE(h.alloc().set_quota("quota-role-1", quota("cpus:2")).ok());
  h.add_agent("cpus:1;mem:1024;ports:[31000-32000]");
  const uint32_t f = h.add_framework({"quota-role-1"});
  EXPECT_EQ(h.settle(),
            offers({offer(f, 0, "quota-role-1", "cpus:1;mem:1024;ports:[31000-32000]")}));
  // Memory is now held back for quota-role-2's guarantee; cpus still go toward role 1's.
  ASSERT_TRUE(h.alloc().set_quota("quota-role-2", quota("mem:1024")).ok());
  h.add_agent("cpus:1;mem:1024;ports:[31000-32000]");
  EXPECT_EQ(h.settle(), offers({offer(f, 1, "quota-role-1", "cpus:1;ports:[31000-32000]")}));
  // Role 1 reached its cpus limit: it gets only what it has no quota for.
  h.add_agent("cpus:1;mem:1024;ports:[31000-32000]");
  EXPECT_EQ(h.settle(), offers({offer(f, 2, "quota-role-1", "mem:1024;ports:[31000-32000]")}));
}

// Mesos: HierarchicalAllocatorTest.DRFWithQuota
TEST(MesosQuotaTest, DRFWithQuota) {
  MesosHarness h;
  ASSERT_TRUE(h.alloc().set_quota("quota-role", quota("cpus:0.25;mem:128")).ok());
  const uint32_t f1 = h.add_framework({"quota-role"});
  const uint32_t f2 = h.add_framework({"no-quota-role"});
  EXPECT_EQ(h.settle(), "");
  h.add_agent("cpus:1;mem:512;disk:0",
              {UsedResources{framework_id(f1), "quota-role", R("cpus:0.25;mem:128")}});
  EXPECT_EQ(h.settle(), offers({offer(f2, 0, "no-quota-role", "cpus:0.75;mem:384")}));
  EXPECT_SAME(h.alloc().consumed_quota("quota-role"), Q("cpus:0.25;mem:128"));
  // The quota is met: the lower share of quota-role does not earn it the next agent.
  h.add_agent("cpus:1;mem:512;disk:0");
  EXPECT_EQ(h.settle(), offers({offer(f2, 1, "no-quota-role", "cpus:1;mem:512")}));
}

// Mesos: HierarchicalAllocatorTest.QuotaAgainstStarvation
TEST(MesosQuotaTest, QuotaAgainstStarvation) {
  MesosHarness h;
  const uint32_t f1 = h.add_framework({"quota-role"});
  const uint32_t f2 = h.add_framework({"no-quota-role"});
  h.add_agent("cpus:1;mem:512;disk:0",
              {UsedResources{framework_id(f1), "quota-role", R("cpus:1;mem:512")}});
  h.add_agent("cpus:1;mem:512;disk:0");
  const auto first = h.settle_offers();
  ASSERT_EQ(text(first), offers({offer(f2, 1, "no-quota-role", "cpus:1;mem:512")}));
  // Declined with no filter, it comes straight back to the lower share.
  h.decline(first, std::nullopt);
  const auto second = h.advance_offers();
  ASSERT_EQ(text(second), offers({offer(f2, 1, "no-quota-role", "cpus:1;mem:512")}));
  h.decline(second, std::nullopt);
  // Quota for the starving role breaks the cycle.
  ASSERT_TRUE(h.alloc().set_quota("quota-role", quota("cpus:2;mem:1024")).ok());
  EXPECT_EQ(h.advance(), offers({offer(f1, 1, "quota-role", "cpus:1;mem:512")}));
}

// Mesos: HierarchicalAllocatorTest.QuotaAbsentFrameworkWholeAgent
TEST(MesosQuotaTest, QuotaAbsentFrameworkWholeAgent) {
  MesosHarness h;
  ASSERT_TRUE(h.alloc().set_quota("quota-role", quota("cpus:2;mem:1024")).ok());
  const uint32_t f = h.add_framework({"no-quota-role"});
  EXPECT_EQ(h.settle(), "");
  h.add_agent("cpus:2;mem:1024");
  EXPECT_EQ(h.settle(), "");  // all of it is set aside for the absent quota role
  h.add_agent("cpus:2;mem:1024");
  const auto run = h.settle_offers();
  ASSERT_EQ(run.size(), 1u);
  EXPECT_EQ(run[0].framework, framework_id(f));
  EXPECT_SAME(run[0].resources, R("cpus:2;mem:1024"));
}

// Mesos: HierarchicalAllocatorTest.MultiQuotaAbsentFrameworks
TEST(MesosQuotaTest, MultiQuotaAbsentFrameworks) {
  MesosHarness h;
  h.add_agent("cpus:2;mem:2048;disk:0");
  ASSERT_TRUE(h.alloc().set_quota("quota-role-1", quota("cpus:1;mem:1024")).ok());
  ASSERT_TRUE(h.alloc().set_quota("quota-role-2", quota("cpus:2;mem:2048")).ok());
  const uint32_t f = h.add_framework({"quota-role-2"});
  // Nothing is laid away for a quota role without frameworks while another is unsatisfied.
  EXPECT_EQ(h.settle(), offers({offer(f, 0, "quota-role-2", "cpus:2;mem:2048")}));
}

// Mesos: HierarchicalAllocatorTest.MultiQuotaWithFrameworks
TEST(MesosQuotaTest, MultiQuotaWithFrameworks) {
  MesosHarness h;
  ASSERT_TRUE(h.alloc().set_quota("quota-role-1", quota("cpus:1;mem:200")).ok());
  ASSERT_TRUE(h.alloc().set_quota("quota-role-2", quota("cpus:2;mem:2000")).ok());
  const uint32_t f1 = h.add_framework({"quota-role-1"});
  const uint32_t f2 = h.add_framework({"quota-role-2"});
  EXPECT_EQ(h.settle(), "");
  h.add_agent("cpus:1;mem:1024;disk:0",
              {UsedResources{framework_id(f1), "quota-role-1", R("cpus:1;mem:1024")}});
  h.add_agent("cpus:1;mem:1024;disk:0",
              {UsedResources{framework_id(f2), "quota-role-2", R("cpus:1;mem:1024")}});
  EXPECT_EQ(h.settle(), "");
  // Role 2, though its share is higher, is unsatisfied: it gets exactly what it lacks.
  h.add_agent("cpus:2;mem:2048");
  EXPECT_EQ(h.settle(), offers({offer(f2, 2, "quota-role-2", "cpus:1;mem:976")}));
}

// Mesos: HierarchicalAllocatorTest.ReservationWithinQuota
TEST(MesosQuotaTest, ReservationWithinQuota) {
  MesosHarness h;
  ASSERT_TRUE(h.alloc().set_quota("quota-role", quota("cpus:2;mem:256")).ok());
  const uint32_t f1 = h.add_framework({"quota-role"});
  const uint32_t f2 = h.add_framework({"non-quota-role"});
  EXPECT_EQ(h.settle(), "");
  h.add_agent("cpus:8;mem(quota-role):256",
              {UsedResources{framework_id(f1), "quota-role", R("cpus:2;mem(quota-role):256")}});
  EXPECT_EQ(h.settle(), offers({offer(f2, 0, "non-quota-role", "cpus:6")}));
  // The reservation counts toward quota-role's share too, so non-quota-role is still first.
  h.add_agent("cpus:4");
  EXPECT_EQ(h.settle(), offers({offer(f2, 1, "non-quota-role", "cpus:4")}));
}

// Mesos: HierarchicalAllocatorTest.QuotaSetAsideReservedResources
TEST(MesosQuotaTest, QuotaSetAsideReservedResources) {
  MesosHarness h;
  h.add_agent("cpus:4;mem:512;disk:0");
  h.add_agent("cpus(no-quota-role){DYN:ops}:4;mem(no-quota-role){DYN:ops}:512");
  const uint32_t f1 = h.add_framework({"quota-role"});
  ASSERT_TRUE(h.alloc().set_quota("quota-role", quota("cpus:4;mem:512")).ok());
  const auto first = h.settle_offers();
  ASSERT_EQ(text(first), offers({offer(f1, 0, "quota-role", "cpus:4;mem:512")}));
  h.decline(first, Duration::seconds(10));
  EXPECT_EQ(h.advance(), "");
  const uint32_t f2 = h.add_framework({"no-quota-role"});
  const auto second = h.settle_offers();
  ASSERT_EQ(text(second),
            offers({offer(f2, 1, "no-quota-role",
                          "cpus(no-quota-role){DYN:ops}:4;mem(no-quota-role){DYN:ops}:512")}));
  h.decline(second, Duration::seconds(10));
  // agent0 stays set aside for the quota role, agent1 stays with its reservation's role.
  EXPECT_EQ(h.advance(), "");
}

// Mesos: HierarchicalAllocatorTest.DisproportionateQuotaVsAllocation
TEST(MesosQuotaTest, DisproportionateQuotaVsAllocation) {
  MesosHarness h;
  ASSERT_TRUE(h.alloc().set_quota("quota-role", quota("cpus:4;mem:1024")).ok());
  const uint32_t f = h.add_framework({"quota-role"});
  h.add_agent("cpus:2;mem:1024");
  EXPECT_EQ(h.settle(), offers({offer(f, 0, "quota-role", "cpus:2;mem:1024")}));
  // mem is met, cpus is not: only the cpus it lacks.
  h.add_agent("cpus:2;mem:1024");
  EXPECT_EQ(h.settle(), offers({offer(f, 1, "quota-role", "cpus:2")}));
}

// Mesos: HierarchicalAllocatorTest.QuotaAccountingReserveAllocatedResources
TEST(MesosQuotaTest, QuotaAccountingReserveAllocatedResources) {
  MesosHarness h;
  ASSERT_TRUE(h.alloc().set_quota("quota-role", quota("cpus:10;mem:1024")).ok());
  const uint32_t f = h.add_framework({"quota-role"});
  h.add_agent("cpus:5;mem:512");
  EXPECT_EQ(h.settle(), offers({offer(f, 0, "quota-role", "cpus:5;mem:512")}));
  const Status s = h.alloc().update_allocation(
      framework_id(f), agent_id(0), "quota-role", R("cpus:5;mem:512"),
      R("cpus(quota-role){DYN:principal}:5;mem(quota-role){DYN:principal}:512"));
  ASSERT_TRUE(s.ok()) << s.error().message;
  // Reserving what it holds leaves the unmet guarantee (cpus:5;mem:512) as it was.
  EXPECT_SAME(h.alloc().required_headroom(), Q("cpus:5;mem:512"));
  h.add_agent("cpus:10;mem:1024");
  EXPECT_EQ(h.settle(), offers({offer(f, 1, "quota-role", "cpus:5;mem:512")}));
}

// Mesos: HierarchicalAllocatorTest.QuotaAccountingUnreserveAllocatedResources
TEST(MesosQuotaTest, QuotaAccountingUnreserveAllocatedResources) {
  MesosHarness h;
  ASSERT_TRUE(h.alloc().set_quota("quota-role", quota("cpus:1;mem:1024")).ok());
  const uint32_t f = h.add_framework({"quota-role"});
  const std::string reserved = "cpus(quota-role){DYN:ops}:1;mem(quota-role){DYN:ops}:1024";
  h.add_agent(reserved);
  EXPECT_EQ(h.settle(), offers({offer(f, 0, "quota-role", reserved)}));
  h.add_agent("cpus:1;mem:1024");
  EXPECT_EQ(h.settle(), "");
  const Status s = h.alloc().update_allocation(framework_id(f), agent_id(0), "quota-role",
                                               R(reserved), R("cpus:1;mem:1024"));
  ASSERT_TRUE(s.ok()) << s.error().message;
  // Still held, still counted: the quota stays met.
  EXPECT_EQ(h.advance(), "");
}

// ---- reservations and quota (Mesos's HierarchicalAllocatorTestWithReservations, run for
// static and dynamic reservations) ----

// "cpus:1;mem:1024" reserved to `role`, statically or dynamically.
std::string reserved_text(std::string_view resources, std::string_view role, bool dynamic) {
  std::string out;
  std::string_view rest = resources;
  while (!rest.empty()) {
    const size_t end = std::min(rest.find(';'), rest.size());
    const std::string_view item = rest.substr(0, end);
    rest = end < rest.size() ? rest.substr(end + 1) : std::string_view();
    const size_t colon = item.find(':');
    if (!out.empty()) out += ";";
    out += std::string(item.substr(0, colon)) + "(" + std::string(role) + ")" +
           (dynamic ? "{DYN:ops}" : "") + std::string(item.substr(colon));
  }
  return out;
}

class MesosReservationQuotaTest : public ::testing::TestWithParam<bool> {};
INSTANTIATE_TEST_SUITE_P(StaticAndDynamic, MesosReservationQuotaTest, ::testing::Bool());

// Mesos: HierarchicalAllocatorTestWithReservations.ReservationUnallocated
TEST_P(MesosReservationQuotaTest, ReservationUnallocated) {
  MesosHarness h;
  const std::string reserved = reserved_text("cpus:1;mem:1024", "quota-role", GetParam());
  h.add_agent(reserved);
  ASSERT_TRUE(h.alloc().set_quota("quota-role", quota("cpus:1;mem:1024")).ok());
  const uint32_t f = h.add_framework({"quota-role"});
  const auto first = h.settle_offers();
  ASSERT_EQ(text(first), offers({offer(f, 0, "quota-role", reserved)}));
  h.decline(first, Duration::days(1));
  // The declined reservation still counts toward the quota: the role is at its limit.
  h.add_agent("cpus:1;mem:1024");
  EXPECT_EQ(h.settle(), "");
}

// Mesos: HierarchicalAllocatorTestWithReservations.ReservationAllocated
TEST_P(MesosReservationQuotaTest, ReservationAllocated) {
  MesosHarness h;
  const std::string reserved = reserved_text("cpus:1;mem:1024", "quota-role", GetParam());
  h.add_agent(reserved);
  ASSERT_TRUE(h.alloc().set_quota("quota-role", quota("cpus:2;mem:2048")).ok());
  const uint32_t f = h.add_framework({"quota-role"});
  EXPECT_EQ(h.settle(), offers({offer(f, 0, "quota-role", reserved)}));
  h.add_agent("cpus:1;mem:1024");
  EXPECT_EQ(h.settle(), offers({offer(f, 1, "quota-role", "cpus:1;mem:1024")}));
  h.add_agent("cpus:1;mem:1024");
  EXPECT_EQ(h.settle(), "");
}

// Mesos: HierarchicalAllocatorTestWithReservations.NonQuotaRoleReservationWithQuotaRole
// (MESOS-8293)
TEST_P(MesosReservationQuotaTest, NonQuotaRoleReservationWithQuotaRole) {
  MesosHarness h;
  const std::string reserved = reserved_text("cpus:2;mem:2048", "non-quota-role", GetParam());
  h.add_agent("cpus:2;mem:2048;" + reserved);
  ASSERT_TRUE(h.alloc().set_quota("quota-role", quota("cpus:2;mem:2048")).ok());
  const uint32_t f1 = h.add_framework({"quota-role"});
  const auto first = h.settle_offers();
  ASSERT_EQ(text(first), offers({offer(f1, 0, "quota-role", "cpus:2;mem:2048")}));
  h.decline(first, Duration::days(1));
  // The reservation goes to its role although the unreserved half is held for quota-role.
  const uint32_t f2 = h.add_framework({"non-quota-role"});
  EXPECT_EQ(h.settle(), offers({offer(f2, 0, "non-quota-role", reserved)}));
}

// Mesos: HierarchicalAllocatorTestWithReservations.QuotaHeadroomWhenReservationsExceedQuota
TEST_P(MesosReservationQuotaTest, QuotaHeadroomWhenReservationsExceedQuota) {
  MesosHarness h;
  ASSERT_TRUE(h.alloc().set_quota("quota-role-w-reservation", quota("cpus:1;mem:1024")).ok());
  ASSERT_TRUE(h.alloc().set_quota("quota-role-no-reservation", quota("cpus:1;mem:1024")).ok());
  h.add_agent(reserved_text("cpus:2;mem:2048", "quota-role-w-reservation", GetParam()));
  // Only the role without reservations needs headroom.
  EXPECT_SAME(h.alloc().required_headroom(), Q("cpus:1;mem:1024"));
  h.add_agent("cpus:1;mem:1024");
  const uint32_t f = h.add_framework({"non-quota-role"});
  EXPECT_EQ(h.settle(), "");
  h.add_agent("cpus:1;mem:1024");
  EXPECT_EQ(h.settle(), offers({offer(f, 2, "non-quota-role", "cpus:1;mem:1024")}));
}

// ---- roles with subroles ----

// Mesos: HierarchicalAllocatorTest.QuotaWithAncestorReservations (MESOS-8604)
TEST(MesosQuotaTest, QuotaWithAncestorReservations) {
  MesosHarness h;
  ASSERT_TRUE(h.alloc().set_quota("quota-role", quota("cpus:1;mem:1024")).ok());
  h.add_agent("cpus(a):1;mem(a):1024");
  const uint32_t f1 = h.add_framework({"a/b"});
  EXPECT_EQ(h.settle(), offers({offer(f1, 0, "a/b", "cpus(a):1;mem(a):1024")}));
  const uint32_t f2 = h.add_framework({"no-quota-role"});
  EXPECT_EQ(h.settle(), "");
  h.add_agent("cpus:1;mem:1024");
  h.add_agent("cpus:1;mem:1024");
  // One agent is set aside for quota-role, the other goes to no-quota-role.
  const auto run = h.settle_offers();
  ASSERT_EQ(run.size(), 1u);
  EXPECT_EQ(run[0].framework, framework_id(f2));
  EXPECT_SAME(run[0].resources, R("cpus:1;mem:1024"));
}

// Mesos: HierarchicalAllocatorTest.QuotaWithNestedRoleReservation (MESOS-9688)
TEST(MesosQuotaTest, QuotaWithNestedRoleReservation) {
  MesosHarness h;
  ASSERT_TRUE(h.alloc().set_quota("a", quota("cpus:2;mem:200")).ok());
  h.add_agent("cpus(a/b):1;mem(a/b):100");
  h.add_agent("cpus:10;mem:1000");
  const uint32_t f1 = h.add_framework({"a"});
  // a/b's reservation already counts toward a's consumption: a gets what is left of it.
  EXPECT_EQ(h.settle(), offers({offer(f1, 1, "a", "cpus:1;mem:100")}));
}

// Mesos: HierarchicalAllocatorTest.QuotaWithNestedRoleAllocation
TEST(MesosQuotaTest, QuotaWithNestedRoleAllocation) {
  MesosHarness h;
  const uint32_t f1 = h.add_framework({"a/b"});
  h.add_agent("cpus:1;mem:1024");
  EXPECT_EQ(h.settle(), offers({offer(f1, 0, "a/b", "cpus:1;mem:1024")}));
  ASSERT_TRUE(h.alloc().set_quota("a", quota("cpus:1;mem:1024")).ok());
  h.add_framework({"a"});
  h.add_agent("cpus:1;mem:1024");
  // "a" has reached its limit through a/b's allocation, so its own framework gets nothing;
  // a/b is not bound by a's limit and gets the agent.
  EXPECT_EQ(h.settle(), offers({offer(f1, 1, "a/b", "cpus:1;mem:1024")}));
  EXPECT_SAME(h.alloc().consumed_quota("a"), Q("cpus:2;mem:2048"));
}

// Mesos: HierarchicalAllocatorTest.QuotaHeadroomWithNestedRoleAllocation
TEST(MesosQuotaTest, QuotaHeadroomWithNestedRoleAllocation) {
  MesosHarness h;
  const uint32_t f1 = h.add_framework({"a/b"});
  h.add_agent("cpus:1;mem:100");
  EXPECT_EQ(h.settle(), offers({offer(f1, 0, "a/b", "cpus:1;mem:100")}));
  const uint32_t f2 = h.add_framework({"a"});
  h.add_agent("cpus:1;mem:100");
  EXPECT_EQ(h.settle(), offers({offer(f2, 1, "a", "cpus:1;mem:100")}));
  ASSERT_TRUE(h.alloc().set_quota("quota-role", quota("cpus:1;mem:100")).ok());
  h.add_agent("cpus:1;mem:100");
  EXPECT_EQ(h.settle(), "");  // set aside for quota-role
  h.add_agent("cpus:1;mem:100");
  EXPECT_EQ(h.settle_offers().size(), 1u);  // one of the two, the other stays set aside
  EXPECT_EQ(h.advance(), "");
}

// Mesos: HierarchicalAllocatorProcess::__generateOffers, second stage: a subrole is bound by
// the headroom held back for its parent's unmet guarantee; only the quota role's own frameworks
// may eat into it (in the first stage).
TEST(MesosQuotaTest, SubroleOfRoleWithUnmetGuaranteeRespectsHeadroom) {
  MesosHarness h;
  ASSERT_TRUE(h.alloc().set_quota("a", guarantee("cpus:1;mem:1024")).ok());
  const uint32_t fb = h.add_framework({"a/b"});
  h.add_agent("cpus:1;mem:1024");
  EXPECT_EQ(h.settle(), "");
  // a's own framework takes it toward the guarantee.
  const uint32_t fa = h.add_framework({"a"});
  EXPECT_EQ(h.settle(), offers({offer(fa, 0, "a", "cpus:1;mem:1024")}));
  // With the guarantee met, the subrole is served.
  h.add_agent("cpus:1;mem:1024");
  EXPECT_EQ(h.settle(), offers({offer(fb, 1, "a/b", "cpus:1;mem:1024")}));
}

}  // namespace
}  // namespace mesosim
