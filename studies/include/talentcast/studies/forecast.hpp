#pragma once
// The library's front door: run a scenario's Monte Carlo forecast and read its statistics.

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "talentcast/formats/band_store.hpp"
#include "talentcast/formats/forecast_table.hpp"
#include "talentcast/models/scenario.hpp"

namespace talentcast::core::mpi {
class Session;  // core/mpi.hpp
}  // namespace talentcast::core::mpi

namespace talentcast::studies {

struct ForecastSettings {
  std::uint64_t paths = 1000;
  std::uint64_t seed = 1;
  int threads = 0;       ///< 0: all cores
  bool central = false;  ///< the central projection (one deterministic path)
  /// Keep the bands of this many paths (the first ones) as the run's band store; 0: none.
  std::uint64_t band_samples = 0;
  std::function<void(std::uint64_t)> on_progress;
  const std::atomic<bool>* stop = nullptr;
  /// The MPI ranks to spread the paths over (core::RunOptions::session): byte-identical
  /// results, held by rank 0 alone. None: this process alone.
  const core::mpi::Session* session = nullptr;
  /// Precision control (`--target-mcse`): when above 0, paths are added until every watched
  /// output's Monte Carlo standard error is at most this fraction of its mean, or max_paths is
  /// reached. Watched: the metrics named here (default ratio and salary_median) of every series
  /// in the last period. The run starts with `paths` rounded up to a chunk (16,384 paths) and
  /// stops at a multiple of it (or at max_paths): the same inputs stop at the same count.
  double target_mcse = 0.0;
  std::vector<std::string> target_metrics;
  std::uint64_t max_paths = 1'000'000;
  /// Keep the per-path values of these metrics for every role and period (Forecast::kept; the
  /// Python package's `keep=`). Not with band_samples: a run keeps one kind of per-path value.
  std::vector<std::string> keep;
  /// The most memory the kept values may take: paths x metrics x periods x roles x 8 bytes.
  std::uint64_t keep_limit_bytes = std::uint64_t{1} << 30;
};

/// Per-path values of metrics (ForecastSettings::keep).
struct KeptPaths {
  std::vector<std::string> metrics;
  std::vector<std::string> periods;  ///< labels
  std::vector<std::string> roles;
  /// Metric m of role r in period t on path p at ((p * metrics + m) * periods + t) * roles + r.
  std::vector<double> values;
};

/// The precision an adaptive run reached (ForecastSettings::target_mcse).
struct Precision {
  double target = 0.0;
  double reached = 0.0;  ///< the largest mcse / |mean| of the watched outputs
  std::string worst;     ///< which one: "metric of series in period"
  bool met = false;
};

struct Forecast {
  std::vector<formats::ForecastRow> rows;  ///< role by role (`total` last), period, metric
  std::uint64_t paths_done = 0;
  bool interrupted = false;
  std::optional<formats::BandStore> bands;  ///< with band_samples > 0
  /// False on the ranks other than 0 of a distributed run, which hold no rows.
  bool holds_results = true;
  std::optional<Precision> precision;  ///< adaptive runs
  std::optional<KeptPaths> kept;       ///< with ForecastSettings::keep

  /// The row of (role, period label, metric); throws std::out_of_range when there is none.
  const core::Summary& at(std::string_view role, std::string_view period,
                          std::string_view metric) const;
};

/// Runs the forecast. Throws ModelError when a state becomes non-finite, io::UserError when
/// `keep` names a metric that is not one or would take more than keep_limit_bytes.
Forecast run_forecast(const models::Scenario& scenario, const ForecastSettings& settings);

/// The settings a scenario asks for: its own paths and seed.
ForecastSettings default_settings(const models::Scenario& scenario);

}  // namespace talentcast::studies
