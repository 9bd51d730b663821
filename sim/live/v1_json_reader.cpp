#include "sim/live/v1_json_reader.hpp"

#include <cmath>

#include "sim/live/uuid.hpp"

namespace mesosim::live::detail {

using nlohmann::json;

namespace {

std::string render(const json& value) {
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  constexpr size_t kMax = 60;
  if (text.size() > kMax) text = text.substr(0, kMax) + "...";
  return text;
}

// A JSON number, or a string holding one (Mesos accepts both for numeric fields).
std::optional<json> as_number(const json& value) {
  if (value.is_number()) return value;
  if (!value.is_string()) return std::nullopt;
  json parsed = json::parse(value.get_ref<const std::string&>(), nullptr, false);
  if (parsed.is_discarded() || !parsed.is_number()) return std::nullopt;
  return parsed;
}

}  // namespace

std::string path_of(const std::string& parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return parent + "." + std::string(key);
}

std::string path_of(const std::string& parent, size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

void fail_expected(std::string_view expected, const std::string& path, const json& found) {
  throw JsonDecodeFailure{"expected " + std::string(expected) + " at '" + path + "', found " +
                          render(found)};
}

void fail_missing(const std::string& path) {
  throw JsonDecodeFailure{"missing required field '" + path + "'"};
}

void fail(const std::string& message) { throw JsonDecodeFailure{message}; }

void require_object(const json& value, const std::string& path) {
  if (!value.is_object()) fail_expected("an object", path.empty() ? "." : path, value);
}

const json* member(const json& object, std::string_view key) {
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

const json& object_field(const json& object, std::string_view key, const std::string& path) {
  const json* value = optional_object_field(object, key, path);
  if (value == nullptr) fail_missing(path_of(path, key));
  return *value;
}

const json* optional_object_field(const json& object, std::string_view key,
                                  const std::string& path) {
  const json* value = member(object, key);
  if (value != nullptr) require_object(*value, path_of(path, key));
  return value;
}

const json& array_field(const json& object, std::string_view key, const std::string& path) {
  static const json kEmpty = json::array();
  const json* value = member(object, key);
  if (value == nullptr) return kEmpty;
  if (!value->is_array()) fail_expected("an array", path_of(path, key), *value);
  return *value;
}

std::string string_value(const json& value, const std::string& path) {
  if (!value.is_string()) fail_expected("a string", path, value);
  return value.get<std::string>();
}

std::string string_field(const json& object, std::string_view key, const std::string& path) {
  const json* value = member(object, key);
  if (value == nullptr) fail_missing(path_of(path, key));
  return string_value(*value, path_of(path, key));
}

std::optional<std::string> optional_string_field(const json& object, std::string_view key,
                                                 const std::string& path) {
  const json* value = member(object, key);
  if (value == nullptr) return std::nullopt;
  return string_value(*value, path_of(path, key));
}

std::optional<double> optional_double_field(const json& object, std::string_view key,
                                            const std::string& path) {
  const json* value = member(object, key);
  if (value == nullptr) return std::nullopt;
  std::optional<json> number = as_number(*value);
  if (!number) fail_expected("a number", path_of(path, key), *value);
  double d = number->get<double>();
  if (!std::isfinite(d)) fail_expected("a finite number", path_of(path, key), *value);
  return d;
}

std::optional<bool> optional_bool_field(const json& object, std::string_view key,
                                        const std::string& path) {
  const json* value = member(object, key);
  if (value == nullptr) return std::nullopt;
  if (!value->is_boolean()) fail_expected("a boolean", path_of(path, key), *value);
  return value->get<bool>();
}

uint64_t uint64_field(const json& object, std::string_view key, const std::string& path) {
  const json* value = member(object, key);
  if (value == nullptr) fail_missing(path_of(path, key));
  std::optional<json> number = as_number(*value);
  if (!number || !(number->is_number_unsigned() ||
                   (number->is_number_integer() && number->get<int64_t>() >= 0))) {
    fail_expected("a non-negative integer", path_of(path, key), *value);
  }
  return number->get<uint64_t>();
}

std::string bytes_field(const json& object, std::string_view key, const std::string& path) {
  std::string text = string_field(object, key, path);
  Result<std::string> raw = base64_decode(text);
  if (!raw.ok()) fail("bad base64 at '" + path_of(path, key) + "': " + raw.error().message);
  return std::move(raw).value();
}

Uuid uuid_field(const json& object, std::string_view key, const std::string& path) {
  Result<Uuid> uuid = uuid_from_bytes(bytes_field(object, key, path), path_of(path, key));
  if (!uuid.ok()) fail(uuid.error().message);
  return uuid.value();
}

std::optional<std::string> optional_id_field(const json& object, std::string_view key,
                                             const std::string& path) {
  const json* id = optional_object_field(object, key, path);
  if (id == nullptr) return std::nullopt;
  std::string value = string_field(*id, "value", path_of(path, key));
  if (value.empty()) {
    fail_expected("a non-empty id", path_of(path_of(path, key), "value"), (*id)["value"]);
  }
  return value;
}

std::string id_field(const json& object, std::string_view key, const std::string& path) {
  std::optional<std::string> value = optional_id_field(object, key, path);
  if (!value) fail_missing(path_of(path, key));
  return *value;
}

}  // namespace mesosim::live::detail
