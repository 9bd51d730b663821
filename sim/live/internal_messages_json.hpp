#pragma once

// The JSON form of the messages the master and agent daemons exchange (Mesos's internal
// protobuf messages, sent by libprocess as `POST /<process>/mesos.internal.<Name>`). HttpTransport
// sends them; nothing outside mesosim reads them, so the shapes are ours: the protocol.hpp
// structs with their field names, ids as `{"value": "..."}`, resources in the text format of
// allocator/resources.hpp ("cpus:2;mem:1024;ports:[31000-32000]"), enums by name, times as integer
// microseconds (`*_us`), status update uuids as base64. Encoding then decoding gives back an
// equal message. TaskInfo.work (the simulator's model of a task) is not carried.
//
// Decoding is strict like decode_call: a wrong type, a missing required field or an unknown
// enum name is an error naming the JSON path, e.g.
//   RegisterAgentMessage: expected a string at 'agent.resources', found 3

#include <optional>
#include <string>
#include <string_view>

#include "allocator/result.hpp"
#include "sim/master/transport.hpp"

namespace mesosim::live {

// "RegisterAgentMessage", "RunTaskMessage", ...; nullopt for what never leaves a process:
// scheduler Calls and Events (schedulers speak the v1 HTTP API), ExitedMessage and
// MasterDetectedMessage (made by the local transport and leader detector).
std::optional<std::string_view> internal_message_name(const Message& message);

// The JSON body. Precondition: internal_message_name(message) has a value.
std::string encode_internal_message(const Message& message);

// The message called `name` (as internal_message_name gives it) from its JSON body.
Result<Message> decode_internal_message(std::string_view name, std::string_view body);

}  // namespace mesosim::live
