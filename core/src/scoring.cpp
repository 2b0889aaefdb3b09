#include "talentcast/core/scoring.hpp"

#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <numbers>
#include <stdexcept>

namespace talentcast::core {

double sorted_quantile(std::span<const double> sorted, double p) {
  if (sorted.empty()) throw std::invalid_argument("sorted_quantile: an empty sample");
  const double h = p * static_cast<double>(sorted.size() - 1);
  const auto i = static_cast<std::size_t>(std::floor(h));
  if (i + 1 >= sorted.size()) return sorted.back();
  return sorted[i] + (h - static_cast<double>(i)) * (sorted[i + 1] - sorted[i]);
}

double crps_sample(std::span<const double> sorted, double y) {
  if (sorted.empty()) throw std::invalid_argument("crps_sample: an empty sample");
  const double n = static_cast<double>(sorted.size());
  double to_outcome = 0.0, spread = 0.0;
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    to_outcome += std::abs(sorted[i] - y);
    spread += (2.0 * static_cast<double>(i + 1) - n - 1.0) * sorted[i];
  }
  return to_outcome / n - spread / (n * n);
}

double crps_normal(double mean, double sd, double y) {
  const double z = (y - mean) / sd;
  const double cdf = 0.5 * std::erfc(-z / std::numbers::sqrt2);
  const double pdf = std::exp(-0.5 * z * z) / std::sqrt(2.0 * std::numbers::pi);
  return sd * (z * (2.0 * cdf - 1.0) + 2.0 * pdf - std::numbers::inv_sqrtpi);
}

double normal_quantile(double p) {
  return boost::math::quantile(boost::math::normal_distribution<double>(), p);
}

Interval sample_interval(std::span<const double> sorted, double level) {
  if (sorted.empty()) throw std::invalid_argument("sample_interval: an empty sample");
  return {sorted_quantile(sorted, (1.0 - level) / 2.0),
          sorted_quantile(sorted, (1.0 + level) / 2.0)};
}

Interval normal_interval(double mean, double sd, double level) {
  const double z = normal_quantile((1.0 + level) / 2.0);
  return {mean - z * sd, mean + z * sd};
}

}  // namespace talentcast::core
