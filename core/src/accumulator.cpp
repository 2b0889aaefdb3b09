#include "talentcast/core/accumulator.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace talentcast::core {

namespace {

// The sums of Moments::of run in kPartials interleaved partial sums (value i into partial
// i % kPartials), added pairwise at the end: independent additions that a processor overlaps
// and a compiler vectorises, in a fixed order, so the bits depend only on the values.
constexpr std::size_t kPartials = 8;

double pairwise(const std::array<double, kPartials>& p) noexcept {
  return ((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7]));
}

}  // namespace

Moments Moments::of(std::span<const double> values) noexcept {
  Moments result;
  const std::size_t n_values = values.size();
  result.count = n_values;
  if (values.empty()) return result;
  const double n = static_cast<double>(n_values);
  const std::size_t whole = n_values / kPartials * kPartials;
  std::array<double, kPartials> sum{};
  for (std::size_t i = 0; i < whole; i += kPartials) {
    for (std::size_t j = 0; j < kPartials; ++j) sum[j] += values[i + j];
  }
  for (std::size_t i = whole; i < n_values; ++i) sum[i - whole] += values[i];
  result.mean = pairwise(sum) / n;
  // The second pass also corrects the mean for the rounding of the first (so that equal values
  // have exactly their value as mean and a zero M2).
  std::array<double, kPartials> deviation{}, m2{};
  const double mean = result.mean;
  for (std::size_t i = 0; i < whole; i += kPartials) {
    for (std::size_t j = 0; j < kPartials; ++j) {
      const double d = values[i + j] - mean;
      deviation[j] += d;
      m2[j] += d * d;
    }
  }
  for (std::size_t i = whole; i < n_values; ++i) {
    const double d = values[i] - mean;
    deviation[i - whole] += d;
    m2[i - whole] += d * d;
  }
  const double total_deviation = pairwise(deviation);
  result.mean += total_deviation / n;
  result.m2 = std::max(0.0, pairwise(m2) - total_deviation * total_deviation / n);
  return result;
}

void Moments::merge(const Moments& other) noexcept {
  if (other.count == 0) return;
  if (count == 0) {
    *this = other;
    return;
  }
  const double n_a = static_cast<double>(count);
  const double n_b = static_cast<double>(other.count);
  const double n = n_a + n_b;
  const double delta = other.mean - mean;
  if (delta == 0.0) {  // keeps equal values exact
    m2 += other.m2;
    count += other.count;
    return;
  }
  mean += delta * (n_b / n);
  m2 += other.m2 + delta * delta * (n_a * n_b / n);
  count += other.count;
}

double Moments::sd() const noexcept {
  return count > 1 ? std::sqrt(m2 / static_cast<double>(count - 1)) : 0.0;
}

Summary summarize(const Moments& moments, const QuantileSketch& sketch) {
  Summary s;
  s.count = moments.count;
  s.mean = moments.mean;
  s.sd = moments.sd();
  s.mcse = moments.count > 0 ? s.sd / std::sqrt(static_cast<double>(moments.count)) : 0.0;
  if (sketch.count() > 0) {
    std::array<double, kPercentiles.size()> ps{};
    for (std::size_t i = 0; i < kPercentiles.size(); ++i) ps[i] = kPercentiles[i] / 100.0;
    sketch.quantiles(ps, s.percentiles);
  }
  return s;
}

double sample_quantile(std::vector<double>& values, double p) {
  const double h = p * static_cast<double>(values.size() - 1);
  const auto i = static_cast<std::size_t>(h);
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(i), values.end());
  const double lower = values[i];
  if (i + 1 >= values.size()) return lower;
  const double upper =
      *std::min_element(values.begin() + static_cast<std::ptrdiff_t>(i) + 1, values.end());
  return lower + (h - static_cast<double>(i)) * (upper - lower);
}

}  // namespace talentcast::core
