// Resources <-> v1 `Resource` JSON objects (include/mesos/v1/mesos.proto, message Resource).

#include <cmath>

#include "allocator/role_name.hpp"
#include "sim/live/v1_json.hpp"
#include "sim/live/v1_json_reader.hpp"

namespace mesosim::live {

using nlohmann::json;
using nlohmann::ordered_json;
using namespace detail;

namespace {

ordered_json labels_to_json(const std::vector<std::pair<std::string, std::string>>& labels) {
  ordered_json list = ordered_json::array();
  for (const auto& [key, value] : labels) list.push_back({{"key", key}, {"value", value}});
  return {{"labels", list}};
}

// Keys in declaration order of message Resource: name, type, scalar, ranges, role,
// allocation_info, reservation, reservations, revocable.
ordered_json resource_head(const ResourceKey& key) {
  ordered_json r;
  r["name"] = std::string(key.name.str());
  return r;
}

void add_tail(ordered_json& r, const ResourceKey& key, std::string_view allocation_role,
              const EncodeOptions& options) {
  const bool pre = options.resource_format == ResourceFormat::kPreRefinement;
  if (pre) r["role"] = key.reservation.role();
  if (!allocation_role.empty()) r["allocation_info"] = {{"role", std::string(allocation_role)}};
  if (key.reservation.is_reserved()) {
    const ReservationInfo& info = key.reservation.info();
    const bool dynamic = info.type == ReservationInfo::Type::kDynamic;
    if (pre) {
      // Mesos's pre-refinement format: `reservation` only for dynamic ones, without role/type.
      if (dynamic) {
        ordered_json reservation = ordered_json::object();
        if (!info.principal.empty()) reservation["principal"] = info.principal;
        if (!info.labels.empty()) reservation["labels"] = labels_to_json(info.labels);
        r["reservation"] = reservation;
      }
    } else {
      ordered_json reservation;
      reservation["type"] = dynamic ? "DYNAMIC" : "STATIC";
      reservation["role"] = info.role;
      if (dynamic && !info.principal.empty()) reservation["principal"] = info.principal;
      if (dynamic && !info.labels.empty()) reservation["labels"] = labels_to_json(info.labels);
      r["reservations"] = ordered_json::array({reservation});
    }
  }
  if (key.revocable) r["revocable"] = ordered_json::object();
}

std::vector<std::pair<std::string, std::string>> labels_from_json(const json& labels,
                                                                  const std::string& path) {
  std::vector<std::pair<std::string, std::string>> out;
  const json& list = array_field(labels, "labels", path);
  const std::string list_path = path_of(path, "labels");
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string p = path_of(list_path, i);
    require_object(list[i], p);
    out.emplace_back(string_field(list[i], "key", p),
                     optional_string_field(list[i], "value", p).value_or(""));
  }
  return out;
}

void check_role(const std::string& role, const std::string& path, const json& found) {
  if (role == "*") fail_expected("a role other than \"*\"", path, found);
  Status valid = validate_role(role);
  if (!valid.ok()) fail("bad role at '" + path + "': " + valid.error().message);
}

Reservation reservation_from_post_format(const json& list, const std::string& path) {
  if (list.size() > 1) {
    fail("refined reservations are not supported at '" + path +
         "': expected at most 1 entry, "
         "found " +
         std::to_string(list.size()));
  }
  const std::string p = path_of(path, size_t{0});
  require_object(list[0], p);
  ReservationInfo info;
  std::optional<std::string> type = optional_string_field(list[0], "type", p);
  if (type == "STATIC") {
    info.type = ReservationInfo::Type::kStatic;
  } else if (type == "DYNAMIC") {
    info.type = ReservationInfo::Type::kDynamic;
  } else if (!type) {
    fail_missing(path_of(p, "type"));
  } else {
    fail_expected("\"STATIC\" or \"DYNAMIC\"", path_of(p, "type"), list[0]["type"]);
  }
  info.role = string_field(list[0], "role", p);
  check_role(info.role, path_of(p, "role"), list[0]["role"]);
  if (info.type == ReservationInfo::Type::kDynamic) {
    info.principal = optional_string_field(list[0], "principal", p).value_or("");
    if (const json* labels = optional_object_field(list[0], "labels", p)) {
      info.labels = labels_from_json(*labels, path_of(p, "labels"));
    }
  }
  return Reservation::of(info);
}

Reservation reservation_from_json(const json& r, const std::string& path) {
  std::optional<std::string> role = optional_string_field(r, "role", path);
  const json* reservation = optional_object_field(r, "reservation", path);
  const json& reservations = array_field(r, "reservations", path);
  if (!reservations.empty()) {
    if (role) fail("'" + path + "' has both 'role' and 'reservations'; expected one format");
    return reservation_from_post_format(reservations, path_of(path, "reservations"));
  }
  if (!role || *role == "*") {
    if (reservation != nullptr) {
      fail("'" + path_of(path, "reservation") + "' needs a 'role' other than \"*\"");
    }
    return Reservation::unreserved();
  }
  check_role(*role, path_of(path, "role"), r["role"]);
  if (reservation == nullptr) return Reservation::static_for(*role);
  ReservationInfo info;
  info.type = ReservationInfo::Type::kDynamic;
  info.role = *role;
  const std::string p = path_of(path, "reservation");
  info.principal = optional_string_field(*reservation, "principal", p).value_or("");
  if (const json* labels = optional_object_field(*reservation, "labels", p)) {
    info.labels = labels_from_json(*labels, path_of(p, "labels"));
  }
  return Reservation::of(info);
}

void add_resource(Resources& out, const json& r, const std::string& path) {
  require_object(r, path);
  ResourceKey key;
  std::string name = string_field(r, "name", path);
  if (name.empty()) fail_expected("a resource name", path_of(path, "name"), r["name"]);
  // Names are interned for the life of the process in a bounded table: a client inventing names
  // must get an error, not exhaust it.
  if (ResourceName::interned_count() + 16 >= ResourceName::kMaxNames) {
    fail("too many distinct resource names; cannot accept '" + path_of(path, "name") + "'");
  }
  key.name = ResourceName::of(name);
  std::string type = string_field(r, "type", path);
  key.reservation = reservation_from_json(r, path);
  key.revocable = optional_object_field(r, "revocable", path) != nullptr;
  for (std::string_view unsupported : {"disk", "shared", "provider_id"}) {
    if (member(r, unsupported) != nullptr) {
      fail("'" + path_of(path, unsupported) + "' is not supported by mesosim");
    }
  }
  if (type == "SCALAR") {
    const json& scalar = object_field(r, "scalar", path);
    const std::string p = path_of(path, "scalar");
    std::optional<double> value = optional_double_field(scalar, "value", p);
    if (!value) fail_missing(path_of(p, "value"));
    if (*value < 0 || *value > 1e12) {
      fail_expected("a number in [0, 1e12]", path_of(p, "value"), scalar["value"]);
    }
    out.add(key, Scalar::from_double(*value));
  } else if (type == "RANGES") {
    const json& ranges = object_field(r, "ranges", path);
    const std::string p = path_of(path_of(path, "ranges"), "range");
    const json& list = array_field(ranges, "range", path_of(path, "ranges"));
    std::vector<Interval> intervals;
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string ip = path_of(p, i);
      require_object(list[i], ip);
      Interval interval{uint64_field(list[i], "begin", ip), uint64_field(list[i], "end", ip)};
      if (interval.end < interval.begin) {
        fail_expected("'end' >= 'begin'", ip, list[i]);
      }
      intervals.push_back(interval);
    }
    out.add(key, RangeSet(std::move(intervals)));
  } else if (type == "SET" || type == "TEXT") {
    fail("'" + path_of(path, "type") + "': " + type + " resources are not supported by mesosim");
  } else {
    fail_expected("\"SCALAR\", \"RANGES\" or \"SET\"", path_of(path, "type"), r["type"]);
  }
}

}  // namespace

EncodeOptions encode_options_for(const v1::FrameworkInfo& framework) {
  EncodeOptions options;
  if (framework.has(v1::FrameworkCapability::RESERVATION_REFINEMENT)) {
    options.resource_format = ResourceFormat::kPostRefinement;
  }
  return options;
}

ordered_json resources_to_json(const Resources& resources, std::string_view allocation_role,
                               const EncodeOptions& options) {
  ordered_json out = ordered_json::array();
  for (const Resources::ScalarEntry& e : resources.scalar_entries()) {
    ordered_json r = resource_head(e.key);
    r["type"] = "SCALAR";
    r["scalar"] = {{"value", e.value.to_double()}};
    add_tail(r, e.key, allocation_role, options);
    out.push_back(std::move(r));
  }
  for (const Resources::RangesEntry& e : resources.range_entries()) {
    ordered_json r = resource_head(e.key);
    r["type"] = "RANGES";
    ordered_json list = ordered_json::array();
    for (const Interval& i : e.value.intervals()) {
      list.push_back({{"begin", i.begin}, {"end", i.end}});
    }
    r["ranges"] = {{"range", list}};
    add_tail(r, e.key, allocation_role, options);
    out.push_back(std::move(r));
  }
  return out;
}

namespace detail {
// Used by the call decoder, which is already inside a throwing read.
Resources read_resources(const json& array, const std::string& path) {
  if (!array.is_array()) fail_expected("an array", path, array);
  Resources out;
  for (size_t i = 0; i < array.size(); ++i) add_resource(out, array[i], path_of(path, i));
  return out;
}
}  // namespace detail

Result<Resources> resources_from_json(const json& array, const std::string& path) {
  try {
    return detail::read_resources(array, path);
  } catch (const JsonDecodeFailure& failure) {
    return Error{failure.message};
  }
}

}  // namespace mesosim::live
