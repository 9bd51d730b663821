#pragma once

// UUIDs of the v1 API: status update uuids (bytes, base64 in JSON) and stream ids
// (`Mesos-Stream-Id`, canonical 8-4-4-4-12 text). The Uuid type itself lives in
// sim/master/uuid.hpp, since the simulator's updates carry it too; base64 is live mode's alone.

#include <string>
#include <string_view>

#include "allocator/result.hpp"
#include "sim/master/uuid.hpp"

namespace mesosim::live {

using mesosim::Uuid;

// Standard base64 alphabet with '=' padding (RFC 4648 section 4), as Mesos writes `bytes`.
std::string base64_encode(std::string_view raw);
// As Mesos decodes `bytes`: padding optional, whitespace skipped, standard alphabet only. Stricter
// than Mesos in two cases it silently mangles: a dangling single character, data after '='.
Result<std::string> base64_decode(std::string_view text);

// The uuid whose decoded bytes `raw` were read at `where` (a JSON path): exactly 16 bytes, or an
// error naming the place and the length found there.
Result<Uuid> uuid_from_bytes(std::string_view raw, const std::string& where);

}  // namespace mesosim::live
