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

namespace talentcast::studies {

/// Where a salary stands: its percentile in the market, 100 x the mean over paths of the band's
/// lognormal CDF, Phi((ln x - ln median_k) / log_sd_k), with the 10th and 90th percentiles of
/// that CDF across paths (an 80% interval) and the Monte Carlo standard error of the mean.
struct Standing {
  double percentile = 0.0;
  double p10 = 0.0;
  double p90 = 0.0;
  double mcse = 0.0;
};

Standing standing(const formats::BandStore& store, std::size_t series, std::size_t period,
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

/// An employee of a payroll: the band it is benchmarked against (a role, or role/level, of the
/// store) and its salary; its id is kept in Payroll::ids.
struct Employee {
  std::size_t id_offset = 0;
  std::size_t id_length = 0;
  std::size_t series = 0;
  double salary = 0.0;
};

struct Payroll {
  std::filesystem::path file;
  std::string sha256;
  std::string ids;  ///< every employee id, one after another
  std::vector<Employee> employees;

  std::string_view id(std::size_t i) const {
    return std::string_view(ids).substr(employees[i].id_offset, employees[i].id_length);
  }
  void add(std::string_view id, std::size_t series, double salary) {
    employees.push_back({ids.size(), id.size(), series, salary});
    ids += id;
  }
};

/// Reads a payroll (columns employee_id,role,salary[,level]). Throws io::UserError listing every
/// problem with its file, line and column: an unknown role or level, a salary that is not a
/// number greater than 0, a duplicate employee id, a missing column, an empty file.
Payroll read_payroll(const std::filesystem::path& file, const formats::BandStore& store);

struct EmployeeResult {
  Standing now, horizon;
  double compa_ratio_now = 0.0;  ///< salary / the market median (the predictive median)
  double compa_ratio_horizon = 0.0;
};

/// A cost across paths: its mean and 80% interval.
struct Cost {
  double mean = 0.0;
  double p10 = 0.0;
  double p90 = 0.0;
};

struct PayrollSummary {
  std::string role, level;  ///< role "all" (and no level) for the whole payroll
  std::size_t headcount = 0;
  std::size_t below_p25_now = 0, below_p25_horizon = 0;
  /// Annual cost of raising those below the 25th percentile (the count above) to the market's
  /// 25th (50th) percentile salary, on each path: the sum over them of max(0, P_k - salary),
  /// times 12 for monthly salaries.
  Cost to_p25_now, to_p50_now, to_p25_horizon, to_p50_horizon;
};

struct PayrollResult {
  std::size_t now = 0, horizon = 0;  ///< period indices
  std::vector<EmployeeResult> employees;
  std::vector<PayrollSummary> summary;  ///< per series in the store's order, then "all"
};

/// Benchmarks every employee at periods now and horizon. Percentiles come from each band's
/// standing curve tabulated on a grid of salaries (accurate to 0.01 percentile points,
/// docs/benchmarking.md). Uses up to `threads` threads (0: all); the result does not depend on
/// it.
PayrollResult benchmark_payroll(const formats::BandStore& store, const Payroll& payroll,
                                std::size_t now, std::size_t horizon, int threads);

/// The payroll's outputs: one row per employee, and the summary.
std::string employees_csv(const formats::BandStore& store, const Payroll& payroll,
                          const PayrollResult& result, int threads = 0);
std::string summary_csv(const PayrollResult& result);

}  // namespace talentcast::studies
