#include "talentcast/core/sensitivity.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "talentcast/core/accumulator.hpp"
#include "talentcast/core/random.hpp"

namespace talentcast::core {

namespace {

// The indices of a set of rows (with repetition) of a Saltelli output.
void indices_of(std::span<const double> y, std::size_t dims, const std::vector<std::size_t>& rows,
                std::vector<double>& first, std::vector<double>& total, double& variance) {
  const std::size_t stride = dims + 2;
  // Variance of f(A) and f(B) together.
  double mean = 0.0;
  for (std::size_t r : rows) mean += y[r * stride] + y[r * stride + dims + 1];
  mean /= static_cast<double>(2 * rows.size());
  double squares = 0.0;
  for (std::size_t r : rows) {
    squares += std::pow(y[r * stride] - mean, 2) + std::pow(y[r * stride + dims + 1] - mean, 2);
  }
  variance = squares / static_cast<double>(2 * rows.size() - 1);
  first.assign(dims, 0.0);
  total.assign(dims, 0.0);
  for (std::size_t r : rows) {
    const double a = y[r * stride], b = y[r * stride + dims + 1];
    for (std::size_t i = 0; i < dims; ++i) {
      const double ab = y[r * stride + 1 + i];
      first[i] += b * (ab - a);               // Saltelli et al. (2010)
      total[i] += 0.5 * (a - ab) * (a - ab);  // Jansen (1999)
    }
  }
  for (std::size_t i = 0; i < dims; ++i) {
    first[i] /= static_cast<double>(rows.size()) * variance;
    total[i] /= static_cast<double>(rows.size()) * variance;
  }
}

}  // namespace

Ranking rank_by(std::span<const Estimate> index, double negligible) {
  Ranking r;
  r.order.resize(index.size());
  std::iota(r.order.begin(), r.order.end(), std::size_t{0});
  std::stable_sort(r.order.begin(), r.order.end(),
                   [&](std::size_t a, std::size_t b) { return index[a].value > index[b].value; });
  for (std::size_t k = 1; k < r.order.size(); ++k) {
    const Estimate& above = index[r.order[k - 1]];
    const Estimate& below = index[r.order[k]];
    const bool apart = above.low > below.high;
    const bool neither_matters = above.high < negligible && below.high < negligible;
    if (!apart && !neither_matters) r.unresolved.emplace_back(r.order[k - 1], r.order[k]);
  }
  return r;
}

SobolIndices sobol_indices(std::span<const double> y, std::size_t n, std::size_t dims,
                           std::size_t resamples, double confidence, std::uint64_t seed) {
  if (y.size() != n * (dims + 2) || n < 2) {
    throw std::invalid_argument("sobol_indices: expected n (dims + 2) outputs, n >= 2");
  }
  SobolIndices result;
  std::vector<std::size_t> rows(n);
  for (std::size_t r = 0; r < n; ++r) rows[r] = r;
  std::vector<double> first, total;
  indices_of(y, dims, rows, first, total, result.variance);
  // Bootstrap: rows resampled with replacement, from the counter-based streams.
  const CounterRng rng(seed);
  std::vector<std::vector<double>> boot_first(dims), boot_total(dims);
  std::vector<double> f, t;
  double v = 0.0;
  for (std::size_t b = 0; b < resamples; ++b) {
    for (std::size_t r = 0; r < n; ++r) {
      const double u = rng.uniforms(b, static_cast<std::uint32_t>(r),
                                    static_cast<std::uint32_t>(r >> 32), Domain::user, 7)[0];
      rows[r] = std::min(static_cast<std::size_t>(u * static_cast<double>(n)), n - 1);
    }
    indices_of(y, dims, rows, f, t, v);
    for (std::size_t i = 0; i < dims; ++i) {
      boot_first[i].push_back(f[i]);
      boot_total[i].push_back(t[i]);
    }
  }
  const double tail = (1.0 - confidence) / 2.0;
  for (std::size_t i = 0; i < dims; ++i) {
    Estimate s{first[i], first[i], first[i]};
    Estimate st{total[i], total[i], total[i]};
    if (resamples > 1) {
      s.low = sample_quantile(boot_first[i], tail);
      s.high = sample_quantile(boot_first[i], 1.0 - tail);
      st.low = sample_quantile(boot_total[i], tail);
      st.high = sample_quantile(boot_total[i], 1.0 - tail);
    }
    result.first.push_back(s);
    result.total.push_back(st);
  }
  return result;
}

MorrisEffects morris_effects(std::span<const double> y, const Design& design, std::size_t r) {
  const std::size_t dims = design.dims;
  if (y.size() != r * (dims + 1) || design.points() != y.size()) {
    throw std::invalid_argument("morris_effects: expected r (dims + 1) outputs");
  }
  std::vector<std::vector<double>> effects(dims);
  for (std::size_t t = 0; t < r; ++t) {
    for (std::size_t s = 0; s < dims; ++s) {
      const std::size_t i = t * (dims + 1) + s;
      for (std::size_t j = 0; j < dims; ++j) {
        const double step = design.at(i + 1, j) - design.at(i, j);
        if (step != 0.0) effects[j].push_back((y[i + 1] - y[i]) / step);
      }
    }
  }
  MorrisEffects m;
  for (const auto& e : effects) {
    double mean = 0.0, absolute = 0.0;
    for (double x : e) {
      mean += x;
      absolute += std::abs(x);
    }
    mean /= static_cast<double>(e.size());
    absolute /= static_cast<double>(e.size());
    double squares = 0.0;
    for (double x : e) squares += (x - mean) * (x - mean);
    m.mu.push_back(mean);
    m.mu_star.push_back(absolute);
    m.sigma.push_back(e.size() > 1 ? std::sqrt(squares / static_cast<double>(e.size() - 1)) : 0.0);
  }
  return m;
}

}  // namespace talentcast::core
