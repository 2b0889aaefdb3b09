#pragma once
// Global sensitivity estimators for sweep results (docs/sweeps.md, "Sensitivity"):
// Sobol first-order and total indices from Saltelli's scheme (Saltelli et al. 2010 for the
// first order, Jansen 1999 for the total), with bootstrap confidence intervals, and Morris
// elementary effects (mu, mu*, sigma; Campolongo et al. 2007). Validated on the Ishigami
// function, whose indices are known in closed form (tests/test_sensitivity.cpp).

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "talentcast/core/design.hpp"

namespace talentcast::core {

/// An estimate with its bootstrap percentile confidence interval.
struct Estimate {
  double value = 0.0;
  double low = 0.0;
  double high = 0.0;
};

struct SobolIndices {
  std::vector<Estimate> first;  ///< S_i
  std::vector<Estimate> total;  ///< ST_i
  double variance = 0.0;        ///< of the output, over the A and B rows
};

/// y holds the model's outputs on saltelli(n, dims, seed): n rows of dims + 2 values (A,
/// AB_1 .. AB_dims, B). The interval is the bootstrap percentile interval (resampling rows)
/// at `confidence`, from `resamples` resamples drawn from `seed`.
SobolIndices sobol_indices(std::span<const double> y, std::size_t n, std::size_t dims,
                           std::size_t resamples = 1000, double confidence = 0.95,
                           std::uint64_t seed = 1);

/// Parameters ranked by a Sobol index, and whether its intervals support the ranking.
struct Ranking {
  std::vector<std::size_t> order;  ///< parameters, the largest index first (ties: as given)
  /// Neighbours in `order` (above, below) that are not ranked apart.
  std::vector<std::pair<std::size_t, std::size_t>> unresolved;
  bool supported() const { return unresolved.empty(); }
};

/// The rule for ranking parameters by an index (docs/sweeps.md): order them by its value,
/// largest first. Two neighbours in that order are ranked apart when their intervals do not
/// overlap (the upper one's low end above the lower one's high end), or when both intervals end
/// below `negligible`: neither parameter matters, so their order does not either. Checking
/// neighbours suffices: if a is ranked apart from b and b from c, a's low end lies above c's
/// high end.
Ranking rank_by(std::span<const Estimate> index, double negligible = 0.05);

struct MorrisEffects {
  std::vector<double> mu;       ///< mean elementary effect
  std::vector<double> mu_star;  ///< mean absolute elementary effect
  std::vector<double> sigma;    ///< sd of the elementary effects (r - 1 in the denominator)
};

/// y holds the model's outputs on `design` = morris(r, dims, levels, seed). An elementary
/// effect is the change in y over the change in the moved coordinate (in the unit cube: per
/// whole range of the parameter).
MorrisEffects morris_effects(std::span<const double> y, const Design& design, std::size_t r);

}  // namespace talentcast::core
