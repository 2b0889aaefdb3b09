#pragma once
// Calibration from history (docs/calibration.md): the parameters a role's annual history
// identifies, estimated with their estimation uncertainty, as a variant of a base scenario.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "talentcast/config/history.hpp"
#include "talentcast/config/scenario_document.hpp"

namespace talentcast::studies {

/// One series of a history (employment or median salary) as the estimators read it: the log
/// of each year's value, its breaks applied (docs/calibration.md#breaks).
struct LogSeries {
  std::vector<int> years;
  std::vector<double> logs;
  std::vector<int> lines;   ///< the history file's line of each year
  std::vector<double> raw;  ///< each year's value as observed
  /// Whether a break after the year moved its value to a later basis (logs differ from raw).
  std::vector<bool> moved;
  /// shift[i]: the change from year i - 1 to year i crosses an `adjust` break and is a change
  /// of basis, not of the market; the estimators leave it out. shift[0] is false.
  std::vector<bool> shift;
};

/// The series `which` of `history` over all its years, with `skip` years left out and the values
/// before an `adjust` break moved to the basis after it.
LogSeries log_series(const config::History& history, config::SeriesBreak::Series which,
                     const std::vector<config::SeriesBreak>& breaks);

/// The part of a series in [since, through].
LogSeries window(const LogSeries& series, int since, int through);

/// A random walk with drift fitted to a log series (eq. C1-C3 of docs/calibration.md): each
/// change d_i over h_i years is N(drift h_i, vol^2 h_i).
struct DriftFit {
  double drift = 0.0;     ///< per year
  double drift_se = 0.0;  ///< its standard error, vol / sqrt(sum h)
  double vol = 0.0;       ///< per sqrt(year)
  double vol_se = 0.0;    ///< its standard error, vol / sqrt(2 nu)
  int changes = 0;        ///< m, the changes used
  double years = 0.0;     ///< sum h
  int first_year = 0, last_year = 0;
  int first_line = 0, last_line = 0;
};

/// At least this many year-to-year changes are needed for a fit (nu = m - 1 >= 2).
inline constexpr int kMinChanges = 3;

/// Fits the random walk; std::nullopt with fewer than kMinChanges changes.
std::optional<DriftFit> fit_drift(const LogSeries& series);

/// The salary band's log-sd from one year's percentiles (eq. C4-C5): least squares of
/// ln(p / median) on Phi^-1(p), through the origin.
struct SpreadFit {
  double sigma = 0.0;
  double se = 0.0;  ///< its standard error from the residuals (0 with one percentile)
  int percentiles = 0;
};
std::optional<SpreadFit> fit_band_sigma(const config::HistoryRow& row);

struct CalibrationOptions {
  std::string role;
  int through = 0;
  std::optional<int> since;  ///< the first year used; the history's first when absent
  std::optional<int> horizon_years;
  std::vector<config::SeriesBreak> breaks;
  /// The role's inflow that keeps the market at its start ratio as demand grows at the
  /// calibrated rate (switcher_inflow or overseas_inflow; eq. C10), or "" to scale it with
  /// employment like the other headcounts.
  std::string balance;
  /// How the values' sources name the history (its file name when empty).
  std::string history_name;
};

/// An estimate with its standard error.
struct Estimate {
  double value = 0.0;
  double se = 0.0;
};

struct Calibration {
  DriftFit employment;
  DriftFit median;
  std::optional<SpreadFit> band;  ///< none when the start year has no percentiles
  /// The parameters (docs/calibration.md, eq. C1-C8), as the variant states them.
  Estimate demand_growth, demand_vol, wage_drift, wage_vol;
  std::optional<Estimate> band_sigma;
  double start_employment = 0.0;  ///< on the history's latest basis
  double start_salary = 0.0;      ///< in the base's salary unit
  std::string start;              ///< the first month simulated: the month after `through`'s
  /// The values set, in order, as (key path, TOML value with its source).
  std::vector<std::pair<std::string, std::string>> settings;
};

/// Estimates what the history identifies through `options.through` and states it as changes of
/// `base`. Throws io::UserError with every problem: a role the base does not have, a year the
/// history does not hold, too few years, a base whose role fits its band to salary_data.
Calibration calibrate(const config::History& history, const config::ScenarioDocument& base,
                      const CalibrationOptions& options);

/// The calibration as a variant file that extends `extends` (a path as the file writes it).
std::string calibration_variant(const Calibration& calibration, const std::string& extends,
                                const std::string& header);

}  // namespace talentcast::studies
