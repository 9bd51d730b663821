#pragma once

// A small driver for the Mesos conformance tests: it plays the part of Mesos's
// HierarchicalAllocatorTest fixture (a paused clock, allocations that happen when events trigger
// them or when the clock passes an allocation interval) over our HierarchicalAllocator, and
// prints offers as sorted "fw<id> a<agent> <role> <resources>" lines so that a test states what
// Mesos expects in one string.

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "allocator/hierarchical_allocator.hpp"
#include "tests/allocator/allocator_test_util.hpp"

namespace mesosim::testing {

// One expected offer, with its resources in canonical text.
inline std::string offer(uint32_t fw, uint32_t agent, std::string_view role,
                         std::string_view resources) {
  return "fw" + std::to_string(fw) + " a" + std::to_string(agent) + " " + std::string(role) + " " +
         R(resources).to_string();
}

// Expected offers of one run, in the order text() prints them.
inline std::string offers(std::vector<std::string> lines) {
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

inline std::string text(const std::vector<Allocation>& run) {
  std::vector<std::string> lines;
  for (const Allocation& o : run) {
    lines.push_back(offer(o.framework.value, o.agent.value, o.role, o.resources.to_string()));
  }
  return offers(std::move(lines));
}

class MesosHarness {
 public:
  explicit MesosHarness(AllocatorOptions options = AllocatorOptions::mesos_defaults())
      : interval_(options.allocation_interval), alloc_(std::move(options)) {}

  HierarchicalAllocator& alloc() { return alloc_; }
  Time now() const { return now_; }

  // Adds an agent (ids 0, 1, ...) and returns its id.
  uint32_t add_agent(std::string_view resources, std::vector<UsedResources> used = {}) {
    const uint32_t id = next_agent_++;
    const Status s =
        alloc_.add_agent(agent_id(id), agent_info("h" + std::to_string(id), resources), used);
    EXPECT_TRUE(s.ok()) << s.error().message;
    return id;
  }

  // Adds an active framework (ids 0, 1, ...; named so that they sort in id order).
  uint32_t add_framework_with(FrameworkInfo info) {
    const uint32_t id = next_framework_++;
    info.name = "framework" + std::to_string(100 + id);
    const Status s = alloc_.add_framework(framework_id(id), info, true);
    EXPECT_TRUE(s.ok()) << s.error().message;
    return id;
  }
  uint32_t add_framework(std::vector<std::string> roles) {
    return add_framework_with(framework_info("", std::move(roles)));
  }

  // Runs the allocation that events triggered, if any (Mesos: Clock::settle()).
  std::string settle() { return text(settle_offers()); }
  std::vector<Allocation> settle_offers() {
    if (!alloc_.allocation_pending()) return {};
    return alloc_.allocate(now_);
  }
  // Advances the clock by `d` (default: one allocation interval), running the batch allocation
  // each whole interval passed and any triggered one (Mesos: Clock::advance()).
  std::string advance(std::optional<Duration> d = std::nullopt) { return text(advance_offers(d)); }
  std::vector<Allocation> advance_offers(std::optional<Duration> d = std::nullopt) {
    std::vector<Allocation> out = settle_offers();
    const Time until = now_ + d.value_or(interval_);
    while (next_batch_ <= until) {
      now_ = next_batch_;
      next_batch_ = next_batch_ + interval_;
      alloc_.request_allocation();
      for (Allocation& o : alloc_.allocate(now_)) out.push_back(std::move(o));
    }
    now_ = until;
    return out;
  }

  // Resources back from an offer or a task, with an optional refusal filter.
  void recover(uint32_t fw, uint32_t agent, std::string_view role, std::string_view resources,
               std::optional<Duration> refuse = std::nullopt) {
    alloc_.recover(now_, framework_id(fw), agent_id(agent), role, R(resources), refuse);
  }
  void decline(const std::vector<Allocation>& run, std::optional<Duration> refuse) {
    for (const Allocation& o : run) {
      alloc_.recover(now_, o.framework, o.agent, o.role, o.resources, refuse);
    }
  }

 private:
  Duration interval_;
  HierarchicalAllocator alloc_;
  Time now_ = Time::epoch();
  Time next_batch_ = Time::epoch() + interval_;
  uint32_t next_agent_ = 0;
  uint32_t next_framework_ = 0;
};

inline FrameworkInfo gpu_framework(std::vector<std::string> roles) {
  FrameworkInfo info = framework_info("", std::move(roles));
  info.gpu_resources = true;
  return info;
}

inline FrameworkInfo revocable_framework(std::vector<std::string> roles) {
  FrameworkInfo info = framework_info("", std::move(roles));
  info.revocable_resources = true;
  return info;
}

inline Quota guarantee(std::string_view q) { return Quota{Q(q), {}}; }

// Mesos's createQuota(resources): guarantees and limits both `q`; with `limits`, those limits.
// Limits are parsed item by item so that a zero limit ("cpus:0") is kept.
inline Quota quota(std::string_view guarantees, std::optional<std::string_view> limits = {}) {
  Quota out{Q(guarantees), {}};
  std::string_view rest = limits.value_or(guarantees);
  while (!rest.empty()) {
    const size_t end = std::min(rest.find(';'), rest.size());
    const std::string_view item = rest.substr(0, end);
    rest = end < rest.size() ? rest.substr(end + 1) : std::string_view();
    const size_t colon = item.find(':');
    const std::optional<Scalar> value = Scalar::parse(item.substr(colon + 1));
    EXPECT_TRUE(colon != std::string_view::npos && value.has_value()) << item;
    if (value) out.limits.emplace_back(ResourceName::of(item.substr(0, colon)), *value);
  }
  return out;
}

}  // namespace mesosim::testing
