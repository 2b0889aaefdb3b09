// The scores a backtest gives a forecast (core/scoring.hpp, docs/backtest.md#scores).
#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <vector>

#include "talentcast/core/scoring.hpp"

namespace core = talentcast::core;

namespace {

// The CRPS by its definition, the integral of (F(x) - 1{x >= y})^2 over x, by quadrature.
double crps_by_integral(double mean, double sd, double y) {
  const boost::math::normal_distribution<double> normal(mean, sd);
  const auto below = [&](double x) { return std::pow(boost::math::cdf(normal, x), 2); };
  const auto above = [&](double x) { return std::pow(1.0 - boost::math::cdf(normal, x), 2); };
  using Quadrature = boost::math::quadrature::gauss_kronrod<double, 61>;
  return Quadrature::integrate(below, -std::numeric_limits<double>::infinity(), y, 15, 1e-12) +
         Quadrature::integrate(above, y, std::numeric_limits<double>::infinity(), 15, 1e-12);
}

}  // namespace

TEST_CASE("the CRPS of a normal forecast equals its defining integral", "[scoring]") {
  for (const auto& [mean, sd, y] : std::vector<std::tuple<double, double, double>>{
           {0.0, 1.0, 0.0}, {0.0, 1.0, 1.5}, {2.0, 0.5, -1.0}, {100.0, 20.0, 130.0}}) {
    INFO(mean << " " << sd << " " << y);
    CHECK(core::crps_normal(mean, sd, y) == Approx(crps_by_integral(mean, sd, y)).epsilon(1e-9));
  }
  // At the mean it is sd (sqrt(2) - 1) / sqrt(pi); far away it tends to |y - mean|.
  CHECK(core::crps_normal(0.0, 1.0, 0.0) == Approx((std::sqrt(2.0) - 1.0) / std::sqrt(M_PI)));
  CHECK(core::crps_normal(0.0, 1.0, 40.0) == Approx(40.0 - 1.0 / std::sqrt(M_PI)));
}

TEST_CASE("the CRPS of a sample of a normal matches the closed form within its error",
          "[scoring]") {
  std::mt19937_64 random(2026);
  std::normal_distribution<double> normal(1.0, 2.0);
  const std::size_t n = 20000;
  std::vector<double> sample(n);
  for (double& x : sample) x = normal(random);
  std::sort(sample.begin(), sample.end());
  for (const double y : {1.0, -2.0, 6.0}) {
    // The sample's CRPS is biased by E|X - X'| / (2n) (the empirical distribution's own spread
    // counts each point against itself) and varies with the sample by O(sd / sqrt(n)): 5 sd /
    // sqrt(n) bounds both with room.
    const double tolerance = 5.0 * 2.0 / std::sqrt(static_cast<double>(n));
    INFO(y);
    CHECK(std::abs(core::crps_sample(sample, y) - core::crps_normal(1.0, 2.0, y)) < tolerance);
  }
}

TEST_CASE("the CRPS of a sample equals its definition's double sum", "[scoring]") {
  const std::vector<double> sorted{-1.0, 0.5, 0.5, 2.0, 7.0};
  for (const double y : {-3.0, 0.5, 1.0, 10.0}) {
    double to_outcome = 0.0, spread = 0.0;
    for (const double x : sorted) {
      to_outcome += std::abs(x - y);
      for (const double z : sorted) spread += std::abs(x - z);
    }
    const double n = static_cast<double>(sorted.size());
    CHECK(core::crps_sample(sorted, y) == Approx(to_outcome / n - spread / (2.0 * n * n)));
  }
  // A one-point forecast scores the absolute error.
  CHECK(core::crps_sample(std::vector<double>{3.0}, 5.5) == 2.5);
}

TEST_CASE("central intervals of a sample and of a normal", "[scoring]") {
  std::vector<double> sorted(101);
  for (std::size_t i = 0; i < sorted.size(); ++i) sorted[i] = static_cast<double>(i);
  const core::Interval eighty = core::sample_interval(sorted, 0.8);
  CHECK(eighty.low == Approx(10.0));
  CHECK(eighty.high == Approx(90.0));
  CHECK(eighty.covers(10.0));
  CHECK_FALSE(eighty.covers(90.5));
  const core::Interval normal = core::normal_interval(5.0, 2.0, 0.9);
  CHECK(normal.low == Approx(5.0 - 1.6448536269514722 * 2.0));
  CHECK(normal.high == Approx(5.0 + 1.6448536269514722 * 2.0));
}
