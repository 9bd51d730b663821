#pragma once

// The live master's web UI: one self-contained HTML page (sim/live/webui/index.html, embedded
// at build time) that polls /master/state and shows agents, frameworks, tasks and the
// cluster's total, used, offered and idle resources. The master serves it at `/`.

#include <string_view>

namespace mesosim::live {

extern const std::string_view kWebUiPage;

}  // namespace mesosim::live
