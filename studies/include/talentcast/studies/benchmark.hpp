#pragma once
// Salary benchmarking against a run's band store (band_store.hpp): where a salary stands in the
// market band of a role (or level) in a period, the market's percentile salaries, and a whole
// payroll (docs/benchmarking.md). Every interval is across the store's sampled paths.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "talentcast/formats/band_store.hpp"
#include "talentcast/formats/payroll.hpp"

namespace talentcast::studies {

formats::Standing standing(const formats::BandStore& store, std::size_t series, std::size_t period,
                           double salary);

/// The market's q-th percentile salary: `salary`, the predictive quantile, at which the mean
/// over paths of the band's CDF is q (so a salary below it has a percentile below 100 q); and
/// the 80% interval across paths of the path's own, median_k exp(log_sd_k Phi^-1(q)).
struct MarketSalary {
  double q = 0.5;
  double salary = 0.0;
  double p10 = 0.0;
  double p90 = 0.0;
};
MarketSalary market_salary(const formats::BandStore& store, std::size_t series, std::size_t period,
                           double q);
/// The predictive quantile alone (bisection to 1e-12 in log salary).
double predictive_quantile(const formats::BandStore& store, std::size_t series, std::size_t period,
                           double q);

/// The percentiles a benchmark reports market salaries at.
inline constexpr double kMarketPercentiles[] = {0.25, 0.50, 0.75, 0.90};

/// The period of the run a text names: a label of the run ("2026-Q3"), or any date the scenario
/// format accepts, meaning the reporting period that holds its last month ("2026" on a
/// quarterly run is 2026-Q4). nullopt when it is not a date or lies outside the run.
std::optional<std::size_t> find_period(const formats::BandStore& store, std::string_view text);

/// Reads a payroll (columns employee_id,role,salary[,level]). Throws io::UserError listing every
/// problem with its file, line and column: an unknown role or level, a salary that is not a
/// number greater than 0, a duplicate employee id, a missing column, an empty file.
formats::Payroll read_payroll(const std::filesystem::path& file, const formats::BandStore& store);

/// Benchmarks every employee at periods now and horizon. Percentiles come from each band's
/// standing curve tabulated on a grid of salaries (accurate to 0.01 percentile points,
/// docs/benchmarking.md). Uses up to `threads` threads (0: all); the result does not depend on
/// it.
formats::PayrollResult benchmark_payroll(const formats::BandStore& store,
                                         const formats::Payroll& payroll, std::size_t now,
                                         std::size_t horizon, int threads);

}  // namespace talentcast::studies
