// Statistical checks against closed forms, with tolerances from Monte Carlo standard errors.
#include <fmt/core.h>

#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/normal.hpp>
#include <catch2/catch.hpp>
#include <cmath>

#include "support.hpp"
#include "talentcast/config/scenario_loader.hpp"
#include "talentcast/models/labour_market.hpp"
#include "talentcast/studies/forecast.hpp"

using namespace talentcast;

namespace {

// One role whose demand follows geometric Brownian motion: with demand_elasticity 0, nothing
// else feeds back into demand.
std::string one_role(const std::string& extra_defaults, const std::string& extra = "",
                     const std::string& top = "") {
  return fmt::format(R"({}
currency = "CNY"
salary_unit = "month"
start = "2024"
step = "year"
horizon_years = 2
[defaults]
attrition = 0.15
seeker_exit = 2.0
demand_growth = 0.08
matching_efficiency = 5.0
matching_elasticity = 0.5
neutral_ratio = 1.0
wage_response = 0.1
band_sigma = 0.36
{}
[roles.r]
employed = 10000
openings = 2000
ratio = 0.5
salary = 40000
{}
)",
                     top, extra_defaults, extra);
}

// Every path's outputs, computed block by block through the model's own workers.
std::vector<std::vector<double>> per_path(const models::LabourMarketModel& model,
                                          std::uint64_t paths) {
  auto worker = model.make_worker();
  std::vector<double> block(model.outputs_per_path() * core::kBlockPaths);
  std::vector<std::vector<double>> values(paths);
  for (std::uint64_t first = 0; first < paths; first += core::kBlockPaths) {
    const auto count =
        static_cast<std::size_t>(std::min<std::uint64_t>(core::kBlockPaths, paths - first));
    worker->simulate(first, count, block);
    for (std::size_t i = 0; i < count; ++i) {
      auto& path = values[first + i];
      path.resize(model.outputs_per_path());
      for (std::size_t v = 0; v < path.size(); ++v) path[v] = block[v * core::kBlockPaths + i];
    }
  }
  return values;
}

// Checks a forecast row against a lognormal(mu, sigma): the mean within 5 Monte Carlo
// standard errors, and each percentile within 5 standard errors of a sample quantile,
// sqrt(p (1 - p) / P) / f(x_p), plus the sketch's documented 0.39%.
void check_lognormal(const core::Summary& s, double mu, double sigma, std::uint64_t paths) {
  const boost::math::lognormal reference(mu, sigma);
  CHECK(std::abs(s.mean - boost::math::mean(reference)) < 5 * s.mcse);
  CHECK(s.sd == Approx(boost::math::standard_deviation(reference)).epsilon(0.05));
  for (std::size_t i = 0; i < core::kPercentiles.size(); ++i) {
    const double p = core::kPercentiles[i] / 100.0;
    const double x = boost::math::quantile(reference, p);
    const double se =
        std::sqrt(p * (1 - p) / static_cast<double>(paths)) / boost::math::pdf(reference, x);
    INFO("p = " << p << ": closed form " << x << ", forecast " << s.percentiles[i] << ", se "
                << se);
    CHECK(std::abs(s.percentiles[i] - x) < 5 * se + 0x1p-8 * x);
  }
}

}  // namespace

TEST_CASE("pure demand noise gives lognormal demand with known quantiles", "[model][statistics]") {
  test::TempDir dir;
  const auto scenario = config::load_scenario(dir.write("gbm.toml", one_role("demand_vol = 0.25")));
  studies::ForecastSettings settings;
  settings.paths = 20000;
  settings.seed = 5;
  const auto forecast = studies::run_forecast(scenario, settings);
  // ln D_T ~ N(ln D0 + (g - s^2 / 2) T, s^2 T) at the end of each year T = 1, 2.
  for (int year = 1; year <= 2; ++year) {
    const double T = year;
    INFO("year " << year);
    check_lognormal(forecast.at("r", std::to_string(2023 + year), "demand"),
                    std::log(12000.0) + (0.08 - 0.5 * 0.25 * 0.25) * T, 0.25 * std::sqrt(T),
                    settings.paths);
  }
}

TEST_CASE("wage noise without a wage response gives lognormal salaries", "[model][statistics]") {
  test::TempDir dir;
  const auto scenario = config::load_scenario(dir.write(
      "wage.toml", one_role("wage_vol = 0.15\nwage_drift = 0.04", "wage_response = 0.0")));
  studies::ForecastSettings settings;
  settings.paths = 20000;
  const auto forecast = studies::run_forecast(scenario, settings);
  // ln W_T = ln W0 + pi T + sW B_T exactly when beta = betaD = 0.
  check_lognormal(forecast.at("r", "2025", "salary_median"), std::log(40000.0) + 0.04 * 2.0,
                  0.15 * std::sqrt(2.0), settings.paths);
}

TEST_CASE("salary bands are exact lognormal percentiles of each path's median",
          "[model][statistics]") {
  test::TempDir dir;
  const auto scenario =
      config::load_scenario(dir.write("band.toml", one_role("wage_vol = 0.2\ndemand_vol = 0.2")));
  const models::LabourMarketModel model(scenario, {3, false});
  const auto& layout = model.layout();
  for (std::uint64_t path : {0u, 1u, 77u, 1000u}) {
    const auto values = model.replay(path);
    for (std::size_t period = 0; period < layout.periods(); ++period) {
      const double median = values[layout.index(0, period, models::Metric::salary_median)];
      for (const auto& [p, metric] : models::kBandPercentiles) {
        const double z = boost::math::quantile(boost::math::normal(), p);
        CHECK(values[layout.index(0, period, metric)] ==
              Approx(median * std::exp(0.36 * z)).epsilon(1e-14));
      }
    }
  }
}

TEST_CASE("correlated demand shocks have the requested correlation", "[model][statistics]") {
  test::TempDir dir;
  const std::string two_roles = one_role("demand_vol = 0.3", R"(
[roles.s]
employed = 5000
openings = 1000
ratio = 0.5
salary = 30000
[correlation]
demand = 0.6
)");
  const auto scenario = config::load_scenario(dir.write("corr.toml", two_roles));
  const models::LabourMarketModel model(scenario, {9, false});
  const std::uint64_t paths = 4000;
  const auto values = per_path(model, paths);
  // Log demand after one year is (g - s^2/2) + s B_1 per role; its correlation across roles is
  // the shock correlation. The sample correlation's standard error is (1 - rho^2) / sqrt(P).
  const auto& layout = model.layout();
  double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  for (const auto& path : values) {
    const double x = std::log(path[layout.index(0, 0, models::Metric::demand)]);
    const double y = std::log(path[layout.index(1, 0, models::Metric::demand)]);
    sx += x;
    sy += y;
    sxx += x * x;
    syy += y * y;
    sxy += x * y;
  }
  const double n = static_cast<double>(paths);
  const double cov = sxy / n - sx / n * sy / n;
  const double corr = cov / std::sqrt((sxx / n - sx / n * sx / n) * (syy / n - sy / n * sy / n));
  CHECK(std::abs(corr - 0.6) < 5 * (1 - 0.36) / std::sqrt(n));
}

TEST_CASE("regimes switch at their annual rates, and the initial regime holds in month 0",
          "[model][statistics]") {
  test::TempDir dir;
  // No demand noise: demand after month k is D0 exp(g (k + 1) dt + G dt * months in boom), and
  // it keeps its all-boom value only if the chain never left "boom" in months 1..11, which
  // happens with probability exp(-lambda dt 11).
  const std::string text = one_role("", R"(
[regimes.boom]
growth_add = 0.5
rates = { normal = 1.2 }
[regimes.normal]
)",
                                    R"(initial_regime = "boom")");
  const auto scenario = config::load_scenario(dir.write("regime.toml", text));
  const models::LabourMarketModel model(scenario, {21, false});
  const std::uint64_t paths = 20000;
  const auto values = per_path(model, paths);
  const double all_boom = 12000.0 * std::exp((0.08 + 0.5) * 1.0);
  const double left_in_month_1 = 12000.0 * std::exp(0.08 + 0.5 / 12.0);  // left in month 1
  double stayed = 0, left_at_once = 0;
  for (const auto& path : values) {
    const double demand = path[model.layout().index(0, 0, models::Metric::demand)];
    if (std::abs(demand / all_boom - 1) < 1e-12) ++stayed;
    if (std::abs(demand / left_in_month_1 - 1) < 1e-12) ++left_at_once;
    CHECK(demand >= left_in_month_1 * (1 - 1e-12));  // month 0 is always in the initial regime
  }
  const double dt = 1.0 / 12.0;
  const double p_stay = std::exp(-1.2 * dt * 11);
  const double p_first = 1 - std::exp(-1.2 * dt);
  const double n = static_cast<double>(paths);
  CHECK(std::abs(stayed / n - p_stay) < 5 * std::sqrt(p_stay * (1 - p_stay) / n));
  CHECK(std::abs(left_at_once / n - p_first) < 5 * std::sqrt(p_first * (1 - p_first) / n));
}
