#pragma once
// Shared helpers for the tests: temporary directories, scenario files written from strings,
// and running the talentcast command as a user would.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace talentcast::test {

/// A fresh directory under the system's temporary directory, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  /// Writes contents to name inside the directory and returns its path.
  std::filesystem::path write(const std::string& name, const std::string& contents) const;

 private:
  std::filesystem::path path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs a shell command (in cwd, if given) with stdin closed; captures stdout and stderr.
CommandResult run_shell(const std::string& command, const std::filesystem::path& cwd = {});

/// Runs `talentcast ARGS` through the shell (in cwd, if given) with stdin closed; captures
/// stdout and stderr.
CommandResult run_talentcast(const std::string& args, const std::filesystem::path& cwd = {});

std::string read_file(const std::filesystem::path& path);

/// The lines of a text, without their line ends.
std::vector<std::string> lines_of(const std::string& text);

/// The source tree's root, for scenarios/.
std::filesystem::path source_dir();

/// A valid two-role scenario used across tests (the example of docs/scenario-format.md).
std::string two_role_scenario();

/// The model with known parameters that the calibration and backtest tests draw histories from:
/// one role `r` from 2000-06 by month, in a market where hires fill every opening within the
/// month and people leave fast enough (half a year) that employment follows demand down as well
/// as up, and with no wage response, so that the median salary is a random walk with drift.
/// (Where demand falls faster than attrition and layoffs can follow, employment is smoother than
/// demand and its volatility understates demand's: docs/calibration.md.)
struct KnownWorld {
  double growth = 0.04, demand_vol = 0.08, drift = 0.03, wage_vol = 0.04, band = 0.4;
  int horizon_years = 30;
  /// The scenario file's text.
  std::string toml() const;
};

/// Why no pseudo-terminal can be opened on this machine, if none can (a container without devpts
/// mounted on /dev/pts), for the tests that run a command under script(1) to skip.
std::optional<std::string> no_pseudo_terminal();

/// Skips the running test case because this machine lacks a prerequisite (reason names it):
/// prints "skipped: REASON", and the test program then exits with the code ctest reports as
/// "Skipped", unless an assertion failed (docs/testing.md). The test case returns right after:
/// `return skip_test(...)`.
void skip_test(const std::string& reason);

/// The test program's exit code, given how many assertions failed: the skip code only when a
/// test case was skipped and nothing failed, so that a skip never hides a failure.
int exit_code(int failures);

}  // namespace talentcast::test
