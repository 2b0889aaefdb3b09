#pragma once
// Scores of a forecast distribution against what happened (docs/backtest.md#scores): the
// continuous ranked probability score of a sample and of a normal distribution, and the
// central intervals whose coverage a backtest counts.

#include <span>

namespace talentcast::core {

/// The CRPS of the empirical distribution of `sorted` (ascending, non-empty) at the outcome y:
/// mean |X - y| - mean |X - X'| / 2 over the sample's values, computed from the order
/// statistics in O(n) as (1/n) sum |x_i - y| - (1/n^2) sum_i (2i - n - 1) x_(i), i from 1.
double crps_sample(std::span<const double> sorted, double y);

/// The CRPS of a normal distribution N(mean, sd^2), sd > 0, at y, in closed form:
/// sd (z (2 Phi(z) - 1) + 2 phi(z) - 1 / sqrt(pi)), z = (y - mean) / sd (Gneiting & Raftery 2007).
double crps_normal(double mean, double sd, double y);

/// The standard normal quantile Phi^-1(p), p in (0, 1).
double normal_quantile(double p);

/// The central interval holding `level` (in (0, 1)) of a distribution: quantiles (1 - level) / 2
/// and (1 + level) / 2.
struct Interval {
  double low = 0.0;
  double high = 0.0;
  bool covers(double y) const { return low <= y && y <= high; }
};

/// The p-quantile (p in [0, 1]) of a sorted, non-empty sample by linear interpolation between
/// order statistics (type 7, as NumPy and R compute by default).
double sorted_quantile(std::span<const double> sorted, double p);

/// The central interval of a sorted sample, its quantiles interpolated linearly between order
/// statistics (core::sample_quantile's rule).
Interval sample_interval(std::span<const double> sorted, double level);

/// The central interval of N(mean, sd^2).
Interval normal_interval(double mean, double sd, double level);

}  // namespace talentcast::core
