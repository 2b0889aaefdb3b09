#pragma once
// The 16 metrics each path reports per role and reporting period (docs/reference-model.md,
// "What each path reports"), and where each (role, period, metric) output sits in a path's
// output vector.

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "talentcast/models/scenario.hpp"

namespace talentcast::models {

enum class Metric : std::size_t {
  demand,
  employed,
  candidates,
  openings,
  unfilled,
  ratio,
  shortage,
  hires,
  fill_rate,
  new_openings,
  new_candidates,
  salary_median,
  salary_p10,
  salary_p25,
  salary_p75,
  salary_p90,
};
inline constexpr std::size_t kMetricCount = 16;
/// The `total` pseudo-role has every metric before salary_median.
inline constexpr std::size_t kTotalMetricCount = 11;

std::string_view metric_name(Metric metric);
inline std::string_view metric_name(std::size_t metric) {
  return metric_name(static_cast<Metric>(metric));
}

/// The salary band percentiles reported, with the metric that holds each.
inline constexpr std::array<std::pair<double, Metric>, 4> kBandPercentiles{
    {{0.10, Metric::salary_p10},
     {0.25, Metric::salary_p25},
     {0.75, Metric::salary_p75},
     {0.90, Metric::salary_p90}}};

/// The metrics of a level: the salary band (salary_median and the four percentiles).
inline constexpr std::size_t kLevelMetricCount =
    kMetricCount - static_cast<std::size_t>(Metric::salary_median);

/// A run of outputs that share a name in the forecast: a role (every metric), one of its levels
/// ("role/level", the salary metrics) or `total` (the metrics before salary_median).
struct OutputSeries {
  std::string name;
  std::size_t role = 0;  ///< the role's index; the number of roles for `total`
  std::optional<std::size_t> level;
  std::size_t first_metric = 0;
  std::size_t metric_count = 0;
  std::size_t offset = 0;  ///< index of its first output: period 0, first metric
  bool has_band() const { return first_metric + metric_count == kMetricCount; }
};

/// Outputs are ordered by series (each role followed by its levels, `total` last), then period,
/// then metric. Without levels that is role by role, then `total`.
class OutputLayout {
 public:
  explicit OutputLayout(const Scenario& scenario);

  std::size_t roles() const { return role_series_.size(); }  ///< real roles; `total` is roles()
  std::size_t periods() const { return periods_; }
  std::size_t size() const { return size_; }
  const std::vector<OutputSeries>& series() const { return series_; }
  /// The series of a role (roles() for `total`), or of one of its levels.
  const OutputSeries& role_series(std::size_t role) const {
    return series_[role == roles() ? series_.size() - 1 : role_series_[role]];
  }
  const OutputSeries& level_series(std::size_t role, std::size_t level) const {
    return series_[role_series_[role] + 1 + level];
  }
  std::size_t index(const OutputSeries& series, std::size_t period, Metric metric) const {
    return series.offset + period * series.metric_count + static_cast<std::size_t>(metric) -
           series.first_metric;
  }
  /// The output of a role's metric (role == roles(): `total`).
  std::size_t index(std::size_t role, std::size_t period, Metric metric) const {
    return index(role_series(role), period, metric);
  }
  std::size_t level_index(std::size_t role, std::size_t level, std::size_t period,
                          Metric metric) const {
    return index(level_series(role, level), period, metric);
  }

  /// The band store's values per path: for each series with a band (every series but `total`,
  /// in order) and period, the band's log median (q = 0) and log-sd (q = 1).
  std::size_t band_groups() const { return series_.size() - 1; }
  std::size_t band_values() const { return band_groups() * periods_ * 2; }
  std::size_t band_value(std::size_t group, std::size_t period, std::size_t q) const {
    return (group * periods_ + period) * 2 + q;
  }

 private:
  std::size_t periods_;
  std::size_t size_ = 0;
  std::vector<OutputSeries> series_;
  std::vector<std::size_t> role_series_;  // index in series_ of each role
};

}  // namespace talentcast::models
