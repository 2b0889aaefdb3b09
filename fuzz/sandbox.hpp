#pragma once
// What every fuzz target shares (docs/fuzzing.md): a private temporary directory holding copies
// of the seed files that inputs may name (scenarios/, tests/data/), where an input is written
// before it is read, since the readers read files; the rule that keeps an input inside it; and a
// check that stops the process when a property fails (assert is off in release builds).

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace talentcast::fuzz {

class Sandbox {
 public:
  /// The process's sandbox, made on first use and removed at exit: a fresh directory under the
  /// system's temporary directory with copies of scenarios/ (and its data/), tests/data/invalid/
  /// and tests/data/payroll/, side by side, and of fuzz/seeds/salary_data_reader/ in
  /// salary_data/, so that an input's `extends` and `salary_data` can name them as the seed
  /// files do.
  static const Sandbox& get();

  /// Writes bytes to name inside the sandbox (replacing it) and returns its path.
  std::filesystem::path write(const std::string& name, std::string_view bytes) const;
  const std::filesystem::path& path() const { return path_; }

  ~Sandbox();
  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;

 private:
  Sandbox();
  std::filesystem::path path_;
};

/// True when every string of a TOML input that could be a path stays inside the sandbox: none is
/// absolute or has a ".." part. Inputs that fail it are skipped (a fuzz target returns -1), so
/// that a run never reads outside the sandbox and does the same on every machine. Text that is
/// not TOML passes: nothing in it is followed.
bool stays_in_sandbox(std::string_view toml_text);

/// Stops the process (std::abort, which libFuzzer reports with the input) when a property fails.
void check(bool property, std::string_view what);

/// The fuzz input as text.
inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace talentcast::fuzz

// The entry point of every fuzz target, called by libFuzzer or by replay.cpp.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
