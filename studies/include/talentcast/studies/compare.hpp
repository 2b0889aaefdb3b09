#pragma once
// What-if comparison with common random numbers (docs/compare.md): two scenarios run on the
// same paths, so that each path's difference is the effect of what the what-if changes alone.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "talentcast/formats/comparison.hpp"
#include "talentcast/models/scenario.hpp"
#include "talentcast/studies/forecast.hpp"

namespace talentcast::studies {

/// The share of paths on which a what-if's output is above its base's, and below it.
struct ChangeShares {
  std::size_t row = 0;  ///< the difference's row in Comparison::rows
  double up = 0.0;
  double down = 0.0;
};

struct Comparison {
  /// Per series, period and metric: base, what-if, difference (what-if minus base) and, for
  /// salary metrics, ratio (what-if over base), in that order.
  std::vector<formats::ComparisonRow> rows;
  /// ComparisonBase::compare's, for its ratios and median salaries; run_comparison gives none.
  std::vector<ChangeShares> shares;
  std::uint64_t paths_done = 0;
  bool interrupted = false;
};

/// Why two scenarios cannot be compared path by path (their series, calendar or outputs
/// differ), one line each; empty when they can.
std::vector<std::string> comparison_problems(const models::Scenario& base,
                                             const models::Scenario& whatif);

/// Runs both scenarios on the same seed and paths (settings.seed, settings.paths). Throws
/// ModelError when a state becomes non-finite, std::invalid_argument when they cannot be
/// compared.
/// With `whatif_seed`, the what-if runs on a seed of its own: two separate runs paired path by
/// path, which shows what common random numbers gain (tests/test_compare.cpp).
Comparison run_comparison(const models::Scenario& base, const models::Scenario& whatif,
                          const ForecastSettings& settings,
                          std::optional<std::uint64_t> whatif_seed = std::nullopt);

}  // namespace talentcast::studies
