// Sweep designs have their defining properties: a full grid, one Latin hypercube point per
// stratum, the Sobol sequence's known first points and its stratification when scrambled,
// Morris trajectories of one-at-a-time steps, and Saltelli's A / AB_i / B structure.
#include <catch2/catch.hpp>
#include <cmath>
#include <set>

#include "talentcast/core/design.hpp"

using namespace talentcast::core;

TEST_CASE("a full factorial has every combination, the first dimension slowest", "[design]") {
  const Design d = full_factorial({2, 3});
  REQUIRE(d.points() == 6);
  CHECK(d.at(0, 0) == 0.0);
  CHECK(d.at(0, 1) == 0.0);
  CHECK(d.at(1, 1) == 0.5);
  CHECK(d.at(2, 1) == 1.0);
  CHECK(d.at(3, 0) == 1.0);
  CHECK(full_factorial({1}).at(0, 0) == 0.5);
}

TEST_CASE("a Latin hypercube has one point in each stratum of every dimension", "[design]") {
  for (std::size_t n : {1, 7, 100}) {
    const Design d = latin_hypercube(n, 5, 42);
    REQUIRE(d.points() == n);
    for (std::size_t j = 0; j < 5; ++j) {
      std::set<std::size_t> strata;
      for (std::size_t i = 0; i < n; ++i) {
        const double x = d.at(i, j);
        CHECK(x > 0.0);
        CHECK(x < 1.0);
        strata.insert(static_cast<std::size_t>(x * static_cast<double>(n)));
      }
      CHECK(strata.size() == n);
    }
  }
  // Reproducible from the seed, different for another.
  CHECK(latin_hypercube(10, 3, 42).unit == latin_hypercube(10, 3, 42).unit);
  CHECK(latin_hypercube(10, 3, 42).unit != latin_hypercube(10, 3, 43).unit);
}

TEST_CASE("the Sobol sequence starts with its known points", "[design]") {
  // Joe-Kuo direction numbers (SciPy's scipy.stats.qmc.Sobol(d=3, scramble=False)).
  const double expected[8][3] = {{0, 0, 0},
                                 {0.5, 0.5, 0.5},
                                 {0.75, 0.25, 0.25},
                                 {0.25, 0.75, 0.75},
                                 {0.375, 0.375, 0.625},
                                 {0.875, 0.875, 0.125},
                                 {0.625, 0.125, 0.875},
                                 {0.125, 0.625, 0.375}};
  const Design d = sobol(8, 3, 1, false);
  for (std::size_t i = 0; i < 8; ++i) {
    for (std::size_t j = 0; j < 3; ++j) CHECK(d.at(i, j) == expected[i][j]);
  }
}

TEST_CASE("a scrambled Sobol net keeps its stratification, inside (0, 1)", "[design]") {
  // The first 2^m points of a (t, m, s)-net in base 2 put one point in each interval
  // [k / 2^m, (k + 1) / 2^m) of every one-dimensional projection, scrambled or not, and the
  // first two dimensions form a (0, m, 2)-net: one point in each 2^a x 2^(m-a) box.
  const std::size_t m = 8, n = std::size_t{1} << m;
  for (std::uint64_t seed : {1u, 2u}) {
    const Design d = sobol(n, 6, seed, true);
    for (std::size_t j = 0; j < 6; ++j) {
      std::set<std::size_t> cells;
      for (std::size_t i = 0; i < n; ++i) {
        CHECK(d.at(i, j) > 0.0);
        CHECK(d.at(i, j) < 1.0);
        cells.insert(static_cast<std::size_t>(std::ldexp(d.at(i, j), static_cast<int>(m))));
      }
      CHECK(cells.size() == n);
    }
    for (std::size_t a = 0; a <= m; ++a) {
      std::set<std::pair<std::size_t, std::size_t>> boxes;
      for (std::size_t i = 0; i < n; ++i) {
        boxes.insert({static_cast<std::size_t>(std::ldexp(d.at(i, 0), static_cast<int>(a))),
                      static_cast<std::size_t>(std::ldexp(d.at(i, 1), static_cast<int>(m - a)))});
      }
      CHECK(boxes.size() == n);
    }
  }
  CHECK(sobol(16, 2, 1, true).unit != sobol(16, 2, 2, true).unit);
  CHECK(sobol(16, 2, 1, true).unit != sobol(16, 2, 1, false).unit);
}

TEST_CASE("Morris trajectories move one coordinate by delta at a time", "[design]") {
  const std::size_t r = 20, k = 4, levels = 4;
  const Design d = morris(r, k, levels, 9);
  REQUIRE(d.points() == r * (k + 1));
  const double delta = morris_delta(levels);
  CHECK(delta == Approx(2.0 / 3.0));
  for (std::size_t t = 0; t < r; ++t) {
    std::set<std::size_t> moved;
    for (std::size_t s = 0; s < k; ++s) {
      const std::size_t i = t * (k + 1) + s;
      std::size_t changed = 0;
      for (std::size_t j = 0; j < k; ++j) {
        const double step = d.at(i + 1, j) - d.at(i, j);
        if (step != 0.0) {
          ++changed;
          moved.insert(j);
          CHECK(std::abs(step) == Approx(delta));
        }
        CHECK(d.at(i + 1, j) >= 0.0);
        CHECK(d.at(i + 1, j) <= 1.0);
      }
      CHECK(changed == 1);
    }
    CHECK(moved.size() == k);  // every coordinate moves once per trajectory
  }
}

TEST_CASE("Saltelli's scheme is A, then A with one column from B, then B", "[design]") {
  const std::size_t n = 32, k = 3;
  const Design d = saltelli(n, k, 5);
  REQUIRE(d.points() == n * (k + 2));
  const Design base = sobol(n, 2 * k, 5, true);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t row = i * (k + 2);
    for (std::size_t j = 0; j < k; ++j) {
      CHECK(d.at(row, j) == base.at(i, j));              // A
      CHECK(d.at(row + k + 1, j) == base.at(i, k + j));  // B
      for (std::size_t c = 0; c < k; ++c) {              // AB_c
        CHECK(d.at(row + 1 + c, j) == (j == c ? base.at(i, k + j) : base.at(i, j)));
      }
    }
  }
}
