#pragma once
// The page `talentcast backtest` writes, backtest.html (docs/backtest.md#outputs); its CSV files
// are studies' (backtest.hpp).

#include <string>

#include "talentcast/config/backtest_spec.hpp"
#include "talentcast/studies/backtest.hpp"

namespace talentcast::evaluation {

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
