#pragma once
// Internal: reading a scenario file and resolving its `extends` chain into one TOML table.

#include <toml++/toml.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "talentcast/config/scenario_loader.hpp"

namespace talentcast::config {

/// A sweep's base scenario resolved (Sweep::base).
struct ResolvedBase {
  toml::table table;
};

}  // namespace talentcast::config

namespace talentcast::config::detail {

using models::SourceFile;

/// Parses path and the files it extends, merged base first: tables merge key by key, the
/// `events` arrays are concatenated, any other value (and any distribution table, one with a
/// `dist` key) is replaced whole. Problems are appended to diagnostics; the result is empty
/// when any was found. files receives the chain's file names, base first, as the nodes' source
/// positions name them; sources, when given, the files as read (the given file first, then
/// the files it extends).
toml::table resolve_scenario_file(const std::filesystem::path& path,
                                  std::vector<io::Diagnostic>& diagnostics,
                                  std::vector<std::string>& files,
                                  std::vector<SourceFile>* sources = nullptr);

/// Reads and parses a TOML file (`what`: "scenario file", "sweep file"; input_file.hpp's limits
/// apply). Problems are appended to diagnostics; the result is empty when any was found. text,
/// when given, receives the file's bytes.
std::optional<toml::table> read_toml_file(const std::filesystem::path& path, std::string_view what,
                                          std::vector<io::Diagnostic>& diagnostics,
                                          std::string* text = nullptr);

/// file:line:column of a node, for diagnostics.
io::Diagnostic located(const toml::node& node, const std::filesystem::path& fallback_file);

}  // namespace talentcast::config::detail
