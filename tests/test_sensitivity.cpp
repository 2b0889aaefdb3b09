// Sensitivity estimators against closed forms: the Ishigami function's Sobol indices (a = 7,
// b = 0.1) within their bootstrap confidence intervals, and Morris effects of a function with
// known elementary effects.
#include <catch2/catch.hpp>
#include <cmath>
#include <numbers>

#include "talentcast/core/design.hpp"
#include "talentcast/core/sensitivity.hpp"

using namespace talentcast::core;

TEST_CASE("Sobol indices of the Ishigami function match the closed form", "[sensitivity]") {
  const double a = 7.0, b = 0.1, pi = std::numbers::pi;
  const double v1 = 0.5 * std::pow(1.0 + b * std::pow(pi, 4) / 5.0, 2);
  const double v2 = a * a / 8.0;
  const double v13 = 8.0 * b * b * std::pow(pi, 8) / 225.0;
  const double v = v1 + v2 + v13;
  const double first[3] = {v1 / v, v2 / v, 0.0};
  const double total[3] = {(v1 + v13) / v, v2 / v, v13 / v};
  CHECK(first[0] == Approx(0.3139).margin(1e-4));
  CHECK(total[2] == Approx(0.2437).margin(1e-4));

  const std::size_t n = 4096, d = 3;
  const Design design = saltelli(n, d, 11);
  std::vector<double> y(design.points());
  for (std::size_t i = 0; i < design.points(); ++i) {
    const double x1 = -pi + 2 * pi * design.at(i, 0), x2 = -pi + 2 * pi * design.at(i, 1),
                 x3 = -pi + 2 * pi * design.at(i, 2);
    y[i] = std::sin(x1) + a * std::pow(std::sin(x2), 2) + b * std::pow(x3, 4) * std::sin(x1);
  }
  const SobolIndices s = sobol_indices(y, n, d, 1000, 0.95, 3);
  CHECK(s.variance == Approx(v).epsilon(0.05));
  for (std::size_t i = 0; i < d; ++i) {
    INFO("parameter " << i << ": S = " << s.first[i].value << " [" << s.first[i].low << ", "
                      << s.first[i].high << "], ST = " << s.total[i].value << " [" << s.total[i].low
                      << ", " << s.total[i].high << "]");
    CHECK(s.first[i].low <= first[i]);
    CHECK(first[i] <= s.first[i].high);
    CHECK(s.total[i].low <= total[i]);
    CHECK(total[i] <= s.total[i].high);
    // The intervals are informative, not vacuous.
    CHECK(s.first[i].high - s.first[i].low < 0.1);
    CHECK(s.total[i].high - s.total[i].low < 0.1);
  }
}

TEST_CASE("Morris effects of a function with known elementary effects", "[sensitivity]") {
  // y = 3 x0 - 2 x1 + x0 x2: x0's effect is 3 + x2 (varies), x1's is -2 (constant), x2's is x0.
  const std::size_t r = 50, d = 3;
  const Design design = morris(r, d, 4, 5);
  std::vector<double> y(design.points());
  for (std::size_t i = 0; i < y.size(); ++i) {
    y[i] = 3 * design.at(i, 0) - 2 * design.at(i, 1) + design.at(i, 0) * design.at(i, 2);
  }
  const MorrisEffects m = morris_effects(y, design, r);
  CHECK(m.mu[1] == Approx(-2.0));
  CHECK(m.mu_star[1] == Approx(2.0));
  CHECK(m.sigma[1] == Approx(0.0).margin(1e-12));
  CHECK(m.mu_star[0] > 3.0);
  CHECK(m.mu_star[0] < 4.0);
  CHECK(m.sigma[0] > 0.0);
  CHECK(m.mu_star[2] > 0.0);
  CHECK(m.mu_star[2] < 1.0);
}

TEST_CASE("parameters are ranked by an index only where their intervals allow", "[sensitivity]") {
  using talentcast::core::Estimate;
  using talentcast::core::rank_by;
  using Pairs = std::vector<std::pair<std::size_t, std::size_t>>;
  // Apart: ranked 1, 2, 0, whatever the order given.
  std::vector<Estimate> index{{0.1, 0.05, 0.15}, {0.6, 0.5, 0.7}, {0.3, 0.2, 0.4}};
  auto r = rank_by(index);
  CHECK(r.order == std::vector<std::size_t>{1, 2, 0});
  CHECK(r.supported());
  // Overlapping neighbours are named, above first; a pair apart is not.
  index[2] = {0.45, 0.3, 0.55};
  r = rank_by(index);
  CHECK(r.unresolved == Pairs{{1, 2}});
  // Intervals touching at one end overlap.
  index[2] = {0.45, 0.16, 0.5};
  CHECK(rank_by(index).unresolved == Pairs{{1, 2}});
  // Two parameters that do not matter need no order; one that may matter does.
  index = {{0.8, 0.7, 0.9}, {0.01, -0.02, 0.04}, {0.02, 0.0, 0.03}};
  CHECK(rank_by(index).supported());
  index[2] = {0.02, 0.0, 0.06};
  CHECK(rank_by(index).unresolved == Pairs{{2, 1}});

  // On the Ishigami function: 4,096 base rows rank all three by either index; 16 cannot.
  const double a = 7.0, b = 0.1, pi = std::numbers::pi;
  for (const std::size_t n : {std::size_t{16}, std::size_t{4096}}) {
    const Design design = saltelli(n, 3, 11);
    std::vector<double> y(design.points());
    for (std::size_t i = 0; i < design.points(); ++i) {
      const double x1 = -pi + 2 * pi * design.at(i, 0), x2 = -pi + 2 * pi * design.at(i, 1),
                   x3 = -pi + 2 * pi * design.at(i, 2);
      y[i] = std::sin(x1) + a * std::pow(std::sin(x2), 2) + b * std::pow(x3, 4) * std::sin(x1);
    }
    const auto s = sobol_indices(y, n, 3, 1000, 0.95, 3);
    CAPTURE(n);
    CHECK(rank_by(s.total).supported() == (n == 4096));
    CHECK(rank_by(s.first).supported() == (n == 4096));
    if (n == 4096) CHECK(rank_by(s.total).order == std::vector<std::size_t>{0, 1, 2});
  }
}
