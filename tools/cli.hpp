#pragma once
// The `talentcast` command line: subcommands run, validate and replay (docs/cli.md).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "errors.hpp"
#include "outputs.hpp"
#include "talentcast/core/progress.hpp"
#include "talentcast/formats/forecast_table.hpp"
#include "talentcast/formats/manifest.hpp"
#include "talentcast/io/diagnostic.hpp"
#include "talentcast/models/scenario.hpp"
#include "talentcast/studies/forecast.hpp"

namespace CLI {
class App;
}  // namespace CLI

namespace talentcast::cli {

struct RunArgs {
  std::string scenario;
  std::optional<std::uint64_t> paths;
  std::optional<std::uint64_t> seed;
  int threads = 0;
  std::string out;
  bool central = false;
  bool quiet = false;
  std::uint64_t band_samples = 1000;  ///< paths kept in the band store (bands.json, bands.bin)
  std::string target_mcse;            ///< e.g. "0.5%"; empty: a fixed number of paths
  std::vector<std::string> target_metrics;
  std::uint64_t max_paths = 1'000'000;
  std::string command_line;  ///< recorded in the manifest
};

struct BenchmarkArgs {
  std::string run_dir;
  std::string role;
  std::string level;
  std::optional<std::string> salary;  ///< as typed; config::parse_salary reads it
  std::vector<std::string> periods;   ///< empty: the first; "all": every period
  std::string payroll;
  std::string now;      ///< empty: the run's first period
  std::string horizon;  ///< empty: 12 months after now, or the last period
  std::string out;
  std::string format = "table";
  int threads = 0;
  std::string command_line;
};

struct ReplayArgs {
  std::string scenario;
  std::uint64_t path = 0;
  std::optional<std::uint64_t> seed;
  bool central = false;
};

/// A command that a layer above the command line adds (serve: `talentcast serve`): `add` adds
/// its subcommand, with its flags and help, to the app, and returns it with what runs it when it
/// is the one given.
struct Subcommand {
  std::function<std::pair<CLI::App*, std::function<int()>>(CLI::App& app)> add;
};

/// Parses the command line and runs the command given: the built-in ones and `more`.
int main(int argc, char** argv, std::span<const Subcommand> more = {});

/// Loads and validates a scenario, printing its warnings. Throws io::UserError with every
/// problem, summarized as "PATH: N errors; nothing was run or written".
models::Scenario load_scenario_for_command(const std::string& path);
/// Gives error the summary "PATH: N errors; nothing was run or written".
io::UserError& count_errors(io::UserError& error, const std::string& path);

/// A run that `reproduce` rebuilt from another run's manifest (formats/manifest.hpp).
using formats::Reproduction;

/// Who made a command's outputs, for its manifest: this build and `command_line`; none for
/// outputs whose manifest records no command.
formats::Provenance provenance(std::optional<std::string> command_line);

/// The summary printed after a run: per role, the median ratio and median salary with their
/// 80% interval (p10-p90) in the first and the last period.
std::string summary_table(const models::Scenario& scenario,
                          const std::vector<formats::ForecastRow>& rows);

int run_command(const RunArgs& args);

/// Where and how a run writes (run, reproduce).
struct RunOutputs {
  std::filesystem::path out;
  bool quiet = false;
  std::string command_line;  ///< recorded in the manifest
  int threads = 0;           ///< as asked (0: every core), recorded in the manifest
  std::optional<Reproduction> reproduces;
};
struct RunResult {
  std::string forecast_csv_sha256;
  std::string bands_bin_sha256;  ///< empty: no band store
};
/// Simulates a validated scenario and writes the run's files into outputs.out (checked by the
/// caller: new, empty or an earlier run's), printing the summary unless quiet. Ctrl-C stops it
/// with nothing written (Interrupted); bad values throw io::UserError.
RunResult simulate_and_write(const models::Scenario& scenario, studies::ForecastSettings settings,
                             const RunOutputs& outputs,
                             std::chrono::steady_clock::time_point started);
/// The files of a finished run as `talentcast run` writes them into outputs.out, its manifest
/// last; result, when given, receives their digests. (The Python package's Forecast writes them
/// too.)
OutputFiles run_files(const models::Scenario& scenario, const studies::Forecast& forecast,
                      const studies::ForecastSettings& settings, const RunOutputs& outputs,
                      double wall_seconds, RunResult* result = nullptr);
/// Writes them together (write_outputs); a run without a band store removes an earlier run's.
void write_run_files(const OutputFiles& files, bool has_bands, const std::filesystem::path& out,
                     const std::atomic<bool>& stop);
/// Why a run must not write into out ("out: expected a new or empty directory, ..., found ..."),
/// if so.
std::optional<std::string> run_directory_problem(const std::filesystem::path& out);
/// Runs a simulation (run, compare), then finishes the progress bar. A scenario whose values
/// fail mid-run (a state turns non-finite, or Boost.Math cannot evaluate a distribution at some
/// draw) throws io::UserError, summarized "Nothing was written.".
void simulate(core::ProgressBar& progress, const std::function<void()>& simulation);
/// A share written as a percentage ("0.5%") as a fraction (0.005); nothing unless in (0, 100%).
std::optional<double> parse_share(const std::string& text);
int validate_command(const std::string& scenario);
int replay_command(const ReplayArgs& args);
int benchmark_command(const BenchmarkArgs& args);

struct SweepArgs {
  std::string sweep;
  std::string db;
  int threads = 0;
  std::vector<std::string> metrics;
  std::vector<std::string> periods;
  bool quiet = false;
  std::string command_line;
  /// Given, this flag stops the command (the Python package sets it on Ctrl-C) and no Ctrl-C
  /// handler is installed; otherwise the command installs its own (InterruptGuard).
  const std::atomic<bool>* stop = nullptr;
};
int sweep_command(const SweepArgs& args);

struct SensitivityArgs {
  std::string db;
  std::vector<std::string> outputs;
  std::string format = "table";
  std::size_t resamples = 1000;
  std::string charts;  ///< a directory for the tornado and Sobol charts; empty: none
  /// Given, this flag stops the command (the Python package sets it on Ctrl-C) and no Ctrl-C
  /// handler is installed; otherwise the command installs its own (InterruptGuard).
  const std::atomic<bool>* stop = nullptr;
};
int sensitivity_command(const SensitivityArgs& args);
/// What sensitivity_command prints in args.format (and the charts it writes), and its warnings
/// (each printed "talentcast: warning: ..." on standard error).
struct SensitivityReport {
  std::string text;
  std::vector<std::string> warnings;
};
SensitivityReport sensitivity_report(const SensitivityArgs& args);

struct ExportArgs {
  std::string db;
  std::string format = "csv";
  std::string out;
  /// Only these (each empty: all), as stored: metric names, roles (role, role/level or total),
  /// period labels; and only these statistics' columns, in this order.
  std::vector<std::string> metrics, roles, periods, stats;
  /// Given, this flag stops the command (the Python package sets it on Ctrl-C) and no Ctrl-C
  /// handler is installed; otherwise the command installs its own (InterruptGuard).
  const std::atomic<bool>* stop = nullptr;
};
int export_command(const ExportArgs& args);

struct CompareArgs {
  std::string base;
  std::string whatif;
  std::optional<std::uint64_t> paths;
  std::optional<std::uint64_t> seed;
  int threads = 0;
  std::string format = "table";
  std::string period;  ///< the table's period (default: the last)
  std::string out;
  std::string report;  ///< an HTML report of the comparison; its charts go to charts/ beside it
  bool quiet = false;
  std::string command_line;
};
int compare_command(const CompareArgs& args);

struct ReproduceArgs {
  std::string source;  ///< a run's manifest.json, or its directory
  std::string out;
  std::vector<std::string> data_dirs;
  int threads = 0;
  bool quiet = false;
  std::string command_line;
};
int reproduce_command(const ReproduceArgs& args);

struct ReportArgs {
  std::string run_dir;
  std::string out;  ///< default RUN_DIR/report.html; charts go to charts/ beside it
  std::vector<std::string> band_periods;
  bool quiet = false;
};
int report_command(const ReportArgs& args);

}  // namespace talentcast::cli
