#include "allocator/role_name.hpp"

#include <string>
#include <string_view>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mesosim {
namespace {

using ::testing::HasSubstr;

TEST(ValidateRoleTest, AcceptsTheDefaultRoleAndWellFormedPaths) {
  for (const char* role :
       {"*", "a", "eng/backend", "a-b", "a.b", "a/b/c", "ab-", "a_b", "x..y", "A1/b.c-d", "..a"}) {
    const Status s = validate_role(role);
    EXPECT_TRUE(s.ok()) << "'" << role << "': " << s.error().message;
  }
}

TEST(ValidateRoleTest, RejectsMalformedRolesWithAMessageNamingTheRole) {
  for (std::string_view role : {".", "..", "-a", "a/-b", "/a", "a/", "a//b", "a b", "a\tb", "a/*",
                                "*/a", "a/./b", "a/../b", "a/..", "./a", "a\nb", "a\x7f"}) {
    const Status s = validate_role(role);
    ASSERT_FALSE(s.ok()) << "'" << role << "' was accepted";
    EXPECT_THAT(s.error().message, HasSubstr("'" + std::string(role) + "'"));
  }
}

TEST(ValidateRoleTest, RejectsTheEmptyRole) {
  const Status s = validate_role("");
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, HasSubstr("empty"));
}

TEST(ValidateRoleTest, MessageSaysWhichRuleWasBroken) {
  EXPECT_THAT(validate_role("a//b").error().message, HasSubstr("'//'"));
  EXPECT_THAT(validate_role("a/-b").error().message, HasSubstr("'-'"));
  EXPECT_THAT(validate_role("a/../b").error().message, HasSubstr("'..'"));
  EXPECT_THAT(validate_role("a b").error().message, HasSubstr("whitespace"));
  EXPECT_THAT(validate_role("/a").error().message, HasSubstr("'/'"));
  EXPECT_THAT(validate_role("a/*").error().message, HasSubstr("'*'"));
}

TEST(IsStrictSubroleTest, ChildrenAndDeeperDescendantsAreStrictSubroles) {
  EXPECT_TRUE(is_strict_subrole("a/b", "a"));
  EXPECT_TRUE(is_strict_subrole("a/b/c", "a"));
  EXPECT_TRUE(is_strict_subrole("a/b/c", "a/b"));
  EXPECT_TRUE(is_strict_subrole("eng/backend", "eng"));
}

TEST(IsStrictSubroleTest, ARoleItsAncestorsSiblingsAndPrefixNamesAreNot) {
  EXPECT_FALSE(is_strict_subrole("a", "a"));
  EXPECT_FALSE(is_strict_subrole("ab", "a"));
  EXPECT_FALSE(is_strict_subrole("abc", "a"));
  EXPECT_FALSE(is_strict_subrole("a-b/c", "a"));
  EXPECT_FALSE(is_strict_subrole("a/bcd", "a/b"));
  EXPECT_FALSE(is_strict_subrole("a", "a/b"));
  EXPECT_FALSE(is_strict_subrole("a/c", "a/b"));
  EXPECT_FALSE(is_strict_subrole("a/bc", "a/b"));
  EXPECT_FALSE(is_strict_subrole("b/a", "a"));
  EXPECT_FALSE(is_strict_subrole("x/a/b", "a"));
}

TEST(IsStrictSubroleTest, TheDefaultRoleHasNoSubroles) {
  EXPECT_FALSE(is_strict_subrole("a", "*"));
  EXPECT_FALSE(is_strict_subrole("*", "*"));
  EXPECT_FALSE(is_strict_subrole("*", "a"));
}

TEST(RoleAncestorsTest, ListsAncestorsNearestFirst) {
  EXPECT_EQ(role_ancestors("a/b/c"), (std::vector<std::string_view>{"a/b", "a"}));
  EXPECT_EQ(role_ancestors("eng/backend"), (std::vector<std::string_view>{"eng"}));
}

TEST(RoleAncestorsTest, TopLevelRolesAndTheDefaultRoleHaveNone) {
  EXPECT_TRUE(role_ancestors("a").empty());
  EXPECT_TRUE(role_ancestors("*").empty());
}

TEST(RoleAncestorsTest, EveryAncestorMakesTheRoleAStrictSubrole) {
  const std::string_view role = "w/x/y/z";
  const std::vector<std::string_view> ancestors = role_ancestors(role);
  ASSERT_EQ(ancestors.size(), 3u);
  for (std::string_view a : ancestors) EXPECT_TRUE(is_strict_subrole(role, a)) << a;
}

}  // namespace
}  // namespace mesosim
