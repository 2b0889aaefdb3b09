// The estimators of calibration (calibration.hpp, docs/calibration.md eq. C1-C6): a history's
// series on its latest basis, the random walk with drift, the band's log-sd.
#include <cmath>

#include "talentcast/core/scoring.hpp"
#include "talentcast/studies/calibration.hpp"

namespace talentcast::studies {

using Series = config::SeriesBreak::Series;
using Action = config::SeriesBreak::Action;

namespace {

double value_of(const config::HistoryRow& row, Series which) {
  return which == Series::employment ? row.employment : row.median;
}

// Sum of the changes and of their years, leaving out the changes of basis.
std::pair<double, double> sums(const LogSeries& s) {
  double change = 0.0, years = 0.0;
  for (std::size_t i = 1; i < s.years.size(); ++i) {
    if (s.shift[i]) continue;
    change += s.logs[i] - s.logs[i - 1];
    years += s.years[i] - s.years[i - 1];
  }
  return {change, years};
}

}  // namespace

LogSeries log_series(const config::History& history, Series which,
                     const std::vector<config::SeriesBreak>& breaks) {
  LogSeries s;
  const auto breaks_at = [&](int year, Action action) {
    for (const auto& b : breaks) {
      if (b.year == year && b.action == action && b.applies_to(which)) return true;
    }
    return false;
  };
  for (const auto& row : history.rows) {
    if (breaks_at(row.year, Action::skip)) continue;
    s.years.push_back(row.year);
    s.logs.push_back(std::log(value_of(row, which)));
    s.lines.push_back(row.line);
    s.raw.push_back(value_of(row, which));
    s.moved.push_back(false);
    bool shift = false;
    if (s.years.size() > 1) {
      for (int year = s.years[s.years.size() - 2] + 1; year <= row.year; ++year) {
        shift = shift || breaks_at(year, Action::adjust);
      }
    }
    s.shift.push_back(shift);
  }
  // Each change of basis is replaced by the drift of the other changes (eq. C6): the values
  // before it move by the difference, so the series is continuous on the latest basis.
  const auto [change, years] = sums(s);
  const double drift = years > 0.0 ? change / years : 0.0;
  for (std::size_t i = 1; i < s.years.size(); ++i) {
    if (!s.shift[i]) continue;
    const double move = drift * (s.years[i] - s.years[i - 1]) - (s.logs[i] - s.logs[i - 1]);
    for (std::size_t j = 0; j < i; ++j) {
      s.logs[j] -= move;
      s.moved[j] = true;
    }
  }
  return s;
}

LogSeries window(const LogSeries& series, int since, int through) {
  LogSeries w;
  for (std::size_t i = 0; i < series.years.size(); ++i) {
    if (series.years[i] < since || series.years[i] > through) continue;
    w.years.push_back(series.years[i]);
    w.logs.push_back(series.logs[i]);
    w.lines.push_back(series.lines[i]);
    w.raw.push_back(series.raw[i]);
    w.moved.push_back(series.moved[i]);
    w.shift.push_back(!w.shift.empty() && series.shift[i]);
  }
  return w;
}

std::optional<DriftFit> fit_drift(const LogSeries& s) {
  DriftFit fit;
  for (std::size_t i = 1; i < s.years.size(); ++i) fit.changes += s.shift[i] ? 0 : 1;
  if (fit.changes < kMinChanges) return std::nullopt;
  const auto [change, years] = sums(s);
  fit.years = years;
  fit.drift = change / years;  // eq. C1
  double squares = 0.0;
  for (std::size_t i = 1; i < s.years.size(); ++i) {
    if (s.shift[i]) continue;
    const double h = s.years[i] - s.years[i - 1];
    const double residual = s.logs[i] - s.logs[i - 1] - fit.drift * h;
    squares += residual * residual / h;
  }
  const double nu = fit.changes - 1;
  fit.vol = std::sqrt(squares / nu);              // eq. C2
  fit.drift_se = fit.vol / std::sqrt(fit.years);  // eq. C3
  fit.vol_se = fit.vol / std::sqrt(2.0 * nu);
  fit.first_year = s.years.front();
  fit.last_year = s.years.back();
  fit.first_line = s.lines.front();
  fit.last_line = s.lines.back();
  return fit;
}

std::optional<SpreadFit> fit_band_sigma(const config::HistoryRow& row) {
  const std::array<std::pair<std::optional<double>, double>, 4> points{
      {{row.p10, 0.10}, {row.p25, 0.25}, {row.p75, 0.75}, {row.p90, 0.90}}};
  double zz = 0.0, zl = 0.0;
  std::vector<std::pair<double, double>> used;
  for (const auto& [value, p] : points) {
    if (!value) continue;
    const double z = core::normal_quantile(p), l = std::log(*value / row.median);
    used.emplace_back(z, l);
    zz += z * z;
    zl += z * l;
  }
  if (used.empty()) return std::nullopt;
  SpreadFit fit;
  fit.percentiles = static_cast<int>(used.size());
  fit.sigma = zl / zz;  // eq. C4
  if (used.size() > 1) {
    double squares = 0.0;
    for (const auto& [z, l] : used) squares += (l - fit.sigma * z) * (l - fit.sigma * z);
    fit.se = std::sqrt(squares / static_cast<double>(used.size() - 1) / zz);  // eq. C5
  }
  return fit;
}

}  // namespace talentcast::studies
