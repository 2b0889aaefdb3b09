// Parameter distributions: draws through the counter-based streams reproduce the Boost.Math
// distributions (empirical quantiles within their standard errors), closed forms hold, and
// truncation is stable in the tails.
#include <algorithm>
#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/triangular.hpp>
#include <boost/math/distributions/uniform.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <memory>
#include <tuple>
#include <vector>

#include "talentcast/core/random.hpp"
#include "talentcast/models/parameter.hpp"

using talentcast::models::Distribution;
using talentcast::models::DistributionKind;
using talentcast::models::Parameter;

namespace {

constexpr int kDraws = 40000;

std::vector<double> draw_sorted(const Parameter& p) {
  const talentcast::core::CounterRng rng(11);
  std::vector<double> values(kDraws);
  for (int i = 0; i < kDraws; ++i) {
    const auto a = p.address();
    const double u =
        rng.uniforms(static_cast<std::uint64_t>(i), static_cast<std::uint32_t>(a),
                     static_cast<std::uint32_t>(a >> 32), talentcast::core::Domain::parameter)[0];
    values[static_cast<std::size_t>(i)] = p.at(u);
  }
  std::sort(values.begin(), values.end());
  return values;
}

// Empirical p-quantiles against the CDF: the fraction of draws below the true quantile is
// Binomial(n, p) / n, so it must lie within 5 standard errors sqrt(p (1 - p) / n) of p.
template <class Dist>
void check_against(const Parameter& p, const Dist& reference) {
  const auto values = draw_sorted(p);
  for (double q : {0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95}) {
    const double x = boost::math::quantile(reference, q);
    const double below =
        static_cast<double>(std::lower_bound(values.begin(), values.end(), x) - values.begin()) /
        kDraws;
    INFO("q = " << q << ", quantile " << x << ", fraction below " << below);
    CHECK(std::abs(below - q) < 5.0 * std::sqrt(q * (1 - q) / kDraws));
  }
}

Distribution distribution(DistributionKind kind, double a, double b, double low, double high) {
  Distribution d;
  d.kind = kind;
  d.a = a;
  d.b = b;
  d.low = low;
  d.high = high;
  return d;
}

Parameter make(DistributionKind kind, double a, double b, double low, double high) {
  talentcast::models::QuantileTables tables;  // the parameter keeps its table
  return Parameter(distribution(kind, a, b, low, high), "roles.test.parameter", tables);
}

constexpr double kInf = std::numeric_limits<double>::infinity();

}  // namespace

TEST_CASE("each distribution's draws follow its Boost.Math distribution", "[parameter]") {
  check_against(make(DistributionKind::normal, 0.1, 0.05, -kInf, kInf),
                boost::math::normal(0.1, 0.05));
  check_against(make(DistributionKind::lognormal, 60000, 0.3, 0, kInf),
                boost::math::lognormal(std::log(60000.0), 0.3));
  check_against(make(DistributionKind::uniform, 0, 0, 0.02, 0.08),
                boost::math::uniform(0.02, 0.08));
  check_against(make(DistributionKind::triangular, 0.1, 0, 0.0, 0.3),
                boost::math::triangular(0.0, 0.1, 0.3));
  check_against(make(DistributionKind::beta, 2, 5, 0, 1), boost::math::beta_distribution(2.0, 5.0));
  // PERT(low, mode, high) = low + (high - low) Beta(1 + 4 (mode - low) / range, 1 + 4 (high - mode)
  // / range).
  const auto pert = make(DistributionKind::pert, 4, 0, 2, 10);
  const auto values = draw_sorted(pert);
  double mean = 0;
  for (double v : values) mean += v / kDraws;
  // PERT mean (low + 4 mode + high) / 6 = 4.666..., sd = sqrt((mean - low)(high - mean) / 7).
  const double expected_mean = (2.0 + 4 * 4.0 + 10.0) / 6.0;
  const double sd = std::sqrt((expected_mean - 2.0) * (10.0 - expected_mean) / 7.0);
  CHECK(std::abs(mean - expected_mean) < 5 * sd / std::sqrt(kDraws));
}

TEST_CASE("closed-form quantiles", "[parameter]") {
  // Triangular(0, 1, 2) is symmetric: median 1; its 12.5% quantile is sqrt(0.125 * 2 * 1) = 0.5.
  const auto tri = make(DistributionKind::triangular, 1, 0, 0, 2);
  CHECK(tri.median() == Approx(1.0).epsilon(1e-12));
  CHECK(tri.at(0.125) == Approx(0.5).epsilon(1e-12));
  // Lognormal median is its median parameter; uniform is linear.
  CHECK(make(DistributionKind::lognormal, 123.0, 0.7, 0, kInf).median() ==
        Approx(123.0).epsilon(1e-12));
  CHECK(make(DistributionKind::uniform, 0, 0, 2, 4).at(0.25) == Approx(2.5).epsilon(1e-12));
  CHECK(Parameter(0.3).median() == 0.3);
  CHECK(Parameter(0.3).at(0.99) == 0.3);
}

TEST_CASE("truncated normals rescale the inverse CDF and stay stable in far tails", "[parameter]") {
  // Truncated to [mean, inf): the median is mean + sd Phi^-1(0.75).
  const auto half = make(DistributionKind::normal, 1.0, 2.0, 1.0, kInf);
  CHECK(half.median() == Approx(1.0 + 2.0 * 0.6744897501960817).epsilon(1e-12));
  // 10 sd into the upper tail, where 1 - Phi underflows any naive formula's precision: every
  // draw stays inside [min, max] and finite, and the median is close to min + sd / 10.
  const auto far = make(DistributionKind::normal, 0.0, 0.01, 0.1, 0.2);
  for (double u : {1e-12, 0.001, 0.5, 0.999, 1 - 1e-12}) {
    const double x = far.at(u);
    CHECK(std::isfinite(x));
    CHECK(x >= 0.1);
    CHECK(x <= 0.2);
  }
  // For a standard normal truncated at a = 10, the excess over a is about Exponential(a).
  CHECK(far.median() == Approx(0.1 + 0.01 * std::log(2.0) / 10.0).epsilon(2e-3));
  // The lower tail mirrors it.
  const auto low_tail = make(DistributionKind::normal, 0.0, 0.01, -0.2, -0.1);
  CHECK(low_tail.median() == Approx(-far.median()).epsilon(1e-9));
}

TEST_CASE("tabulated beta and PERT quantiles agree with Boost.Math's to 1e-9 of the range",
          "[parameter]") {
  for (const auto& [kind, a, b, low, high] :
       {std::tuple{DistributionKind::pert, 0.1, 0.0, 0.0, 0.3},  // alpha = 2.33, beta = 3.67
        std::tuple{DistributionKind::pert, 0.0, 0.0, 0.0, 1.0},  // mode at low: alpha = 1
        std::tuple{DistributionKind::pert, 5.0, 0.0, 1.0, 5.0},  // mode at high: beta = 1
        std::tuple{DistributionKind::beta, 0.7, 0.5, 0.0,
                   1.0},  // U-shaped, infinite density at both ends
        std::tuple{DistributionKind::beta, 30.0, 2.0, 2.0, 4.0}}) {
    Distribution d = distribution(kind, a, b, low, high);
    talentcast::models::QuantileTables tables;
    d.tabulate(tables);
    double worst = 0.0;
    for (int i = 1; i < 200000; ++i) {
      const double u = i / 200000.0;
      worst = std::max(worst, std::abs(d.quantile(u) - d.exact_quantile(u)) / (high - low));
    }
    INFO(talentcast::models::distribution_name(kind) << " " << a << " " << b);
    CHECK(worst < 1e-9);
  }
}

TEST_CASE("lognormals may be truncated, in log space", "[parameter]") {
  // Truncated to [median, inf), the median is median exp(sigma Phi^-1(0.75)).
  const auto half = make(DistributionKind::lognormal, 6.0, 0.25, 6.0, kInf);
  CHECK(half.median() == Approx(6.0 * std::exp(0.25 * 0.6744897501960817)).epsilon(1e-12));
  const auto both = make(DistributionKind::lognormal, 6.0, 0.25, 3.0, 12.0);
  for (double u : {1e-9, 0.5, 1 - 1e-9}) {
    CHECK(both.at(u) >= 3.0);
    CHECK(both.at(u) <= 12.0);
  }
  CHECK(both.distribution()->support_min() == 3.0);
  CHECK(both.distribution()->support_max() == 12.0);
}

TEST_CASE("quantile tables are shared by one reader's equal distributions, and freed with it",
          "[parameter]") {
  using talentcast::models::QuantileTable, talentcast::models::QuantileTables;
  std::weak_ptr<const QuantileTable> seen;
  {
    QuantileTables tables;
    const Parameter a(distribution(DistributionKind::pert, 0.1, 0.0, 0.0, 0.3), "a", tables);
    const Parameter b(distribution(DistributionKind::pert, 0.1, 0.0, 0.0, 0.3), "b", tables);
    const Parameter c(distribution(DistributionKind::pert, 0.2, 0.0, 0.0, 0.3), "c", tables);
    REQUIRE(a.distribution()->table != nullptr);
    CHECK(a.distribution()->table == b.distribution()->table);
    CHECK(a.distribution()->table != c.distribution()->table);
    CHECK(tables.size() == 2);
    // Another reader (another scenario file, another sweep) builds its own.
    QuantileTables others;
    const Parameter d(distribution(DistributionKind::pert, 0.1, 0.0, 0.0, 0.3), "a", others);
    CHECK(d.distribution()->table != a.distribution()->table);
    seen = a.distribution()->table;
  }
  // Nothing process-wide holds a table once its parameters and reader are gone.
  CHECK(seen.expired());
}
