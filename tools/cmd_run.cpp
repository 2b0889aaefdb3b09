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

int simulate_or_report(core::ProgressBar& progress, const std::function<void()>& simulate) {
  try {
    simulate();
  } catch (const models::ModelError& error) {
    progress.finish();
    fmt::print(stderr, "talentcast: {}\nNothing was written.\n", error.what());
    return kExitBadInput;
  } catch (const std::domain_error& error) {
    progress.finish();
    fmt::print(stderr,
               "talentcast: a parameter's distribution could not be evaluated: {}\n"
               "Nothing was written.\n",
               error.what());
    return kExitBadInput;
  }
  progress.finish();
  return kExitOk;
}

int run_command(const RunArgs& args) {
  const auto started = std::chrono::steady_clock::now();
  // Under mpirun, every rank checks its inputs and all go on or none (docs/mpi.md); rank 0
  // alone writes, so it alone checks where.
  const core::mpi::Session& session = core::mpi::Session::world();
  const auto scenario = load_scenario_or_report(args.scenario);
  if (!scenario) {
    session.decide(kExitBadInput);
    return kExitBadInput;
  }

  const std::filesystem::path out =
      args.out.empty() ? std::filesystem::path("out") / std::filesystem::path(args.scenario).stem()
                       : std::filesystem::path(args.out);
  int verdict = kExitOk;
  if (!args.target_mcse.empty()) {
    std::vector<std::string> metrics;
    for (std::size_t m = 0; m < models::kMetricCount; ++m) {
      metrics.emplace_back(models::metric_name(m));
    }
    for (const auto& name : args.target_metrics) {
      if (std::find(metrics.begin(), metrics.end(), name) == metrics.end()) {
        fmt::print(stderr, "talentcast: --target-metrics: expected metric names ({}), found '{}'\n",
                   fmt::join(metrics, ", "), name);
        verdict = kExitBadInput;
      }
    }
    if (args.paths && *args.paths > args.max_paths) {
      fmt::print(stderr,
                 "talentcast: --paths: expected at most --max-paths ({}) with --target-mcse, "
                 "found {}\n",
                 args.max_paths, *args.paths);
      verdict = kExitBadInput;
    }
    if (args.central) {
      fmt::print(stderr,
                 "talentcast: --target-mcse: expected a Monte Carlo run, found --central (one "
                 "path, no standard error)\n");
      verdict = kExitBadInput;
    }
    if (session.distributed()) {
      fmt::print(stderr,
                 "talentcast: --target-mcse: not yet available under mpirun; give --paths "
                 "instead\n");
      verdict = kExitBadInput;
    }
  }
  std::error_code probe;
  if (session.root() && std::filesystem::exists(out, probe) &&
      !std::filesystem::is_directory(out, probe)) {
    fmt::print(stderr,
               "talentcast: --out {}: expected a directory, found a file; nothing was run\n",
               out.string());
    verdict = kExitBadInput;
  } else if (const auto found = session.root() ? foreign_directory(out, "talentcast-manifest-1",
                                                                   "a run's", kRunOutputs)
                                               : std::nullopt) {
    fmt::print(stderr,
               "talentcast: --out {}: expected a new or empty directory, or an earlier run's, "
               "found a directory {}; nothing was run\n",
               out.string(), *found);
    verdict = kExitBadInput;
  }
  if (session.decide(verdict) != kExitOk) return kExitBadInput;

  studies::ForecastSettings settings = studies::default_settings(*scenario);
  if (args.paths) settings.paths = *args.paths;
  if (args.seed) settings.seed = *args.seed;
  settings.threads = args.threads;
  settings.central = args.central;
  settings.band_samples = args.band_samples;
  settings.distributed = session.distributed();
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
  return simulate_and_write(*scenario, settings, outputs, started).exit_code;
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
  result.exit_code = kExitBadInput;

  InterruptGuard guard;
  settings.stop = &guard.flag();
  core::ProgressBar progress(paths, "paths", !outputs.quiet && session.root());
  settings.on_progress = [&](std::uint64_t done) {
    progress.update(done);
    test_event("run-progress");
  };

  studies::Forecast forecast;
  if (simulate_or_report(progress, [&] { forecast = studies::run_forecast(scenario, settings); }) !=
      kExitOk) {
    return result;
  }
  if (!forecast.holds_results) {  // a rank other than 0: its part is done
    result.exit_code = kExitOk;
    return result;
  }
  if (forecast.interrupted) {
    fmt::print(stderr, "talentcast: interrupted after {} of {} paths; nothing was written\n",
               forecast.paths_done, paths);
    result.exit_code = kExitInterrupted;
    return result;
  }

  const std::string csv = formats::forecast_csv(forecast.rows);
  const std::string json = formats::forecast_json(forecast.rows);
  ManifestInfo manifest;
  manifest.scenario = &scenario;
  manifest.seed = settings.seed;
  manifest.paths = forecast.paths_done;
  if (forecast.precision) {
    manifest.precision = &*forecast.precision;
    manifest.max_paths = settings.max_paths;
  }
  manifest.central = settings.central;
  manifest.threads = outputs.threads;
  manifest.mpi_ranks = session.size();
  manifest.forecast_csv_sha256 = io::sha256_hex(csv);
  std::vector<std::pair<std::filesystem::path, std::string>> files{{out / "forecast.csv", csv},
                                                                   {out / "forecast.json", json}};
  if (forecast.bands) {
    std::string bin = forecast.bands->binary();
    manifest.bands_bin_sha256 = io::sha256_hex(bin);
    manifest.band_samples = forecast.bands->samples;
    std::string bands_json = forecast.bands->json(manifest.bands_bin_sha256);
    manifest.bands_json_sha256 = io::sha256_hex(bands_json);
    files.emplace_back(out / "bands.json", std::move(bands_json));
    files.emplace_back(out / "bands.bin", std::move(bin));
  }
  manifest.command_line = outputs.command_line;
  manifest.reproduces = outputs.reproduces;
  result.forecast_csv_sha256 = manifest.forecast_csv_sha256;
  result.bands_bin_sha256 = manifest.bands_bin_sha256;
  manifest.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  manifest.created = std::chrono::system_clock::now();
  if (manifest.reproduces) {
    manifest.reproduces->matches =
        manifest.reproduces->forecast_csv_sha256 == manifest.forecast_csv_sha256;
  }
  files.emplace_back(out / "manifest.json", manifest_json(manifest));
  if (const int written = write_outputs(files, guard.flag()); written != kExitOk) {
    result.exit_code = written;
    return result;
  }
  // A run without a band store leaves none behind from an earlier run in the same directory
  // (a run's: any other was refused above).
  if (!forecast.bands) {
    for (const char* name : {"bands.json", "bands.bin"}) {
      std::error_code error;
      std::filesystem::remove(out / name, error);
      if (error) {
        fmt::print(stderr, "talentcast: cannot remove {}: {}\n", (out / name).string(),
                   error.message());
        return result;
      }
    }
  }
  if (!outputs.quiet) {
    fmt::print("{}", summary_table(scenario, forecast.rows));
    if (const auto& p = forecast.precision) {
      fmt::print(
          "\nprecision: the largest Monte Carlo standard error is {:.3g}% of its mean "
          "({}) at {} paths: target {:.3g}% {}\n",
          100 * p->reached, p->worst, forecast.paths_done, 100 * p->target,
          p->met ? "met" : fmt::format("not met (--max-paths {})", settings.max_paths));
    }
    fmt::print("\n{} paths in {:.2f} s; wrote {}/forecast.csv, forecast.json, {}manifest.json\n",
               forecast.paths_done, manifest.wall_seconds, out.string(),
               forecast.bands ? "bands.json, bands.bin, " : "");
  }
  result.exit_code = kExitOk;
  return result;
}

}  // namespace talentcast::cli
