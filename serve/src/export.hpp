#pragma once
// The what-if exported as a scenario file (docs/serve.md, "Export"): a variant that `extends`
// its base and states only what it changes.

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "request.hpp"
#include "talentcast/models/scenario.hpp"

namespace talentcast::serve {

/// How the exported variant (and its report) names its base: by its absolute path, so that
/// the downloaded file finds it wherever it is saved.
std::string base_reference(const std::filesystem::path& base);

/// The file the page downloads as `whatif.toml`: a header saying how to check it and reproduce
/// the page's numbers with `talentcast compare`, `extends` the base (by its absolute path),
/// then each changed key as a dotted key, then the events added as [[events]]. A change that a
/// variant cannot state (inside one of the base's own [[events]], or of `extends`) is added to
/// `problems`.
std::string variant_toml(const std::filesystem::path& base_path,
                         const std::vector<std::pair<std::string, std::string>>& changes,
                         const WhatIf& whatif, std::size_t base_events, std::uint64_t paths,
                         std::uint64_t seed, std::vector<Problem>& problems);

}  // namespace talentcast::serve
