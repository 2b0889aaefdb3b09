#include "talentcast/io/created_directories.hpp"

#include <fmt/core.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>

namespace talentcast::io {

CreatedDirectories::~CreatedDirectories() {
  // rmdir removes only an empty directory: whatever another process put there meanwhile stays.
  // Deepest first. (A reverse loop, not std::views::reverse, which clang 14 cannot compile with
  // GCC 12's standard library.)
  for (auto dir = created_.rbegin(); dir != created_.rend(); ++dir) ::rmdir(dir->c_str());
}

void CreatedDirectories::create(const std::filesystem::path& dir) {
  std::filesystem::path partial;
  for (const auto& part : dir) {
    partial /= part;
    if (part.empty()) continue;  // after a trailing '/'
    struct stat status {};
    if (::stat(partial.c_str(), &status) == 0) {
      if (S_ISDIR(status.st_mode)) continue;
      throw std::runtime_error(fmt::format("cannot create directory {}: {} is not a directory",
                                           dir.string(), partial.string()));
    }
    if (::mkdir(partial.c_str(), 0777) == 0) {
      created_.push_back(partial);
    } else if (errno != EEXIST) {
      throw std::runtime_error(fmt::format("cannot create directory {}: {}", dir.string(),
                                           std::generic_category().message(errno)));
    }
  }
}

}  // namespace talentcast::io
