#include "talentcast/models/band_fit.hpp"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <numeric>
#include <vector>

namespace talentcast::models {

double BandFit::median() const {
  return std::exp(log_mean);
}

double BandFit::log_mean_se() const {
  return log_sd / std::sqrt(effective_n);
}

double lilliefors_p_value(double d, double n) {
  // Dallal & Wilkinson (1986), valid for p < 0.1; beyond n = 100 the distance is rescaled.
  const double dn = n <= 100.0 ? d : d * std::pow(n / 100.0, 0.49);
  const double nn = std::min(n, 100.0);
  double p = std::exp(-7.01256 * dn * dn * (nn + 2.78019) + 2.99587 * dn * std::sqrt(nn + 2.78019) -
                      0.122119 + 0.974598 / std::sqrt(nn) + 1.67997 / nn);
  if (p <= 0.1) return p;
  // Stephens (1974): the modified statistic's polynomial approximations.
  const double k = (std::sqrt(n) - 0.01 + 0.85 / std::sqrt(n)) * d;
  if (k <= 0.302) return 1.0;
  if (k <= 0.5)
    return 2.76773 - 19.828315 * k + 80.709644 * k * k - 138.55152 * k * k * k +
           81.218052 * k * k * k * k;
  if (k <= 0.9)
    return -4.901232 + 40.662806 * k - 97.490286 * k * k + 94.029866 * k * k * k -
           32.355711 * k * k * k * k;
  if (k <= 1.31)
    return 6.198765 - 19.558097 * k + 23.186922 * k * k - 15.800035 * k * k * k +
           3.78806 * k * k * k * k;
  return p;
}

BandFit fit_band(std::span<const double> salaries, std::span<const double> weights) {
  const std::size_t n = salaries.size();
  // Weights scaled by the largest, so that sums of squares neither overflow nor underflow.
  const double largest = weights.empty() ? 1.0 : *std::max_element(weights.begin(), weights.end());
  const auto weight = [&](std::size_t i) { return weights.empty() ? 1.0 : weights[i] / largest; };
  BandFit fit;
  fit.rows = n;
  // Log salaries sorted (for the empirical CDF), with their weights.
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return salaries[a] < salaries[b]; });
  double w_sum = 0.0, w2_sum = 0.0, mean = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    w_sum += weight(i);
    w2_sum += weight(i) * weight(i);
  }
  for (std::size_t i = 0; i < n; ++i) mean += weight(i) * std::log(salaries[i]);
  mean /= w_sum;
  double squares = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double d = std::log(salaries[i]) - mean;
    squares += weight(i) * d * d;
  }
  fit.effective_n = w_sum * w_sum / w2_sum;  // Kish (docs/model.md eq. 26)
  fit.log_mean = mean;                       // eq. 24
  // Reliability weights (eq. 25): sum w (x - m)^2 / (V1 - V2 / V1); n - 1 in the denominator
  // when equal.
  fit.log_sd = std::sqrt(squares / (w_sum - w2_sum / w_sum));

  // KS distance: at each distinct value the empirical CDF jumps from `before` to `after`.
  const boost::math::normal standard;
  double cumulative = 0.0, d = 0.0;
  for (std::size_t i = 0; i < n;) {
    const double x = salaries[order[i]];
    const double before = cumulative / w_sum;
    while (i < n && salaries[order[i]] == x) cumulative += weight(order[i++]);
    const double after = std::min(cumulative / w_sum, 1.0);
    const double model = boost::math::cdf(standard, (std::log(x) - mean) / fit.log_sd);
    d = std::max({d, std::abs(model - before), std::abs(after - model)});
  }
  fit.ks_statistic = d;
  fit.ks_p_value = lilliefors_p_value(d, fit.effective_n);
  return fit;
}

double effective_sample_size(std::span<const double> weights) {
  if (weights.empty()) return 0.0;
  const double largest = *std::max_element(weights.begin(), weights.end());
  double sum = 0.0, squares = 0.0;
  for (double w : weights) {
    sum += w / largest;
    squares += (w / largest) * (w / largest);
  }
  return sum * sum / squares;
}

// The band's log-sd and start log-median drawn from their joint sampling distribution
// (docs/model.md eqs. 27, 28).
BandDraws band_draws(const BandFit& fit, std::string_view key, QuantileTables& tables) {
  Distribution sigma;
  sigma.kind = DistributionKind::scaled_inv_chi;
  sigma.a = fit.effective_n - 1.0;
  sigma.b = fit.log_sd;
  sigma.low = 0.0;
  sigma.high = std::numeric_limits<double>::infinity();
  Distribution z;
  z.kind = DistributionKind::normal;
  z.a = 0.0;
  z.b = 1.0;
  z.low = -std::numeric_limits<double>::infinity();
  z.high = std::numeric_limits<double>::infinity();
  BandDraws draws{Parameter(sigma, std::string(key) + ".band_sigma", tables),
                  Parameter(z, std::string(key) + ".median", tables), fit.log_mean,
                  std::sqrt(fit.effective_n)};
  return draws;
}

}  // namespace talentcast::models
