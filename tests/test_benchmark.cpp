// Salary benchmarking: closed forms when the market is certain, intervals that shrink as the
// salary sample grows, a payroll's percentiles against the single salary's, and the band store's
// determinism (the command line's cases are in test_benchmark_cli.cpp).
#include <fmt/core.h>
#include <fmt/format.h>

#include <boost/math/distributions/normal.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <sstream>

#include "support.hpp"
#include "talentcast/config/scenario_loader.hpp"
#include "talentcast/core/random.hpp"
#include "talentcast/formats/payroll.hpp"
#include "talentcast/io/csv.hpp"
#include "talentcast/studies/benchmark.hpp"
#include "talentcast/studies/forecast.hpp"

namespace fs = std::filesystem;
using namespace talentcast;
using talentcast::test::read_file;
using talentcast::test::run_talentcast;
using talentcast::test::TempDir;
#include "benchmark_fixtures.hpp"

using namespace talentcast::test::benchmark;

TEST_CASE("without uncertainty a salary's percentile is the lognormal's closed form",
          "[benchmark]") {
  auto scenario = config::load_scenario(payroll_data() / "market.toml");
  // Wages now respond to the tight market, deterministically (no shocks, no distributions).
  scenario.roles[0].params[static_cast<std::size_t>(models::RoleParam::wage_response)] =
      models::Parameter(0.1);
  const auto forecast = run_with_bands(scenario, 40, 40);
  REQUIRE(forecast.bands);
  const formats::BandStore& store = *forecast.bands;
  CHECK(store.samples == 40);
  const int llm = store.find("llm", ""), senior = store.find("llm", "senior");
  REQUIRE(llm >= 0);
  REQUIRE(senior >= 0);
  for (std::size_t t : {std::size_t{0}, std::size_t{3}, std::size_t{7}}) {
    const double median = forecast.at("llm", store.periods[t], "salary_median").mean;
    CHECK(forecast.at("llm", store.periods[t], "salary_median").sd == 0.0);
    for (double x : {30000.0, 50000.0, 61000.0, 90000.0}) {
      // float32 storage of the log median: within 1e-4 percentile points.
      const auto s = studies::standing(store, static_cast<std::size_t>(llm), t, x);
      CHECK(s.percentile == Approx(100 * phi(std::log(x / median) / 0.4)).margin(1e-4));
      CHECK(s.p10 == Approx(s.percentile).margin(1e-9));
      CHECK(s.p90 == Approx(s.percentile).margin(1e-9));
      const auto level = studies::standing(store, static_cast<std::size_t>(senior), t, x);
      CHECK(level.percentile == Approx(100 * phi(std::log(x / (1.5 * median)) / 0.3)).margin(1e-4));
    }
    for (double q : studies::kMarketPercentiles) {
      const auto m = studies::market_salary(store, static_cast<std::size_t>(llm), t, q);
      CHECK(m.salary ==
            Approx(median * std::exp(0.4 * boost::math::quantile(kStandard, q))).epsilon(1e-6));
    }
  }
  // Periods by label, by a coarser date (its last period), and outside the run.
  CHECK(studies::find_period(store, "2025-Q2") == std::size_t{5});
  CHECK(studies::find_period(store, "2025") == std::size_t{7});
  CHECK(studies::find_period(store, "2024-08") == std::size_t{2});
  CHECK_FALSE(studies::find_period(store, "2026"));
  CHECK_FALSE(studies::find_period(store, "2023-Q4"));
  CHECK_FALSE(studies::find_period(store, "soon"));
}

TEST_CASE("a band from few salaries is less certain than one from many", "[benchmark][fit]") {
  TempDir dir;
  std::vector<double> widths;
  for (std::size_t n : {30, 300, 3000}) {
    const std::string name = fmt::format("pay{}.csv", n);
    dir.write(name, salary_csv(n));
    const auto scenario = config::load_scenario(dir.write("s.toml", fitted_scenario(name)));
    REQUIRE(scenario.roles[0].band);
    const auto& fit = scenario.roles[0].band->fit;
    CHECK(fit.median() == Approx(60000).epsilon(0.002));
    const auto forecast = run_with_bands(scenario, 4000, 4000);
    const formats::BandStore& store = *forecast.bands;
    // The paths' log medians have the marginal sd of mu: s sqrt(nu / (nu - 2) / n).
    const auto mu = store.ln_medians(0, 0);
    double mean = 0, squares = 0;
    for (float m : mu) mean += m;
    mean /= static_cast<double>(mu.size());
    for (float m : mu) squares += (m - mean) * (m - mean);
    const double sd = std::sqrt(squares / static_cast<double>(mu.size() - 1));
    const double nu = static_cast<double>(n) - 1.0;
    const double expected = fit.log_sd * std::sqrt(nu / (nu - 2.0) / static_cast<double>(n));
    // Relative standard error of a sample sd from 4000 draws: below 2%; 4 of them allowed.
    CHECK(sd == Approx(expected).epsilon(0.08));
    CHECK(mean == Approx(fit.log_mean).margin(4 * expected / std::sqrt(4000.0)));
    const auto s = studies::standing(store, 0, 0, 60000.0);
    CHECK(s.percentile == Approx(50).margin(4 * s.mcse + 0.5));
    widths.push_back(s.p90 - s.p10);
  }
  // Widths fall as 1 / sqrt(n): a factor sqrt(10) per step, within sampling error.
  CHECK(widths[0] > widths[1]);
  CHECK(widths[1] > widths[2]);
  CHECK(widths[0] / widths[1] == Approx(std::sqrt(10.0)).epsilon(0.2));
  CHECK(widths[1] / widths[2] == Approx(std::sqrt(10.0)).epsilon(0.2));
}

TEST_CASE("a payroll's percentiles agree with the single-salary benchmark", "[benchmark]") {
  // A market with uncertainty: the payroll's tabulated curves against direct computation.
  TempDir dir;
  dir.write("pay.csv", salary_csv(40));
  auto scenario = config::load_scenario(dir.write("s.toml", fitted_scenario("pay.csv")));
  scenario.roles[0].params[static_cast<std::size_t>(models::RoleParam::wage_vol)] =
      models::Parameter(0.1);
  const auto forecast = run_with_bands(scenario, 1000, 1000);
  const formats::BandStore& store = *forecast.bands;
  formats::Payroll payroll;
  for (int i = 0; i < 200; ++i) {
    payroll.add(fmt::format("E{}", i), 0, 20000.0 * std::pow(1.02, i));
  }
  const auto result = studies::benchmark_payroll(store, payroll, 0, 3, 2);
  double worst_mean = 0.0, worst_interval = 0.0;
  for (std::size_t i = 0; i < payroll.employees.size(); ++i) {
    const double x = payroll.employees[i].salary;
    for (const auto& [t, got] : {std::pair{std::size_t{0}, result.employees[i].now},
                                 std::pair{std::size_t{3}, result.employees[i].horizon}}) {
      const auto exact = studies::standing(store, 0, t, x);
      worst_mean = std::max(worst_mean, std::abs(got.percentile - exact.percentile));
      worst_interval =
          std::max({worst_interval, std::abs(got.p10 - exact.p10), std::abs(got.p90 - exact.p90)});
    }
  }
  // The documented accuracy, in percentile points: the interval's ends are quantiles across
  // paths, with kinks where paths cross, and their own Monte Carlo error is larger still.
  CHECK(worst_mean < 0.01);
  CHECK(worst_interval < 0.1);
  const auto one_thread = studies::benchmark_payroll(store, payroll, 0, 3, 1);
  CHECK(formats::employees_csv(store, payroll, one_thread) ==
        formats::employees_csv(store, payroll, result));
}

TEST_CASE("the central projection's store says it has no intervals", "[benchmark][cli]") {
  TempDir dir;
  REQUIRE(run_talentcast(fmt::format("run {} --central --out run --quiet",
                                     (payroll_data() / "market.toml").string()),
                         dir.path())
              .exit_code == 0);
  CHECK(read_file(dir.path() / "run" / "bands.json").find("\"central\": true") !=
        std::string::npos);
  const auto r = run_talentcast("benchmark run --role llm --salary 50000", dir.path());
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("the central projection (one path, every distribution at its median): no "
                   "intervals") != std::string::npos);
  CHECK(r.out.find("2024-Q1  50.0 [50.0, 50.0]") != std::string::npos);
}

TEST_CASE("the band store is the same for any thread count, and bounded in paths",
          "[benchmark][determinism][cli]") {
  TempDir dir;
  const std::string scenario = (payroll_data() / "market.toml").string();
  dir.write("pay.csv", salary_csv(50));
  const auto fitted = dir.write("fitted.toml", fitted_scenario("pay.csv"));
  for (const std::string& s : {scenario, fitted.string()}) {
    REQUIRE(
        run_talentcast("run " + s + " --paths 700 --band-samples 300 -j 1 -q --out a", dir.path())
            .exit_code == 0);
    REQUIRE(
        run_talentcast("run " + s + " --paths 700 --band-samples 300 -j 2 -q --out b", dir.path())
            .exit_code == 0);
    CHECK(read_file(dir.path() / "a" / "bands.bin") == read_file(dir.path() / "b" / "bands.bin"));
    CHECK(read_file(dir.path() / "a" / "bands.json") == read_file(dir.path() / "b" / "bands.json"));
  }
  // More paths, the same store size: it keeps the first --band-samples paths.
  REQUIRE(run_talentcast("run " + fitted.string() + " --paths 3000 --band-samples 300 -q --out c",
                         dir.path())
              .exit_code == 0);
  CHECK(fs::file_size(dir.path() / "c" / "bands.bin") ==
        fs::file_size(dir.path() / "b" / "bands.bin"));
  // The first paths are the same paths whatever the run's size.
  CHECK(read_file(dir.path() / "c" / "bands.bin") == read_file(dir.path() / "b" / "bands.bin"));
  const std::string manifest = read_file(dir.path() / "c" / "manifest.json");
  CHECK(manifest.find("\"band_fits\"") != std::string::npos);
  CHECK(manifest.find("\"series\": \"llm\"") != std::string::npos);
  CHECK(manifest.find("\"samples\": 300") != std::string::npos);
}

TEST_CASE("a poor lognormal fit is warned about, recorded, and does not stop the run",
          "[benchmark][fit][cli]") {
  TempDir dir;
  // Two pay scales, 20,000 and 80,000, half and half: not one lognormal.
  std::string csv = "role,salary\n";
  for (int i = 0; i < 200; ++i) {
    const double z = boost::math::quantile(kStandard, (i + 0.5) / 200.0);
    csv += fmt::format("llm,{:.0f}\nllm,{:.0f}\n", 20000 * std::exp(0.05 * z),
                       80000 * std::exp(0.05 * z));
  }
  dir.write("bimodal.csv", csv);
  dir.write("s.toml", fitted_scenario("bimodal.csv"));
  const auto run = run_talentcast("run s.toml --paths 300 --out out -q", dir.path());
  CHECK(run.exit_code == 0);
  CHECK(run.err.rfind("talentcast: warning: bimodal.csv: the lognormal band of role 'llm' fits "
                      "its salaries poorly (Kolmogorov-Smirnov D = ",
                      0) == 0);
  const std::string manifest = read_file(dir.path() / "out" / "manifest.json");
  CHECK(manifest.find("\"poor_fit\": true") != std::string::npos);
  CHECK(manifest.find("\"warnings\": [\n  \"bimodal.csv: the lognormal band") != std::string::npos);
  const auto validate = run_talentcast("validate s.toml", dir.path());
  CHECK(validate.exit_code == 0);
  CHECK(validate.out.find("poor fit") != std::string::npos);
}
