#pragma once

// The papers table's spec (scenarios/papers/figures.yaml; its format is documented at the top of
// that file): which paper experiments to run and which published figures to set beside
// mesosim's. Errors name the file, line and column and what was expected there.

#include <string>

#include "analysis/paper_table.hpp"
#include "scenarios/scenario_error.hpp"

namespace mesosim {

ScenarioResult<analysis::PaperSpec> load_paper_spec(const std::string& path);
// `text` as if read from `file` (whose folder is where scenario files are looked for).
ScenarioResult<analysis::PaperSpec> load_paper_spec_text(const std::string& text,
                                                         const std::string& file);

}  // namespace mesosim
