#pragma once

// The JSON wire format of the Mesos v1 scheduler HTTP API, mapped to and from the protocol
// structs of sim/master/protocol.hpp.
//
// Decoding is strict the way Mesos's own JSON-to-protobuf parsing is: wrong types, unknown enum
// names, missing required fields and bad base64 are errors; unknown object keys are ignored. An
// error message names the JSON path and says what was expected and what was found, e.g.
//   expected a number at 'accept.filters.refuse_seconds', found "x"
// and is meant to be sent as the body of a 400 response.
//
// Encoding writes what Mesos writes: keys in the .proto declaration order, enums as their names,
// integers as JSON numbers, doubles with a fractional part ("15.0"), `bytes` as base64.
// See sim/live/README.md ("The v1 wire format") for what is and is not mapped.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "allocator/resources.hpp"
#include "allocator/result.hpp"
#include "sim/master/protocol.hpp"

namespace mesosim::live {

// Resource format of encoded resources, as Mesos chooses per framework: frameworks with the
// RESERVATION_REFINEMENT capability get the `reservations` list; all others get the
// pre-refinement `role` (and `reservation` for dynamic reservations).
enum class ResourceFormat { kPreRefinement, kPostRefinement };

struct EncodeOptions {
  ResourceFormat resource_format = ResourceFormat::kPreRefinement;
};
EncodeOptions encode_options_for(const v1::FrameworkInfo& framework);

// Resources as a JSON array of v1 `Resource` objects, in the canonical order of `resources`.
// `allocation_role`, when non-empty, is written as each resource's `allocation_info.role`.
nlohmann::ordered_json resources_to_json(const Resources& resources,
                                         std::string_view allocation_role,
                                         const EncodeOptions& options = {});
// A JSON array of v1 `Resource` objects (either format). `path` names the array in errors.
Result<Resources> resources_from_json(const nlohmann::json& array, const std::string& path);

// MasterInfo.ip for a dotted-quad IPv4 address: Mesos writes `in_addr.s_addr` (network byte
// order) as a host integer, so on the little-endian hosts Mesos runs on 127.0.0.1 is 16777343.
std::optional<uint32_t> mesos_ip(std::string_view dotted_quad);

// One v1 scheduler Event as the JSON text of one RecordIO record (no framing).
std::string encode_event(const v1::scheduler::Event& event, const EncodeOptions& options = {});
nlohmann::ordered_json event_to_json(const v1::scheduler::Event& event,
                                     const EncodeOptions& options = {});

// The body of a POST /api/v1/scheduler with Content-Type application/json.
Result<v1::scheduler::Call> decode_call(std::string_view body);
// The same from an already-parsed JSON document.
Result<v1::scheduler::Call> call_from_json(const nlohmann::json& call);

// A Call as JSON (what a v1 client sends); used by tests and by tools that play a framework.
nlohmann::ordered_json call_to_json(const v1::scheduler::Call& call);

}  // namespace mesosim::live
