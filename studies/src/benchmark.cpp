#include "talentcast/studies/benchmark.hpp"

#include <fmt/core.h>
#include <fmt/format.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <array>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <numbers>
#include <numeric>
#include <span>

#include "talentcast/core/accumulator.hpp"
#include "talentcast/io/diagnostic.hpp"

namespace talentcast::studies {

using core::sample_quantile;
using formats::BandSeries;
using formats::BandStore;
using formats::Cost;
using formats::Employee;
using formats::EmployeeResult;
using formats::Payroll;
using formats::PayrollResult;
using formats::PayrollSummary;
using formats::Standing;
using models::parse_date;

namespace {

double phi_cdf(double z) {
  return 0.5 * std::erfc(-z / std::numbers::sqrt2);
}

double z_of(double q) {
  return boost::math::quantile(boost::math::normal(), q);
}

// A band's standing curve over the salaries [low, high] of a payroll: the percentile of a salary
// (the mean across paths, and the 10th and 90th percentiles across paths) as a function of its
// log x, tabulated at kIntervals + 1 points with its exact derivative and interpolated by cubic
// Hermite polynomials. The paths' CDFs c_k = Phi(z_k), z_k = (x - ln median_k) / log_sd_k, keep
// their order between neighbouring grid points except where two paths cross (each pair at most
// once), so an insertion sort from the previous order finds the quantiles in O(K) per point.
class StandingCurve {
 public:
  static constexpr int kIntervals = 512;

  StandingCurve(const BandStore& store, std::size_t g, std::size_t t, double low, double high)
      : mu_(store.ln_medians(g, t)), sigma_(store.log_sds(g, t)) {
    // Beyond 8.5 log-sds of every path the percentile is 0 or 100 to within 1e-15: the grid
    // covers the payroll's salaries inside that envelope only, however far outliers lie.
    envelope_lo_ = std::numeric_limits<double>::infinity();
    envelope_hi_ = -envelope_lo_;
    for (std::size_t k = 0; k < mu_.size(); ++k) {
      envelope_lo_ = std::min(envelope_lo_, mu_[k] - 8.5 * sigma_[k]);
      envelope_hi_ = std::max(envelope_hi_, mu_[k] + 8.5 * sigma_[k]);
    }
    lo_ = std::max(std::log(low), envelope_lo_);
    const double hi = std::max(std::min(std::log(high), envelope_hi_), lo_ + 1e-9);
    step_ = (hi - lo_) / kIntervals;
    const std::size_t K = mu_.size();
    std::vector<double> z(K), cdf(K), slope(K);
    std::vector<std::size_t> order(K);
    std::iota(order.begin(), order.end(), std::size_t{0});
    for (int i = 0; i <= kIntervals; ++i) {
      const double x = lo_ + step_ * i;
      double sum = 0.0, sum_slope = 0.0;
      for (std::size_t k = 0; k < K; ++k) {
        z[k] = (x - mu_[k]) / sigma_[k];
        cdf[k] = phi_cdf(z[k]);
        slope[k] = std::exp(-0.5 * z[k] * z[k]) / (std::sqrt(2.0 * std::numbers::pi) * sigma_[k]);
        sum += cdf[k];
        sum_slope += slope[k];
      }
      // Insertion sort by z (ties by path), from the previous point's order.
      for (std::size_t j = 1; j < K; ++j) {
        const std::size_t k = order[j];
        std::size_t m = j;
        while (m > 0 && (z[order[m - 1]] > z[k] || (z[order[m - 1]] == z[k] && order[m - 1] > k))) {
          order[m] = order[m - 1];
          --m;
        }
        order[m] = k;
      }
      const double n = static_cast<double>(K);
      points_[0].push_back({100.0 * sum / n, 100.0 * sum_slope / n});
      for (int q = 0; q < 2; ++q) {
        // Linear interpolation between order statistics, as sample_quantile.
        const double h = (q == 0 ? 0.1 : 0.9) * (n - 1.0);
        const auto lower = static_cast<std::size_t>(h);
        const std::size_t upper = std::min(lower + 1, K - 1);
        const double f = h - static_cast<double>(lower);
        const std::size_t a = order[lower], b = order[upper];
        points_[q + 1].push_back({100.0 * (cdf[a] + f * (cdf[b] - cdf[a])),
                                  100.0 * (slope[a] + f * (slope[b] - slope[a]))});
      }
    }
  }

  Standing at(double salary) const {
    const double x = std::log(salary);
    if (x < envelope_lo_) return {0.0, 0.0, 0.0, 0.0};
    if (x > envelope_hi_) return {100.0, 100.0, 100.0, 0.0};
    const double s = std::clamp((x - lo_) / step_, 0.0, double(kIntervals));
    const auto i = std::min(static_cast<std::size_t>(s), std::size_t{kIntervals - 1});
    const double f = s - static_cast<double>(i);
    const double h00 = (1 + 2 * f) * (1 - f) * (1 - f), h10 = f * (1 - f) * (1 - f);
    const double h01 = f * f * (3 - 2 * f), h11 = f * f * (f - 1);
    const auto hermite = [&](const std::vector<Point>& p) {
      const double v = h00 * p[i].value + h10 * step_ * p[i].slope + h01 * p[i + 1].value +
                       h11 * step_ * p[i + 1].slope;
      return std::clamp(v, 0.0, 100.0);
    };
    return {hermite(points_[0]), hermite(points_[1]), hermite(points_[2]), 0.0};
  }

 private:
  struct Point {
    double value, slope;  // percentile, and its derivative in log salary
  };
  std::span<const float> mu_, sigma_;
  double envelope_lo_ = 0.0, envelope_hi_ = 0.0;
  double lo_ = 0.0, step_ = 1.0;
  std::array<std::vector<Point>, 3> points_;  // mean, p10, p90
};

// A group's salaries sorted, with prefix sums, for the cost of raising those below a level.
struct SortedPay {
  std::vector<double> salaries, prefix;
  explicit SortedPay(std::vector<double> s) : salaries(std::move(s)) {
    std::sort(salaries.begin(), salaries.end());
    prefix.assign(salaries.size() + 1, 0.0);
    for (std::size_t i = 0; i < salaries.size(); ++i) prefix[i + 1] = prefix[i] + salaries[i];
  }
  // sum over salaries below `level` of (level - salary)
  double gap(double level) const {
    const auto below = static_cast<std::size_t>(
        std::lower_bound(salaries.begin(), salaries.end(), level) - salaries.begin());
    return static_cast<double>(below) * level - prefix[below];
  }
};

Cost cost_of(std::vector<double> per_path) {
  Cost c;
  c.mean =
      std::accumulate(per_path.begin(), per_path.end(), 0.0) / static_cast<double>(per_path.size());
  c.p10 = sample_quantile(per_path, 0.1);
  c.p90 = sample_quantile(per_path, 0.9);
  return c;
}

}  // namespace

Standing standing(const BandStore& store, std::size_t g, std::size_t t, double salary) {
  const auto mu = store.ln_medians(g, t);
  const auto sigma = store.log_sds(g, t);
  const double x = std::log(salary);
  std::vector<double> cdf(mu.size());
  double sum = 0.0;
  for (std::size_t k = 0; k < mu.size(); ++k) {
    cdf[k] = phi_cdf((x - mu[k]) / sigma[k]);
    sum += cdf[k];
  }
  const double n = static_cast<double>(mu.size());
  const double mean = sum / n;
  double squares = 0.0;
  for (double c : cdf) squares += (c - mean) * (c - mean);
  Standing s;
  s.percentile = 100.0 * mean;
  s.mcse = n > 1 ? 100.0 * std::sqrt(squares / (n - 1) / n) : 0.0;
  s.p10 = 100.0 * sample_quantile(cdf, 0.1);
  s.p90 = 100.0 * sample_quantile(cdf, 0.9);
  return s;
}

double predictive_quantile(const BandStore& store, std::size_t g, std::size_t t, double q) {
  const auto mu = store.ln_medians(g, t);
  const auto sigma = store.log_sds(g, t);
  const double z = z_of(q);
  // The mixture's quantile lies between the paths' own: bisect in log salary.
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (std::size_t k = 0; k < mu.size(); ++k) {
    lo = std::min(lo, mu[k] + sigma[k] * z);
    hi = std::max(hi, mu[k] + sigma[k] * z);
  }
  const auto mean_cdf = [&](double x) {
    double sum = 0.0;
    for (std::size_t k = 0; k < mu.size(); ++k) sum += phi_cdf((x - mu[k]) / sigma[k]);
    return sum / static_cast<double>(mu.size());
  };
  for (int i = 0; i < 200 && hi - lo > 1e-12 * std::max(1.0, std::abs(hi)); ++i) {
    const double mid = 0.5 * (lo + hi);
    (mean_cdf(mid) < q ? lo : hi) = mid;
  }
  return std::exp(0.5 * (lo + hi));
}

MarketSalary market_salary(const BandStore& store, std::size_t g, std::size_t t, double q) {
  const auto mu = store.ln_medians(g, t);
  const auto sigma = store.log_sds(g, t);
  const double z = z_of(q);
  std::vector<double> values(mu.size());
  for (std::size_t k = 0; k < mu.size(); ++k) values[k] = std::exp(mu[k] + sigma[k] * z);
  MarketSalary m;
  m.q = q;
  m.salary = predictive_quantile(store, g, t, q);
  m.p10 = sample_quantile(values, 0.1);
  m.p90 = sample_quantile(values, 0.9);
  return m;
}

std::optional<std::size_t> find_period(const BandStore& store, std::string_view text) {
  for (std::size_t t = 0; t < store.periods.size(); ++t) {
    if (store.periods[t] == text) return t;
  }
  const auto date = parse_date(text);
  if (!date) return std::nullopt;
  const int months = date->last_ordinal() - store.start.ordinal();
  if (months < 0) return std::nullopt;
  const auto t = static_cast<std::size_t>(months / static_cast<int>(store.step));
  if (t >= store.periods.size()) return std::nullopt;
  return t;
}

namespace {

// Each employee's standing and compa-ratio, now and at the horizon, from the standing curves
// and market medians of the bands in use (computed in parallel, each on its own).
void employee_standings(const BandStore& store, const Payroll& payroll,
                        const std::vector<std::vector<double>>& pay,
                        const std::vector<std::size_t>& used, int threads, PayrollResult& result) {
  const std::size_t G = store.series.size();
  tbb::task_arena arena(threads > 0 ? threads : tbb::task_arena::automatic);
  arena.execute([&] {
    std::vector<std::optional<StandingCurve>> curves(2 * G);
    std::vector<double> medians(2 * G, 0.0);
    tbb::parallel_for(std::size_t{0}, 2 * used.size(), [&](std::size_t j) {
      const std::size_t g = used[j / 2], t = j % 2 == 0 ? result.now : result.horizon;
      const auto [low, high] = std::minmax_element(pay[g].begin(), pay[g].end());
      curves[2 * g + j % 2].emplace(store, g, t, *low, *high);
      medians[2 * g + j % 2] = predictive_quantile(store, g, t, 0.5);
    });
    result.employees.resize(payroll.employees.size());
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, payroll.employees.size(), 4096),
                      [&](const tbb::blocked_range<std::size_t>& range) {
                        for (std::size_t i = range.begin(); i != range.end(); ++i) {
                          const Employee& e = payroll.employees[i];
                          EmployeeResult& r = result.employees[i];
                          r.now = curves[2 * e.series]->at(e.salary);
                          r.horizon = curves[2 * e.series + 1]->at(e.salary);
                          r.compa_ratio_now = e.salary / medians[2 * e.series];
                          r.compa_ratio_horizon = e.salary / medians[2 * e.series + 1];
                        }
                      });
  });
}

// A band's summary: those below its 25th percentile (by their percentile), and the cost of
// raising them to the 25th and to the 50th percentile salary on each sampled path, added to
// the whole payroll's (`all`).
PayrollSummary band_summary(const BandStore& store, std::size_t g, std::size_t headcount,
                            const std::array<std::vector<double>, 2>& below,
                            const PayrollResult& result, std::vector<double> (&all)[4]) {
  const std::size_t K = store.samples;
  const double annual = store.salary_unit == "month" ? 12.0 : 1.0;
  PayrollSummary s;
  s.role = store.series[g].role;
  s.level = store.series[g].level;
  s.headcount = headcount;
  s.below_p25_now = below[0].size();
  s.below_p25_horizon = below[1].size();
  const SortedPay sorted[2] = {SortedPay(below[0]), SortedPay(below[1])};
  std::vector<double> costs[4];  // to p25 now, to p50 now, to p25 horizon, to p50 horizon
  for (int c = 0; c < 4; ++c) {
    const std::size_t t = c < 2 ? result.now : result.horizon;
    const double z = c % 2 == 0 ? z_of(0.25) : 0.0;
    const auto mu = store.ln_medians(g, t);
    const auto sigma = store.log_sds(g, t);
    costs[c].resize(K);
    for (std::size_t k = 0; k < K; ++k) {
      costs[c][k] = annual * sorted[c / 2].gap(std::exp(mu[k] + sigma[k] * z));
      all[c][k] += costs[c][k];
    }
  }
  s.to_p25_now = cost_of(costs[0]);
  s.to_p50_now = cost_of(costs[1]);
  s.to_p25_horizon = cost_of(costs[2]);
  s.to_p50_horizon = cost_of(costs[3]);
  return s;
}

}  // namespace

PayrollResult benchmark_payroll(const BandStore& store, const Payroll& payroll, std::size_t now,
                                std::size_t horizon, int threads) {
  PayrollResult result;
  result.now = now;
  result.horizon = horizon;
  const std::size_t G = store.series.size();
  std::vector<std::vector<double>> pay(G);
  for (const auto& e : payroll.employees) pay[e.series].push_back(e.salary);
  std::vector<std::size_t> used;
  for (std::size_t g = 0; g < G; ++g) {
    if (!pay[g].empty()) used.push_back(g);
  }
  employee_standings(store, payroll, pay, used, threads, result);

  // The summary: per band in use, then the whole payroll.
  std::vector<std::array<std::vector<double>, 2>> below(G);  // [band][now, horizon]: salaries
  for (std::size_t i = 0; i < payroll.employees.size(); ++i) {
    const Employee& e = payroll.employees[i];
    if (result.employees[i].now.percentile < 25.0) below[e.series][0].push_back(e.salary);
    if (result.employees[i].horizon.percentile < 25.0) below[e.series][1].push_back(e.salary);
  }
  std::vector<double> all[4];
  for (auto& a : all) a.assign(store.samples, 0.0);
  PayrollSummary total;
  total.role = "all";
  for (std::size_t g : used) {
    PayrollSummary s = band_summary(store, g, pay[g].size(), below[g], result, all);
    total.headcount += s.headcount;
    total.below_p25_now += s.below_p25_now;
    total.below_p25_horizon += s.below_p25_horizon;
    result.summary.push_back(std::move(s));
  }
  total.to_p25_now = cost_of(all[0]);
  total.to_p50_now = cost_of(all[1]);
  total.to_p25_horizon = cost_of(all[2]);
  total.to_p50_horizon = cost_of(all[3]);
  result.summary.push_back(std::move(total));
  return result;
}

}  // namespace talentcast::studies
