#pragma once
// Loading scenario files: TOML parsing (toml++), `extends` resolution, and full validation
// before any simulation. Every problem found becomes a Diagnostic; all of them are reported
// at once in an io::UserError.

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "talentcast/io/diagnostic.hpp"
#include "talentcast/models/scenario.hpp"

namespace talentcast::config {

/// Reads, resolves and validates a scenario file. Throws io::UserError listing every problem.
models::Scenario load_scenario(const std::filesystem::path& path);

/// The scenario as resolved (models::Scenario::resolved_toml, every `extends` merged), as JSON:
/// what a run's manifest records under "scenario" (docs/output-formats.md).
std::string resolved_json(const models::Scenario& scenario);

}  // namespace talentcast::config
