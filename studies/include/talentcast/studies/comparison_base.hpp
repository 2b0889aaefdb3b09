#pragma once
// A comparison's base side run once and kept path by path, for many what-ifs of one base: the
// what-if page (`talentcast serve`, docs/serve.md) compares each lever change with it and runs
// only the what-if. Its statistics are run_comparison's for the same outputs, bit for bit.

#include <atomic>
#include <cstdint>
#include <vector>

#include "talentcast/models/metrics.hpp"
#include "talentcast/models/scenario.hpp"
#include "talentcast/studies/compare.hpp"
#include "talentcast/studies/forecast.hpp"

namespace talentcast::studies {

class ComparisonBase {
 public:
  /// Runs `base` on settings.paths paths with settings.seed (threads, stop and on_progress as a
  /// forecast) and keeps, for every path, the values of `metrics` of each role and of `total`
  /// (those of them it has; levels are not kept): paths x metrics x periods x (roles + 1)
  /// doubles at most. Throws models::ModelError as a forecast does.
  ComparisonBase(models::Scenario base, std::vector<models::Metric> metrics,
                 const ForecastSettings& settings);

  const models::Scenario& scenario() const { return base_; }
  std::uint64_t seed() const { return seed_; }
  /// The paths kept: settings.paths, or fewer when the run was stopped.
  std::uint64_t paths() const { return paths_; }
  bool interrupted() const { return interrupted_; }
  const std::vector<models::Metric>& metrics() const { return metrics_; }

  /// `whatif` against the kept base on paths 0 .. settings.paths - 1 (at most paths()) with the
  /// base's seed; settings.seed is ignored. The rows are those of run_comparison(base, whatif,
  /// settings) for the kept outputs, in its order, bit for bit; the shares are those of the
  /// paths on which each kept ratio and median salary rose and fell. Throws std::invalid_argument
  /// when the two cannot be compared (comparison_problems) or settings.paths is above paths().
  Comparison compare(const models::Scenario& whatif, const ForecastSettings& settings) const;

 private:
  class PairedModel;
  models::Scenario base_;
  std::vector<models::Metric> metrics_;
  std::uint64_t seed_ = 1;
  std::vector<std::size_t> kept_;            ///< the base's outputs kept, in its output order
  std::vector<models::Metric> kept_metric_;  ///< the metric of each
  std::vector<double> values_;               ///< output kept_[k] of path p at p * kept_.size() + k
  std::uint64_t paths_ = 0;
  bool interrupted_ = false;
};

}  // namespace talentcast::studies
