#include "allocator/role_name.hpp"

#include <fmt/format.h>

namespace mesosim {

Status validate_role(std::string_view role) {
  if (role == kDefaultRole) return Status::success();
  if (role.empty()) return Error{"role name is empty"};
  for (char c : role) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) {
      return Error{fmt::format("role '{}' contains whitespace or a control character", role)};
    }
  }
  if (role.front() == '/' || role.back() == '/') {
    return Error{fmt::format("role '{}' must not begin or end with '/'", role)};
  }
  std::string_view rest = role;
  while (true) {
    const size_t slash = rest.find('/');
    const std::string_view part = rest.substr(0, slash);
    if (part.empty()) return Error{fmt::format("role '{}' contains '//'", role)};
    if (part == "." || part == "..") {
      return Error{fmt::format("role '{}' has '{}' as a path component", role, part)};
    }
    if (part.front() == '-') {
      return Error{fmt::format("role '{}': component '{}' must not start with '-'", role, part)};
    }
    if (part == "*") {
      return Error{fmt::format("role '{}': '*' is only valid as the whole default role", role)};
    }
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  return Status::success();
}

bool is_strict_subrole(std::string_view role, std::string_view ancestor) {
  return role.size() > ancestor.size() + 1 && role.starts_with(ancestor) &&
         role[ancestor.size()] == '/';
}

std::vector<std::string_view> role_ancestors(std::string_view role) {
  std::vector<std::string_view> out;
  for (size_t slash = role.rfind('/'); slash != std::string_view::npos && slash > 0;
       slash = role.rfind('/', slash - 1)) {
    out.push_back(role.substr(0, slash));
  }
  return out;
}

}  // namespace mesosim
