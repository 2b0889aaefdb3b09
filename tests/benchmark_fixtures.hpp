#pragma once
// Fixtures of the benchmark tests (test_benchmark.cpp, test_benchmark_cli.cpp): the standard
// normal, the example payroll's data, a scenario whose band is fitted to given salaries, and a
// CSV reader.

#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support.hpp"
#include "talentcast/io/csv.hpp"
#include "talentcast/models/scenario.hpp"
#include "talentcast/studies/forecast.hpp"

namespace talentcast::test::benchmark {

namespace fs = std::filesystem;

inline const boost::math::normal kStandard;

inline double phi(double z) {
  return boost::math::cdf(kStandard, z);
}

inline fs::path payroll_data() {
  return talentcast::test::source_dir() / "tests" / "data" / "payroll";
}

inline studies::Forecast run_with_bands(const models::Scenario& scenario, std::uint64_t paths,
                                        std::uint64_t samples) {
  auto settings = studies::default_settings(scenario);
  settings.paths = paths;
  settings.band_samples = samples;
  settings.threads = 2;
  return studies::run_forecast(scenario, settings);
}

// A one-role scenario whose band is fitted to `csv` and whose median then stays put (no wage
// response, drift or shocks), so that the band's only uncertainty is the estimation's.
inline std::string fitted_scenario(const std::string& csv) {
  return R"(title = "Fitted"
currency = "CNY"
salary_unit = "month"
start = "2024-Q1"
step = "quarter"
horizon_years = 1
seed = 3

[defaults]
attrition = 0.1
seeker_exit = 2.0
demand_growth = 0.05
matching_efficiency = 6.0
matching_elasticity = 0.5
neutral_ratio = 1.0
wage_response = 0.0

[roles.llm]
employed = 1000
openings = 300
ratio = 0.5
salary_data = ")" +
         csv + "\"\n";
}

// n salaries of median 60,000 and log-sd 0.3, at evenly spaced normal quantiles, so that every
// sample size has (almost exactly) the same fit.
inline std::string salary_csv(std::size_t n) {
  std::string text = "role,salary\n";
  for (std::size_t i = 0; i < n; ++i) {
    const double z =
        boost::math::quantile(kStandard, (static_cast<double>(i) + 0.5) / static_cast<double>(n));
    text += fmt::format("llm,{:.2f}\n", 60000.0 * std::exp(0.3 * z));
  }
  return text;
}

inline std::vector<std::vector<std::string>> read_csv(const fs::path& path) {
  auto reader = talentcast::io::CsvReader::from_file(path);
  talentcast::io::CsvRecord record;
  std::vector<std::vector<std::string>> rows;
  while (reader.next(record)) {
    rows.emplace_back();
    for (const auto& f : record.fields) rows.back().emplace_back(f.text);
  }
  return rows;
}

}  // namespace talentcast::test::benchmark
