#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>

#include "cli.hpp"
#include "interrupt.hpp"
#include "outputs.hpp"
#include "talentcast/config/scenario_loader.hpp"
#include "talentcast/core/mpi.hpp"
#include "talentcast/core/progress.hpp"
#include "talentcast/io/sha256.hpp"
#include "talentcast/models/labour_market.hpp"
#include "talentcast/studies/forecast.hpp"
#include "test_hooks.hpp"

namespace talentcast::cli {

namespace {
// What a run writes into its directory (docs/output-formats.md).
const std::vector<std::string> kRunOutputs{"forecast.csv", "forecast.json", "bands.json",
                                           "bands.bin", "manifest.json"};
// The problems of run's flags, and of its output directory (rank 0 alone checks that).
std::vector<std::string> run_problems(const RunArgs& args, const std::filesystem::path& out,
                                      const core::mpi::Session& session) {
  std::vector<std::string> problems;
  if (!args.target_mcse.empty()) {
    std::vector<std::string> metrics;
    for (std::size_t m = 0; m < models::kMetricCount; ++m) {
      metrics.emplace_back(models::metric_name(m));
    }
    for (const auto& name : args.target_metrics) {
      if (std::find(metrics.begin(), metrics.end(), name) == metrics.end()) {
        problems.push_back(fmt::format("--target-metrics: expected metric names ({}), found '{}'",
                                       fmt::join(metrics, ", "), name));
      }
    }
    if (args.paths && *args.paths > args.max_paths) {
      problems.push_back(
          fmt::format("--paths: expected at most --max-paths ({}) with --target-mcse, found {}",
                      args.max_paths, *args.paths));
    }
    if (args.central) {
      problems.emplace_back(
          "--target-mcse: expected a Monte Carlo run, found --central (one path, no standard "
          "error)");
    }
    if (session.distributed()) {
      problems.emplace_back("--target-mcse: not yet available under mpirun; give --paths instead");
    }
  }
  if (const auto problem = session.root() ? run_directory_problem(out) : std::nullopt) {
    problems.push_back("--out " + *problem + "; nothing was run");
  }
  return problems;
}

}  // namespace

std::optional<double> parse_share(const std::string& text) {
  if (text.size() < 2 || text.back() != '%') return std::nullopt;
  const std::string number = text.substr(0, text.size() - 1);
  char* end = nullptr;
  const double percent = std::strtod(number.c_str(), &end);
  if (end != number.c_str() + number.size() || !(percent > 0.0 && percent < 100.0)) {
    return std::nullopt;
  }
  return percent / 100.0;
}

void simulate(core::ProgressBar& progress, const std::function<void()>& simulation) {
  try {
    simulation();
  } catch (io::UserError& error) {
    progress.finish();
    error.summarize("Nothing was written.");
    throw;
  } catch (const std::domain_error& error) {
    progress.finish();
    io::UserError unusable(
        fmt::format("a parameter's distribution could not be evaluated: {}", error.what()));
    unusable.summarize("Nothing was written.");
    throw unusable;
  }
  progress.finish();
}

int run_command(const RunArgs& args) {
  const auto started = std::chrono::steady_clock::now();
  // Under mpirun, every rank checks its inputs and all go on or none (docs/mpi.md); rank 0
  // alone writes, so it alone checks where.
  const core::mpi::Session& session = core::mpi::Session::world();
  std::optional<models::Scenario> scenario;
  const std::filesystem::path out =
      args.out.empty() ? std::filesystem::path("out") / std::filesystem::path(args.scenario).stem()
                       : std::filesystem::path(args.out);
  const int verdict = check_on_every_rank(session, [&] {
    scenario = load_scenario_for_command(args.scenario);
    std::vector<std::string> problems = run_problems(args, out, session);
    if (!problems.empty()) throw io::UserError(std::move(problems));
  });
  if (verdict != kExitOk) return verdict;

  studies::ForecastSettings settings = studies::default_settings(*scenario);
  if (args.paths) settings.paths = *args.paths;
  if (args.seed) settings.seed = *args.seed;
  settings.threads = args.threads;
  settings.central = args.central;
  settings.band_samples = args.band_samples;
  settings.session = &session;
  if (!args.target_mcse.empty()) {
    settings.target_mcse = *parse_share(args.target_mcse);
    settings.target_metrics = args.target_metrics;
    settings.max_paths = args.max_paths;
  }
  RunOutputs outputs;
  outputs.out = out;
  outputs.quiet = args.quiet;
  outputs.command_line = args.command_line;
  outputs.threads = args.threads;
  simulate_and_write(*scenario, settings, outputs, started);
  return kExitOk;
}

namespace {

// A run without a band store leaves none behind from an earlier run in the same directory (a
// run's: any other was refused before the run).
void remove_stale_bands(const std::filesystem::path& out) {
  for (const char* name : {"bands.json", "bands.bin"}) {
    std::error_code error;
    std::filesystem::remove(out / name, error);
    if (error) {
      throw io::UserError(
          fmt::format("cannot remove {}: {}", (out / name).string(), error.message()));
    }
  }
}

// The summary table, the precision reached, and what was written.
void tell_run(const models::Scenario& scenario, const studies::Forecast& forecast,
              const studies::ForecastSettings& settings, const std::filesystem::path& out,
              double seconds) {
  fmt::print("{}", summary_table(scenario, forecast.rows));
  if (const auto& p = forecast.precision) {
    fmt::print(
        "\nprecision: the largest Monte Carlo standard error is {:.3g}% of its mean "
        "({}) at {} paths: target {:.3g}% {}\n",
        100 * p->reached, p->worst, forecast.paths_done, 100 * p->target,
        p->met ? "met" : fmt::format("not met (--max-paths {})", settings.max_paths));
  }
  fmt::print("\n{} paths in {:.2f} s; wrote {}/forecast.csv, forecast.json, {}manifest.json\n",
             forecast.paths_done, seconds, out.string(),
             forecast.bands ? "bands.json, bands.bin, " : "");
}

}  // namespace

OutputFiles run_files(const models::Scenario& scenario, const studies::Forecast& forecast,
                      const studies::ForecastSettings& settings, const RunOutputs& outputs,
                      double wall_seconds, RunResult* result) {
  const std::filesystem::path& out = outputs.out;
  const std::string csv = formats::forecast_csv(forecast.rows);
  const std::string json = formats::forecast_json(forecast.rows);
  formats::RunRecord manifest;
  manifest.scenario = &scenario;
  manifest.scenario_json = config::resolved_json(scenario);
  manifest.seed = settings.seed;
  manifest.paths = forecast.paths_done;
  if (const auto& p = forecast.precision) {
    manifest.precision =
        formats::PrecisionRecord{p->target, p->reached, p->worst, p->met, settings.max_paths};
  }
  manifest.central = settings.central;
  manifest.threads = outputs.threads;
  manifest.mpi_ranks = core::mpi::Session::world().size();
  manifest.forecast_csv_sha256 = io::sha256_hex(csv);
  OutputFiles files{{out / "forecast.csv", csv}, {out / "forecast.json", json}};
  if (forecast.bands) {
    std::string bin = forecast.bands->binary();
    manifest.bands_bin_sha256 = io::sha256_hex(bin);
    manifest.band_samples = forecast.bands->samples;
    std::string bands_json = forecast.bands->json(manifest.bands_bin_sha256);
    manifest.bands_json_sha256 = io::sha256_hex(bands_json);
    files.emplace_back(out / "bands.json", std::move(bands_json));
    files.emplace_back(out / "bands.bin", std::move(bin));
  }
  manifest.reproduces = outputs.reproduces;
  if (result) {
    result->forecast_csv_sha256 = manifest.forecast_csv_sha256;
    result->bands_bin_sha256 = manifest.bands_bin_sha256;
  }
  manifest.wall_seconds = wall_seconds;
  manifest.created = std::chrono::system_clock::now();
  if (manifest.reproduces) {
    manifest.reproduces->matches =
        manifest.reproduces->forecast_csv_sha256 == manifest.forecast_csv_sha256;
  }
  files.emplace_back(out / "manifest.json",
                     formats::run_manifest(manifest, provenance(outputs.command_line)));
  return files;
}

void write_run_files(const OutputFiles& files, bool has_bands, const std::filesystem::path& out,
                     const std::atomic<bool>& stop) {
  write_outputs(files, stop);
  if (!has_bands) remove_stale_bands(out);
}

std::optional<std::string> run_directory_problem(const std::filesystem::path& out) {
  std::error_code probe;
  if (std::filesystem::exists(out, probe) && !std::filesystem::is_directory(out, probe)) {
    return fmt::format("{}: expected a directory, found a file", out.string());
  }
  if (const auto found = foreign_directory(out, "talentcast-manifest-1", "a run's", kRunOutputs)) {
    return fmt::format(
        "{}: expected a new or empty directory, or an earlier run's, found a directory {}",
        out.string(), *found);
  }
  return std::nullopt;
}

RunResult simulate_and_write(const models::Scenario& scenario, studies::ForecastSettings settings,
                             const RunOutputs& outputs,
                             std::chrono::steady_clock::time_point started) {
  const core::mpi::Session& session = core::mpi::Session::world();
  const std::filesystem::path& out = outputs.out;
  const std::uint64_t paths = settings.central ? 1
                              : settings.target_mcse > 0
                                  ? std::max(settings.paths, settings.max_paths)
                                  : settings.paths;
  RunResult result;

  InterruptGuard guard;
  settings.stop = &guard.flag();
  core::ProgressBar progress(paths, "paths", !outputs.quiet && session.root());
  settings.on_progress = [&](std::uint64_t done) {
    progress.update(done);
    test_event("run-progress");
  };

  studies::Forecast forecast;
  simulate(progress, [&] { forecast = studies::run_forecast(scenario, settings); });
  if (!forecast.holds_results) return result;  // a rank other than 0: its part is done
  if (forecast.interrupted) {
    throw Interrupted(fmt::format("interrupted after {} of {} paths; nothing was written",
                                  forecast.paths_done, paths));
  }

  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const OutputFiles files = run_files(scenario, forecast, settings, outputs, seconds, &result);
  write_run_files(files, forecast.bands.has_value(), out, guard.flag());
  if (!outputs.quiet) tell_run(scenario, forecast, settings, out, seconds);
  return result;
}

}  // namespace talentcast::cli
