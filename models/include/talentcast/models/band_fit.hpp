#pragma once
// A lognormal salary band fitted to observed salaries, with the estimation uncertainty that
// each path carries (docs/model.md, "Bands from observed pay data").
//
// The fit is the weighted mean m and standard deviation s of log salary. With n the effective
// sample size (Kish: (sum w)^2 / sum w^2, the row count when unweighted) and nu = n - 1, a
// path draws the band's log-sd and log-median from their joint sampling (reference posterior)
// distribution:
//   sigma^2 ~ scaled inverse chi-squared(nu, s^2)   (sigma = s sqrt(nu / X), X ~ chi^2_nu)
//   mu | sigma ~ normal(m, sigma^2 / n)
// so a band estimated from 30 salaries is visibly less certain than one from 30,000.
// Goodness of fit: the Kolmogorov-Smirnov distance D between the weighted empirical CDF and
// the fitted lognormal, with the Lilliefors p-value (parameters estimated from the data).

#include <cstddef>
#include <span>
#include <string>

#include "talentcast/models/parameter.hpp"

namespace talentcast::models {

struct BandFit {
  std::size_t rows = 0;
  double effective_n = 0.0;  ///< (sum w)^2 / sum w^2
  double log_mean = 0.0;     ///< m, the weighted mean of ln salary
  double log_sd = 0.0;       ///< s, the weighted sd of ln salary (reliability weights)
  double ks_statistic = 0.0;
  double ks_p_value = 1.0;  ///< Lilliefors (Dallal-Wilkinson approximation), at n = effective_n

  double median() const;
  /// The standard error of the log median, s / sqrt(n).
  double log_mean_se() const;
  /// Poor: significant at the 1% level and at least 3 percentile points off somewhere.
  bool poor() const { return ks_p_value < kPoorPValue && ks_statistic > kPoorDistance; }

  static constexpr double kPoorPValue = 0.01;
  static constexpr double kPoorDistance = 0.03;
  /// The fewest (effective) salaries a band is fitted from.
  static constexpr double kMinEffectiveN = 5.0;
};

/// Fits salaries (all > 0) with weights (all > 0, or empty for equal weights). The caller
/// ensures at least two distinct salaries.
BandFit fit_band(std::span<const double> salaries, std::span<const double> weights);

/// Kish's effective sample size (sum w)^2 / sum w^2 of weights > 0 (0 when there are none),
/// computed on the weights scaled by the largest, so any finite weights give a finite answer.
double effective_sample_size(std::span<const double> weights);

/// The Lilliefors p-value of a KS distance d for a sample of size n (n >= 4), by the
/// Dallal-Wilkinson (1986) approximation with Stephens' extension for p > 0.1, as in R's
/// nortest::lillie.test.
double lilliefors_p_value(double d, double n);

/// The per-path draws of a fitted band: sigma (a scaled inverse chi distribution) and the
/// standard normal z of its log median, mu = m + sigma z / sqrt(n). Their stream addresses are
/// the hashes of "<key>.band_sigma" and "<key>.median".
struct BandDraws {
  Parameter sigma;
  Parameter z;
  double log_mean = 0.0;
  double sqrt_n = 1.0;
  double log_median(double sigma_value, double z_value) const {
    return log_mean + sigma_value * z_value / sqrt_n;
  }
};
BandDraws band_draws(const BandFit& fit, std::string_view key, QuantileTables& tables);

}  // namespace talentcast::models
