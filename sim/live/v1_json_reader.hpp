#pragma once

// Internal to sim/live: typed, path-tracking access to a parsed JSON document, with the rules of
// Mesos's JSON-to-protobuf parser (stout/protobuf.hpp): numbers may also be given as strings
// holding a JSON number, null is never a value, unknown keys are ignored.
//
// A failed read throws JsonDecodeFailure; the public decode functions catch it and return it as
// an Error value. Throwing keeps each field read to one line across deeply nested messages.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "sim/master/uuid.hpp"

namespace mesosim::live::detail {

struct JsonDecodeFailure {
  std::string message;
};

// "a.b" / "a[2]"; `parent` may be empty.
std::string path_of(const std::string& parent, std::string_view key);
std::string path_of(const std::string& parent, size_t index);

// `found` is a short rendering of the offending value.
[[noreturn]] void fail_expected(std::string_view expected, const std::string& path,
                                const nlohmann::json& found);
[[noreturn]] void fail_missing(const std::string& path);
[[noreturn]] void fail(const std::string& message);

// Checks that `value` is an object.
void require_object(const nlohmann::json& value, const std::string& path);
// The member, or nullptr when absent. Precondition: object is an object.
const nlohmann::json* member(const nlohmann::json& object, std::string_view key);
// Precondition for all readers below: `object` is an object; `path` is the object's path.
const nlohmann::json& object_field(const nlohmann::json& object, std::string_view key,
                                   const std::string& path);
const nlohmann::json* optional_object_field(const nlohmann::json& object, std::string_view key,
                                            const std::string& path);
// An absent array reads as empty, as a repeated field does.
const nlohmann::json& array_field(const nlohmann::json& object, std::string_view key,
                                  const std::string& path);
std::string string_field(const nlohmann::json& object, std::string_view key,
                         const std::string& path);
std::optional<std::string> optional_string_field(const nlohmann::json& object, std::string_view key,
                                                 const std::string& path);
std::optional<double> optional_double_field(const nlohmann::json& object, std::string_view key,
                                            const std::string& path);
std::optional<bool> optional_bool_field(const nlohmann::json& object, std::string_view key,
                                        const std::string& path);
uint64_t uint64_field(const nlohmann::json& object, std::string_view key, const std::string& path);
std::string string_value(const nlohmann::json& value, const std::string& path);
// A `bytes` field: base64 text, decoded.
std::string bytes_field(const nlohmann::json& object, std::string_view key,
                        const std::string& path);
// A `bytes` field that must decode to exactly the 16 bytes of a UUID.
Uuid uuid_field(const nlohmann::json& object, std::string_view key, const std::string& path);
// `{"value": "..."}`, the shape of every Mesos ID; the value must be non-empty.
std::string id_field(const nlohmann::json& object, std::string_view key, const std::string& path);
std::optional<std::string> optional_id_field(const nlohmann::json& object, std::string_view key,
                                             const std::string& path);

}  // namespace mesosim::live::detail
