#pragma once

// Role names and their hierarchy: "eng/backend" is a child of "eng". "*" is the default role
// (the role of unreserved resources); it has no parent and no children.

#include <string_view>
#include <vector>

#include "allocator/result.hpp"

namespace mesosim {

inline constexpr std::string_view kDefaultRole = "*";

// Mesos's rules: a role is "*" or a '/'-separated path of names, each a valid directory name:
// not empty, not "." or "..", not starting with '-', no whitespace or control characters,
// and not "*". So no '/' at either end and no "//". The error names the role and the rule.
Status validate_role(std::string_view role);

// True iff `role` lies strictly below `ancestor`: "a/b" is below "a"; "a" and "ab" are not.
bool is_strict_subrole(std::string_view role, std::string_view ancestor);

// "a/b/c" -> {"a/b", "a"}, nearest first.
std::vector<std::string_view> role_ancestors(std::string_view role);

}  // namespace mesosim
