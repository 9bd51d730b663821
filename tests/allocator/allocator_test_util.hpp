#pragma once

// Small helpers shared by the allocator tests.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <fmt/format.h>

#include "allocator/allocator.hpp"
#include "allocator/resources.hpp"

namespace mesosim::testing {

inline Resources R(std::string_view text) {
  auto r = Resources::parse(text);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? r.value() : Resources();
}

inline Quantities Q(std::string_view text) {
  auto q = Quantities::parse(text);
  EXPECT_TRUE(q.ok()) << (q.ok() ? "" : q.error().message);
  return q.ok() ? q.value() : Quantities();
}

// One line per offer, "framework@agent/role resources": offers compared as text, so a failure
// shows both sides readably.
inline std::string describe_offers(const std::vector<Allocation>& offers) {
  std::string out;
  for (const auto& o : offers) {
    out += fmt::format("{}@{}/{} {}\n", o.framework.value, o.agent.value, o.role,
                       o.resources.to_string());
  }
  return out;
}

inline FrameworkInfo framework_info(std::string name, std::vector<std::string> roles) {
  FrameworkInfo info;
  info.name = std::move(name);
  info.roles = std::move(roles);
  return info;
}

inline AgentInfo agent_info(std::string hostname, std::string_view resources) {
  return AgentInfo{std::move(hostname), R(resources)};
}

// EXPECT_EQ for mesosim values, which gtest can only print as bytes: on failure both sides are
// shown in their text form.
template <typename T>
::testing::AssertionResult Same(const char* a_expr, const char* b_expr, const T& a, const T& b) {
  if (a == b) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << a_expr << " is '" << a.to_string() << "'\n"
                                       << b_expr << " is '" << b.to_string() << "'";
}
#define EXPECT_SAME(a, b) EXPECT_PRED_FORMAT2(::mesosim::testing::Same, a, b)

constexpr AgentId agent_id(uint32_t v) { return AgentId{v}; }
constexpr FrameworkId framework_id(uint32_t v) { return FrameworkId{v}; }

inline Time at_seconds(int64_t s) { return Time::epoch() + Duration::seconds(s); }

}  // namespace mesosim::testing
