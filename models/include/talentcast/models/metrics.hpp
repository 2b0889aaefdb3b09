#pragma once
// The 16 metrics each path reports per role and reporting period (MODEL.md, "What each path
// reports"), and where each (role, period, metric) output sits in a path's output vector.

#include <array>
#include <cstddef>
#include <string_view>

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

/// Outputs are ordered role by role (the `total` pseudo-role last), then period, then metric.
class OutputLayout {
 public:
  OutputLayout(std::size_t roles, std::size_t periods) : roles_(roles), periods_(periods) {}

  std::size_t roles() const { return roles_; }  ///< real roles; index roles() is `total`
  std::size_t periods() const { return periods_; }
  std::size_t metrics(std::size_t role) const {
    return role == roles_ ? kTotalMetricCount : kMetricCount;
  }
  std::size_t size() const { return periods_ * (roles_ * kMetricCount + kTotalMetricCount); }
  std::size_t index(std::size_t role, std::size_t period, Metric metric) const {
    return role * periods_ * kMetricCount + period * metrics(role) +
           static_cast<std::size_t>(metric);
  }

 private:
  std::size_t roles_;
  std::size_t periods_;
};

}  // namespace talentcast::models
