// Parsing of the resource text format (see resources.hpp).

#include <fmt/format.h>

#include "allocator/resources.hpp"
#include "allocator/role_name.hpp"
#include "allocator/text.hpp"

namespace mesosim {
namespace {

// Splits on `sep` outside brackets, braces and parentheses.
Result<std::vector<std::string_view>> split_top(std::string_view text, char sep,
                                                std::string_view whole) {
  std::vector<std::string_view> out;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '[' || c == '{' || c == '(') ++depth;
    if (c == ']' || c == '}' || c == ')') {
      if (--depth < 0) return Error{fmt::format("unbalanced '{}' in resources '{}'", c, whole)};
    }
    if (c == sep && depth == 0) {
      out.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  if (depth != 0) return Error{fmt::format("unclosed bracket in resources '{}'", whole)};
  out.push_back(text.substr(start));
  return out;
}

bool valid_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

Result<ReservationInfo> parse_dynamic(std::string_view body, std::string_view role,
                                      std::string_view item) {
  // body is what follows "DYN": "" or ":principal" or ":principal:k=v,k2=v2".
  ReservationInfo info;
  info.type = ReservationInfo::Type::kDynamic;
  info.role = std::string(role);
  if (body.empty()) return info;
  if (body.front() != ':') {
    return Error{fmt::format("expected '{{DYN}}' or '{{DYN:principal}}' in '{}'", item)};
  }
  body.remove_prefix(1);
  const size_t colon = body.find(':');
  info.principal = std::string(body.substr(0, colon));
  if (colon == std::string_view::npos) return info;
  // Every ','-separated label must be key=value: "k=v," and a bare trailing ':' are mistakes.
  std::string_view labels = body.substr(colon + 1);
  while (true) {
    const size_t comma = labels.find(',');
    const std::string_view kv = labels.substr(0, comma);
    const size_t eq = kv.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return Error{fmt::format("expected label 'key=value' in '{}', found '{}'", item, kv)};
    }
    info.labels.emplace_back(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
    if (comma == std::string_view::npos) break;
    labels.remove_prefix(comma + 1);
  }
  return info;
}

// One item: name[(role)][{REV}][{DYN...}]:value
Status parse_item(std::string_view item, std::string_view default_role, Resources& out) {
  const std::string_view whole = item;
  // The value starts after the first ':' outside brackets (those in "{DYN:p}" are inside).
  int depth = 0;
  size_t colon = std::string_view::npos;
  for (size_t i = 0; i < item.size(); ++i) {
    if (item[i] == '{' || item[i] == '(' || item[i] == '[') ++depth;
    if (item[i] == '}' || item[i] == ')' || item[i] == ']') --depth;
    if (item[i] == ':' && depth == 0) {
      colon = i;
      break;
    }
  }
  if (colon == std::string_view::npos) {
    return Error{fmt::format("expected 'name:value' in resource item '{}'", whole)};
  }
  std::string_view head = trim_space(item.substr(0, colon));
  const std::string_view value = trim_space(item.substr(colon + 1));

  bool revocable = false;
  bool dynamic = false;
  std::string_view dyn_body;
  while (!head.empty() && head.back() == '}') {
    const size_t open = head.rfind('{');
    if (open == std::string_view::npos) {
      return Error{fmt::format("unbalanced '}}' in resource item '{}'", whole)};
    }
    const std::string_view tag = head.substr(open + 1, head.size() - open - 2);
    // A repeated tag would silently drop one of them (for {DYN}, a principal and labels).
    if ((tag == "REV" && revocable) || (tag.starts_with("DYN") && dynamic)) {
      return Error{fmt::format("repeated tag '{{{}}}' in resource item '{}'", tag, whole)};
    }
    if (tag == "REV") {
      revocable = true;
    } else if (tag.starts_with("DYN")) {
      dynamic = true;
      dyn_body = tag.substr(3);
    } else {
      return Error{fmt::format("unknown tag '{{{}}}' in resource item '{}'", tag, whole)};
    }
    head = trim_space(head.substr(0, open));
  }

  std::string_view role = default_role;
  if (!head.empty() && head.back() == ')') {
    const size_t open = head.find('(');
    if (open == std::string_view::npos) {
      return Error{fmt::format("unbalanced ')' in resource item '{}'", whole)};
    }
    role = trim_space(head.substr(open + 1, head.size() - open - 2));
    head = trim_space(head.substr(0, open));
  }
  const std::string_view name = head;
  if (!valid_name(name)) {
    return Error{fmt::format("bad resource name '{}' in '{}' (letters, digits, '_', '-', '.')",
                             name, whole)};
  }
  if (Status s = validate_role(role); !s.ok()) {
    return Error{fmt::format("in resource item '{}': {}", whole, s.error().message)};
  }
  if (dynamic && role == kDefaultRole) {
    return Error{fmt::format("'{}' is a dynamic reservation without a role", whole)};
  }

  Reservation reservation;
  if (role != kDefaultRole) {
    if (dynamic) {
      auto info = parse_dynamic(dyn_body, role, whole);
      if (!info.ok()) return info.error();
      reservation = Reservation::of(info.value());
    } else {
      reservation = Reservation::static_for(role);
    }
  }
  if (ResourceName::interned_count() >= ResourceName::kMaxNames - 1) {
    return Error{fmt::format("too many distinct resource names at '{}'", whole)};
  }
  const ResourceName rname = ResourceName::of(name);
  const ResourceKey key{rname, reservation, revocable};

  if (!value.empty() && value.front() == '[') {
    if (rname == ResourceName::cpus() || rname == ResourceName::mem() ||
        rname == ResourceName::disk() || rname == ResourceName::gpus()) {
      return Error{fmt::format("'{}' is a scalar resource, found ranges in '{}'", name, whole)};
    }
    auto ranges = RangeSet::parse(value);
    if (!ranges.ok()) return Error{fmt::format("in '{}': {}", whole, ranges.error().message)};
    for (const auto& e : out.scalar_entries()) {
      if (e.key.name == rname) {
        return Error{fmt::format("'{}' is given both as a scalar and as ranges", name)};
      }
    }
    out.add(key, ranges.value());
    return Status::success();
  }
  if (!value.empty() && value.front() == '{') {
    return Error{fmt::format("set-valued resources are not supported: '{}'", whole)};
  }
  if (rname == ResourceName::ports()) {
    return Error{fmt::format("'ports' takes ranges like '[31000-32000]', found '{}'", value)};
  }
  auto scalar = Scalar::parse(value);
  if (!scalar) {
    return Error{fmt::format("expected a non-negative number for '{}', found '{}'", name, value)};
  }
  for (const auto& e : out.range_entries()) {
    if (e.key.name == rname) {
      return Error{fmt::format("'{}' is given both as a scalar and as ranges", name)};
    }
  }
  out.add(key, *scalar);
  return Status::success();
}

}  // namespace

Result<Resources> Resources::parse(std::string_view text, std::string_view default_role) {
  if (Status s = validate_role(default_role); !s.ok()) return s.error();
  auto items = split_top(text, ';', text);
  if (!items.ok()) return items.error();
  Resources out;
  for (std::string_view item : items.value()) {
    item = trim_space(item);
    if (item.empty()) continue;  // tolerate "cpus:1;" as Mesos does
    if (Status s = parse_item(item, default_role, out); !s.ok()) return s.error();
  }
  return out;
}

}  // namespace mesosim
