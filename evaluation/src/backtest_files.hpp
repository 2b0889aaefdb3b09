#pragma once
// The files `talentcast backtest` writes (docs/backtest.md#outputs): forecasts.csv (every
// forecast with its scores), scores.csv (pooled) and the page backtest.html.

#include <string>

#include "talentcast/config/backtest_spec.hpp"
#include "talentcast/studies/backtest.hpp"

namespace talentcast::evaluation {

/// "employment" or "median".
const char* series_name(config::SeriesBreak::Series series);

/// The first line of forecasts.csv and of scores.csv.
inline constexpr const char* kForecastsHeader =
    "origin,target_year,horizon,series,method,last,actual,p05,p10,p25,p50,p75,p90,p95,pit,"
    "crps_log,ape,in50,in80,in90,direction_right";
inline constexpr const char* kScoresHeader =
    "series,method,origin,horizon,n,coverage50,coverage80,coverage90,crps_log,mdape,directions,"
    "direction_right";

std::string forecasts_csv(const studies::BacktestResult& result);
std::string scores_csv(const studies::BacktestResult& result);

/// What the page says about where the numbers come from.
struct PageProvenance {
  std::string command;
  std::string spec_sha256, base_sha256, forecasts_sha256;
};

/// The page: fan charts with the actual points, the coverage table, the calibration plot, the
/// scores against the baselines, and the provenance block.
std::string backtest_page(const config::BacktestSpec& spec, const studies::BacktestResult& result,
                          const PageProvenance& provenance);

}  // namespace talentcast::evaluation
