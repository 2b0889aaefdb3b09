#pragma once
// Files: writing outputs so that nothing is ever left half-written (each file is written
// without a name, or under a temporary one, in its directory and renamed over the target only
// when complete). Inputs are read by input_file.hpp.

#include <atomic>
#include <exception>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace talentcast::io {

/// One output being written. Until it is committed it has no name (O_TMPFILE, so that even a
/// kill -9 leaves nothing) or, where the filesystem cannot do that, a hidden temporary name
/// (io/temporary_name.hpp) that is removed if it is never committed. Errors are
/// std::runtime_error naming the target and the system's reason: "cannot write out/bands.bin:
/// No space left on device".
class PendingFile {
 public:
  explicit PendingFile(std::filesystem::path target);
  PendingFile(PendingFile&& other) noexcept;
  PendingFile& operator=(PendingFile&&) = delete;
  PendingFile(const PendingFile&) = delete;
  PendingFile& operator=(const PendingFile&) = delete;
  ~PendingFile();

  void write(std::string_view bytes);
  /// Flushes the bytes to disk.
  void sync();
  /// Gives the file its target's name, replacing what was there.
  void commit();
  const std::filesystem::path& target() const { return target_; }

 private:
  std::filesystem::path target_;
  std::filesystem::path temporary_;  ///< empty while the file has no name
  int descriptor_ = -1;
};

/// Thrown when stop was set before the files were renamed into place: none was written.
class WriteInterrupted : public std::exception {
 public:
  const char* what() const noexcept override { return "interrupted; nothing was written"; }
};

/// Thrown when renaming a set of files into place failed after some of them were in place (a
/// rename that fails is rare: the files are already written and flushed).
class PartlyWritten : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Commits files together: flushes each to disk, then, unless stop is set (WriteInterrupted),
/// renames them into place one after another (PartlyWritten if one fails after the first).
void commit_together(std::vector<PendingFile>& files, const std::atomic<bool>* stop = nullptr);

/// Writes a set of files: all to temporaries first, then renames them into place, so a failure
/// or an interrupt (stop set) while writing leaves none of them changed. Temporaries of these
/// files that killed processes left are removed first. Throws std::runtime_error, or
/// WriteInterrupted.
void write_files_atomically(const std::vector<std::pair<std::filesystem::path, std::string>>& files,
                            const std::atomic<bool>* stop = nullptr);

}  // namespace talentcast::io
