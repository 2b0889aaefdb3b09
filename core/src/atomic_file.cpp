#include "talentcast/core/atomic_file.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>
#include <system_error>

namespace talentcast::core {

namespace {

std::filesystem::path temporary_for(const std::filesystem::path& path) {
  return path.parent_path() / fmt::format(".{}.tmp-{}", path.filename().string(), ::getpid());
}

// Writes contents to a temporary file next to path, flushed to disk; returns its name.
std::filesystem::path write_temporary(const std::filesystem::path& path,
                                      std::string_view contents) {
  const auto temporary = temporary_for(path);
  std::FILE* file = std::fopen(temporary.c_str(), "wb");
  if (file == nullptr) {
    throw std::runtime_error(fmt::format("cannot write {}: {}", temporary.string(),
                                         std::generic_category().message(errno)));
  }
  const bool written = std::fwrite(contents.data(), 1, contents.size(), file) == contents.size();
  const bool flushed = std::fflush(file) == 0 && ::fsync(::fileno(file)) == 0;
  const bool closed = std::fclose(file) == 0;
  if (!(written && flushed && closed)) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw std::runtime_error(fmt::format("cannot write {}", path.string()));
  }
  return temporary;
}

}  // namespace

void write_files_atomically(
    const std::vector<std::pair<std::filesystem::path, std::string>>& files) {
  std::vector<std::filesystem::path> temporaries;
  try {
    for (const auto& [path, contents] : files)
      temporaries.push_back(write_temporary(path, contents));
  } catch (...) {
    std::error_code ignored;
    for (const auto& temporary : temporaries) std::filesystem::remove(temporary, ignored);
    throw;
  }
  for (std::size_t i = 0; i < files.size(); ++i) {
    std::error_code error;
    std::filesystem::rename(temporaries[i], files[i].first, error);
    if (error) {
      std::error_code ignored;
      for (std::size_t j = i; j < files.size(); ++j)
        std::filesystem::remove(temporaries[j], ignored);
      throw std::runtime_error(
          fmt::format("cannot rename into {}: {}", files[i].first.string(), error.message()));
    }
  }
}

}  // namespace talentcast::core
