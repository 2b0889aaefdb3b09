#pragma once
// Files: writing outputs so that nothing is ever left half-written (each file goes to a
// temporary name in its directory and is renamed over the target only when complete). Inputs
// are read by input_file.hpp.

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace talentcast::core {

/// Writes a set of files: all to temporary names first, then renames them into place, so a
/// failure while writing leaves none of them changed. Throws std::runtime_error.
void write_files_atomically(
    const std::vector<std::pair<std::filesystem::path, std::string>>& files);

}  // namespace talentcast::core
