// Counter-based streams: addresses are independent, uniforms are in the open interval and
// uniform, Box-Muller normals have the right moments.
#include <boost/math/distributions/chi_squared.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <set>
#include <vector>

#include "talentcast/core/box_muller.hpp"
#include "talentcast/core/random.hpp"

using talentcast::core::CounterRng;
using talentcast::core::Domain;

TEST_CASE("a draw depends only on its address", "[random]") {
  const CounterRng a(7), b(7), other_seed(8);
  CHECK(a.bits(5, 1, 2, Domain::shock) == b.bits(5, 1, 2, Domain::shock));
  CHECK(a.bits(5, 1, 2, Domain::shock) != other_seed.bits(5, 1, 2, Domain::shock));
  // Every coordinate of the address matters.
  const auto base = a.bits(5, 1, 2, Domain::shock, 0);
  CHECK(base != a.bits(6, 1, 2, Domain::shock, 0));
  CHECK(base != a.bits(5, 2, 2, Domain::shock, 0));
  CHECK(base != a.bits(5, 1, 3, Domain::shock, 0));
  CHECK(base != a.bits(5, 1, 2, Domain::regime, 0));
  CHECK(base != a.bits(5, 1, 2, Domain::shock, 1));
  CHECK(a.seed() == 7);
}

TEST_CASE("uniforms lie strictly inside (0, 1), even at the extreme bit patterns", "[random]") {
  CHECK(CounterRng::to_open_unit(0, 0) > 0.0);
  CHECK(CounterRng::to_open_unit(0xffffffffu, 0xffffffffu) < 1.0);
  CHECK(CounterRng::to_open_unit(0, 0) == 0x1p-53);
  CHECK(CounterRng::to_open_unit(0xffffffffu, 0xffffffffu) == 1.0 - 0x1p-53);
}

TEST_CASE("uniforms pass a chi-squared test of uniformity", "[random]") {
  const CounterRng rng(2024);
  constexpr int kBins = 100;
  constexpr int kDraws = 200000;
  std::vector<int> counts(kBins, 0);
  for (int i = 0; i < kDraws / 2; ++i) {
    for (double u : rng.uniforms(static_cast<std::uint64_t>(i), 3, 4, Domain::parameter)) {
      ++counts[static_cast<std::size_t>(u * kBins)];
    }
  }
  double chi2 = 0.0;
  const double expected = static_cast<double>(kDraws) / kBins;
  for (int c : counts) chi2 += (c - expected) * (c - expected) / expected;
  // Fails with probability 1e-6 for a truly uniform generator.
  const double critical =
      boost::math::quantile(boost::math::complement(boost::math::chi_squared(kBins - 1), 1e-6));
  CHECK(chi2 < critical);
}

TEST_CASE("Box-Muller normals have mean 0, variance 1 and are uncorrelated", "[random]") {
  const CounterRng rng(99);
  constexpr Eigen::Index kPairs = 100000;
  Eigen::ArrayXd u1(kPairs), u2(kPairs), z1, z2;
  for (Eigen::Index i = 0; i < kPairs; ++i) {
    const auto u = rng.uniforms(static_cast<std::uint64_t>(i), 0, 0, Domain::shock);
    u1[i] = u[0];
    u2[i] = u[1];
  }
  talentcast::core::box_muller(u1, u2, z1, z2);  // the generator the model uses
  const double n = 2.0 * kPairs;
  const double sum = z1.sum() + z2.sum();
  const double sum_sq = z1.square().sum() + z2.square().sum();
  const double sum_fourth = z1.square().square().sum() + z2.square().square().sum();
  const double sum_cross = (z1 * z2).sum();
  // Tolerances: 5 standard errors (mean: 1/sqrt(n); variance: sqrt(2/n); cross: 1/sqrt(n/2);
  // fourth moment 3 with variance 96/n).
  CHECK(std::abs(sum / n) < 5.0 / std::sqrt(n));
  CHECK(std::abs(sum_sq / n - 1.0) < 5.0 * std::sqrt(2.0 / n));
  CHECK(std::abs(sum_cross / kPairs) < 5.0 / std::sqrt(static_cast<double>(kPairs)));
  CHECK(std::abs(sum_fourth / n - 3.0) < 5.0 * std::sqrt(96.0 / n));
}

TEST_CASE("parameter addresses hash key paths stably", "[random]") {
  // FNV-1a 64 of the empty string and of "a" (published test vectors).
  STATIC_REQUIRE(talentcast::core::fnv1a64("") == 0xcbf29ce484222325ull);
  STATIC_REQUIRE(talentcast::core::fnv1a64("a") == 0xaf63dc4c8601ec8cull);
}

TEST_CASE("vectorised Box-Muller equals the scalar formula to 2e-16", "[random]") {
  const CounterRng rng(5);
  const Eigen::Index n = 100000;
  Eigen::ArrayXd u1(n), u2(n), z1, z2;
  for (Eigen::Index i = 0; i < n; ++i) {
    const auto u = rng.uniforms(static_cast<std::uint64_t>(i), 0, 0, Domain::shock);
    u1[i] = u[0];
    u2[i] = i < 8 ? std::array<double, 8>{1e-17, 0.125, 0.25, 0.375, 0.5, 0.75, 1 - 1e-16, 0.6}
                        [static_cast<std::size_t>(i)]
                  : u[1];
  }
  talentcast::core::box_muller(u1, u2, z1, z2);
  double worst = 0.0;
  for (Eigen::Index i = 0; i < n; ++i) {
    const double r = std::sqrt(-2.0 * std::log(u1[i]));
    const double angle = 2.0 * std::numbers::pi * u2[i];
    worst = std::max({worst, std::abs(z1[i] - r * std::cos(angle)) / std::max(r, 1.0),
                      std::abs(z2[i] - r * std::sin(angle)) / std::max(r, 1.0)});
  }
  CHECK(worst < 2e-15);
}
