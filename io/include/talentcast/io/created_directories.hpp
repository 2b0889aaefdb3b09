#pragma once
// The directories a command creates for its outputs. Unless kept, those it created are removed
// again when it goes, if they are still empty: a command that fails or is interrupted leaves no
// empty folder behind, and never removes one it did not create.

#include <filesystem>
#include <vector>

namespace talentcast::io {

class CreatedDirectories {
 public:
  CreatedDirectories() = default;
  CreatedDirectories(const CreatedDirectories&) = delete;
  CreatedDirectories& operator=(const CreatedDirectories&) = delete;
  ~CreatedDirectories();

  /// Creates dir and its missing parents. Throws std::runtime_error with the system's reason:
  /// "cannot create directory out/run: Read-only file system".
  void create(const std::filesystem::path& dir);
  /// The outputs are in place: the directories stay.
  void keep() { created_.clear(); }

 private:
  std::vector<std::filesystem::path> created_;  ///< parents before children
};

}  // namespace talentcast::io
