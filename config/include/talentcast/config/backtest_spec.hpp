#pragma once
// A backtest spec (docs/backtest.md#the-spec): which history, base scenario and role, the origin
// years, the horizon, the Monte Carlo settings and the series' breaks.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "talentcast/config/history.hpp"

namespace talentcast::config {

struct BacktestSpec {
  std::filesystem::path file;
  std::string text;  ///< the file as read, for its digest
  std::string title;
  std::filesystem::path history;  ///< relative to the spec's folder, as given there
  std::filesystem::path base;     ///< likewise
  std::string role;
  int first_origin = 0, last_origin = 0;
  int horizon = 0;           ///< years
  std::optional<int> since;  ///< the first year calibrations use
  int trend_years = 3;       ///< k of the trend baseline
  std::string balance;       ///< the balancing inflow (studies::CalibrationOptions::balance)
  std::uint64_t paths = 1000;
  std::uint64_t seed = 1;
  std::vector<SeriesBreak> breaks;
};

/// Reads a spec. Throws io::UserError with every problem at its file:line:column: an unknown key,
/// a missing one, a value of the wrong kind or out of its range; and then those of the history
/// and base it names (where it names them well), so that all are told at once.
BacktestSpec load_backtest_spec(const std::filesystem::path& file);

}  // namespace talentcast::config
