#pragma once
// Writing outputs so that nothing is ever left half-written: each file goes to a temporary
// name in its directory and is renamed over the target only when complete.

#include <filesystem>
#include <string_view>

namespace talentcast::core {

/// Writes contents to path atomically (temporary file, flush, rename). Throws std::runtime_error
/// naming the path on failure, after removing the temporary file.
void write_file_atomically(const std::filesystem::path& path, std::string_view contents);

}  // namespace talentcast::core
