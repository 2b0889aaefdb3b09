// Calibration from history (studies/calibration.hpp, docs/calibration.md): the estimators'
// closed forms, recovery of known parameters from histories drawn from the model, breaks, and
// the history file's errors.
#include <fmt/core.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "support.hpp"
#include "talentcast/config/history.hpp"
#include "talentcast/config/scenario_document.hpp"
#include "talentcast/io/diagnostic.hpp"
#include "talentcast/studies/calibration.hpp"
#include "talentcast/studies/forecast.hpp"

namespace config = talentcast::config;
namespace studies = talentcast::studies;
using talentcast::test::TempDir;
using Series = config::SeriesBreak::Series;
using Action = config::SeriesBreak::Action;

namespace {

config::History history_of(const std::vector<double>& employment, int first_year = 2000) {
  config::History h;
  h.month = 5;
  for (std::size_t i = 0; i < employment.size(); ++i) {
    config::HistoryRow row;
    row.year = first_year + static_cast<int>(i);
    row.line = static_cast<int>(i) + 2;
    row.employment = employment[i];
    row.median = 50000.0 * std::exp(0.03 * static_cast<double>(i));
    row.source = "test";
    h.rows.push_back(row);
  }
  return h;
}

// The world drawn from (tests/support.hpp), with its known parameters.
const talentcast::test::KnownWorld kWorld;
const double kGrowth = kWorld.growth, kDemandVol = kWorld.demand_vol, kDrift = kWorld.drift,
             kWageVol = kWorld.wage_vol, kBand = kWorld.band;

double mean(const std::vector<double>& x) {
  return std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.size());
}
double sd(const std::vector<double>& x) {
  const double m = mean(x);
  double s = 0.0;
  for (const double v : x) s += (v - m) * (v - m);
  return std::sqrt(s / static_cast<double>(x.size() - 1));
}

}  // namespace

TEST_CASE("the random walk's drift and volatility have their closed forms", "[calibration]") {
  // Changes 0.1, 0.3, 0.2, 0.2: drift 0.2, residuals -0.1, 0.1, 0, 0 with nu = 3.
  const auto h = history_of({100.0, 100.0 * std::exp(0.1), 100.0 * std::exp(0.4),
                             100.0 * std::exp(0.6), 100.0 * std::exp(0.8)});
  const auto fit = studies::fit_drift(studies::log_series(h, Series::employment, {}));
  REQUIRE(fit);
  CHECK(fit->changes == 4);
  CHECK(fit->drift == Approx(0.2));
  CHECK(fit->vol == Approx(std::sqrt(0.02 / 3.0)));
  CHECK(fit->drift_se == Approx(std::sqrt(0.02 / 3.0) / 2.0));
  CHECK(fit->vol_se == Approx(std::sqrt(0.02 / 3.0) / std::sqrt(6.0)));
  // A skipped year joins the changes around it into one over two years, weighted as such.
  const auto skipped = studies::fit_drift(
      studies::log_series(h, Series::employment, {{2002, Series::both, Action::skip}}));
  REQUIRE(skipped);
  CHECK(skipped->changes == 3);
  CHECK(skipped->years == 4.0);
  CHECK(skipped->drift == Approx(0.2));
  // Residuals -0.1 (one year), 0.5 - 0.4 (two years), 0: (0.01 + 0.01 / 2) over nu = 2.
  CHECK(skipped->vol == Approx(std::sqrt(0.0075)));
  // Too few changes: none.
  CHECK_FALSE(
      studies::fit_drift(studies::log_series(history_of({1.0, 2.0, 3.0}), Series::employment, {})));
}

TEST_CASE("an adjusted break moves the earlier values to the new basis", "[calibration]") {
  // Changes alternate 0.04 and 0.06 (drift 0.05); from 2006 the series is measured 20% higher.
  std::vector<double> e{1000.0};
  for (int i = 1; i <= 10; ++i) e.push_back(e.back() * std::exp(i % 2 ? 0.04 : 0.06));
  for (std::size_t i = 6; i < e.size(); ++i) e[i] *= 1.2;
  const auto h = history_of(e);
  const auto raw = studies::fit_drift(studies::log_series(h, Series::employment, {}));
  const auto series =
      studies::log_series(h, Series::employment, {{2006, Series::employment, Action::adjust}});
  const auto adjusted = studies::fit_drift(series);
  REQUIRE(raw);
  REQUIRE(adjusted);
  CHECK(raw->drift > 0.06);  // the jump read as growth
  // The fit of the other nine changes: five of 0.04 and four of 0.06.
  const double drift = (5 * 0.04 + 4 * 0.06) / 9.0;
  const double vol =
      std::sqrt((5 * std::pow(0.04 - drift, 2) + 4 * std::pow(0.06 - drift, 2)) / 8.0);
  CHECK(adjusted->changes == 9);
  CHECK(adjusted->drift == Approx(drift));
  CHECK(adjusted->vol == Approx(vol));
  // Values from the break on are as observed; the change across it is the drift.
  for (std::size_t i = 6; i < e.size(); ++i) CHECK(std::exp(series.logs[i]) == Approx(e[i]));
  CHECK(series.logs[6] - series.logs[5] == Approx(drift));
  // A break of the other series changes nothing here.
  const auto other = studies::fit_drift(
      studies::log_series(h, Series::employment, {{2006, Series::median, Action::adjust}}));
  CHECK(other->drift == raw->drift);
}

TEST_CASE("the band's log-sd from lognormal percentiles is exact", "[calibration]") {
  config::HistoryRow row;
  row.median = 80000.0;
  const double z10 = 1.2815515655446004, z25 = 0.6744897501960817;
  row.p10 = 80000.0 * std::exp(-0.45 * z10);
  row.p25 = 80000.0 * std::exp(-0.45 * z25);
  row.p75 = 80000.0 * std::exp(0.45 * z25);
  row.p90 = 80000.0 * std::exp(0.45 * z10);
  const auto fit = studies::fit_band_sigma(row);
  REQUIRE(fit);
  CHECK(fit->percentiles == 4);
  CHECK(fit->sigma == Approx(0.45).epsilon(1e-12));
  CHECK(fit->se == Approx(0.0).margin(1e-12));
  // Skewed percentiles: the least-squares slope, with the residuals' standard error.
  row.p10 = 80000.0 * std::exp(-0.6 * z10);
  const auto skewed = studies::fit_band_sigma(row);
  const double zz = 2 * z10 * z10 + 2 * z25 * z25;
  const double slope = (0.6 * z10 * z10 + 0.45 * (z10 * z10 + 2 * z25 * z25)) / zz;
  CHECK(skewed->sigma == Approx(slope));
  CHECK(skewed->se > 0.0);
  row.p10.reset();
  row.p25.reset();
  row.p75.reset();
  row.p90.reset();
  CHECK_FALSE(studies::fit_band_sigma(row));
}

TEST_CASE("calibrate recovers the model's parameters within their standard errors",
          "[calibration][statistical]") {
  // 400 histories of 30 years drawn from the model with known parameters, each calibrated. Each
  // estimate's error in units of its standard error follows a known law: for a drift, a t with
  // nu = 28 degrees of freedom (mean 0, sd sqrt(nu / (nu - 2))); for a volatility,
  // sqrt(2 nu) (1 - sqrt(nu / X)) with X chi-squared(nu) (the standard error scales with the
  // estimate itself). The mean and sd of the 400 errors must match the law's within 3 standard
  // errors of a mean (sd / sqrt(400)) and of an sd. An sd's standard error is
  // sd sqrt((kurtosis - 1) / 4n): sd / sqrt(2n) times sqrt((kurtosis - 1) / 2), which is 1.06
  // for the t (kurtosis 3.25) and 1.23 for the volatility's law (kurtosis 4.04, by simulation of
  // its chi-squared); 1.3 covers both.
  TempDir dir;
  const auto file = dir.write("known.toml", kWorld.toml());
  const config::ScenarioDocument base(file);
  studies::ForecastSettings settings;
  settings.paths = 400;
  settings.seed = 7;
  settings.keep = {"employed",   "salary_median", "salary_p10",
                   "salary_p25", "salary_p75",    "salary_p90"};
  const auto forecast = studies::run_forecast(base.scenario(), settings);
  REQUIRE(forecast.kept);
  const auto& kept = *forecast.kept;
  const std::size_t metrics = kept.metrics.size(), periods = kept.periods.size();
  std::vector<double> z_growth, z_vol, z_drift, z_wage_vol;
  for (std::size_t p = 0; p < settings.paths; ++p) {
    config::History h;
    h.month = 5;
    for (std::size_t t = 0; t < periods; ++t) {
      if (!kept.periods[t].ends_with("-05")) continue;
      const auto at = [&](std::size_t m) { return kept.values[(p * metrics + m) * periods + t]; };
      config::HistoryRow row;
      row.year = std::stoi(kept.periods[t].substr(0, 4));
      row.line = static_cast<int>(h.rows.size()) + 2;
      row.employment = at(0);
      row.median = at(1);
      row.p10 = at(2);
      row.p25 = at(3);
      row.p75 = at(4);
      row.p90 = at(5);
      row.source = "the model";
      h.rows.push_back(row);
    }
    REQUIRE(h.rows.size() == 30);
    studies::CalibrationOptions options;
    options.role = "r";
    options.through = 2030;
    const auto c = studies::calibrate(h, base, options);
    const auto z = [](studies::Estimate e, double truth) { return (e.value - truth) / e.se; };
    z_growth.push_back(z(c.demand_growth, kGrowth));
    z_vol.push_back(z(c.demand_vol, kDemandVol));
    z_drift.push_back(z(c.wage_drift, kDrift));
    z_wage_vol.push_back(z(c.wage_vol, kWageVol));
    REQUIRE(c.band_sigma);
    CHECK(c.band_sigma->value == Approx(kBand).epsilon(1e-9));
    CHECK(c.start_employment == h.rows.back().employment);
  }
  const double nu = 28.0;
  const double t_sd = std::sqrt(nu / (nu - 2.0));
  // E sqrt(nu / X) = sqrt(nu / 2) Gamma((nu - 1) / 2) / Gamma(nu / 2); E nu / X = nu / (nu - 2).
  const double m1 = std::sqrt(nu / 2.0) * std::exp(std::lgamma((nu - 1) / 2) - std::lgamma(nu / 2));
  const double vol_mean = std::sqrt(2 * nu) * (1 - m1);
  const double vol_sd = std::sqrt(2 * nu * (nu / (nu - 2) - m1 * m1));
  struct Law {
    const char* name;
    const std::vector<double>* z;
    double mean, sd;
  };
  const double n = static_cast<double>(settings.paths);
  for (const Law& law :
       {Law{"demand_growth", &z_growth, 0.0, t_sd}, Law{"demand_vol", &z_vol, vol_mean, vol_sd},
        Law{"wage_drift", &z_drift, 0.0, t_sd}, Law{"wage_vol", &z_wage_vol, vol_mean, vol_sd}}) {
    INFO(law.name << ": mean " << mean(*law.z) << " (law " << law.mean << "), sd " << sd(*law.z)
                  << " (law " << law.sd << ")");
    CHECK(std::abs(mean(*law.z) - law.mean) < 3 * law.sd / std::sqrt(n));
    CHECK(std::abs(sd(*law.z) - law.sd) < 3 * 1.3 * law.sd / std::sqrt(2 * (n - 1)));
  }
}
