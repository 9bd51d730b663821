#pragma once

// The live master's registry on disk: <work_dir>/registry.json, what a restarted master recovers
// from (Mesos keeps the same facts in its replicated log). One JSON document:
//
//   {"format": 1,
//    "agents": [{"info": {"hostname": "h1", "id": {"value": "m-S0"},
//                         "resources": "cpus:2;mem:1024;ports:[31000-32000]",
//                         "attributes": [{"name": "rack", "value": "r1"}]},
//                "state": "admitted", "since_us": 1733140000000000}],
//    "weights": {"analytics": 2.0},
//    "quotas": {"analytics": {"guarantees": "cpus:1;mem:512", "limits": {"cpus": "4"}}}}
//
// `state` is admitted, unreachable or gone; `since_us` is when it became so (Unix epoch
// microseconds). Agents are listed by id; resources carry dynamic reservations in the text
// format. Reading checks every field: an error names the file and the JSON path of the bad
// field (`/w/registry.json: expected a string at 'agents[0].state', found 3`).

#include <optional>
#include <string>
#include <string_view>

#include "allocator/result.hpp"
#include "sim/master/registry.hpp"

namespace mesosim::live {

inline constexpr int kRegistryFormat = 1;

// The document above, one line, ending in a newline.
std::string registry_to_json(const Registry& registry);
// `source` names the document in errors (the file's path).
Result<Registry> parse_registry(std::string_view json, const std::string& source);

// <work_dir>/registry.json
std::string registry_path(const std::string& work_dir);
// Atomic: a temporary file next to it is written and fsynced, then renamed over it (and the
// directory fsynced). On failure the previous file is left as it was.
Status write_registry(const std::string& work_dir, const Registry& registry);
// nullopt when there is no registry file (a first start).
Result<std::optional<Registry>> read_registry(const std::string& work_dir);

}  // namespace mesosim::live
