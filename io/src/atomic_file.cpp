#include "talentcast/io/atomic_file.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <utility>

#include "talentcast/io/temporary_name.hpp"

namespace talentcast::io {

namespace {

[[noreturn]] void fail(const std::filesystem::path& target, int error) {
  throw std::runtime_error(
      fmt::format("cannot write {}: {}", target.string(), std::generic_category().message(error)));
}

// Unnamed files are given a name through /proc/self/fd; without /proc, or where a test asks
// for it (TALENTCAST_TEST_NAMED_TEMPORARIES=1, docs/cli.md), files are named from the start.
bool unnamed_files_allowed() {
  const char* named = std::getenv("TALENTCAST_TEST_NAMED_TEMPORARIES");
  if (named != nullptr && *named != '\0' && std::string_view(named) != "0") return false;
  return ::access("/proc/self/fd", X_OK) == 0;
}

// Test-only (docs/cli.md, "Outputs"): with TALENTCAST_TEST_HOLD_BEFORE_COMMIT=FILE, once every
// file is written and flushed and before any is renamed into place, creates FILE and waits (up
// to a minute) for stop, so that a test can interrupt or kill the command at that moment
// without timing it.
void hold_for_test(const std::atomic<bool>* stop) {
  const char* marker = std::getenv("TALENTCAST_TEST_HOLD_BEFORE_COMMIT");
  if (marker == nullptr || *marker == '\0') return;
  std::ofstream{marker};
  for (int tick = 0; tick < 6000 && !(stop != nullptr && stop->load()); ++tick) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

PendingFile::PendingFile(std::filesystem::path target) : target_(std::move(target)) {
  const std::filesystem::path dir =
      target_.parent_path().empty() ? std::filesystem::path(".") : target_.parent_path();
  // Any failure of O_TMPFILE (a filesystem without it, an older kernel) falls back to a name;
  // a failure that is not about O_TMPFILE fails again there, with its reason.
  if (unnamed_files_allowed()) {
    descriptor_ = ::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
  }
  if (descriptor_ < 0) {
    const std::filesystem::path temporary = temporary_name(target_);
    descriptor_ =
        ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0666);
    if (descriptor_ < 0) fail(target_, errno);
    temporary_ = temporary;
  }
}

PendingFile::PendingFile(PendingFile&& other) noexcept
    : target_(std::move(other.target_)),
      temporary_(std::exchange(other.temporary_, {})),
      descriptor_(std::exchange(other.descriptor_, -1)) {}

PendingFile::~PendingFile() {
  if (descriptor_ >= 0) ::close(descriptor_);
  if (!temporary_.empty()) ::unlink(temporary_.c_str());
}

void PendingFile::write(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t written = ::write(descriptor_, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      fail(target_, errno);
    }
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
}

void PendingFile::sync() {
  if (::fsync(descriptor_) != 0) fail(target_, errno);
}

void PendingFile::commit() {
  if (temporary_.empty()) {
    // A new target takes the file's name at once; an existing one is replaced by a rename, so
    // the file is first linked under a temporary name.
    const std::string self = fmt::format("/proc/self/fd/{}", descriptor_);
    if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, target_.c_str(), AT_SYMLINK_FOLLOW) == 0) {
      ::close(std::exchange(descriptor_, -1));
      return;
    }
    if (errno != EEXIST) fail(target_, errno);
    const std::filesystem::path temporary = temporary_name(target_);
    if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, temporary.c_str(), AT_SYMLINK_FOLLOW) != 0) {
      // Only this process writes under its name: one already there is an earlier process's.
      if (errno != EEXIST || ::unlink(temporary.c_str()) != 0 ||
          ::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, temporary.c_str(), AT_SYMLINK_FOLLOW) != 0) {
        fail(target_, errno);
      }
    }
    temporary_ = temporary;
  }
  if (::rename(temporary_.c_str(), target_.c_str()) != 0) fail(target_, errno);
  temporary_.clear();
  ::close(std::exchange(descriptor_, -1));
}

void commit_together(std::vector<PendingFile>& files, const std::atomic<bool>* stop) {
  if (files.empty()) return;
  for (auto& file : files) file.sync();
  hold_for_test(stop);
  if (stop != nullptr && stop->load()) throw WriteInterrupted();
  for (std::size_t i = 0; i < files.size(); ++i) {
    try {
      files[i].commit();
    } catch (const std::runtime_error& error) {
      if (i == 0) throw;
      std::string placed;
      for (std::size_t j = 0; j < i; ++j) {
        placed += (j > 0 ? ", " : "") + files[j].target().filename().string();
      }
      throw PartlyWritten(fmt::format("{}; already in place: {}", error.what(), placed));
    }
  }
}

void write_files_atomically(const std::vector<std::pair<std::filesystem::path, std::string>>& files,
                            const std::atomic<bool>* stop) {
  std::map<std::filesystem::path, std::vector<std::string>> names_by_directory;
  for (const auto& [path, contents] : files) {
    names_by_directory[path.parent_path()].push_back(path.filename().string());
  }
  for (const auto& [dir, names] : names_by_directory) remove_stale_temporaries(dir, names);
  std::vector<PendingFile> pending;
  pending.reserve(files.size());
  for (const auto& [path, contents] : files) {
    if (stop != nullptr && stop->load()) throw WriteInterrupted();
    pending.emplace_back(path).write(contents);
  }
  commit_together(pending, stop);
}

}  // namespace talentcast::io
