#pragma once
// Loading scenario files: TOML parsing (toml++), `extends` resolution, and full validation
// before any simulation. Every problem found becomes a Diagnostic; all of them are reported
// at once in a ScenarioError.

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "talentcast/models/scenario.hpp"

namespace toml {
inline namespace v3 {
class table;
}
}  // namespace toml

namespace talentcast::models {

/// One user error: where it is, which key, what was expected and what was found.
struct Diagnostic {
  std::string file;
  int line = 0;
  int column = 0;
  std::string key;
  std::string expected;
  std::string found;

  /// "file:line:column: key: expected ..., found ..."
  std::string message() const;
};

/// A scenario that cannot be used; what() lists every diagnostic, one per line.
class ScenarioError : public std::runtime_error {
 public:
  explicit ScenarioError(std::vector<Diagnostic> diagnostics);
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }

 private:
  std::vector<Diagnostic> diagnostics_;
};

/// Reads, resolves and validates a scenario file. Throws ScenarioError listing every problem.
Scenario load_scenario(const std::filesystem::path& path);

/// Validates an already resolved TOML table (what load_scenario does after `extends`); the
/// path names the file in messages. Throws ScenarioError.
Scenario scenario_from_table(const toml::table& resolved, const std::filesystem::path& path);

}  // namespace talentcast::models
