#include "talentcast/core/atomic_file.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>
#include <system_error>

namespace talentcast::core {

void write_file_atomically(const std::filesystem::path& path, std::string_view contents) {
  const auto temporary = path.parent_path() /
                         fmt::format(".{}.tmp-{}", path.filename().string(), ::getpid());
  std::FILE* file = std::fopen(temporary.c_str(), "wb");
  if (file == nullptr) {
    throw std::runtime_error(fmt::format("cannot write {}: {}", temporary.string(),
                                         std::generic_category().message(errno)));
  }
  const bool written = std::fwrite(contents.data(), 1, contents.size(), file) == contents.size();
  const bool flushed = std::fflush(file) == 0 && ::fsync(::fileno(file)) == 0;
  const bool closed = std::fclose(file) == 0;
  std::error_code error;
  if (!(written && flushed && closed)) {
    std::filesystem::remove(temporary, error);
    throw std::runtime_error(fmt::format("cannot write {}", path.string()));
  }
  std::filesystem::rename(temporary, path, error);
  if (error) {
    std::filesystem::remove(temporary, error);
    throw std::runtime_error(fmt::format("cannot rename into {}: {}", path.string(), error.message()));
  }
}

}  // namespace talentcast::core
