#include "talentcast/io/temporary_name.hpp"

#include <fmt/core.h>
#include <signal.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <charconv>

namespace talentcast::io {

namespace {

constexpr std::size_t kHostChars = 64;
// A file name has at most 255 bytes: `.` NAME `.tmp-` HOST `-` PID (at most 10 digits), so
// NAME is cut to what is left with the longest host.
constexpr std::size_t kNameChars = 255 - (1 + 5 + kHostChars + 1 + 10);

const std::string& host_name() {
  static const std::string host = [] {
    char buffer[256] = {};
    std::string text = ::gethostname(buffer, sizeof buffer - 1) == 0 ? buffer : "";
    // A host name with other characters still makes one safe word.
    for (char& c : text) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) {
        c = '_';
      }
    }
    return text.empty() ? std::string("host") : text.substr(0, kHostChars);
  }();
  return host;
}

std::string prefix_of(std::string_view name) {
  return fmt::format(".{}.tmp-", name.substr(0, kNameChars));
}

bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

std::filesystem::path temporary_name(const std::filesystem::path& target) {
  return target.parent_path() /
         fmt::format("{}{}-{}", prefix_of(target.filename().string()), host_name(), ::getpid());
}

bool is_temporary_of(std::string_view file_name, std::string_view name) {
  const std::string prefix = prefix_of(name);
  if (!file_name.starts_with(prefix)) return false;
  const std::string_view rest = file_name.substr(prefix.size());
  const auto dash = rest.rfind('-');
  return all_digits(dash == std::string_view::npos ? rest : rest.substr(dash + 1));
}

void remove_stale_temporaries(const std::filesystem::path& dir,
                              const std::vector<std::string>& names) {
  std::error_code error;
  const std::filesystem::path where = dir.empty() ? std::filesystem::path(".") : dir;
  for (std::filesystem::directory_iterator it(where, error), end; !error && it != end;
       it.increment(error)) {
    const std::filesystem::directory_entry& entry = *it;
    const std::string file_name = entry.path().filename().string();
    for (const std::string& name : names) {
      const std::string prefix = prefix_of(name) + host_name() + "-";
      if (!file_name.starts_with(prefix)) continue;
      const std::string_view digits = std::string_view(file_name).substr(prefix.size());
      pid_t pid = 0;
      const auto parsed = std::from_chars(digits.data(), digits.data() + digits.size(), pid);
      if (!all_digits(digits) || parsed.ec != std::errc() || pid <= 0) continue;
      // This process's own name is in use; a process that runs (whatever it is, if its number
      // was reused) may be writing it.
      if (pid == ::getpid() || ::kill(pid, 0) == 0 || errno != ESRCH) continue;
      std::error_code ignored;
      if (std::filesystem::is_regular_file(entry.symlink_status(ignored))) {
        std::filesystem::remove(entry.path(), ignored);
      }
    }
  }
}

}  // namespace talentcast::io
