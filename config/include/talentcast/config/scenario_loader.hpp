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

namespace toml {
inline namespace v3 {
class table;
}
}  // namespace toml

namespace talentcast::config {

/// Reads, resolves and validates a scenario file. Throws io::UserError listing every problem.
models::Scenario load_scenario(const std::filesystem::path& path);

/// Validates an already resolved TOML table (what load_scenario does after `extends`); the
/// path names the file in messages. Throws io::UserError.
models::Scenario scenario_from_table(const toml::table& resolved,
                                     const std::filesystem::path& path);

}  // namespace talentcast::config
