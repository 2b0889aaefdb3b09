#pragma once
// Rolling-origin backtests (docs/backtest.md): for each origin year, calibrate on the history
// through it, forecast 1 to H years ahead, and score the forecast distributions against what
// happened, beside naive baselines scored the same way.

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "talentcast/config/backtest_spec.hpp"
#include "talentcast/config/history.hpp"

namespace talentcast::studies {

/// Who forecast: the model, or a naive baseline (docs/backtest.md#baselines).
enum class Method { model, no_change, trend, random_walk };
inline constexpr std::array<Method, 4> kMethods{Method::model, Method::no_change, Method::trend,
                                                Method::random_walk};
const char* method_name(Method method);

/// The central intervals scored, and the percentiles a forecast is summarised by.
inline constexpr std::array<double, 3> kLevels{0.5, 0.8, 0.9};
inline constexpr std::array<double, 7> kPercentiles{0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95};

/// One forecast of one series for one target year, and its scores.
struct Scored {
  int origin = 0, horizon = 0;
  config::SeriesBreak::Series series = config::SeriesBreak::Series::employment;
  Method method = Method::model;
  double last = 0.0;                    ///< the series at the origin (on the latest basis)
  double actual = 0.0;                  ///< at the target year (on the latest basis)
  std::array<double, 7> percentiles{};  ///< of the forecast, at kPercentiles
  double pit = 0.0;                     ///< the forecast's CDF at the actual value
  double crps = 0.0;                    ///< of the log values
  std::array<bool, 3> covered{};        ///< by the central intervals of kLevels
  double ape = 0.0;                     ///< |median - actual| / actual
  /// The direction of change from the origin, forecast (of the median) against actual; a
  /// no-change forecast has none.
  bool has_direction = false;
  bool direction_right = false;
};

/// The scores of many forecasts together: one series, one method, and one horizon over all
/// origins or one origin over all horizons (0: all).
struct Pooled {
  config::SeriesBreak::Series series = config::SeriesBreak::Series::employment;
  Method method = Method::model;
  int origin = 0;
  int horizon = 0;
  int n = 0;
  std::array<double, 3> coverage{};  ///< the share covered, per kLevels
  double crps = 0.0;                 ///< mean
  double mdape = 0.0;                ///< median absolute percentage error, as a fraction
  int directions = 0;                ///< forecasts with a direction
  double direction_right = 0.0;      ///< the share of those right
};

/// The model's forecast from one origin, every year to the horizon, for the fan charts.
struct OriginFan {
  int origin = 0;
  config::SeriesBreak::Series series = config::SeriesBreak::Series::employment;
  std::vector<int> years;                          ///< origin, origin + 1, ..., origin + H
  std::vector<std::array<double, 7>> percentiles;  ///< per year; the origin's is its value
};

struct BacktestResult {
  std::vector<Scored> forecasts;  ///< by origin, series, horizon, method
  /// By series and method: each horizon over all origins (0, all horizons, first), then each
  /// origin over all horizons.
  std::vector<Pooled> pooled;
  std::vector<OriginFan> fans;
  std::vector<int> origins;               ///< those forecast from
  std::vector<std::string> origins_left;  ///< those left out, each with why
  /// The history on its latest basis, per series (employment, median): (year, value).
  std::array<std::vector<std::pair<int, double>>, 2> actual;
  std::string history_sha256;
  int month = 12;            ///< of the observations
  bool interrupted = false;  ///< stopped (BacktestSettings::stop) before the last origin
};

struct BacktestSettings {
  int threads = 0;
  std::function<void(std::size_t done, std::size_t origins)> on_progress;
  const std::atomic<bool>* stop = nullptr;
};

/// Runs the backtest of `spec` (its history and base read from the paths it names, relative to
/// its folder). Throws io::UserError with every problem of the files and of the spec against
/// them (a role the base lacks, origins outside the history), before anything runs.
BacktestResult run_backtest(const config::BacktestSpec& spec, const BacktestSettings& settings);

/// "employment" or "median".
const char* series_name(config::SeriesBreak::Series series);

/// The first line of forecasts.csv and of scores.csv.
inline constexpr const char* kForecastsHeader =
    "origin,target_year,horizon,series,method,last,actual,p05,p10,p25,p50,p75,p90,p95,pit,"
    "crps_log,ape,in50,in80,in90,direction_right";
inline constexpr const char* kScoresHeader =
    "series,method,origin,horizon,n,coverage50,coverage80,coverage90,crps_log,mdape,directions,"
    "direction_right";

/// forecasts.csv and scores.csv (docs/backtest.md#outputs), as `talentcast backtest` writes them.
std::string forecasts_csv(const BacktestResult& result);
std::string scores_csv(const BacktestResult& result);

/// The history and base a spec names, as paths from here.
std::filesystem::path spec_path(const config::BacktestSpec& spec,
                                const std::filesystem::path& named);

}  // namespace talentcast::studies
