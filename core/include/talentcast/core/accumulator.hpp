#pragma once
// Forecast statistics of one output (a role, period and metric) across paths.
//
// Moments are merged with Chan et al.'s pairwise update in block order, so the mean and sd are
// the same bits for any thread count; percentiles come from QuantileSketch, whose integer
// counts merge exactly in any order.

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "talentcast/core/quantile_sketch.hpp"

namespace talentcast::core {

/// The reported percentiles, in percent.
inline constexpr std::array<int, 7> kPercentiles{5, 10, 25, 50, 75, 90, 95};

/// Count, mean and sum of squared deviations (M2) of a set of values.
struct Moments {
  std::uint64_t count = 0;
  double mean = 0.0;
  double m2 = 0.0;

  /// Two-pass moments of a contiguous set of values.
  static Moments of(std::span<const double> values) noexcept;
  /// Chan, Golub and LeVeque's pairwise merge; the order of merges is fixed by the caller.
  void merge(const Moments& other) noexcept;
  /// Sample standard deviation (P - 1 in the denominator; 0 when P = 1).
  double sd() const noexcept;
};

/// What forecast.csv reports for one output.
struct Summary {
  std::uint64_t count = 0;
  double mean = 0.0;
  double sd = 0.0;
  double mcse = 0.0;  ///< Monte Carlo standard error of the mean, sd / sqrt(P)
  std::array<double, kPercentiles.size()> percentiles{};
};

Summary summarize(const Moments& moments, const QuantileSketch& sketch);

/// The exact p-quantile (p in [0, 1]) of a non-empty sample by linear interpolation between
/// order statistics (NumPy's and R's default), in linear time; reorders values.
double sample_quantile(std::vector<double>& values, double p);

}  // namespace talentcast::core
