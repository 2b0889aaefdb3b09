#pragma once
// A payroll benchmark's data and its outputs (docs/benchmarking.md): the payroll's employees,
// where each stands in its market band now and later, the summary per band, and the two files
// `benchmark --payroll` writes, employees.csv and summary.csv.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "talentcast/formats/band_store.hpp"

namespace talentcast::formats {

/// Where a salary stands: its percentile in the market, 100 x the mean over paths of the band's
/// lognormal CDF, Phi((ln x - ln median_k) / log_sd_k), with the 10th and 90th percentiles of
/// that CDF across paths (an 80% interval) and the Monte Carlo standard error of the mean.
struct Standing {
  double percentile = 0.0;
  double p10 = 0.0;
  double p90 = 0.0;
  double mcse = 0.0;
};

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

/// The payroll's outputs: one row per employee, and the summary.
std::string employees_csv(const formats::BandStore& store, const Payroll& payroll,
                          const PayrollResult& result, int threads = 0);
std::string summary_csv(const PayrollResult& result);

}  // namespace talentcast::formats
